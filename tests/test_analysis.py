"""As-of views, ownership exposure under the 50% rule, retaliation chains."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from graph.analysis.ownership import Verdict, exposure
from graph.analysis.snapshot import snapshot
from graph.errors import QueryError
from graph.model.schema import load_schema


def ownership_graph() -> nx.MultiDiGraph:
    """Listed A and D; shares chosen so each verdict of the rule shows up once."""
    g = nx.MultiDiGraph()
    for node in "ABCDXYZ":
        g.add_node(node, label="Company", name=f"Company {node}", aliases=[], sources=["s"])
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", announced="2020-01-01", ended="2022-01-01")
    g.add_node("old", label="Measure", name="Lifted listing", kind="entity-listing", announced="2010-01-01", ended="2015-01-01")
    g.add_node("talk", label="Measure", name="Campaign", kind="campaign", announced="2020-01-01")
    for target in ("A", "D"):
        g.add_edge("sdn", target, type="SANCTIONS")
    g.add_edge("old", "X", type="SANCTIONS")
    g.add_edge("talk", "X", type="SANCTIONS")
    for owner, owned, share in [("A", "B", 60.0), ("A", "C", 30.0), ("D", "C", 25.0), ("A", "X", 40.0), ("X", "Y", 100.0), ("A", "Z", None), ("B", "Y", 10.0)]:
        g.add_edge(owner, owned, type="OWNS", **({"share": share} if share is not None else {}))
    return g


@pytest.mark.parametrize(
    "node, verdict, known",
    [
        ("B", "proven", 60.0),  # a listed owner holds 60%
        ("C", "proven", 55.0),  # two listed owners hold 30% + 25% in the aggregate
        ("Y", "no", 10.0),  # A's 40% of X does not pass through X, which is not blocked; B (blocked) holds 10%
        ("Z", "possible", 0.0),  # the listed owner's share is unknown
    ],
)
def test_fifty_percent_rule(node, verdict, known):
    result = exposure(ownership_graph(), node, "2021-01-01")
    assert (result.verdict, result.listed_share) == (verdict, known)


def test_exposure_reports_paths_aggregates_and_listed_owners():
    result = exposure(ownership_graph(), "Y", "2021-01-01")
    paths = {tuple(p["ids"]): p["interest"] for p in result.paths}
    assert paths[("X", "Y")] == 100.0 and paths[("A", "X", "Y")] == 40.0 and paths[("B", "Y")] == 10.0
    assert paths[("A", "B", "Y")] == 6.0  # 60% of 10%
    owners = {o["id"]: o for o in result.owners}
    assert owners["A"]["aggregate_share"] == 46.0  # 40% through X plus 6% through B
    assert [m["id"] for m in owners["A"]["listed_by"]] == ["sdn"]
    assert owners["X"]["listed_by"] == [] and owners["X"]["blocked"] == "no"  # lifted listing, campaign


def side_chain_graph(steps: int) -> nx.MultiDiGraph:
    """T is 60% owned by X, which listed L owns outright; a side chain of ``steps`` owners, whose
    ids sort before X (so a depth-first walk meets them first), also leads from X down to T (8 steps gave "no" with the old walk, 5 or 9 "proven")."""
    g = nx.MultiDiGraph()
    chain = [f"B{i}" for i in range(steps)]
    for node in ["T", "X", "L", *chain]:
        g.add_node(node, label="Company", name=node, aliases=[], sources=["s"])
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", announced="2020-01-01")
    g.add_edge("sdn", "L", type="SANCTIONS")
    g.add_edge("L", "X", type="OWNS", share=100.0)
    g.add_edge("X", "T", type="OWNS", share=60.0)
    owners = ["X", *chain]  # X -> B0 -> ... -> B(n-1) -> T: each owns 1% of the next
    for owner, owned in zip(owners, owners[1:], strict=False):
        g.add_edge(owner, owned, type="OWNS", share=1.0)
    g.add_edge(owners[-1], "T", type="OWNS", share=1.0)
    return g


@pytest.mark.parametrize("steps", range(1, load_schema().ownership.depth + 4))
def test_fifty_percent_rule_does_not_depend_on_visit_order(steps):
    # Once, memoising by node under a depth limit made the 8-step side chain cut X's walk short and
    # remember X as not blocked, so T came out "no" while 5 or 9 steps gave "proven".
    result = exposure(side_chain_graph(steps), "T", "2021-01-01")
    assert (result.verdict, result.listed_share) == (Verdict.PROVEN, 60.0)
    assert {o["id"]: o["blocked"] for o in result.owners}["X"] == "yes"


def test_listings_respect_the_date():
    assert exposure(ownership_graph(), "B", "2023-01-01").verdict == "no"  # the designation ended
    assert exposure(ownership_graph(), "Y", "2012-01-01").listed_share == 100.0  # X was listed then


def test_snapshot_keeps_what_held_on_the_day(shipped):
    g = shipped.nx
    view = snapshot(g, "2018-05-01")
    assert "zte-denial-order-2018" in view and "eo-13942" not in view
    assert "zte-denial-order-2018" not in snapshot(g, "2018-07-13")  # lifted that day
    assert all(u in view and v in view for u, v in view.edges())
    with pytest.raises(QueryError, match="date '2018-5-1' is not an ISO-8601 day"):
        snapshot(g, "2018-5-1")


def test_as_of_works_for_queries_show_and_stats(shipped):
    view = shipped.as_of("2020-09-01")
    hits = {r["measure_id"] for r in view.query("measures-hitting", entity="Tencent")}
    assert "eo-13943" in hits and "eo-13971" not in hits and "commerce-wechat-identification" not in hits
    assert view.stats()["total_nodes"] < shipped.stats()["total_nodes"]
    assert all(r["id"] != "eo-13971" for r in view.show("WeChat Pay")["incoming"])


def test_chains_measure_delays(shipped):
    chains = {tuple(s["id"] for s in c["steps"]): c for c in shipped.chains()}
    lockheed = chains[("taiwan-pac3-recertification-2020-07-09", "cn-sanctions-lockheed-2020-07-14")]
    assert lockheed["total_days"] == 5 and lockheed["steps"][1]["delay_days"] == 5
    assert lockheed["steps"][1]["issuers"] == ["Ministry of Foreign Affairs of the People's Republic of China"]


def test_cli_as_of_exposure_and_chains(run):
    earlier = json.loads(run("--as-of", "2020-08-01", "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json").output)
    assert earlier == []
    result = run("--as-of", "2021-06-01", "exposure", "China Mobile Limited", "--format", "json")
    assert json.loads(result.output)["verdict"] == "proven"
    table = run("--as-of", "2021-06-01", "exposure", "China Mobile Limited").output
    assert table.startswith("China Mobile Limited on 2021-06-01: PROVEN")
    assert "path: China Mobile Communications Group Co., Ltd. → China Mobile Limited  (72.72% = 72.72%)" in table
    chains = run("chains").output
    assert "(+3 days)" in chains
    bad = run("--as-of", "2021-02-30x", "stats")
    assert bad.exit_code == 2 and bad.output == "Error: date '2021-02-30x' is not an ISO-8601 day (YYYY-MM-DD)\n"


def test_as_of_views_are_cached_per_day_and_swept_on_rebuild(db_dir, built_db, extra_folder):
    import graph

    with graph.open(db_dir) as g:
        g.as_of("2020-09-01").close()
        g.as_of("2021-09-01").close()
        stamp = g.manifest["fingerprint"]
    assert sorted(p.name for p in (db_dir / "as-of").iterdir()) == [f"{stamp}-2020-09-01", f"{stamp}-2021-09-01"]
    graph.load(db_dir, [extra_folder])
    assert list((db_dir / "as-of").iterdir()) == []


def lattice(layers: int, width: int, cycle: bool = False) -> nx.MultiDiGraph:
    """Companies in layers, each owning every company of the next layer (shares 100/width; one unknown)."""
    g = nx.MultiDiGraph()
    names = [[f"c{layer}-{i}" for i in range(width)] for layer in range(layers)]
    for node in (n for row in names for n in row):
        g.add_node(node, label="Company", name=node, aliases=[], sources=["s"])
    for upper, lower in zip(names, names[1:], strict=False):
        for owner in upper:
            for owned in lower:
                share = None if (owner, owned) == (upper[0], lower[-1]) else 100.0 / width
                g.add_edge(owner, owned, type="OWNS", **({} if share is None else {"share": share}))
    if cycle:
        g.add_edge(names[-1][0], names[-2][1], type="OWNS", share=1.0)
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", announced="2020-01-01")
    g.add_edge("sdn", names[0][0], type="SANCTIONS")
    return g


def brute_force(g: nx.MultiDiGraph, node: str, depth: int) -> dict[str, tuple[int, float | None]]:
    """Every simple owner path, walked one by one: per owner, count and aggregate interest."""
    totals: dict[str, list] = {}

    def walk(path, product):
        for owner, _, d in sorted(g.in_edges(path[0], data=True), key=lambda e: e[0]):
            if d["type"] != "OWNS" or owner in path or len(path) > depth:
                continue
            share = d.get("share")
            interest = None if product is None or share is None else product * share / 100.0
            entry = totals.setdefault(owner, [0, 0.0])
            entry[0] += 1
            entry[1] = None if entry[1] is None or interest is None else entry[1] + interest
            walk([owner, *path], interest)

    walk([node], 100.0)
    return {o: (c, None if s is None else round(s, 4)) for o, (c, s) in totals.items()}


@pytest.mark.parametrize("cycle", [False, True])
def test_exposure_adds_up_every_owner_path_as_walking_them_does(cycle):
    g = lattice(5, 3, cycle)
    result = exposure(g, "c4-2", "2021-01-01")
    expected = brute_force(g, "c4-2", load_schema().ownership.depth)
    assert {o["id"]: (o["paths"], o["aggregate_share"]) for o in result.owners} == expected
    assert result.paths_total == sum(c for c, _ in expected.values()) > len(result.paths) == 100


def test_exposure_on_dense_ownership_counts_paths_without_walking_them():
    # 9 layers of 12 companies: 12**6 owner paths of six steps end at each bottom company; walking
    # them took minutes. They are counted step by step instead, and only the first ones are listed.
    g = lattice(9, 12)
    result = exposure(g, "c8-5", "2021-01-01")
    assert result.paths_total == sum(12**k for k in range(1, 7)) and len(result.paths) == 100
    assert {o["id"] for o in result.owners} == {f"c{layer}-{i}" for layer in range(2, 8) for i in range(12)}
    assert result.verdict == Verdict.NO  # c0-0, the listed one, is seven steps up: beyond the depth
