"""exposure, chains and show read only the neighbourhood they need from the engine: the same answers as
the whole graph, on the shipped data with tests/fixtures/ownership (50% rule through minority stakes,
ownership and retaliation cycles, a stayed designation)."""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
from graph.analysis.chains import chains
from graph.analysis.ownership import exposure, neighbourhood
from graph.backends.ladybug import engine as embedded
from graph.dataset.network import load_graph
from graph.model.schema import load_schema
from graph.paths import data_folders

FIXTURE = Path(__file__).parent / "fixtures" / "ownership"


@pytest.fixture(scope="module")
def fixture_graph(tmp_path_factory):
    db = tmp_path_factory.mktemp("local") / "db"
    graph.load(db, [FIXTURE])
    with graph.open(db, data=[FIXTURE]) as g:
        yield g


def test_exposure_from_the_neighbourhood_is_the_whole_graphs_for_every_entity(fixture_graph):
    whole, schema = load_graph(data_folders([FIXTURE])), load_schema()
    entities = [(n, d) for n, d in whole.nodes(data=True) if d["label"] in ("Company", "App", "Official", "Government")]
    assert len(entities) > 200
    for node, data in entities:
        local = neighbourhood(fixture_graph.engine, {"id": node, "label": data["label"], "name": data["name"]}, schema)
        assert local.number_of_nodes() < whole.number_of_nodes() / 4
        for day in ("2020-06-15", "2021-06-01"):
            assert exposure(local, node, day, schema).as_dict() == exposure(whole, node, day, schema).as_dict(), (node, day)


def test_the_fixtures_verdicts(fixture_graph):
    held = fixture_graph.exposure("fx-m", "2021-01-01")
    assert (held["verdict"], held["listed_share"]) == ("proven", 60.0)  # 30% + 30% of two blocked holders
    assert fixture_graph.exposure("fx-s", "2021-01-01")["verdict"] == "proven"  # what M owns
    target = fixture_graph.exposure("fx-t", "2021-01-01")  # through the cycle C1 -> C2 -> C3 -> C1
    assert target["verdict"] == "proven" and {o["id"] for o in target["owners"]} == {"fx-c1", "fx-c2", "fx-c3"}
    assert fixture_graph.exposure("fx-d", "2020-07-01")["verdict"] == "no"  # stayed before it took effect


# The retaliation-chains query before the chains were derived at build: the walk itself, on the engine.
WALK = """
MATCH p = (last:Measure)-[:RETALIATES_AGAINST*1..8]->(first:Measure)
WHERE last.retaliation = 'last' AND first.retaliation = 'first'
RETURN first.id AS first_id, last.id AS last_id, length(p) AS steps, nodes(p) AS chain
"""


def test_derived_chains_are_the_walks_of_the_query_before(fixture_graph):
    rows = fixture_graph.query("retaliation-chains")
    derived = sorted((r["first_id"], r["last_id"], r["steps"], r["chain"]) for r in rows)
    walked = sorted((r["first_id"], r["last_id"], r["steps"], [m["id"] for m in r["chain"]]) for r in fixture_graph.cypher(WALK))
    assert derived == walked and len(walked) > 5


def test_chains_are_the_stored_querys_with_issuers_and_delays(fixture_graph):
    whole = fixture_graph.nx
    issuers = lambda m: sorted(whole.nodes[u]["name"] for u, _, d in whole.in_edges(m, data=True) if d["type"] == "ISSUED")  # noqa: E731
    expected = chains(fixture_graph.query("retaliation-chains"), dict(whole.nodes(data=True)), issuers)
    assert fixture_graph.chains() == expected
    cycle = [[s["id"] for s in c["steps"]] for c in expected if c["steps"][-1]["id"] == "fx-r5"]
    assert sorted(map(len, cycle)) == [4, 6, 8]  # the walk passes the R3-R4 cycle again, up to 8 steps
    assert expected[0]["steps"][1]["delay_days"] is not None


@pytest.mark.parametrize("name", ["WeChat", "Carrie Lam", "Tencent"])
def test_show_and_entity_profile_start_by_key_for_every_label(shipped, name):
    # Starting at an App (no relation out) or an Official (none owned) once crashed LadybugDB (a join hint).
    profile = shipped.show(name)
    rows = shipped.query("entity-profile", entity=name)
    assert len(rows) == len(profile["incoming"]) + len(profile["outgoing"]) > 0


def test_query_resolves_a_name_once(shipped, monkeypatch):
    calls = []
    real = embedded.lookup
    monkeypatch.setattr(embedded, "lookup", lambda path, name: calls.append(name) or real(path, name))
    rows = shipped.query("measures-hitting", entity="Tencent")
    assert calls == ["Tencent"] and any(r["target_id"] == "wechat" for r in rows)  # the label came with the id


def test_columns_converted_are_those_plain_changes(shipped):
    columns, (row,) = shipped.engine.run(
        "MATCH (a:App {id: 'wechat'}) RETURN a.id AS s, 1 AS i, 1.5 AS f, true AS b, ['x'] AS l, a AS node, "
        "{k: 1} AS m, CAST(2.0 AS DECIMAL(4, 1)) AS d"
    )
    assert row["node"]["label"] == "App" and row["m"] == {"k": 1} and row["d"] == 2 and type(row["d"]) is int
    assert [embedded.converted(kind) for kind in ("STRING", "INT64", "DOUBLE", "BOOL", "STRING[]", "NODE", "MAP(STRING, INT64)", "DECIMAL(4, 1)")] == [False] * 5 + [True] * 3


def test_the_buffer_pool_is_sized_from_the_build(shipped, monkeypatch, tmp_path):
    import ladybug

    asked = []
    real = ladybug.Database
    monkeypatch.setattr(ladybug, "Database", lambda path, **options: asked.append(options) or real(path, **options))
    embedded.EmbeddedEngine(shipped.db_dir).close()
    assert asked == [{"read_only": True, "buffer_pool_size": embedded.MIN_POOL}]  # the shipped build is small
    large = tmp_path / "large.lbdb"
    with large.open("wb") as sparse:
        sparse.truncate(1 << 30)
    assert embedded.pool_size(large) == embedded.POOL_PER_BUILD_BYTE << 30  # 4 GB for a 1 GB build
