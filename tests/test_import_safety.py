"""What an import costs and how it fails: in place, equal to a rebuild, one at a time, nothing half-written.

An import into a database whose build matches its files reads only the part of the graph its
records reach (``graph.lists.neighbourhood``) and writes its rows into a copy of the build; the
result must be what a rebuild from the files gives, and the data file what an import reading the
whole graph writes. Two imports at once take turns on the folder's lock; a killed one leaves
nothing the next command applies; a failed one leaves no skipped-rows report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import graph
import graph.lists.editions
import graph.lists.neighbourhood
from graph.backends.base import graph_from_engine
from graph.backends.ladybug.engine import EmbeddedEngine
from graph.backends.ladybug.folder import build_folders, changing, current_build, read_manifest
from graph.dataset.network import load_graph
from graph.errors import DatabaseError
from graph.lists.editions import import_list
from tests.conftest import copy_database
from tests.test_import import CHINA_TELECOM, EXAMPLE, EXAMPLE_HOLDINGS, HUAWEI_NAMESAKE, NEWCOMER, NULLS, TANG, sdn

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
FCC = FIXTURES / "fcc_covered_list" / "covered_list.csv"
# A second record naming Huawei, so that Huawei is extended by two lists (FCC and SDN).
HUAWEI = '90010,"HUAWEI TECHNOLOGIES CO., LTD.",-0- ,"SDGT",-0- ' + NULLS + ",-0- "


def plain(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, [])}


def stored_graph(db: Path):
    engine = EmbeddedEngine(db)
    try:
        return graph_from_engine(engine)
    finally:
        engine.close()


def assert_build_is_the_files(db: Path) -> None:
    """The current build holds exactly what a rebuild from the folder's files gives (list order included)."""
    stored = stored_graph(db)
    rebuilt = load_graph(build_folders(db, [Path(f) for f in read_manifest(db)["folders"]]))
    assert {n: plain(d) for n, d in stored.nodes(data=True)} == {n: plain(d) for n, d in rebuilt.nodes(data=True)}
    assert {k: (a, b, plain(d)) for a, b, k, d in stored.edges(keys=True, data=True)} == {
        k: (a, b, plain(d)) for a, b, k, d in rebuilt.edges(keys=True, data=True)
    }
    assert (read_manifest(db)["nodes"], read_manifest(db)["edges"]) == (stored.number_of_nodes(), stored.number_of_edges())


@pytest.fixture(scope="module")
def two_lists(tmp_path_factory) -> Path:
    """A database holding an SDN edition and the FCC fixture, imported one after the other (module template)."""
    folder = tmp_path_factory.mktemp("two-lists")
    db = folder / "db"
    first = sdn(folder / "lists", "sdn-1.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE, EXAMPLE_HOLDINGS, HUAWEI)
    import_list("ofac-sdn", first, db=db, edition="2024-05-03")
    import_list("fcc-covered-list", FCC, db=db, edition="2024-06-01")
    return db


def newer_edition(tmp_path: Path) -> Path:
    renamed = HUAWEI.replace("HUAWEI TECHNOLOGIES CO., LTD.", "HUAWEI EXAMPLE RENAMED CO., LTD.")  # same record: a new alias
    return sdn(tmp_path / "lists", "sdn-2.csv", TANG, CHINA_TELECOM, HUAWEI_NAMESAKE, EXAMPLE_HOLDINGS, NEWCOMER, renamed)


def test_an_import_into_a_current_build_reads_only_what_it_reaches_and_equals_a_rebuild(two_lists, tmp_path, monkeypatch):
    db = copy_database(two_lists, tmp_path / "db")
    assert_build_is_the_files(db)

    def whole_graph(*args, **kwargs):
        raise AssertionError("the import read every data file")

    monkeypatch.setattr(graph.lists.editions, "load_graph", whole_graph)
    report = import_list("ofac-sdn", newer_edition(tmp_path), db=db, edition="2024-09-01")
    assert report.changed and report.delisted == 2 and report.new_nodes == 1
    monkeypatch.undo()
    assert_build_is_the_files(db)
    stored = stored_graph(db)  # the record's node (not the shipped Huawei, which holds another OFAC number)
    (node,) = [n for n, d in stored.nodes(data=True) if any(m.startswith("ofac-sdn:90010 |") for m in d.get("merges") or [])]
    assert "HUAWEI EXAMPLE RENAMED CO., LTD." in stored.nodes[node]["aliases"]
    built = current_build(db)
    with graph.open(db) as g:  # no rebuild on open: the build is the files'
        assert current_build(db) == built
        assert list(g.cypher("MATCH (c:Company {name: 'EXAMPLE NEWCOMER LIMITED'}) RETURN count(c) AS n")) == [{"n": 1}]


def test_the_import_of_a_subgraph_writes_what_the_import_of_the_whole_graph_writes(two_lists, tmp_path):
    incremental, whole = copy_database(two_lists, tmp_path / "a"), copy_database(two_lists, tmp_path / "b")
    for store in whole.glob("*.graph"):  # without its store, an import reads every data file
        store.unlink()
    newer = newer_edition(tmp_path)
    for db in (incremental, whole):
        import_list("ofac-sdn", newer, db=db, edition="2024-09-01")
        import_list("fcc-covered-list", FCC, db=db, edition="2024-10-01")
    # The store moved to the current build (not copied: the previous build, kept for its readers, has none).
    assert [p.name for p in incremental.glob("*.graph")] == [current_build(incremental).with_suffix(".graph").name]
    for name in ("ofac-sdn.jsonl", "fcc-covered-list.jsonl"):
        assert (incremental / "imports" / name).read_bytes() == (whole / "imports" / name).read_bytes()
    assert read_manifest(incremental)["fingerprint"] == read_manifest(whole)["fingerprint"]
    a, b = stored_graph(incremental), stored_graph(whole)
    assert {n: plain(d) for n, d in a.nodes(data=True)} == {n: plain(d) for n, d in b.nodes(data=True)}


def test_an_import_without_a_store_reads_the_files_once_and_equals_a_rebuild(two_lists, tmp_path, monkeypatch):
    db = copy_database(two_lists, tmp_path / "db")
    for store in db.glob("*.graph"):  # the build is the files', but its store is gone: the files are read whole
        store.unlink()
    reads = []
    monkeypatch.setattr(graph.lists.editions, "load_graph", lambda *a, **k: pytest.fail("the files were checked again"))
    real_parts = graph.lists.neighbourhood.file_parts
    monkeypatch.setattr(graph.lists.neighbourhood, "file_parts", lambda *a: reads.append(a[0]) or real_parts(*a))
    report = import_list("ofac-sdn", newer_edition(tmp_path), db=db, edition="2024-09-01")
    monkeypatch.undo()
    assert report.changed and report.delisted == 2 and len(reads) == 1  # one reading, for the graph and the store
    assert_build_is_the_files(db)
    assert list(db.glob("*.graph"))  # the next import's store


def test_a_failed_import_leaves_no_skipped_rows_report_and_no_temporary_file(two_lists, tmp_path, monkeypatch):
    db = copy_database(two_lists, tmp_path / "db")
    before = {str(p.relative_to(db)): p.read_bytes() for p in db.rglob("*") if p.is_file()}
    bad = sdn(tmp_path / "lists", "bad.csv", TANG, "90005,only three,columns", NEWCOMER)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("graph.backends.ladybug.changes.BuildChanges.write", full_disk)
    with pytest.raises(DatabaseError, match="build failed, previous database kept: .*No space left on device"):
        import_list("ofac-sdn", bad, db=db, edition="2024-09-01", skip_bad=True)
    after = {str(p.relative_to(db)): p.read_bytes() for p in db.rglob("*") if p.is_file()}
    assert not (db / "imports" / "ofac-sdn.skipped.tsv").exists()
    assert after == before


def command(db: Path, *args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    env = {**os.environ, "TECHGRAPH_DB": str(db)}
    return subprocess.Popen([sys.executable, "-m", "graph", *args], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)


def test_two_imports_at_once_both_land_one_waiting_for_the_other(two_lists, tmp_path):
    db = copy_database(two_lists, tmp_path / "db")
    newer = newer_edition(tmp_path)
    table = tmp_path / "covered.csv"
    table.write_text(
        "covered_equipment_or_services,date_of_inclusion_on_covered_list\n"
        '"Video surveillance equipment produced by Example Concurrent Vision Co., Ltd.","March 12, 2021"\n',
        encoding="utf-8",
    )
    waiting = f"waiting: {db} is being changed by another import or build; an import of "
    logs = [tmp_path / "sdn.err", tmp_path / "fcc.err"]
    with changing(db, "the test"):  # both start while the folder is held: each must wait, then land
        with logs[0].open("w") as sdn_log, logs[1].open("w") as fcc_log:
            processes = [
                command(db, "import", "ofac-sdn", str(newer), "--edition", "2024-09-01", stderr=sdn_log),
                command(db, "import", "fcc-covered-list", str(table), "--edition", "2024-10-01", "--partial", stderr=fcc_log),
            ]
        deadline = time.monotonic() + 120
        while not all(waiting in log.read_text() for log in logs):
            assert all(p.poll() is None for p in processes), "an import did not wait for the lock"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    for p in processes:
        p.communicate(timeout=120)
    assert [p.returncode for p in processes] == [0, 0], [log.read_text() for log in logs]
    names = {d["name"] for _, d in stored_graph(db).nodes(data=True)}
    assert {"EXAMPLE NEWCOMER LIMITED", "Example Concurrent Vision Co., Ltd."} <= names
    assert_build_is_the_files(db)


def test_a_killed_import_is_not_applied_by_the_next_command(two_lists, tmp_path):
    db = copy_database(two_lists, tmp_path / "db")
    rows = [f'{92000 + i},"EXAMPLE KILLED IMPORT {i} CO., LTD.",-0- ,"SDGT",-0- ' + NULLS + ",-0- " for i in range(2000)]
    big = sdn(tmp_path / "lists", "big.csv", TANG, *rows)
    data_file = db / "imports" / "ofac-sdn.jsonl"
    before, build = data_file.read_bytes(), current_build(db)
    process = command(db, "import", "ofac-sdn", str(big), "--edition", "2024-09-01")
    deadline = time.monotonic() + 120
    while not list(data_file.parent.glob(".ofac-sdn.jsonl.*.tmp")):  # the import has its result, not yet in place
        assert process.poll() is None and time.monotonic() < deadline, "the import ended before it could be killed"
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    with graph.open(db) as g:  # the next command
        assert not g.cypher("MATCH (c:Company) WHERE c.name STARTS WITH 'EXAMPLE KILLED' RETURN c.id AS id")
    assert data_file.read_bytes() == before and current_build(db) == build
    assert not [p for p in db.rglob("*.tmp*")], "a temporary file of the killed import survived"
    assert_build_is_the_files(db)


def test_a_record_folds_with_the_extensions_of_files_read_before_its_own():
    """A node made by a list whose file sorts after the file of a list that extends it (CSL extending an SDN record)."""
    import networkx as nx

    from graph.lists.neighbourhood import fold, place
    from graph.model.schema import load_schema

    g = nx.MultiDiGraph()
    g.add_node("example-co", label="Company", name="Example Co.", aliases=["B", "A"], sources=["https://example.org"], group_measures=2)
    record = {"id": "example-co", "name": "Example Co.", "aliases": ["A"], "sources": ["https://example.org"]}
    parts = {"n:example-co": [
        ("n:example-co", place(1, Path("ofac-sdn.jsonl"), 4), "Company", record),
        ("n:example-co", place(1, Path("csl.jsonl"), 9), "Extend", {"aliases": ["B"]}),
    ]}  # fmt: skip
    fold(g, parts, load_schema())
    expected = {k: v for k, v in record.items() if k != "id"} | {"label": "Company", "aliases": ["A", "B"], "group_measures": 2}
    assert g.nodes["example-co"] == expected
