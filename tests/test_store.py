"""The embedded database: built on first use, rebuilt when data changes, swapped atomically."""

from __future__ import annotations

import pytest

import graph
from graph.engines import EmbeddedEngine, graph_from_engine
from graph.errors import DataError, DatabaseError, QueryError
from graph.loader import load_graph
from graph.store import build_database, current_build, ensure_database, read_manifest
from tests.conftest import write


def test_first_open_builds_and_second_reuses(db_dir):
    first = ensure_database(db_dir)
    assert current_build(db_dir).name == f"{first['fingerprint']}.lbdb"
    assert ensure_database(db_dir)["built_at"] == first["built_at"]


def test_data_change_triggers_rebuild_keeping_extra_folders(db_dir, extra_folder):
    built = graph.load(db_dir, [extra_folder])
    with graph.open(db_dir) as g:
        assert g.resolve("FixtureChat")[0]["id"] == "fixture-app"
    (extra_folder / "extra.yaml").write_text((extra_folder / "extra.yaml").read_text().replace("FixtureChat", "FixtureTalk"))
    with graph.open(db_dir) as g:  # no folders given: the build's own folders are re-checked
        assert g.resolve("FixtureTalk")[0]["id"] == "fixture-app"
        assert g.manifest["fingerprint"] != built["fingerprint"]


def test_failed_rebuild_keeps_the_old_database(db_dir, tmp_path):
    good = ensure_database(db_dir)
    bad = write(tmp_path / "bad", "bad.yaml", "App:\n  - {id: a1, name: A}\n")
    with pytest.raises(DataError):
        build_database(db_dir, [bad])
    assert read_manifest(db_dir)["fingerprint"] == good["fingerprint"]
    assert sorted(p.name for p in db_dir.iterdir()) == sorted(
        ["current", f"{good['fingerprint']}.lbdb", f"{good['fingerprint']}.json"]
    )
    with graph.open(db_dir) as g:
        assert g.stats()["total_nodes"] == good["nodes"]


def test_engine_write_is_refused_even_past_the_clause_check(db_dir):
    ensure_database(db_dir)
    engine = EmbeddedEngine(db_dir)
    with pytest.raises(QueryError, match="read-only"):
        engine.run("CREATE (:App {id: 'x', name: 'x', sources: ['y']})")
    engine.close()


def test_corrupted_database_gives_the_way_out(db_dir):
    manifest = ensure_database(db_dir)
    (db_dir / f"{manifest['fingerprint']}.lbdb").write_bytes(b"not a database")
    with pytest.raises(DatabaseError, match=r"cannot open the database .*; rebuild it with `techgraph load`$"):
        EmbeddedEngine(db_dir)


def test_round_trip_keeps_every_node_edge_and_property(db_dir):
    original = load_graph()
    ensure_database(db_dir)
    engine = EmbeddedEngine(db_dir)
    stored = graph_from_engine(engine)
    engine.close()
    assert dict(stored.nodes(data=True)) == dict(original.nodes(data=True))
    assert {(u, v, k): d for u, v, k, d in stored.edges(keys=True, data=True)} == {
        (u, v, k): d for u, v, k, d in original.edges(keys=True, data=True)
    }


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9])
def test_killed_rebuild_leaves_the_previous_database(db_dir, extra_folder, delay):
    import os
    import signal
    import subprocess
    import sys
    import time

    before = ensure_database(db_dir)
    with graph.open(db_dir) as g:
        expected = g.query("measures-hitting", entity="Tencent")
    env = {**os.environ, "TECHGRAPH_DB": str(db_dir)}
    process = subprocess.Popen([sys.executable, "-m", "graph", "load", str(extra_folder)], env=env)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    manifest = read_manifest(db_dir)
    assert manifest["fingerprint"] in (before["fingerprint"], fingerprint_with(extra_folder))
    with graph.open(db_dir) as g:
        rows = g.query("measures-hitting", entity="Tencent")
    if manifest["fingerprint"] == before["fingerprint"]:
        assert rows == expected  # the old build, whole
    else:
        assert {r["target_id"] for r in rows} >= {r["target_id"] for r in expected} | {"fixture-app"}  # the new one, whole
    graph.load(db_dir)  # the next build sweeps what the killed one left
    assert not list(db_dir.glob(".*.tmp*"))


def fingerprint_with(folder):
    from graph.loader import fingerprint
    from graph.paths import data_folders

    return fingerprint(data_folders([folder]))
