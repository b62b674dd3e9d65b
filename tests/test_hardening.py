"""Hardening (issue 6): crashes, concurrent readers, damaged files, read-only Cypher, no query text
built from values, no leaked credentials, malformed JSON-lines data.

The default run keeps each part small (the whole file in well under a minute); ``pytest -m slow``
repeats the crash and fuzz tests many more times (10,000 cases per fuzz strategy).
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import strategies as st

import graph
from graph.api import TechGraph
from graph.backends.ladybug.engine import EmbeddedEngine
from graph.backends.ladybug.folder import current_build, read_manifest
from graph.backends.neo4j.engine import Neo4jEngine
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cypher.lexer import code_only
from graph.cypher.readonly import check_read_only
from graph.cypher.stored import load_queries
from graph.dataset.network import load_graph
from graph.errors import DatabaseError, DataError, QueryError, ReadOnlyError
from graph.model.schema import load_schema
from tests.conftest import canonical, copy_database
from tests.fuzzing import (
    _mutate,
    assert_one_line_errors,
    check_message,
    examples,
    malformed_lines,
)

QUERIES = load_queries()
SCHEMA = load_schema()
PACKAGE = Path(graph.__file__).parent


# `path` (a shortest path over the whole graph) takes seconds; the default run checks it through
# the database's whole content instead (same content, same engine: same answers), slow runs run it.
SLOW_QUERIES = {"path"}


def answers(g: TechGraph, every: bool = False) -> dict[str, object]:
    """Every stored query's rows with its example parameters, comparable across builds, and the whole content."""
    from graph.backends.base import graph_from_engine

    content = graph_from_engine(g.engine)
    out: dict[str, object] = {
        "(content)": (dict(content.nodes(data=True)), {(u, v, k): d for u, v, k, d in content.edges(keys=True, data=True)})
    }
    for name, q in sorted(QUERIES.items()):
        if name in SLOW_QUERIES and not every:
            continue
        rows = canonical(g.query(name, **q.example))
        if "ORDER BY" not in code_only(q.cypher).rsplit("RETURN", 1)[-1]:
            rows = rows[:1] + sorted(rows[1:], key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))
        out[name] = rows
    return out


def open_current(db_dir: Path) -> TechGraph:
    """The current build as it is: no freshness check, so never a rebuild."""
    return TechGraph(EmbeddedEngine(db_dir), db_dir, read_manifest(db_dir))


def techgraph(*args: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "graph", "--db", str(db), *args]


def one_line_error(output: str) -> str:
    assert output.startswith("Error: ") and output.endswith("\n") and output.count("\n") == 1, output
    assert "Traceback" not in output
    return output[len("Error: ") : -1]


@pytest.fixture
def slow(request):
    """Skip unless slow tests were asked for (`pytest -m slow`)."""
    expression = request.config.getoption("markexpr") or ""
    if "slow" not in expression or "not slow" in expression:
        pytest.skip("slow: run with `pytest -m slow`")


@pytest.fixture(scope="module")
def bulk_folder(tmp_path_factory) -> Path:
    """An extra data folder big enough that `techgraph load` with it takes a couple of seconds."""
    folder = tmp_path_factory.mktemp("bulk")
    count = 600
    source = ["https://example.org/bulk"]
    companies = [{"id": f"bulk-co-{i}", "name": f"Bulk Co {i}", "country": "CN", "sources": source} for i in range(count)]
    owns = [{"from": f"bulk-co-{i // 2}", "to": f"bulk-co-{i}", "share": 51, "sources": source} for i in range(1, count)]
    owns.append({"from": "tencent", "to": "bulk-co-0", "share": 10, "sources": source})
    (folder / "bulk.yaml").write_text(yaml.safe_dump({"Company": companies, "OWNS": owns}, default_flow_style=None, width=1000))
    return folder


# ---------------------------------------------------------------------------------------------
# 1. Crash safety: SIGKILL a rebuild at random points.


def kill_rebuilds(tmp_path: Path, shipped: Path, bulk: Path, rounds: int, seed: int, every: bool = False) -> Counter:
    rng = random.Random(seed)
    db, other = tmp_path / "db", tmp_path / "db-bulk"
    started = time.perf_counter()
    subprocess.run(techgraph("load", str(bulk), db=other), check=True, capture_output=True)
    full = time.perf_counter() - started  # a whole `techgraph load` with the bulk folder
    copy_database(shipped, db)  # the shipped data's build
    versions = {}
    for folder in (db, other):
        with open_current(folder) as g:
            versions[g.manifest["fingerprint"]] = answers(g, every)
    shipped_print = read_manifest(db)["fingerprint"]
    outcomes: Counter = Counter()
    for _ in range(rounds):
        before = read_manifest(db)["fingerprint"]
        toward = [str(bulk)] if before == shipped_print else []  # rebuild toward the other version
        delay = rng.uniform(0.05, full)
        process = subprocess.Popen(techgraph("load", *toward, db=db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        after = read_manifest(db)
        assert after is not None and after["fingerprint"] in versions
        with open_current(db) as g:  # opens, and answers every stored query as its version did
            assert answers(g, every) == versions[after["fingerprint"]]
        if code == 0:
            outcomes["finished before the kill"] += 1
        else:
            outcomes["killed after the swap" if after["fingerprint"] != before else "killed before the swap"] += 1
            outcomes["left half-written files"] += bool(list(db.glob(".*.tmp*")))
    graph.load(db)  # the next build sweeps what killed ones left
    assert not list(db.glob(".*.tmp*"))
    assert len(list(db.glob("*.lbdb"))) <= 2  # the current build and the newest previous one
    return outcomes


def test_sigkill_at_random_points_leaves_a_whole_database(tmp_path, shipped_db, bulk_folder):
    outcomes = kill_rebuilds(tmp_path, shipped_db, bulk_folder, rounds=4, seed=6)
    assert outcomes["killed before the swap"] + outcomes["killed after the swap"] >= 2, outcomes


@pytest.mark.slow
def test_sigkill_at_random_points_many_times(slow, tmp_path, shipped_db, bulk_folder):
    outcomes = kill_rebuilds(tmp_path, shipped_db, bulk_folder, rounds=30, seed=66, every=True)
    assert outcomes["killed before the swap"] >= 10 and outcomes["left half-written files"] >= 1, outcomes


# ---------------------------------------------------------------------------------------------
# 2. Concurrency: readers in other processes while the database is rebuilt again and again.

READER = """
import json, os, subprocess, sys, time
import graph
db, out, stop, mode = sys.argv[1:5]
with open(out, "w") as f:
    while not os.path.exists(stop):
        try:
            if mode == "cli":
                p = subprocess.run([sys.executable, "-m", "graph", "--db", db, "query", "measures-hitting",
                                    "-p", "entity=Tencent", "--format", "json"], capture_output=True, text=True)
                answer = {"tencent": json.loads(p.stdout)} if p.returncode == 0 else None
                error = None if p.returncode == 0 else p.stderr
            else:
                with graph.open(db) as g:
                    answer = {"tencent": list(g.query("measures-hitting", entity="Tencent")), "stats": g.stats()}
                error = None
        except Exception as e:  # every failure is recorded, none stops the loop
            answer, error = None, f"{type(e).__name__}: {e}"
        f.write(json.dumps({"answer": answer, "error": error}) + "\\n")
        f.flush()
        time.sleep(0.3 if mode == "cli" else 0.1)  # leave the rebuilds some of the machine
"""


def test_readers_see_the_old_or_the_new_database_never_an_error(tmp_path, extra_folder, extra_db, shipped_db):
    db = tmp_path / "db"
    versions = []
    for template in (extra_db, shipped_db):  # B then A (copies of their builds): A is current when the readers start
        copy_database(template, db)
        with open_current(db) as g:
            versions.append({"tencent": list(g.query("measures-hitting", entity="Tencent")), "stats": g.stats()})
    versions = [json.loads(json.dumps(v)) for v in versions]
    assert versions[0] != versions[1]
    script, stop = tmp_path / "reader.py", tmp_path / "stop"
    script.write_text(READER)
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    readers = [
        subprocess.Popen([sys.executable, str(script), str(db), str(tmp_path / f"{mode}.jsonl"), str(stop), mode], env=env)
        for mode in ("library", "cli")
    ]
    for index in range(3):  # A -> B -> A -> B, while the readers read
        subprocess.run(techgraph("load", *([str(extra_folder)] if index % 2 == 0 else []), db=db), check=True, capture_output=True)
    stop.touch()
    for reader in readers:
        assert reader.wait(60) == 0
    seen = Counter()
    for mode in ("library", "cli"):
        lines = [json.loads(line) for line in (tmp_path / f"{mode}.jsonl").read_text().splitlines()]
        assert lines, mode
        for line in lines:
            assert line["error"] is None, line["error"]
            if mode == "cli":
                assert line["answer"]["tencent"] in [v["tencent"] for v in versions]
            else:
                assert line["answer"] in versions  # one build's answers to both questions: never a mix
            seen[(mode, [v["tencent"] for v in versions].index(line["answer"]["tencent"]))] += 1
    assert seen[("library", 0)] and seen[("library", 1)], seen  # both versions were read


# ---------------------------------------------------------------------------------------------
# 3. A damaged or foreign database file: one line naming the file and the way out; load recovers.


@pytest.fixture(scope="module")
def built(shipped_db, extra_db) -> dict:
    """A database of the shipped data to copy, a build of other data, and the expected answer."""
    with open_current(shipped_db) as g:
        expected = list(g.query("measures-hitting", entity="Tencent"))
    return {"template": shipped_db, "other": current_build(extra_db), "expected": expected}


def _foreign_ladybug(path: Path) -> None:
    import ladybug

    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE App(id STRING, PRIMARY KEY(id))")
    conn.execute("CREATE (:App {id: 'tiktok'})")
    conn.close()
    db.close()


def _sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE App (id TEXT PRIMARY KEY)")


DAMAGES = {
    # the build file
    "random bytes": lambda build, m, other: build.write_bytes(random.Random(1).randbytes(build.stat().st_size)),
    "empty file": lambda build, m, other: build.write_bytes(b""),
    "cut in half": lambda build, m, other: build.write_bytes(build.read_bytes()[: build.stat().st_size // 2]),
    "SQLite database": lambda build, m, other: (build.unlink(), _sqlite(build)),
    "other LadybugDB database": lambda build, m, other: (build.unlink(), _foreign_ladybug(build)),
    "techgraph build of other data": lambda build, m, other: shutil.copyfile(other, build),
    # its manifest
    "manifest: broken JSON": lambda build, m, other: m.write_text(m.read_text()[:40]),
    "manifest: a list": lambda build, m, other: m.write_text("[]"),
    "manifest: no counts": lambda build, m, other: m.write_text(json.dumps({"fingerprint": "x", "folders": []})),
    "manifest: not UTF-8": lambda build, m, other: m.write_bytes(b"\xff\xfe{"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_database_gives_one_line_and_load_recovers(tmp_path, built, run, damage):
    db = tmp_path / "db"
    shutil.copytree(built["template"], db, symlinks=True)
    build = current_build(db)
    DAMAGES[damage](build, build.with_suffix(".json"), built["other"])
    result = run("--db", str(db), "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    message = one_line_error(result.output)
    named = build.with_suffix(".json") if damage.startswith("manifest") else build
    assert message.startswith(f"{named}: ") and message.endswith("`techgraph load`"), message
    assert run("--db", str(db), "load").exit_code == 0
    recovered = run("--db", str(db), "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert recovered.exit_code == 0 and json.loads(recovered.output) == json.loads(json.dumps(built["expected"]))


def test_damaged_database_from_a_real_process_prints_no_traceback(tmp_path, built):
    db = tmp_path / "db"
    shutil.copytree(built["template"], db, symlinks=True)
    current_build(db).write_bytes(b"")
    process = subprocess.run(techgraph("stats", db=db), check=False, capture_output=True, text=True)
    assert process.returncode == 1 and process.stdout == ""
    assert one_line_error(process.stderr).endswith("; rebuild it with `techgraph load`")


@pytest.mark.parametrize("loss", ["manifest deleted", "build file deleted", "current link deleted"])
def test_a_missing_piece_is_rebuilt_on_first_use(tmp_path, built, run, loss):
    # Nothing there to distrust: the database is simply absent, and is built as on first use.
    db = tmp_path / "db"
    shutil.copytree(built["template"], db, symlinks=True)
    build = current_build(db)
    {"manifest deleted": build.with_suffix(".json"), "build file deleted": build, "current link deleted": db / "current"}[loss].unlink()
    result = run("--db", str(db), "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == json.loads(json.dumps(built["expected"]))


# ---------------------------------------------------------------------------------------------
# 4. Read-only: `techgraph cypher` refuses writing clauses, on both backends, before running anything.

# (statement, the clause named in the refusal)
WRITES = [
    ("CREATE (n:App {id: 'x', name: 'X', sources: ['y']})", "CREATE"),
    ("MERGE (n:App {id: 'tiktok'}) RETURN n", "MERGE"),
    ("MATCH (n:App {id: 'tiktok'}) SET n.name = 'x'", "SET"),
    ("MATCH (n:App) DELETE n", "DELETE"),
    ("MATCH (n) DETACH DELETE n", "DETACH"),
    ("MATCH (n:App) REMOVE n.summary", "REMOVE"),
    ("DROP TABLE App", "DROP"),
    ("DROP CONSTRAINT app_id IF EXISTS", "DROP"),
    ("DROP INDEX app_name", "DROP"),
    ("MATCH (n:App) FOREACH (x IN [1] | SET n.name = 'y')", "FOREACH"),
    ("CREATE INDEX app_name FOR (n:App) ON (n.name)", "CREATE"),
    ("CREATE DATABASE other", "CREATE"),
    ("ALTER TABLE App ADD extra STRING", "ALTER"),
    # any case, any spacing
    ("match (n:App) set n.name = 'x'", "SET"),
    ("MaTcH (n) DeTaCh DeLeTe n", "DETACH"),
    ("MATCH (n)\n\tSET\n  n.x = 1", "SET"),
    ("MATCH (n)\u00a0SET n.x = 1", "SET"),
    ("MATCH (n) DETACH/**/DELETE n", "DETACH"),
    # literals and comments around a real write do not hide it
    ("MATCH (n {name: 'CREATE'}) SET n.x = 1", "SET"),
    ("// just reading\nMATCH (n) /* nothing to see */ DELETE n", "DELETE"),
    ("MATCH (n) WHERE n.name = \"it's\" CREATE (m:App {id: 'x'})", "CREATE"),
    ("RETURN 'a\\'b' AS q UNION MATCH (n) DELETE n RETURN 1 AS q", "DELETE"),
    ("RETURN '/*' AS a MERGE (n:App {id: 'x'}) RETURN '*/' AS b", "MERGE"),
]
# Files, extensions, databases: not read clauses (the rest of the corpus is in test_read_only.py).
OTHERS = [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("LOAD CSV WITH HEADERS FROM 'https://example.org/x.csv' AS row CREATE (:App {id: row.id})", "LOAD"),
    ("COPY App FROM 'apps.csv'", "COPY"),
    ("ATTACH 'other.lbdb' AS other", "ATTACH"),
    ("USE system MATCH (n) RETURN n", "USE"),
]

# Not writes: the keyword is inside a literal, a comment, a property, a parameter or a longer name.
READS = [
    ("MATCH (a:App) WHERE a.name <> 'CREATE' RETURN count(a) AS n", {}),
    ("MATCH (a:App)\n// SET a.name = 'x'\nRETURN count(a) AS n", {}),
    ("MATCH (a:App) /* DETACH DELETE a */ RETURN count(a) AS n", {}),
    ("RETURN \"MERGE (n) SET n.x = 1\" AS text", {}),
    ("MATCH (a:App {id: $id}) RETURN a.name AS name, $set AS set_param", {"id": "tiktok", "set": "x"}),
    ("MATCH (a:App) RETURN a.id AS settled, a.name AS deleted ORDER BY settled LIMIT 1", {}),
]


def _params(values: dict) -> list[str]:
    return [arg for key, value in values.items() for arg in ("-p", f"{key}={value}")]


@pytest.mark.parametrize("statement, clause", WRITES)
def test_cypher_refuses_writing_clauses_on_the_embedded_engine(run, shipped, statement, clause):
    build = current_build(shipped.db_dir)
    before = (hashlib.sha256(build.read_bytes()).hexdigest(), shipped.stats())
    result = run("cypher", statement)
    assert result.exit_code == 2, result.output
    assert one_line_error(result.output) == f"refused: {clause} is a writing clause and this entry point is read-only"
    assert (hashlib.sha256(build.read_bytes()).hexdigest(), shipped.stats()) == before


@pytest.mark.parametrize("statement, word", OTHERS)
def test_cypher_refuses_other_clauses_on_the_embedded_engine(run, statement, word):
    result = run("cypher", statement)
    assert result.exit_code == 2, result.output
    assert one_line_error(result.output) == f"refused: {word} is not a read clause and this entry point is read-only"


@pytest.mark.parametrize(
    "statement, message",
    [
        ("CALL db.labels()", "refused: CALL db is not a read-only function here"),
        ("MATCH (n:App) CALL { WITH n DETACH DELETE n } RETURN count(*)", "refused: CALL { is not a read-only function here"),
        ("MATCH (a:App) RETURN a.id LIMIT 1; RETURN 2", "refused: one statement at a time"),
    ],
)
def test_cypher_refuses_procedures_and_second_statements_in_one_line(run, statement, message):
    result = run("cypher", statement)
    assert result.exit_code == 2, result.output
    assert one_line_error(result.output).startswith(message)


def test_cypher_runs_read_only_table_functions_and_names_spelled_like_clauses(run):
    result = run("cypher", "CALL show_tables() RETURN name AS use ORDER BY use LIMIT 1", "--format", "json")
    assert result.exit_code == 0, result.output
    from graph.model.schema import load_schema

    schema = load_schema()
    assert json.loads(result.output) == [{"use": min([*schema.nodes, *schema.relations])}]


def test_keywords_as_parameters_and_properties_pass_the_check():
    # LadybugDB's parser takes some of these as keywords, so they are checked here, not run.
    for statement in ("MATCH (a {id: $create}) RETURN a", "MATCH (n) RETURN n.set, n.delete, n.merge", "RETURN $drop AS x"):
        check_read_only(statement)


@pytest.mark.parametrize("statement, params", READS)
def test_keywords_in_literals_comments_and_names_are_not_refused(run, statement, params):
    result = run("cypher", statement, *_params(params), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("MATCH (n) //x\rDETACH DELETE n", id="carriage-return-ends-a-comment"),
        pytest.param("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", id="terminate"),
        pytest.param("STOP DATABASE neo4j", id="stop-database"),
        pytest.param("GRANT ALL ON DATABASE * TO PUBLIC", id="grant"),
        pytest.param("REVOKE ACCESS ON DATABASE neo4j FROM PUBLIC", id="revoke"),
        pytest.param("DENY ACCESS ON DATABASE neo4j TO PUBLIC", id="deny"),
    ],
)
def test_check_read_only_gaps(statement):
    with pytest.raises(ReadOnlyError):
        check_read_only(statement)


@pytest.fixture(scope="module")
def bolt_settings(neo4j_server, neo4j_shipped):
    """The session's real Neo4j (tests/neo4j_server.py), holding the shipped graph."""
    return neo4j_server.settings


def _bolt_env(settings: Neo4jSettings) -> dict:
    return {"TECHGRAPH_NEO4J_URI": settings.uri, "TECHGRAPH_NEO4J_PASSWORD": settings.password}


_CONTENT = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS rels, collect(DISTINCT n.name)[0..3] AS names"


@pytest.mark.neo4j
@pytest.mark.parametrize("statement, clause", WRITES)
def test_cypher_refuses_writing_clauses_on_neo4j_before_sending_them(run, bolt_settings, statement, clause):
    with Neo4jEngine(bolt_settings) as engine:
        before = engine.run(_CONTENT)[1]
    result = run("cypher", statement, "--backend", "neo4j", env=_bolt_env(bolt_settings))
    assert result.exit_code == 2, result.output
    # techgraph's refusal (the server's would read "query failed on Neo4j at ...")
    assert one_line_error(result.output) == f"refused: {clause} is a writing clause and this entry point is read-only"
    with Neo4jEngine(bolt_settings) as engine:
        assert engine.run(_CONTENT)[1] == before


@pytest.mark.neo4j
@pytest.mark.parametrize("statement, params", READS)
def test_reads_with_keywords_inside_run_on_neo4j(run, bolt_settings, statement, params):
    result = run("cypher", statement, *_params(params), "--backend", "neo4j", "--format", "json", env=_bolt_env(bolt_settings))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------
# 5. No value is ever interpolated into query text.

QUERY_METHODS = {"run", "execute", "query", "cypher"}
CYPHER_WORDS = ("MATCH", "MERGE", "UNWIND", "CREATE", "RETURN", "DELETE", "SET ", "CALL", "WHERE")


@dataclass(frozen=True)
class Site:
    """A call that sends query text, or a formatted string that reads like Cypher."""

    file: str
    function: str
    method: str  # run, execute, ...; "<formatted>" for a formatted Cypher-like string anywhere
    kind: str  # constant, template ($parameters in a constant), formatted, passed (a variable or attribute)
    text: str

    @property
    def place(self) -> tuple[str, str, str]:
        return (self.file, self.function, self.method)


def _is_formatting(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return any(isinstance(side, (ast.Constant, ast.JoinedStr)) and isinstance(getattr(side, "value", ""), str) for side in (node.left, node.right)) or any(
            _is_formatting(side) for side in (node.left, node.right)
        )
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _literal_text(node: ast.AST) -> str:
    return " ".join(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str))


class _Scanner(ast.NodeVisitor):
    def __init__(self, file: str, tree: ast.Module):
        self.file, self.stack, self.sites = file, [], []
        self.constants = {
            t.id for s in tree.body if isinstance(s, ast.Assign) and isinstance(s.value, ast.Constant) for t in s.targets if isinstance(t, ast.Name)
        }
        self.functions: list[ast.AST] = []

    def _scope(self, node, name):
        self.stack.append(name)
        if not isinstance(node, ast.ClassDef):
            self.functions.append(node)
        self.generic_visit(node)
        self.stack.pop()
        if not isinstance(node, ast.ClassDef):
            self.functions.pop()

    def visit_FunctionDef(self, node):
        self._scope(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scope(node, node.name)

    def _assigned(self, name: str) -> list[ast.AST]:
        if not self.functions:
            return []
        return [
            s.value
            for s in ast.walk(self.functions[-1])
            if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets)
        ]

    def classify(self, node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return "template" if "$" in node.value else "constant"
        if isinstance(node, ast.Name) and node.id in self.constants:
            return "constant"
        if any(_is_formatting(n) for n in ast.walk(node)):
            return "formatted"
        if isinstance(node, ast.Name):
            kinds = {self.classify(value) for value in self._assigned(node.id)}
            if "formatted" in kinds:
                return "formatted"
        return "passed"

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS and node.args:
            argument = node.args[0]
            self.sites.append(Site(self.file, ".".join(self.stack), node.func.attr, self.classify(argument), ast.unparse(argument)))
        self.generic_visit(node)

    def generic_visit(self, node):
        if _is_formatting(node) and any(word in _literal_text(node) for word in CYPHER_WORDS):
            self.sites.append(Site(self.file, ".".join(self.stack), "<formatted>", "formatted", ast.unparse(node)[:80]))
        super().generic_visit(node)


def scan(source: str, file: str) -> list[Site]:
    """Every query-sending call and every formatted Cypher-like string in a module's source."""
    tree = ast.parse(source)
    scanner = _Scanner(file, tree)
    scanner.visit(tree)
    return scanner.sites


def scan_package() -> list[Site]:
    return [site for path in sorted(PACKAGE.rglob("*.py")) for site in scan(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE.parent)))]


# Every call that sends text which is not a constant, and every formatted Cypher-like string,
# must be here with the reason it is safe. Only schema-derived names (labels, relationship types,
# property names of data/schema.yaml) may be formatted into query text; values go as parameters.
ALLOWED = {
    ("graph/backends/ladybug/build.py", "_execute_all", "execute"): "DDL from the schema, and the COPY statements of _CsvTables.copy_statements (write_database passes both)",
    ("graph/backends/ladybug/build.py", "_CsvTables.copy_statements", "<formatted>"): "COPY of the build's own CSV files: schema labels, types and column numbers, and the file's path as a literal escaped by _cypher_string (LadybugDB takes no parameter there); data values go through the files",
    ("graph/backends/neo4j/engine.py", "Neo4jEngine.run.work", "run"): "passes the caller's statement on; its parameters go separately",
    ("graph/backends/neo4j/push.py", "push", "run"): "statements of push_statements (schema-derived); rows and batch size as $rows, $batch",
    ("graph/backends/neo4j/push.py", "push_statements", "<formatted>"): "labels, relationship types and property names of the schema",
    ("graph/backends/neo4j/push.py", "counts", "run"): "a schema label or relationship type; no values",
    ("graph/backends/neo4j/push.py", "counts", "<formatted>"): "a schema label or relationship type; no values",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.batches", "execute"): "push's table reads: labels, types and property names of the schema, no value",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.batches", "<formatted>"): "the MATCH and RETURN of a table read from the schema's labels, types and property names",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.run", "execute"): "passes the caller's statement on (dialect-rewritten); its parameters go separately",
    ("graph/api.py", "TechGraph.query", "run"): "a stored query's text from queries/*.cypher; its values go as parameters",
    ("graph/api.py", "TechGraph.cypher", "run"): "the user's own statement, checked read-only; its -p values go as parameters",
    ("graph/model/schema.py", "Schema.ladybug_ddl", "<formatted>"): "CREATE TABLE statements: labels, relationship types, property names and types of the schema",
    ("graph/model/schema.py", "Schema.neo4j_constraints", "<formatted>"): "uniqueness constraints: the schema's labels",
    ("graph/backends/neo4j/browser.py", "guide_html", "<formatted>"): "the Neo4j Browser guide's HTML (prose and stored queries shown as text); sent to no engine",
    ("graph/cypher/stored.py", "", "<formatted>"): "RESOLVE, built once at import from the NAME_MATCH constant; the name goes as $name",
    ("graph/cypher/readonly.py", "_check_call", "<formatted>"): "the refusal's error message, naming the function called; sent to no engine",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.resolve", "run"): "RESOLVE (a constant template, see above), for builds without a name index; the name goes as $name",
    ("graph/backends/neo4j/engine.py", "Neo4jEngine.resolve", "run"): "RESOLVE (a constant template, see above); the name goes as $name",
    ("graph/backends/ladybug/changes.py", "BuildChanges.write", "execute"): "COPY statements of _CsvTables.copy_statements and the UNWIND $rows updates of _update_statement; values go as $rows",
    ("graph/backends/ladybug/changes.py", "_update_statement", "<formatted>"): "a schema label or relationship type, its property names and their LadybugDB types; values as $rows",
    ("graph/lists/neighbourhood.py", "GraphStore._chunks", "execute"): "SQLite: one '?' placeholder per value (the values go as parameters) in a constant query of this module",
    ("graph/lists/neighbourhood.py", "GraphStore.edges", "<formatted>"): "SQLite: the column is 'source' or 'target' (asserted); the ids go as '?' parameters",
    ("graph/backends/ladybug/dialect.py", "_walk_from_starts", "<formatted>"): "the statement's own tokens rearranged (a key-bound start folded into the MATCH leaving from it, its variables named in a join hint); literals stay opaque placeholders, the key goes as its $parameter",
    ("graph/backends/neo4j/push.py", "_writes.node", "<formatted>"): "a node label's CREATE or MERGE statement of push_statements: the label and property names of the schema, each value read from the row's position as r[i]; rows as $rows",
    ("graph/backends/neo4j/push.py", "_writes.relation", "<formatted>"): "a relation's CREATE or MERGE statement of push_statements: its type, end labels and property names of the schema, each value read from the row's position as r[i]; rows as $rows",
    ("graph/backends/ladybug/dialect.py", "_filter_walks", "<formatted>"): "the statement's own tokens rearranged (a walk's relationship filter moved into it); literals stay opaque placeholders",
    ("graph/analysis/ownership.py", "_holders_of", "<formatted>"): "a schema label (a target of the ownership or targeting relation's pairs) and those relation types; the ids go as $ids",
    ("graph/analysis/ownership.py", "neighbourhood", "run"): "statements of _holders_of (schema labels and relation types); the ids go as $ids",
    ("graph/backends/ladybug/as_of.py", "_as_of_part", "<formatted>"): "the statement's own tokens rearranged for a day (its clauses re-emitted, the day's tests on its own variables and schema columns appended); literals stay opaque placeholders, the day goes as $asof__day",
    ("graph/backends/ladybug/as_of.py", "_walk_filter", "<formatted>"): "a walk's own bracket with the day's tests on its variables and schema columns in its recursive filter; the day goes as $asof__day",
    ("graph/backends/ladybug/engine.py", "AsOfEngine.run", "run"): "passes the caller's statement on to EmbeddedEngine.run (rewritten for the day there); its parameters go separately",
    ("graph/backends/ladybug/engine.py", "AsOfEngine._existing", "<formatted>"): "a schema label (from the name index's label column, checked against the labels with an extent); the id goes as $id",
    ("graph/backends/ladybug/engine.py", "AsOfEngine._existing", "run"): "the statement above: a schema label; the id goes as $id",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.copy_to_csv", "execute"): "COPY of the exporter's schema-derived MATCH and column expressions TO a file path given as a literal escaped by cypher_string (LadybugDB takes no parameter there)",
    ("graph/backends/ladybug/engine.py", "EmbeddedEngine.copy_to_csv", "<formatted>"): "the COPY statement above; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "_Table.match", "<formatted>"): "the MATCH of a table's rows: a schema label or relationship type; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "after_import", "<formatted>"): "after_import.cypher: schema labels, relationship types and list property names; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "write_csv_from_database", "<formatted>"): "a table's MATCH and columns from the schema's labels, types and property names; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "write_csv_from_database", "run"): "the read of a table (schema names and expressions) whose floats COPY would round; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "_refuse_delimiter", "<formatted>"): "a table's MATCH and a list property's name of the schema; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "_refuse_delimiter", "run"): "the statement above",
    ("graph/outputs/exports/neo4j_csv.py", "_count", "<formatted>"): "a table's MATCH and a test on a schema property written by this module; no data value",
    ("graph/outputs/exports/neo4j_csv.py", "_count", "run"): "the statement above",
    ("graph/backends/ladybug/changes.py", "_differing", "<formatted>"): "the build's values of changed rows: a schema label or (type, from label, to label) and the columns of the build's tables; the ids or keys go as $ids, $keys",
    ("graph/backends/ladybug/changes.py", "_differing", "execute"): "the statement above; the ids or keys go as $ids, $keys",
    ("graph/backends/ladybug/changes.py", "read_from", "<formatted>"): "a schema label (of a written relation's end) in the read-back of its relations; the ids go as $ids",
    ("graph/backends/ladybug/changes.py", "misread_relations", "execute"): "the statements of read_from (a schema label); the ids go as $ids",
    ("graph/backends/base.py", "graph_from_engine", "run"): "_RELATIONS with a derived relationship type of the schema (or none) in its bracket; no data value",
    ("graph/backends/neo4j/browser.py", "_entity_param", "<formatted>"): "the guide's editable `:param` example: a query header's example name as a JSON string literal; sent to no engine by techgraph",
}


def unsafe(sites: list[Site]) -> list[Site]:
    return [s for s in sites if s.kind in ("formatted", "passed") and s.place not in ALLOWED]


def test_no_query_text_is_built_from_values():
    sites = scan_package()
    assert unsafe(sites) == [], "query text built from values (pass values as $parameters, or allow-list schema names):\n" + "\n".join(
        map(str, unsafe(sites))
    )
    used = {s.place for s in sites}
    assert set(ALLOWED) <= used, f"allow-list entries that match nothing any more: {set(ALLOWED) - used}"
    # Not vacuous: the known call sites are found and classified.
    kinds = {(s.file, s.function, s.method): s.kind for s in sites}
    assert kinds[("graph/backends/ladybug/engine.py", "EmbeddedEngine.run", "execute")] == "passed"
    assert kinds[("graph/backends/ladybug/build.py", "_execute_all", "execute")] == "passed"
    assert kinds[("graph/backends/ladybug/build.py", "_CsvTables.copy_statements", "<formatted>")] == "formatted"
    assert kinds[("graph/backends/neo4j/engine.py", "Neo4jEngine.run.work", "run")] == "passed"
    assert kinds[("graph/backends/neo4j/push.py", "counts", "run")] == "formatted"
    assert kinds[("graph/backends/neo4j/engine.py", "connect", "run")] == "constant"
    assert kinds[("graph/backends/ladybug/names.py", "lookup", "execute")] in ("constant", "template")
    assert sum(s.kind in ("constant", "template") for s in sites) >= 10


PLANTED = '''
RESOLVE = "MATCH (n {id: $id}) RETURN n"

def fine(conn, node_id):
    conn.execute(RESOLVE, {"id": node_id})
    conn.execute("MATCH (n) WHERE n.name = $name RETURN n", {"name": node_id})

def by_fstring(conn, name):
    conn.execute(f"MATCH (n {{name: '{name}'}}) RETURN n")

def by_plus(session, name):
    return session.run("MATCH (n) WHERE n.name = '" + name + "' RETURN n")

def by_percent(engine, name):
    engine.run("MATCH (n) WHERE n.name = '%s' RETURN n" % name)

def by_format_elsewhere(g, name):
    text = "MATCH (n) WHERE n.name = '{}' RETURN n".format(name)
    return g.cypher(text)

def built_for_later(name):
    return f"MATCH (n) WHERE n.id = '{name}' DETACH DELETE n"
'''


def test_the_interpolation_check_catches_planted_violations():
    sites = scan(textwrap.dedent(PLANTED), "graph/planted.py")
    flagged = {(s.function, s.method) for s in unsafe(sites)}
    assert {
        ("by_fstring", "execute"),
        ("by_plus", "run"),
        ("by_percent", "run"),
        ("by_format_elsewhere", "cypher"),
        ("built_for_later", "<formatted>"),
    } <= flagged
    assert not {f for f in flagged if f[0] == "fine"}
    assert {s.kind for s in sites if s.function == "fine"} == {"constant", "template"}


# ---------------------------------------------------------------------------------------------
# 6. Neo4j credentials never appear in output, logs or errors.

SECRET = "Zq9-secret-Pw-7x"


def _leaks(text: str) -> bool:
    return SECRET in text


@pytest.mark.neo4j
def test_credentials_never_appear_anywhere(run, neo4j_server, bolt_settings, shipped, caplog, capfd):
    from tests.neo4j_server import free_port

    caplog.set_level(logging.DEBUG)
    logging.getLogger("neo4j").setLevel(logging.DEBUG)
    env = {"TECHGRAPH_NEO4J_PASSWORD": SECRET}
    outputs, errors = [], []
    unreachable = f"bolt://127.0.0.1:{free_port()}"
    # (a) an unreachable server, the password in the environment or written into the URI
    for uri in (unreachable, f"bolt://neo4j:{SECRET}@127.0.0.1:{free_port()}", f"neo4j://neo4j:{SECRET}@127.0.0.1:1"):
        for command in (["stats", "--backend", "neo4j"], ["push"], ["query", "measures-hitting", "-p", "entity=x", "--backend", "neo4j"]):
            result = run(*command, "--uri", uri, env=env)
            assert result.exit_code == 1, result.output
            one_line_error(result.output)
            outputs.append(result.output)
    # (b) the real Neo4j, with failing statements
    env_bolt = _bolt_env(bolt_settings)
    for statement in ("RETURN 1 AS x LIMIT", "RETURN 1 / 0 AS x"):  # a syntax error, an error at run time
        result = run("cypher", statement, "--backend", "neo4j", env=env_bolt)
        assert result.exit_code == 2, result.output
        outputs.append(one_line_error(result.output))
    # (c) push, with a progress callback, through the CLI and the library
    result = run("push", "--batch-size", "100", env=env_bolt)
    assert result.exit_code == 0, result.output
    outputs.append(result.output)
    outputs.append(run("push", "--help", env=env_bolt).output)
    settings = bolt_settings
    progress = []
    assert shipped.push(settings, batch_size=250, progress=progress.append)["nodes"] >= shipped.manifest["nodes"]
    assert sum(progress) == shipped.manifest["nodes"] + shipped.manifest["edges"]
    # the library's exceptions, whole chains as a traceback would print them
    for uri in (unreachable, f"bolt://neo4j:{SECRET}@db:7687"):
        with pytest.raises(DatabaseError) as caught:
            graph.open(neo4j=Neo4jSettings(uri=uri, password=SECRET))
        errors.append("".join(traceback.format_exception(caught.value)))
    with graph.open(neo4j=settings) as remote, pytest.raises(QueryError) as caught:
        remote.cypher("RETURN 1 / 0 AS x")
    errors.append("".join(traceback.format_exception(caught.value)))
    captured = capfd.readouterr()
    records = caplog.records
    assert any(r.name.startswith("neo4j") for r in records)  # the driver did log, at DEBUG
    for text in [*outputs, *errors, captured.out, captured.err, *(r.getMessage() for r in records)]:
        assert not _leaks(text) and neo4j_server.password not in text, text
    for settings_ in (settings, Neo4jSettings(uri=f"bolt://u:{SECRET}@db:7687", password=SECRET)):
        assert not _leaks(repr(settings_)) and not _leaks(str(settings_))


@pytest.mark.neo4j
def test_a_password_the_server_quotes_back_is_masked(run, bolt_settings):
    # Typed into the statement, the password is the user's text: the driver's DEBUG log of the
    # statement shows it, as it shows any statement; techgraph's own error line masks it.
    result = run("cypher", f"RETURN '{bolt_settings.password}' AS echo LIMIT", "--backend", "neo4j", env=_bolt_env(bolt_settings))
    assert result.exit_code == 2 and "***" in one_line_error(result.output) and bolt_settings.password not in result.output


# ---------------------------------------------------------------------------------------------
# 7. Malformed JSON-lines data files: one DataError line naming file and line; the database unchanged.

SOURCE = ["https://example.org/fuzz"]
VALID_RECORDS = [
    {"Company": {"id": "fuzz-co", "name": "Fuzz Co.", "country": "CN", "sources": SOURCE}},
    {"Company": {"id": "fuzz-parent", "name": "Fuzz Parent", "kind": "investor", "sources": SOURCE}},
    {"Measure": {"id": "fuzz-ban", "name": "Fuzz ban", "kind": "app-ban", "announced": "2021-02-01", "sources": SOURCE}},
    {"OWNS": {"from": "fuzz-parent", "to": "fuzz-co", "share": 10, "since": "2020-01-01", "sources": SOURCE}},
    {"SANCTIONS": {"from": "fuzz-ban", "to": "fuzz-co", "since": "2021-03-01", "note": "blocking", "sources": SOURCE}},
    {"Extend": {"id": "fuzz-co", "aliases": ["Fuzz"], "identifiers": ["fuzz:1"], "sources": SOURCE}},
]
VALID_LINES = [json.dumps(r, ensure_ascii=False).encode() for r in VALID_RECORDS]
FIELDS = ["id", "name", "kind", "country", "sources", "aliases", "identifiers", "from", "to", "share", "since", "until", "announced", "note", "key", "records"]
DATES = ["announced", "since", "until"]
REFERENCES = ["from", "to"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
bad_dates = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),  # 2021-02-30, 2021-13-01, 0000-00-00 ...
    st.from_regex(r"\A[0-9]{1,5}(-[0-9]{1,3}){0,3}\Z"),
    st.integers(),
    st.sampled_from(["2021-02-29", "2020-02-30", "2021-04-31", "20210101", "2021/01/01", "01-02-2021", "2021-1-1", "T", ""]),
)


def _encode(records: list[dict]) -> bytes:
    # surrogatepass: lone surrogates that JSON escapes can smuggle in are written as the bytes UTF-8 forbids
    return b"\n".join(json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass") for r in records) + b"\n"


def _with_value(index: int, field: str, value) -> bytes:
    records = json.loads(json.dumps(VALID_RECORDS))
    ((_, fields),) = records[index % len(records)].items()
    fields[field] = value
    return _encode(records)


def _with_reference(index: int, field: str, value: str) -> bytes:
    records = json.loads(json.dumps(VALID_RECORDS))
    relation = [r for r in records if "OWNS" in r or "SANCTIONS" in r or "Extend" in r][index % 3]
    ((kind, fields),) = relation.items()
    fields["id" if kind == "Extend" else field] = value
    return _encode(records)


STRATEGIES = {
    "malformed lines": malformed_lines(VALID_LINES),
    "wrong types": st.tuples(st.integers(0, 99), st.sampled_from(FIELDS), json_values)
    .map(lambda case: _with_value(*case)),
    "bad dates": st.builds(_with_value, st.integers(0, 99), st.sampled_from(DATES), bad_dates),
    "unknown references": st.builds(
        _with_reference, st.integers(0, 99), st.sampled_from(REFERENCES), st.text(min_size=1, max_size=20).filter(lambda t: not t.startswith("fuzz-"))
    ),
}


def read_folder(path: Path):
    return load_graph([path.parent], SCHEMA)  # a folder of its own: each case loads in a millisecond


def test_the_valid_file_loads(tmp_path):
    (tmp_path / "fuzz.jsonl").write_bytes(b"\n".join(VALID_LINES) + b"\n")
    g = read_folder(tmp_path / "fuzz.jsonl")
    assert g.nodes["fuzz-co"]["aliases"] == ["Fuzz"] and g.number_of_edges() == 2


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_malformed_json_lines_end_in_one_line(strategy):
    assert_one_line_errors(read_folder, STRATEGIES[strategy], must_fail=strategy == "unknown references")


@pytest.mark.slow
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_malformed_json_lines_end_in_one_line_10k(slow, strategy):
    assert_one_line_errors(read_folder, STRATEGIES[strategy], max_examples=max(examples(10_000), 10_000), must_fail=strategy == "unknown references")


def _lines(*lines: bytes) -> bytes:
    return b"\n".join(lines) + b"\n"


HUGE = "F" * 1_000_000
EXPLICIT = {
    # name: (file content, expected line)
    "invalid UTF-8": (_lines(*VALID_LINES[:2], VALID_LINES[2].replace(b"Fuzz ban", b"Fuzz \xff\xfe ban"), *VALID_LINES[3:]), 3),
    "lone surrogate": (_lines(VALID_LINES[0], b'{"Company": {"id": "x", "name": "\xed\xa0\x80", "sources": ["https://e.org"]}}'), 2),
    "truncated huge line": (_lines(VALID_LINES[0], json.dumps({"Company": {"id": "big", "name": HUGE, "sources": SOURCE}}).encode()[:-500_000]), 2),
    "huge kind": (_lines(VALID_LINES[0], json.dumps({HUGE: {}}).encode()), 2),
    "huge date": (_lines(json.dumps({"Measure": {**VALID_RECORDS[2]["Measure"], "announced": HUGE}}).encode()), 1),
    "huge unknown reference": (_lines(*VALID_LINES[:3], json.dumps({"OWNS": {**VALID_RECORDS[3]["OWNS"], "to": HUGE}}).encode()), 4),
    "NUL byte": (_lines(VALID_LINES[0], b"\x00"), 2),
    "not an object": (_lines(VALID_LINES[0], b'["Company", {"id": "x"}]'), 2),
    "two kinds on a line": (_lines(b'{"Company": {}, "App": {}}'), 1),
    "record is a string": (_lines(b'{"Company": "fuzz-co"}'), 1),
    "unknown kind": (_lines(b'{"Compnay": {"id": "x"}}'), 1),
    "NaN share": (_lines(*VALID_LINES[:3], VALID_LINES[3].replace(b'"share": 10', b'"share": NaN')), None),
}


@pytest.mark.parametrize("case", list(EXPLICIT))
def test_explicit_malformed_json_lines(tmp_path, case):
    content, line = EXPLICIT[case]
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(content)
    if line is None:  # may load or fail, but only ever with one line
        try:
            read_folder(path)
        except DataError as error:
            check_message(error, path)
        return
    with pytest.raises(DataError) as caught:
        read_folder(path)
    message = check_message(caught.value, path)
    assert f"fuzz.jsonl:{line}:" in message, message[:400]


def test_extend_with_a_null_id_is_one_line(tmp_path):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(_with_value(5, "id", None))
    with pytest.raises(DataError) as caught:
        read_folder(path)
    check_message(caught.value, path)


@pytest.mark.parametrize("case", ["huge kind", "huge date", "huge unknown reference"])
def test_huge_values_are_cut_in_messages(tmp_path, case):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(EXPLICIT[case][0])
    with pytest.raises(DataError) as caught:
        read_folder(path)
    assert len(str(caught.value)) < 1000


def test_a_huge_valid_field_loads(tmp_path):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(_lines(json.dumps({"Company": {"id": "big", "name": HUGE, "sources": SOURCE}}).encode()))
    assert read_folder(path).nodes["big"]["name"] == HUGE


@pytest.mark.parametrize("suffix, nested", [(".jsonl", b'{"Company": ' + b"[" * 20_000 + b"\n"), (".yaml", b"Company: " + b"[" * 20_000 + b"\n")])
def test_deep_nesting_is_one_line(tmp_path, suffix, nested):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(nested)
    with pytest.raises(DataError) as caught:
        read_folder(path)
    check_message(caught.value, path)


def test_bad_json_lines_leave_the_database_unchanged(tmp_path, shipped_db):
    db = copy_database(shipped_db, tmp_path / "db")
    build = current_build(db)
    before = (sorted(p.name for p in db.iterdir()), read_manifest(db), hashlib.sha256(build.read_bytes()).hexdigest())
    with open_current(db) as g:
        expected = answers(g)
    cases = [
        EXPLICIT["invalid UTF-8"][0],
        EXPLICIT["truncated huge line"][0],
        _mutate(list(VALID_LINES), "truncate", 3, 40, b""),  # one of each strategy
        _with_value(0, "sources", {"not": "a list"}),
        _with_value(2, "announced", "2021-02-29"),
        _with_reference(1, "to", "nobody-here"),
    ]
    for index, content in enumerate(cases):
        folder = tmp_path / f"bad{index}"
        folder.mkdir()
        (folder / "fuzz.jsonl").write_bytes(content)
        with pytest.raises(DataError) as caught:
            graph.load(db, [folder])
        check_message(caught.value, folder / "fuzz.jsonl")
        assert (sorted(p.name for p in db.iterdir()), read_manifest(db), hashlib.sha256(build.read_bytes()).hexdigest()) == before
    with open_current(db) as g:
        assert answers(g) == expected
