"""The import pipeline: resolution against the graph, listings, ownership, editions, bad rows, both backends.

The list files are written here in OFAC's legacy sdn.csv layout (no header,
``-0-`` for null). Real parties carry their real ent_nums and programmes;
the EXAMPLE parties (9000x) are invented, to test what real parties cannot.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import graph
from graph.backends.base import graph_from_engine
from graph.backends.ladybug.build import build_database
from graph.backends.ladybug.engine import EmbeddedEngine
from graph.backends.ladybug.folder import build_folders, current_build, names_path, read_manifest
from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.lists.editions import import_list
from tests.conftest import copy_database

NULLS = ",-0- " * 6
TANG = '29242,"TANG, Chris","individual","HK-EO13936","Commissioner of Police"' + NULLS + ',"nationality Hong Kong."'
CHINA_TELECOM = (
    '30882,"CHINA TELECOM CORPORATION LIMITED",-0- ,"CMIC-EO13959",-0- ' + NULLS + ',"Listing Date (CMIC) 03 Jun 2021; '
    "Unified Social Credit Code (USCC) 9111000071093019X7 (China); Linked To: CHINA TELECOMMUNICATIONS CORPORATION.\""
)
HUAWEI_NAMESAKE = '90001,"HUAWEI EXAMPLE CLOUD TRADING CO., LTD.",-0- ,"SDGT",-0- ' + NULLS + ",-0- "
EXAMPLE = '90002,"EXAMPLE TRADING CO., LTD.",-0- ,"SDGT] [NPWMD",-0- ' + NULLS + ",-0- "
EXAMPLE_HOLDINGS = '90003,"EXAMPLE TRADING HOLDINGS LIMITED",-0- ,"SDGT",-0- ' + NULLS + ',"Linked To: EXAMPLE TRADING CO., LTD."'
NEWCOMER = '90004,"EXAMPLE NEWCOMER LIMITED",-0- ,"SDGT",-0- ' + NULLS + ",-0- "


def sdn(folder: Path, name: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes("".join(row + "\r\n" for row in rows).encode("utf-8"))
    return path


@pytest.fixture
def edition1(tmp_path):
    return sdn(tmp_path / "lists", "sdn-2024-05-03.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE, EXAMPLE_HOLDINGS)


@pytest.fixture(scope="module")
def first_import(tmp_path_factory) -> dict:
    """The first edition imported into a fresh database, once for the module: the database (a
    template: tests copy it, see ``imported``), the report, the graph opened from it and the
    progress calls of the import."""
    folder = tmp_path_factory.mktemp("first-import")
    edition = sdn(folder / "lists", "sdn-2024-05-03.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE, EXAMPLE_HOLDINGS)
    progress: list[int] = []
    report = import_list("ofac-sdn", edition, db=folder / "db", edition="2024-05-03", progress=progress.append)
    with graph.open(folder / "db") as g:
        return {"db": folder / "db", "report": report, "nx": g.nx, "progress": progress}


@pytest.fixture
def imported(db_dir, first_import):
    """``db_dir`` as the first import left it (a copy of the module's), its report and graph."""
    copy_database(first_import["db"], db_dir)
    return first_import["report"], first_import["nx"]


def edges(g, rel_type, source, target):
    return [d for _, t, d in g.out_edges(source, data=True) if t == target and d["type"] == rel_type]


def test_records_merge_into_the_nodes_they_are(imported):
    report, g = imported
    assert (report.entities, report.merged, report.listings) == (5, 2, 6)
    assert "ofac:29242" in g.nodes["chris-tang"]["identifiers"]
    assert g.nodes["chris-tang"]["merges"] == [
        "ofac-sdn:29242 | TANG, Chris | same identifier ofac:29242"
    ]
    assert "uscc:9111000071093019X7" in g.nodes["china-telecom"]["identifiers"]
    assert "CHINA TELECOM CORPORATION LIMITED" in g.nodes["china-telecom"]["aliases"]


def test_names_that_share_words_stay_apart(imported):
    _, g = imported
    namesake = [n for n, d in g.nodes(data=True) if d["name"] == "HUAWEI EXAMPLE CLOUD TRADING CO., LTD."]
    assert namesake and namesake != ["huawei"]
    example = {n for n, d in g.nodes(data=True) if d["name"].startswith("EXAMPLE TRADING")}
    assert len(example) == 2
    assert "ofac:90001" not in g.nodes["huawei"].get("identifiers", [])


def test_listings_hang_from_programme_measures(imported):
    _, g = imported
    hk = g.nodes["ofac-hk-eo13936"]
    assert (hk["label"], hk["kind"], hk["name"]) == ("Measure", "designation", "OFAC HK-EO13936 designations")
    assert edges(g, "ISSUED", "us-ofac", "ofac-hk-eo13936") and edges(g, "PART_OF", "ofac-hk-eo13936", "eo-13936")
    (listing,) = edges(g, "SANCTIONS", "ofac-hk-eo13936", "chris-tang")
    assert listing["records"] == ["ofac-sdn:29242"] and "until" not in listing
    (cmic,) = edges(g, "SANCTIONS", "ofac-cmic-eo13959", "china-telecom")
    assert cmic["since"] == "2021-06-03"
    example = next(n for n, d in g.nodes(data=True) if d["name"] == "EXAMPLE TRADING CO., LTD.")
    assert {s for s, _, d in g.in_edges(example, data=True) if d["type"] == "SANCTIONS"} == {"ofac-sdgt", "ofac-npwmd"}


def test_linked_to_is_a_link_not_ownership(imported):
    _, g = imported
    (link,) = edges(g, "LINKED_TO", "china-telecom", "china-telecom-group")  # resolved by name to the seeds' group
    assert link["records"] == ["ofac-sdn:30882"]
    (owns,) = edges(g, "OWNS", "china-telecom-group", "china-telecom")  # the seeds' own statement, untouched
    assert "records" not in owns
    holdings = next(n for n, d in g.nodes(data=True) if d["name"] == "EXAMPLE TRADING HOLDINGS LIMITED")
    trading = next(n for n, d in g.nodes(data=True) if d["name"] == "EXAMPLE TRADING CO., LTD.")
    assert edges(g, "LINKED_TO", holdings, trading)  # the record of the same file, by its name
    assert not [d for _, _, d in g.edges(data=True) if d["type"] == "OWNS" and d.get("records")]


def test_stored_queries_see_imported_listings(imported, db_dir):
    with graph.open(db_dir) as g:
        rows = g.query("measures-hitting", entity="Chris Tang")
    assert "ofac-hk-eo13936" in {r["measure_id"] for r in rows}


def assert_holds_a_rebuild(db_dir: Path) -> None:
    """The database's nodes and relations, with their properties, are those a rebuild from its files gives."""
    manifest = read_manifest(db_dir)
    engine = EmbeddedEngine(db_dir)
    stored = graph_from_engine(engine)
    engine.close()
    rebuilt = load_graph(build_folders(db_dir, [Path(f) for f in manifest["folders"]]))
    plain = lambda d: {k: v for k, v in d.items() if v not in (None, [])}  # noqa: E731
    assert {n: plain(d) for n, d in stored.nodes(data=True)} == {n: plain(d) for n, d in rebuilt.nodes(data=True)}
    assert {k: plain(d) for _, _, k, d in stored.edges(keys=True, data=True)} == {
        k: plain(d) for _, _, k, d in rebuilt.edges(keys=True, data=True)
    }


def test_the_database_holds_what_a_rebuild_from_the_files_gives(imported, db_dir):
    manifest = read_manifest(db_dir)
    with graph.open(db_dir) as g:
        assert g.manifest["built_at"] == manifest["built_at"]  # no rebuild: the fingerprint matched
    assert_holds_a_rebuild(db_dir)


def test_reimporting_the_same_file_changes_nothing(imported, db_dir, edition1):
    before = (db_dir / "imports" / "ofac-sdn.jsonl").read_bytes(), read_manifest(db_dir)
    report = import_list("ofac-sdn", edition1, db=db_dir, edition="2024-06-01")
    assert not report.changed and report.merged == 0 and report.new_nodes == 0
    assert ((db_dir / "imports" / "ofac-sdn.jsonl").read_bytes(), read_manifest(db_dir)) == before


def test_a_newer_edition_ends_dropped_listings_and_keeps_history(imported, db_dir, tmp_path):
    newer = sdn(tmp_path / "lists", "sdn-2024-09-01.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE_HOLDINGS, NEWCOMER)
    report = import_list("ofac-sdn", newer, db=db_dir, edition="2024-09-01")
    assert report.delisted == 2  # EXAMPLE TRADING's SDGT and NPWMD listings
    with graph.open(db_dir) as g:
        h = g.nx
        example = next(n for n, d in h.nodes(data=True) if d["name"] == "EXAMPLE TRADING CO., LTD.")
        ended = [d for _, _, d in h.in_edges(example, data=True) if d["type"] == "SANCTIONS"]
        assert {d.get("until") for d in ended} == {"2024-09-01"}
        (tang,) = edges(h, "SANCTIONS", "ofac-hk-eo13936", "chris-tang")
        assert "until" not in tang
        assert any(d["name"] == "EXAMPLE NEWCOMER LIMITED" for _, d in h.nodes(data=True))
        before = {r["measure_id"] for r in g.as_of("2024-08-01").query("measures-hitting", entity=example)}
        after = {r["measure_id"] for r in g.as_of("2024-10-01").query("measures-hitting", entity=example)}
    # Its SDGT listing still reaches it through the subsidiary it owns, which is still listed.
    assert "ofac-npwmd" in before and "ofac-npwmd" not in after


def test_a_newer_edition_leaves_the_name_index_a_rebuild_makes(imported, db_dir, tmp_path):
    """The index an import amends holds the rows a rebuild writes, each once: a changed node's keys are replaced."""
    renamed = EXAMPLE_HOLDINGS.replace("EXAMPLE TRADING HOLDINGS LIMITED", "EXAMPLE TRADING GROUP LIMITED")
    newer = sdn(tmp_path / "lists", "sdn-2024-09-01.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE, renamed)
    import_list("ofac-sdn", newer, db=db_dir, edition="2024-09-01")
    rebuilt = tmp_path / "rebuilt"
    copy_database(db_dir, rebuilt)
    build_database(rebuilt)  # the shipped data and its imports, read whole

    def names(folder: Path) -> list[tuple]:
        build = current_build(folder)
        assert build is not None
        with closing(sqlite3.connect(names_path(build))) as conn:
            return sorted(conn.execute("SELECT key, id, name, label FROM names"))

    amended = names(db_dir)
    assert ("example trading group limited", "example-trading-holdings-limited") in {row[:2] for row in amended}
    assert current_build(rebuilt) != current_build(db_dir) and amended == names(rebuilt)


def test_partial_import_ends_nothing(imported, db_dir, tmp_path):
    extract = sdn(tmp_path / "lists", "extract.csv", TANG)
    assert import_list("ofac-sdn", extract, db=db_dir, edition="2024-09-01", partial=True).delisted == 0


def test_a_malformed_row_stops_the_import_and_changes_nothing(imported, db_dir, tmp_path):
    before = (db_dir / "imports" / "ofac-sdn.jsonl").read_bytes(), read_manifest(db_dir)
    bad = sdn(tmp_path / "lists", "bad.csv", TANG, NEWCOMER, "90005,only three,columns")
    with pytest.raises(DataError, match=r"^bad\.csv:3: ") as error:
        import_list("ofac-sdn", bad, db=db_dir, edition="2024-09-01")
    assert "\n" not in str(error.value)
    assert ((db_dir / "imports" / "ofac-sdn.jsonl").read_bytes(), read_manifest(db_dir)) == before


def test_skip_bad_records_the_skipped_rows(db_dir, tmp_path):
    bad = sdn(tmp_path / "lists", "bad.csv", TANG, "90005,only three,columns", NEWCOMER)
    report = import_list("ofac-sdn", bad, db=db_dir, edition="2024-09-01", skip_bad=True)
    assert [row.where for row in report.skipped] == ["bad.csv:2"] and report.entities == 2
    assert report.skipped_file == str((db_dir / "imports" / "ofac-sdn.skipped.tsv").resolve())
    (line,) = Path(report.skipped_file).read_text(encoding="utf-8").splitlines()
    assert line.startswith("bad.csv:2\t")


def test_progress_is_reported_per_row(first_import):
    assert first_import["progress"] == [1] * 5  # the import into a fresh database, made once for the module


def test_cli_import_and_merges(run, edition1, tmp_path):
    env = {"TECHGRAPH_DB": str(tmp_path / "clidb")}
    result = run("import", "ofac-sdn", str(edition1), "--edition", "2024-05-03", env=env)
    assert result.exit_code == 0, result.output
    assert "5 listed parties (2 newly merged into existing nodes), 3 new nodes" in result.output
    result = run("merges", "Chris Tang", env=env)
    assert result.exit_code == 0
    assert "ofac-sdn:29242  'TANG, Chris': same identifier ofac:29242" in result.output
    result = run("merges", "Chris Tang", "--format", "json", env=env)
    assert json.loads(result.output)[0]["identifiers"] == ["ofac:29242", "ofac-sdn:29242"]
    result = run("import", "ofac-sdn", str(tmp_path / "missing.csv"), env=env)
    assert result.exit_code != 0 and "missing.csv: no such file" in result.output
    result = run("import", "ofac-sdn", str(edition1), "--edition", "2024-02-30", env=env)
    assert result.exit_code != 0 and "2024-02-30" in result.output


def test_an_import_killed_at_random_points_leaves_the_old_graph_or_the_new(tmp_path, first_import):
    """SIGKILL during an import: afterwards every stored query answers as before it, or as after a finished one."""
    import os
    import random
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from graph.cypher.stored import load_queries
    from tests.conftest import canonical

    db = tmp_path / "killdb"
    env = {**os.environ, "TECHGRAPH_DB": str(db)}
    rows = [f'{91000 + i},"EXAMPLE KILL TEST {i} CO., LTD.",-0- ,"SDGT",-0- ' + NULLS + ",-0- " for i in range(3000)]
    big = sdn(tmp_path / "lists", "big.csv", TANG, *rows)

    def first_edition() -> None:
        """The database as importing the first edition into a fresh one leaves it (a copy of the module's)."""
        shutil.rmtree(db, ignore_errors=True)
        copy_database(first_import["db"], db)

    first_edition()

    def answers() -> dict[str, list]:
        with graph.open(db) as g:
            # Rows, and the lists inside them, in a canonical order: ties in ORDER BY and collect()
            # have none, so a rebuild may reorder them; of several shortest paths, which one comes
            # first may change too.
            found = {
                q.name: sorted(json.dumps(row, sort_keys=True, default=str) for row in canonical(g.query(q.name, **q.example)))
                for q in load_queries().values()
                if q.name != "path"
            }
            found["path"] = [row["steps"] for row in g.query("path", **load_queries()["path"].example)]
            found["listings"] = list(g.cypher("MATCH ()-[r:SANCTIONS]->() RETURN count(r) AS n"))
            return found

    before = answers()
    command = [sys.executable, "-m", "graph", "import", "ofac-sdn", str(big), "--edition", "2024-09-01"]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    full = time.perf_counter() - started
    after = answers()
    assert after != before
    first_edition()  # back to the first edition for the kills
    rng, outcomes = random.Random(4), []
    for delay in [0.3, *(rng.uniform(0.3, full) for _ in range(5))]:  # the first one surely before the end
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = answers()
        assert now in (before, after)
        outcomes.append(now == before)
        if now == after:  # the kill came after the point of no return: start the next round from the old graph
            first_edition()
    assert any(outcomes)


def test_cli_skip_bad_names_the_real_file_of_skipped_rows(db_dir, tmp_path):
    from click.testing import CliRunner

    from graph.cli import cli

    bad = sdn(tmp_path / "lists", "bad.csv", TANG, "90005,only three,columns", NEWCOMER)
    result = CliRunner().invoke(cli, ["--db", str(db_dir), "import", "ofac-sdn", str(bad), "--edition", "2024-09-01", "--skip-bad"])
    assert result.exit_code == 0, result.output
    printed = result.output.split("malformed rows (see ", 1)[1].split(")", 1)[0]
    assert Path(printed).is_file() and Path(printed).read_text(encoding="utf-8").startswith("bad.csv:2\t")


def test_relations_the_engine_misreads_after_an_update_make_the_import_build_whole(imported, db_dir, tmp_path, monkeypatch, caplog):
    """LadybugDB 0.22 once read back a relation an import had set with another end and no key (forward only):
    the import's read-back finds that, and the database is then built whole from the files, which reads right."""
    import graph.backends.ladybug.changes as changes

    checked: list[list] = []

    def misread(path, written, schema):
        checked.append(written)
        return "LINKED_TO:x->y read from 'x' leads to 'z', not 'y'"

    monkeypatch.setattr(changes, "misread_relations", misread)
    newer = sdn(tmp_path / "lists", "sdn-2024-09-01.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE_HOLDINGS, NEWCOMER)
    with caplog.at_level("WARNING", logger="graph"):
        report = import_list("ofac-sdn", newer, db=db_dir, edition="2024-09-01")
    assert report.delisted == 2 and checked and all(isinstance(kind, tuple) for kind, _ in checked[0])
    assert "LadybugDB misread an update (" in caplog.text and "building the database whole instead" in caplog.text
    monkeypatch.undo()
    assert_holds_a_rebuild(db_dir)
    assert not import_list("ofac-sdn", newer, db=db_dir, edition="2024-09-01").changed


def test_the_read_back_of_written_relations_finds_one_without_its_key(tmp_path):
    import ladybug

    from graph.backends.ladybug.build import write_database
    from graph.backends.ladybug.changes import misread_relations
    from graph.dataset.network import graph_rows
    from graph.model.schema import load_schema

    build = tmp_path / "build.lbug"
    write_database(graph_rows(load_graph()), build, load_schema())
    written = [(("OWNS", "Company", "App"), {"from": "tencent", "to": "wechat", "key": "OWNS:tencent->wechat"})]
    assert misread_relations(build, written, load_schema()) is None
    db = ladybug.Database(str(build))
    conn = ladybug.Connection(db)
    conn.execute("MATCH (:Company {id: 'tencent'})-[r:OWNS]->(:App {id: 'wechat'}) SET r.key = NULL")
    conn.close()
    db.close()
    assert misread_relations(build, written, load_schema()) == "a relation read from 'tencent' to 'wechat' has no key"


@pytest.mark.parametrize("end, direction", [("source", "(a)-[r]->(b)"), ("target", "(a)<-[r]-(b)")])
def test_the_read_back_extends_from_the_written_ends(end, direction, tmp_path):
    """The misread was in the storage of one direction: the read-back must leave each end itself (the plan
    of another form of the same read scanned the relation from its other end, and read it right)."""
    import ladybug

    from graph.backends.ladybug.build import write_database
    from graph.backends.ladybug.changes import read_from
    from graph.dataset.network import graph_rows
    from graph.model.schema import load_schema

    build = tmp_path / "build.lbug"
    write_database(graph_rows(load_graph()), build, load_schema())
    conn = ladybug.Connection(ladybug.Database(str(build), read_only=True))
    result = conn.execute("EXPLAIN " + read_from("Official", end), {"ids": ["carrie-lam"]})
    assert not isinstance(result, list)
    plan = result.get_all()[0][0]
    assert [line.strip(" │") for line in plan.splitlines() if "Direction:" in line] == [f"Direction: {direction}"]
