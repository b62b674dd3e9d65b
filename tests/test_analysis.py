"""As-of views, ownership exposure under the 50% rule, retaliation chains."""

from __future__ import annotations

import dataclasses
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
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", effect="blocking", announced="2020-01-01", ended="2022-01-01")
    g.add_node("old", label="Measure", name="Lifted designation", kind="designation", effect="blocking", announced="2010-01-01", ended="2015-01-01")
    g.add_node("talk", label="Measure", name="Campaign", kind="campaign", announced="2020-01-01")
    g.add_node("ban", label="Measure", name="Entity listing", kind="entity-listing", announced="2020-01-01")
    for target in ("A", "D"):
        g.add_edge("sdn", target, type="SANCTIONS")
    g.add_edge("old", "X", type="SANCTIONS")
    g.add_edge("talk", "X", type="SANCTIONS")
    g.add_edge("ban", "X", type="SANCTIONS")
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


def test_exposure_follows_control_and_shows_stakes_as_stakes():
    result = exposure(ownership_graph(), "Y", "2021-01-01")
    assert {tuple(p["ids"]): p["interest"] for p in result.paths} == {("X", "Y"): 100.0}  # 40% of X and 10% of Y: stakes
    assert [o["id"] for o in result.owners] == ["X"]
    owner = result.owners[0]
    assert owner["blocked"] == "no" and owner["blocked_by"] == []  # lifted designation, campaign
    assert [m["id"] for m in owner["restricted_by"]] == ["ban"]  # an entity listing restricts, blocks nothing
    stakes = {(s["id"], s["in_id"]): (s["share"], s["blocked"]) for s in result.stakes}
    assert stakes == {("B", "Y"): (10.0, "yes"), ("A", "X"): (40.0, "yes")}
    assert [(m["id"], m["on_id"]) for m in result.restrictions] == [("ban", "X")] and result.caveat


def minority_graph() -> nx.MultiDiGraph:
    """M is held 30% each by two blocked persons P1 and P2 and 40% by free F; M owns all of S."""
    g = nx.MultiDiGraph()
    for node in ("P1", "P2", "F", "M", "S"):
        g.add_node(node, label="Company", name=node, aliases=[], sources=["s"])
    g.add_node("sdn", label="Measure", name="SDN designation", kind="designation", effect="blocking", announced="2020-01-01")
    g.add_edge("sdn", "P1", type="SANCTIONS")
    g.add_edge("sdn", "P2", type="SANCTIONS")
    for owner, owned, share in [("P1", "M", 30.0), ("P2", "M", 30.0), ("F", "M", 40.0), ("M", "S", 100.0)]:
        g.add_edge(owner, owned, type="OWNS", share=share)
    return g


def test_fifty_percent_rule_aggregates_minority_stakes_of_blocked_persons():
    # OFAC: 50% or more in the aggregate by blocked persons; neither 30% holder controls M, together they block it
    held = exposure(minority_graph(), "M", "2021-01-01")
    assert (held.verdict, held.listed_share, held.owners) == (Verdict.PROVEN, 60.0, [])
    assert {(s["id"], s["share"], s["blocked"]) for s in held.stakes} == {("P1", 30.0, "yes"), ("P2", 30.0, "yes"), ("F", 40.0, "no")}
    below = exposure(minority_graph(), "S", "2021-01-01")  # and so what M owns
    assert (below.verdict, below.listed_share) == (Verdict.PROVEN, 100.0)
    assert [(o["id"], o["blocked"]) for o in below.owners] == [("M", "yes")]
    assert {s["in_id"] for s in below.stakes} == {"M"}
    assert exposure(minority_graph(), "S", "2019-06-01").verdict is Verdict.NO  # before the designation


def test_tiktok_is_restricted_by_a_divestment_order_not_blocked(shipped):
    result = shipped.exposure("TikTok", "2023-01-01")
    assert result["verdict"] == "no" and result["blocked_by"] == []
    assert ("musically-divestment-order", "bytedance") in {(m["id"], m["on_id"]) for m in result["restrictions"]}
    assert result["caveat"] and "not blocking" in result["reason"]
    assert {o["id"]: o["blocked"] for o in result["owners"]}["bytedance"] == "no"


def test_wecom_is_not_blocked_by_an_app_ban_on_its_owner(shipped):
    result = shipped.exposure("WeCom", "2021-06-01")
    assert result["verdict"] == "no" and [o["id"] for o in result["owners"]] == ["tencent"]
    assert [(m["id"], m["on_id"]) for m in result["restrictions"]] == [("eo-13943", "tencent")]
    assert shipped.exposure("WeCom", "2021-06-10")["restrictions"] == []  # EO 13943 revoked on 9 June 2021


def test_didi_is_not_a_tencent_subsidiary(shipped):
    result = shipped.exposure("DiDi Global Inc.", "2021-07-10")
    assert result["owners"] == [] and result["paths"] == []
    assert {"id": "tencent", "share": 6.8} in [{"id": s["id"], "share": s["share"]} for s in result["stakes"]]
    tree = {r["id"]: r for r in shipped.query("ownership-tree", entity="Tencent")}
    assert (tree["didi-global"]["holding"], tree["didi-global"]["share"]) == ("stake", 6.8)  # shown, as a stake
    assert tree["wechat"]["holding"] == "possibly controlled"
    assert "didi-global" not in {r["target_id"] for r in shipped.query("measures-hitting", entity="Tencent")}
    assert all(r["owner_id"] != "tencent" for r in shipped.query("apps-banned-and-owners") if r["app_id"] == "didi-chuxing-app")


def test_exposure_names_the_blocking_measure(shipped):
    result = shipped.exposure("Carrie Lam", "2021-06-01")
    assert result["verdict"] == "proven" and [m["id"] for m in result["blocked_by"]] == ["ofac-hk-designations-2020-08-07"]


def side_chain_graph(steps: int) -> nx.MultiDiGraph:
    """T is 60% owned by X, which listed L owns outright; a side chain of ``steps`` owners, whose
    ids sort before X (so a depth-first walk meets them first), also leads from X down to T (8 steps gave "no" with the old walk, 5 or 9 "proven")."""
    g = nx.MultiDiGraph()
    chain = [f"B{i}" for i in range(steps)]
    for node in ["T", "X", "L", *chain]:
        g.add_node(node, label="Company", name=node, aliases=[], sources=["s"])
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", effect="blocking", announced="2020-01-01")
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
    assert json.loads(result.output)["verdict"] == "no"  # DoD's list, an investment ban and a delisting block nothing
    table = run("--as-of", "2021-06-01", "exposure", "China Mobile Limited").output
    assert table.startswith("China Mobile Limited on 2021-06-01: NO (blocked owners hold 0% at most; not blocking: 3 restricting")
    assert "path: China Mobile Communications Group Co., Ltd. → China Mobile Limited  (72.72% = 72.72%)" in table
    assert "  restricted: China Mobile Communications Group Co., Ltd. by Executive Order 13959" in table
    assert "  note: restrictions are not blocking" in table
    lam = run("--as-of", "2021-06-01", "exposure", "Carrie Lam").output
    assert lam.startswith("Carrie Lam Cheng Yuet-ngor on 2021-06-01: PROVEN (blocked itself by 1 blocking measure(s) in force)")
    assert "  blocked by: OFAC designation of eleven individuals" in lam
    chains = run("chains").output
    assert "(+3 days)" in chains
    bad = run("--as-of", "2021-02-30x", "stats")
    assert bad.exit_code == 2 and bad.output == "Error: date '2021-02-30x' is not an ISO-8601 day (YYYY-MM-DD)\n"


def test_as_of_views_copy_nothing_and_answer_from_the_one_build(db_dir, built_db):
    import graph

    before = sorted(p.name for p in db_dir.rglob("*"))
    with graph.open(db_dir) as g:
        earlier = g.as_of("2020-08-01").query("measures-hitting", entity="Tencent")
        later = g.as_of("2021-01-01").query("measures-hitting", entity="Tencent")
        assert g.as_of("2021-01-01").engine.engine is g.engine  # the same database, no copy per day
    assert len(earlier) == 0 and len(later) > 0
    assert sorted(p.name for p in db_dir.rglob("*")) == before


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
    g.add_node("sdn", label="Measure", name="Designation", kind="designation", effect="blocking", announced="2020-01-01")
    g.add_edge("sdn", names[0][0], type="SANCTIONS")
    return g


def every_holding_controls():
    """The schema with a control share of 1%: the lattices' holdings of 100/width percent are all followed."""
    schema = load_schema()
    return dataclasses.replace(schema, ownership=dataclasses.replace(schema.ownership, control=1.0))


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
    result = exposure(g, "c4-2", "2021-01-01", every_holding_controls())
    expected = brute_force(g, "c4-2", load_schema().ownership.depth)
    assert {o["id"]: (o["paths"], o["aggregate_share"]) for o in result.owners} == expected
    assert result.paths_total == sum(c for c, _ in expected.values()) > len(result.paths) == 100


def test_exposure_on_dense_ownership_counts_paths_without_walking_them():
    # 9 layers of 12 companies: 12**6 owner paths of six steps end at each bottom company; walking
    # them took minutes. They are counted step by step instead, and only the first ones are listed.
    g = lattice(9, 12)
    result = exposure(g, "c8-5", "2021-01-01", every_holding_controls())
    assert result.paths_total == sum(12**k for k in range(1, 7)) and len(result.paths) == 100
    assert {o["id"] for o in result.owners} == {f"c{layer}-{i}" for layer in range(2, 8) for i in range(12)}
    assert result.verdict == Verdict.NO  # c0-0, the listed one, is seven steps up: beyond the depth
