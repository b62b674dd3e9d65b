"""Bounded work: --timeout on query and cypher (exit 3), bounded error formatting, YAML alias bombs refused."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import graph
from graph.backends.neo4j.engine import Neo4jEngine
from graph.backends.neo4j.settings import Neo4jSettings
from graph.errors import DataError, QueryTimeout, brief

# No start node, three unbound patterns and a string per combination: about 20 million rows of work
# on the shipped data, tens of seconds on this machine; the count alone LadybugDB answers at once.
# Billions of rows on the shipped data (hundreds of nodes to the fourth power): minutes on any machine.
SLOW = "MATCH (a),(b),(c),(d) RETURN sum(size(a.id + b.id + c.id + d.id)) AS n"
TIMEOUT_LINE = "Error: query stopped after 1 s (--timeout); "

# The classic "billion laughs" as a record's id, which error messages quote: under 500 bytes, 9**9
# strings once every alias is expanded (before the fix: past 60 s and gigabytes, then killed).
BILLION_LAUGHS = "Company:\n  - a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
    f"    {b}: &{b} [{','.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
) + "    id: *i\n"


def test_cypher_timeout_stops_a_slow_query_with_one_line_and_exit_3(run):
    started = time.monotonic()
    result = run("cypher", SLOW, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert result.output.startswith(TIMEOUT_LINE) and result.output.count("\n") == 1
    assert elapsed < 30  # the query alone takes minutes; the bound leaves room for a loaded machine


def test_timeout_comes_from_the_environment_and_fast_queries_finish(run):
    result = run("cypher", SLOW, env={"TECHGRAPH_TIMEOUT": "0.5"})
    assert result.exit_code == 3 and result.output.startswith("Error: query stopped after 0.5 s (--timeout); ")
    fast = run("query", "measures-hitting", "-p", "entity=Tencent", "--timeout", "1", "--format", "json")
    assert fast.exit_code == 0 and "eo-13943" in fast.output
    bad = run("cypher", "RETURN 1 AS one", "--timeout", "-1")
    assert bad.exit_code == 2 and "--timeout" in bad.output


def test_library_query_and_cypher_take_a_timeout(shipped):
    with pytest.raises(QueryTimeout) as caught:
        shipped.cypher(SLOW, timeout=0.5)
    assert caught.value.seconds == 0.5 and isinstance(caught.value, graph.TechgraphError)
    # The limit is the statement's: the next one on the same connection runs without it.
    assert shipped.cypher("MATCH (a),(b),(c) RETURN count(*) AS n") == [{"n": len(shipped.cypher("MATCH (n) RETURN n.id")) ** 3}]
    rows = shipped.query("ownership-tree", entity="Tencent", timeout=30)
    assert "WeChat" in {r["name"] for r in rows}


class _TimingOutSession:
    def __init__(self, seen: list):
        self.seen = seen

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_read(self, work):
        from neo4j import exceptions as ne

        self.seen.append(work.timeout)  # what the driver sends as the transaction's timeout
        raise ne.Neo4jError._hydrate_neo4j(
            code="Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
            message="The transaction has been terminated.",
        )


def test_neo4j_gets_the_timeout_as_its_transaction_timeout():
    seen: list = []
    engine = object.__new__(Neo4jEngine)
    engine.settings = Neo4jSettings(uri="bolt://db:7687", password="x")
    engine._labels, engine._types = ["Company"], "OWNS"  # set by __init__, which would connect
    engine._driver = type("Driver", (), {"session": lambda self, database, **config: _TimingOutSession(seen)})()
    with pytest.raises(QueryTimeout, match=r"^query stopped after 2 s \(--timeout\); "):
        engine.run("MATCH (a),(b) RETURN a, b", {}, timeout=2)
    assert seen == [2]


def test_brief_is_bounded_for_huge_shared_values():
    bomb: list = ["lol"] * 9
    for _ in range(9):
        bomb = [bomb] * 9  # 9**10 strings, if repr() expanded it
    started = time.monotonic()
    text = brief(bomb)
    assert time.monotonic() - started < 0.1 and len(text) < 70 and text.startswith("[[[[")
    assert brief({"x" * 10**7: 1}).endswith("…") and len(brief({"x" * 10**7: 1})) < 70
    assert brief("é" * 10**6).endswith("(1000000 characters)")
    assert brief(10**5000) == "<int too large to show>"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))


def test_yaml_alias_bomb_is_one_line_naming_the_file_fast_and_small(tmp_path: Path):
    folder = tmp_path / "bomb"
    folder.mkdir()
    (folder / "laughs.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    assert len(BILLION_LAUGHS) < 500
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "graph", "check", str(folder)],
        capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory, cwd=tmp_path,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: bomb/laughs.yaml:10: invalid YAML: aliases expand the file by more than")
    assert done.stderr.count("\n") == 1 and elapsed < 30  # unguarded, past 60 s; the rest is room for a loaded machine


def test_recursive_alias_is_refused_and_small_aliases_still_load(tmp_path: Path):
    folder = tmp_path / "aliases"
    folder.mkdir()
    (folder / "self.yaml").write_text("Company:\n  - &a [*a]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"self\.yaml:2: invalid YAML: an alias inside the node it names$"):
        graph.check([folder])
    (folder / "self.yaml").write_text(
        "Company:\n  - &base {id: alias-co, name: Alias Co, country: CN, sources: [https://example.org/a]}\n"
        "  - {<<: *base, id: alias-two, name: Alias Two}\n",
        encoding="utf-8",
    )
    before = graph.check()["nodes"]
    assert graph.check([folder])["nodes"] == before + 2
