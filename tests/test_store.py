"""The embedded database: built on first use, rebuilt when data changes, swapped atomically."""

from __future__ import annotations

import pytest

import graph
from graph.backends.base import graph_from_engine
from graph.backends.ladybug.build import build_database
from graph.backends.ladybug.engine import EmbeddedEngine
from graph.backends.ladybug.folder import current_build, ensure_database, read_manifest
from graph.dataset.network import graph_rows, load_graph, row_batches
from graph.errors import DatabaseError, DataError, QueryError
from graph.model.schema import load_schema
from graph.paths import data_dir
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


def test_failed_rebuild_keeps_the_old_database(db_dir, built_db, tmp_path):
    good = ensure_database(db_dir)
    bad = write(tmp_path / "bad", "bad.yaml", "App:\n  - {id: a1, name: A}\n")
    with pytest.raises(DataError):
        build_database(db_dir, [bad])
    assert read_manifest(db_dir)["fingerprint"] == good["fingerprint"]
    assert sorted(p.name for p in db_dir.iterdir()) == sorted(
        ["current", f"{good['fingerprint']}.lbdb", f"{good['fingerprint']}.json", f"{good['fingerprint']}.names"]
    )
    with graph.open(db_dir) as g:
        assert g.stats()["total_nodes"] == good["nodes"]


def test_engine_write_is_refused_even_past_the_clause_check(db_dir, built_db):
    ensure_database(db_dir)
    engine = EmbeddedEngine(db_dir)
    with pytest.raises(QueryError, match="read-only"):
        engine.run("CREATE (:App {id: 'x', name: 'x', sources: ['y']})")
    engine.close()


def test_corrupted_database_gives_the_way_out(db_dir, built_db):
    manifest = ensure_database(db_dir)
    (db_dir / f"{manifest['fingerprint']}.lbdb").write_bytes(b"not a database")
    with pytest.raises(DatabaseError, match=r"cannot open the database .*; rebuild it with `techgraph load`$"):
        EmbeddedEngine(db_dir)


def test_round_trip_keeps_every_node_edge_and_property(db_dir, built_db):
    original = load_graph()
    ensure_database(db_dir)
    engine = EmbeddedEngine(db_dir)
    stored = graph_from_engine(engine)
    engine.close()
    assert dict(stored.nodes(data=True)) == dict(original.nodes(data=True))
    assert {(u, v, k): d for u, v, k, d in stored.edges(keys=True, data=True)} == {
        (u, v, k): d for u, v, k, d in original.edges(keys=True, data=True)
    }


def test_batches_give_the_rows_of_the_data_files_nodes_first_a_batch_at_a_time(built_db):
    schema = load_schema()
    expected = {}
    for kind, batch in row_batches(graph_rows(load_graph()), schema, 1000):  # what push sent from networkx before
        for row in batch:
            expected[kind, row.get("id") or row["key"]] = {p: v for p, v in row.items() if v is not None}
    engine = EmbeddedEngine(built_db)
    batches = list(engine.batches(schema, 7))
    engine.close()
    got = {(kind, row.get("id") or row["key"]): row for kind, batch in batches for row in batch}
    assert got == expected and sum(map(len, (b for _, b in batches))) == len(expected)
    assert max(len(b) for _, b in batches) == 7 and all(len(b) <= 7 for _, b in batches)
    kinds = [isinstance(kind, str) for kind, _ in batches]
    assert kinds == sorted(kinds, reverse=True)  # every node batch before the first relation batch


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.6, 0.9])
def test_killed_rebuild_leaves_the_previous_database(db_dir, built_db, extra_folder, delay):
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
    from graph.dataset.files import fingerprint
    from graph.paths import data_folders

    return fingerprint(data_folders([folder]))


AWKWARD = [' lead', 'trail ', 'cr\rx', 'tab\tx', 'crlf\r\nx', '"quoted", comma', "it's", 'back\\slash', '腾讯控股', '[bracket]', 'NULL', '1e5', 'end\n']


def test_awkward_values_survive_the_bulk_build_in_an_awkward_folder(tmp_path):
    """The build writes CSV files for LadybugDB's COPY: quotes, separators, line breaks and
    blanks in values, and a quote in the database's own path, must all come back unchanged."""
    import json

    lines = [
        {"Company": {"id": f"awkward-{i}", "name": value, "aliases": AWKWARD[: i % 4] + [value], "summary": value,
                     "sources": ["https://example.org/a,b", "https://example.org/'q'"]}}
        for i, value in enumerate(AWKWARD)
    ]
    lines += [
        {"Company": {"id": "awkward-empty", "name": "Empty lists", "aliases": [], "sources": ["https://example.org/e"]}},
        {"OWNS": {"from": "awkward-0", "to": "awkward-1", "share": 33.3, "note": "a\nb, \"c\"", "sources": ["https://example.org/o"]}},
        {"Extend": {"id": "awkward-2", "aliases": ["added, later"], "identifiers": ["x:1"], "sources": ["https://example.org/x"]}},
    ]
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "awkward.jsonl").write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    db_dir = tmp_path / "it's a \\ folder"
    build_database(db_dir, [folder])
    engine = EmbeddedEngine(db_dir)
    stored = graph_from_engine(engine)
    engine.close()
    original = load_graph([data_dir(), folder])
    assert stored.nodes["awkward-2"]["aliases"] == [" lead", "trail ", "cr\rx", "added, later"]
    assert stored.nodes["awkward-empty"]["aliases"] == []
    assert dict(stored.nodes(data=True)) == dict(original.nodes(data=True))
    assert {(u, v, k): d for u, v, k, d in stored.edges(keys=True, data=True)} == {
        (u, v, k): d for u, v, k, d in original.edges(keys=True, data=True)
    }
    assert not [p for p in db_dir.iterdir() if p.name.startswith(".")], "the build's CSV files are removed"


@pytest.mark.parametrize("value", ["nul\u0000x", "unit\u001fseparator", "bell\u0007"])
def test_control_characters_in_values_are_refused(tmp_path, value):
    import json

    folder = tmp_path / "data"
    folder.mkdir()
    record = {"App": {"id": "ctl", "name": "Ctl", "aliases": [value], "sources": ["https://example.org/c"]}}
    (folder / "ctl.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"ctl\.jsonl:1: App 'ctl': field 'aliases': contains the control character U\+00"):
        load_graph([data_dir(), folder])


def test_contents_are_counted_only_when_the_file_is_not_the_one_built(db_dir, built_db):
    """Opening counts every node and relation against the manifest, unless the file still has the
    size and modification time the build recorded (counting takes seconds at millions)."""
    import json
    import os

    manifest = ensure_database(db_dir)
    build = current_build(db_dir)
    recorded = build.with_suffix(".json")
    assert manifest["file"] == {"bytes": build.stat().st_size, "mtime_ns": build.stat().st_mtime_ns}
    lying = {**manifest, "nodes": manifest["nodes"] + 1}
    recorded.write_text(json.dumps(lying))
    EmbeddedEngine(db_dir).close()  # the file is the one built: not counted
    os.utime(build, ns=(build.stat().st_atime_ns, build.stat().st_mtime_ns + 1))
    with pytest.raises(DatabaseError, match=rf"holds {manifest['nodes']} nodes .* manifest says {manifest['nodes'] + 1}"):
        EmbeddedEngine(db_dir)


def test_a_dead_builds_csv_folder_is_swept_and_a_live_ones_kept(db_dir, built_db):
    """A build killed while writing its CSV files leaves `.<stamp>.<pid>.tmp.csv/`; the next build
    removes it unless that process still runs (it may be building right now)."""
    import os
    import subprocess
    import sys

    ensure_database(db_dir)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [db_dir / f".abc.{dead.stdout.strip()}.tmp.csv", db_dir / f".abc.{os.getpid()}.tmp.csv"]
    for folder in leftovers:
        folder.mkdir()
        (folder / "0.csv").write_text("x\n")
    build_database(db_dir)
    assert [f.exists() for f in leftovers] == [False, True]


def test_the_name_index_answers_as_the_cypher_scan_does(extra_db):
    """Every id, name and alias, in its own, upper and lower case, names the same nodes through the
    build's index as through RESOLVE, the Cypher that Neo4j runs."""
    from graph.cypher.stored import RESOLVE

    engine = EmbeddedEngine(extra_db)  # a build of the shipped data and the extra folder
    names = {text for row in engine.run("MATCH (n) RETURN n.id AS id, n.name AS name, n.aliases AS aliases")[1]
             for text in (row["id"], row["name"], *row["aliases"])}
    names |= {"No Such Entity", "", "İstanbul", "ǅ"}
    variants = {variant for name in names for variant in (name, name.upper(), name.lower())}  # each text once
    for variant in sorted(variants):
        assert engine.resolve(variant) == engine.run(RESOLVE, {"name": variant})[1], variant
    assert engine.resolve("夹具控股") == [{"id": "fixture-holding", "name": "Fixture Holding Co., Ltd.", "label": "Company"}]
    engine.close()


def test_without_its_name_index_a_build_still_resolves_and_a_damaged_index_names_the_way_out(db_dir, built_db):
    from graph.backends.ladybug.folder import names_path

    ensure_database(db_dir)
    index = names_path(current_build(db_dir))
    with graph.open(db_dir) as g:
        expected = g.resolve("腾讯")
    index.unlink()  # a build made before there was an index
    with graph.open(db_dir) as g:
        assert g.resolve("腾讯") == expected
    index.write_bytes(b"not an index")
    with graph.open(db_dir) as g, pytest.raises(DatabaseError, match=r"\.names: not a techgraph name index .*; rebuild the database with `techgraph load`$"):
        g.resolve("腾讯")


def test_a_page_cache_too_small_for_the_copy_is_doubled_until_it_fits(db_dir, monkeypatch):
    """The build sizes LadybugDB's page cache from the largest relation table; rows wider than the
    estimate fill it, and the build tries again with twice as much rather than failing."""
    import graph.backends.ladybug.build as store

    monkeypatch.setattr(store, "BUILD_POOL_BASE", 8 * 2**20)  # the shipped data with its as-of columns needs 64 MB
    monkeypatch.setattr(store, "BUILD_POOL_PER_ROW", 0)
    manifest = build_database(db_dir)
    assert manifest["edges"] == load_graph().number_of_edges()
    assert not [p for p in db_dir.iterdir() if p.name.startswith(".")]
    monkeypatch.setattr(store, "BUILD_POOL_ATTEMPTS", 2)  # 8 and 16 MB only: it gives up, saying why
    with pytest.raises(DatabaseError, match=r"build failed, previous database kept: LadybugDB's page cache of 16 MB was too small"):
        build_database(db_dir)
    assert read_manifest(db_dir)["fingerprint"] == manifest["fingerprint"]


def test_an_update_sets_only_the_columns_whose_values_differ_from_the_build(built_db, tmp_path):
    """A changed row costs its columns (the engine rewrites a list column whole once any value of it is set):
    rows equal to the build's are left, and of the others only the columns that differ are set."""
    import shutil

    import ladybug

    from graph.backends.ladybug.build import _CsvTables
    from graph.backends.ladybug.changes import _differing

    copy = tmp_path / "copy.lbdb"
    shutil.copyfile(current_build(built_db), copy)
    db = ladybug.Database(str(copy))
    conn = ladybug.Connection(db)
    tables = _CsvTables(tmp_path, load_schema())
    company, sanctions = "Company", ("SANCTIONS", "Measure", "Company")
    names = [c for c in tables.columns(company) if c != "id"]
    (values,) = conn.execute(f"MATCH (x:Company {{id: 'huawei'}}) RETURN {', '.join(f'x.{c}' for c in names)}").get_all()
    huawei = {"id": "huawei", **dict(zip(names, values, strict=True))}
    renamed = {**huawei, "id": "zte", "aliases": [*huawei["aliases"], "Huawei"]}  # differs from ZTE's row in most
    assert _differing(conn, company, [huawei], tables.columns(company)) == ([], [])
    assert _differing(conn, company, [{**huawei, "aliases": ["Huawei only"]}], tables.columns(company))[1] == ["aliases"]
    assert _differing(conn, company, [{**huawei, "id": "no-such-company"}], tables.columns(company))[1] == names
    assert "aliases" in _differing(conn, company, [huawei, renamed], tables.columns(company))[1]
    names = [c for c in tables.columns(sanctions) if c not in ("from", "to", "key")]
    ((source, key, *values),) = conn.execute(
        f"MATCH (m:Measure)-[x:SANCTIONS]->(:Company {{id: 'huawei'}}) RETURN m.id, x.key, "
        f"{', '.join(f'x.{c}' for c in names)} ORDER BY x.key LIMIT 1"
    ).get_all()
    listing = {"from": source, "to": "huawei", "key": key, **dict(zip(names, values, strict=True))}
    assert _differing(conn, sanctions, [listing], tables.columns(sanctions)) == ([], [])
    ended = {**listing, "until": "2099-01-01"}
    assert _differing(conn, sanctions, [listing, ended], tables.columns(sanctions)) == ([ended], ["until"])
    conn.close()
    db.close()
