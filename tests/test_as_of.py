"""The as-of view (one build, every statement rewritten for the day) answers what the snapshot of the day,
built, answers; and an incremental import leaves its day columns as a rebuild makes them.

The snapshot route (:func:`graph.analysis.snapshot.snapshot_database`: the graph cut to the day and built on
its own) is the reference, and what a Neo4j view runs on. The data: the shipped graph and
tests/fixtures/as_of (a holding that controls for a year, a designation delisted, an order enjoined for an
interval then revoked, a failed bill, a counter-measure, walks through measures announced after their
relations' ends). The imports: the real rows of
tests/fixtures/imports/undated (an SDN edition moving a programme's date earlier than the CSL had it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import graph
from graph.analysis.snapshot import snapshot_database
from graph.backends.ladybug.engine import AsOfEngine, EmbeddedEngine
from graph.dataset.asof import columns
from graph.errors import TechgraphError
from graph.lists.editions import import_list
from graph.model.schema import load_schema
from tests.conftest import assert_same_rows
from tests.test_import import CHINA_TELECOM, sdn

FIXTURE = Path(__file__).parent / "fixtures" / "as_of"
UNDATED = Path(__file__).parent / "fixtures" / "imports" / "undated"
DAYS = {
    "1980-01-01": "before any data",
    "2020-09-25": "WeChat's and the fixture order's injunctions in force, the designation not yet lifted",
    "2021-07-01": "EO 13942 and the fixture order revoked, the bill failed, the designation lifted, the holding ended",
}
ENTITIES = ("Tencent", "WeChat", "TikTok", "ByteDance", "asof-parent", "asof-sub", "asof-order", "China Mobile Limited")


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> graph.TechGraph:
    """The shipped data and the fixture, built once for the module and opened (its graph read once)."""
    db = tmp_path_factory.mktemp("as-of") / "db"
    graph.load(db, [FIXTURE])
    with graph.open(db) as g:
        yield g


def answers(g: graph.TechGraph) -> dict:
    """Every stored query with its example parameters, and show, stats and exposure, as ``g`` answers them."""

    def attempt(call):
        try:
            return call()
        except TechgraphError as exc:  # an entity that did not exist that day: both say so
            return type(exc).__name__

    found: dict = {"stats": g.stats()}
    for q in g.queries():
        found[q.name] = (q.cypher, attempt(lambda q=q: g.query(q.name, **q.example)))
    for name in ENTITIES:
        found[f"exposure {name}"] = attempt(lambda name=name: g.exposure(name))
        profile = attempt(lambda name=name: g.show(name))
        if isinstance(profile, dict):
            for side in ("incoming", "outgoing"):
                profile[side] = sorted(profile[side], key=lambda r: (r["relation"], r["id"], str(r)))
        found[f"show {name}"] = profile
    return found


@pytest.mark.parametrize("day", list(DAYS))
def test_the_view_answers_what_the_snapshot_of_the_day_built_answers(whole, day):
    view = whole.as_of(day)
    assert isinstance(view.engine, AsOfEngine)
    folder = snapshot_database(whole.nx, day)
    try:
        reference = graph.TechGraph(EmbeddedEngine(folder), folder, {**whole.manifest, "as_of": day})
        reference.as_of_day = day
        got, expected = answers(view), answers(reference)
        reference.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert_same_answers(got, expected, day)
    if day == "2020-09-25":  # what the day is chosen for, as the view holds it
        in_force = {r["measure_id"] for r in view.query("measures-in-force-on", date=day)}
        assert "asof-designation" in in_force and not {"asof-order", "commerce-wechat-identification"} & in_force
        assert got["exposure asof-sub"]["verdict"] == "proven"
        # The walks' relations all hold, through a line and a middle answer not yet announced: only the direct answer.
        assert [r["answer_id"] for r in view.query("counter-measures-to", measure="asof-order")] == ["asof-counter"]
        replies = whole.query("counter-measures-to", measure="asof-order")
        assert {(r["answer_id"], r["answered_id"]) for r in replies} >= {("asof-reply", "asof-subline"), ("asof-reply", "asof-order")}


def assert_same_answers(got: dict, expected: dict, day: str) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, tuple) and isinstance(value[1], graph.Rows):
            assert isinstance(got[key][1], graph.Rows), (day, key, got[key][1])
            assert_same_rows(got[key][1], value[1], value[0])
        else:
            assert got[key] == value, (day, key)


def day_columns(db: Path) -> dict:
    """Every node's and relation's as-of columns in the build of ``db`` with its id or key, by label or type."""
    schema = load_schema()
    engine = EmbeddedEngine(db)
    try:
        found = {}
        for kind, names in columns(schema).items():
            values = ", ".join(f"x.{c} AS {c}" for c in names)
            match, key = ("(x:{})", "x.id") if kind in schema.nodes else ("()-[x:{}]->()", "x.key")
            rows = engine.run(f"MATCH {match.format(kind)} RETURN {key} AS id, {values}")[1]
            found[kind] = sorted(rows, key=lambda row: (row["id"], str(row)))  # a relation written twice shows
        return found
    finally:
        engine.close()


def few_answers(g: graph.TechGraph) -> dict:
    """What the imports move, as of days around the editions: measures in force, a listed party's measures and exposure."""
    found = {}
    for day in ("2022-01-20", "2022-01-25", "2022-04-25", "2021-06-10"):
        view = g.as_of(day)
        found[day] = (
            sorted(r["measure_id"] for r in view.query("measures-in-force-on", date=day)),
            sorted(r["measure_id"] for r in view.query("measures-hitting", entity="li-hong-ri")),
            view.exposure("li-hong-ri")["verdict"],
        )
    return found


def test_an_incremental_import_sets_the_day_columns_a_rebuild_sets(tmp_path):
    db = tmp_path / "db"
    import_list("csl", UNDATED / "csl_2022-04-21.csv", db=db, edition="2022-04-21")
    first = graph.open(db).manifest["fingerprint"]
    import_list("ofac-sdn", UNDATED / "sdn_2022-01-21.csv", db=db, edition="2022-01-21")
    with graph.open(db) as g:
        assert g.manifest["fingerprint"] != first  # a build of the new data (built_at, to the second, can be the same)
        assert g.nx.nodes["ofac-dprk3"]["announced"] == "2022-01-21"  # moved earlier by the second import
        incremental = few_answers(g)
    assert "ofac-dprk3" in incremental["2022-01-25"][0]  # the programme held from the earlier edition
    # A later edition: January's parties delisted, China Telecom listed under a programme that already hits
    # shipped companies (their group counts move on days the import never names).
    import_list("ofac-sdn", sdn(tmp_path / "lists", "sdn-2022-03-01.csv", CHINA_TELECOM), db=db, edition="2022-03-01")
    with graph.open(db) as g:
        incremental = few_answers(g)
    rebuilt_db = tmp_path / "rebuilt"
    graph.load(rebuilt_db, [db / "imports"])
    assert day_columns(db) == day_columns(rebuilt_db)
    with graph.open(rebuilt_db, data=[db / "imports"]) as g:
        assert few_answers(g) == incremental


def test_an_import_moving_a_measure_rewrites_the_days_of_its_relations_it_did_not_read(tmp_path):
    import networkx as nx

    from graph.lists.neighbourhood import GraphStore, as_of_rows

    g = nx.MultiDiGraph()
    g.add_node("m", label="Measure", name="M", kind="designation", announced="2020-01-01")
    g.add_node("us", label="Government", name="US", kind="state")
    g.add_edge("us", "m", key="ISSUED:us->m", type="ISSUED")  # undated: it holds while the measure exists
    GraphStore.write(tmp_path / "store.graph", g, "stamp", [])
    store = GraphStore(tmp_path / "store.graph")
    try:  # the import's subgraph: the measure alone, announced a year later
        sub = nx.MultiDiGraph()
        sub.add_node("m", **{**g.nodes["m"], "announced": "2021-01-01"})
        nodes, relations = as_of_rows(store, sub, {"m"}, load_schema())
    finally:
        store.close()
    assert nodes["m"]["_holds_from"] == "2021-01-01"
    assert relations == {"ISSUED:us->m": {"_holds_from": "2021-01-01", "_holds_until": None, "_holds_gaps": None}}


def test_a_name_the_view_does_not_know_yet_says_so_without_reading_every_name(whole):
    with pytest.raises(TechgraphError, match="^unknown entity 'asof-order' on 2020-01-01: it did not exist that day$"):
        whole.as_of("2020-01-01").query("counter-measures-to", measure="asof-order")
    assert [r["answer_id"] for r in whole.as_of("2020-09-01").query("counter-measures-to", measure="asof-order")] == [
        "asof-counter"
    ]
