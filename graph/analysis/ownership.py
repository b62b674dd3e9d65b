"""Ownership exposure and OFAC's 50% rule, on a networkx MultiDiGraph.

Blocking is what OFAC's rule is about: an entity's property is blocked when it is
designated by a blocking measure itself (an SDN-type designation: the measure's
``effect`` in the schema's lifecycle), or when blocked persons own 50% or more of
it, directly or indirectly, in the aggregate; indirect ownership counts only
through entities that are themselves blocked (OFAC's revised guidance of 13 August
2014). Other restrictions (bans, entity listings, divestment orders, investment
bans, counter-sanctions) bind on their own terms and block nothing: they are named,
with a caveat, never turned into a verdict. Owners are followed up the chain only
through holdings that control (the schema's ``ownership.control`` share or more, or
an unknown share: possibly); a smaller holding is a stake, shown as such. Walks go
up to the schema's ownership depth; a measure counts on a day by the lifecycle rule.

The rule reads a networkx MultiDiGraph: the whole graph, or only the neighbourhood of the entity
that :func:`neighbourhood` fetches from an engine (its owners up to the depth, breadth first, with
their holdings and the measures targeting each), which gives the same answer in milliseconds.

>>> from graph.dataset.network import load_graph
>>> result = exposure(load_graph(), "ofac-hk-designations-2020-08-07", "2021-06-01")
Traceback (most recent call last):
...
graph.errors.QueryError: 'ofac-hk-designations-2020-08-07' is a Measure: exposure is asked of a company, app, official or body
>>> result = exposure(load_graph(), "carrie-lam", "2021-06-01")
>>> result.verdict, [m["id"] for m in result.blocked_by]
(<Verdict.PROVEN: 'proven'>, ['ofac-hk-designations-2020-08-07'])
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.errors import QueryError
from graph.model.dates import check_day, today
from graph.model.schema import Schema, load_schema

if TYPE_CHECKING:
    from graph.backends.base import Engine

TARGETS = "SANCTIONS"  # the relation from a measure to what it hits
THRESHOLD = 50.0
MAX_LISTED_PATHS = 100  # owner paths listed in an answer; aggregates count every path
# Ownership with a cycle within reach is walked path by path (the totals below assume none): at most this many.
MAX_CYCLIC_PATHS = 100_000
CAVEAT = (
    "restrictions are not blocking: bans, listings, divestment orders and investment bans bind on their own "
    "terms, and OFAC's 50% rule does not carry them to what their targets own"
)


class Verdict(str, enum.Enum):
    """The 50% rule's answer: proven, possible (only missing shares could reach 50%), or no."""

    PROVEN = "proven"
    POSSIBLE = "possible"
    NO = "no"

    @property
    def blocked(self) -> str:
        """The verdict said of an owner: yes, possible or no."""
        return {"proven": "yes", "possible": "possible", "no": "no"}[self.value]


@dataclass(frozen=True)
class State:
    """One entity under the rule: the verdict, blocked owners' known share, and the share that may count."""

    verdict: Verdict
    known: float = 0.0
    possible: float = 0.0


LISTED = State(Verdict.PROVEN, 100.0, 100.0)
# An owner path: its node ids (owner first), the share of each step, the owner's interest.
Path = tuple[list[str], list[float | None], float | None]


@dataclass
class Exposure:
    """The answer of :func:`exposure`: controlling owners and their paths, stakes, the measures behind
    the verdict (blocking) and the other restrictions in force on the entity and its controlling owners."""

    target: dict[str, str]
    day: str
    paths: list[dict[str, Any]] = field(default_factory=list)  # the first MAX_LISTED_PATHS, in walk order
    paths_total: int = 0
    owners: list[dict[str, Any]] = field(default_factory=list)
    stakes: list[dict[str, Any]] = field(default_factory=list)
    blocked_by: list[dict[str, str]] = field(default_factory=list)
    restrictions: list[dict[str, str]] = field(default_factory=list)
    listed_share: float = 0.0
    possible_share: float = 0.0
    verdict: Verdict = Verdict.NO
    reason: str = ""
    caveat: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The answer as plain values (the verdict as its word)."""
        return {**self.__dict__, "verdict": self.verdict.value}


def measures_on(
    g: nx.MultiDiGraph, node: str, day: str, effects: tuple[str, ...], schema: Schema | None = None
) -> list[dict[str, str]]:
    """Measures of the given effects (``blocking``, ``restricting``: the schema's lifecycle) in force on
    ``day`` that target the node directly, by the lifecycle rule."""
    schema = schema or load_schema()
    life = schema.lifecycle
    if life is None:
        return []
    return sorted(
        (
            {"id": m, "name": g.nodes[m]["name"], "kind": g.nodes[m].get("kind", ""), "effect": life.effect(g.nodes[m])}
            for m, _, d in g.in_edges(node, data=True)
            if d["type"] == TARGETS
            and g.nodes[m].get("label", life.label) == life.label
            and life.effect(g.nodes[m]) in effects
            and life.in_force_on(g.nodes[m], day)
            and schema.relation_extent.holds(d, day)
        ),
        key=lambda m: m["id"],
    )


def owners_of(g: nx.MultiDiGraph, node: str, schema: Schema, control: bool = False) -> list[tuple[str, float | None]]:
    """(owner, share) of every ownership relation into ``node`` (``control``: only those whose share
    controls or is unknown), sorted (engines return edges in any order)."""
    rel, share = schema.ownership.relation, schema.ownership.share
    return sorted(
        (u, d.get(share))
        for u, _, d in g.in_edges(node, data=True)
        if d["type"] == rel and (not control or schema.ownership.controls(d.get(share)))
    )


def _aggregate(owners: list[tuple[str, float | None]], states: dict[str, State]) -> State:
    """The rule from owners' states: a blocked owner's known share counts; a missing share of a
    blocked or possibly blocked owner makes the answer "possible", never a guess."""
    known = possible = 0.0
    for owner, share in owners:
        state = states.get(owner, State(Verdict.NO))
        if state.verdict is Verdict.PROVEN and share is not None:
            known += share
        if state.verdict is not Verdict.NO:
            possible += 100.0 if share is None else share
    possible = min(possible, 100.0)
    verdict = Verdict.PROVEN if known >= THRESHOLD else Verdict.POSSIBLE if possible >= THRESHOLD else Verdict.NO
    return State(verdict, known, possible)


def rule_states(g: nx.MultiDiGraph, node: str, day: str, steps: int, schema: Schema) -> dict[str, State]:
    """The rule for ``node`` and every owner up to ``steps + 1`` ownership steps above it.

    Every holding counts here, stakes included (two blocked owners of 30% block what they own).
    Computed round by round: in round 0 only entities a blocking measure designates are blocked; in round k
    an entity is judged from its owners' states of round k-1. After ``steps`` rounds
    the node's owners are judged looking ``steps`` steps further up, whatever order
    owners are visited in and whatever cycles the ownership has.
    """
    above, frontier = {node}, [node]
    for _ in range(steps + 1):
        frontier = [o for n in frontier for o, _ in owners_of(g, n, schema) if o not in above]
        above.update(frontier)
    owners = {n: owners_of(g, n, schema) for n in above}
    listed = {n for n in above if measures_on(g, n, day, ("blocking",), schema)}
    states = {n: LISTED if n in listed else State(Verdict.NO) for n in above}
    for _ in range(steps):
        states = {n: LISTED if n in listed else _aggregate(owners[n], states) for n in above}
    return states


def exposure(g: nx.MultiDiGraph, node: str, day: str | None = None, schema: Schema | None = None) -> Exposure:
    """Who controls ``node``, up the chain, and whether its property is blocked on ``day``.

    Controlling owners are followed through holdings of at least the schema's control
    share, or of unknown share; each owner path multiplies the shares along it (the
    owner's economic interest), an owner's aggregate adds its paths. Smaller holdings
    into the entity or any controlling owner are listed as ``stakes``. The verdict (see
    :func:`rule_states`, which counts stakes too): "proven" when the entity is designated
    by a blocking measure itself or blocked owners' known shares reach 50%, "possible"
    when only missing shares could make them reach it, "no" otherwise. ``blocked_by``
    names the blocking measures on the entity; ``restrictions`` the other restricting
    measures in force on it or a controlling owner, with ``caveat`` saying they block nothing.
    """
    schema = schema or load_schema()
    depth = schema.ownership.depth
    day = check_day(day or today())
    if node not in g:
        raise QueryError(f"unknown node id {node!r}")
    if schema.lifecycle and g.nodes[node].get("label") == schema.lifecycle.label:
        raise QueryError(f"{node!r} is a {schema.lifecycle.label}: exposure is asked of a company, app, official or body")
    result = Exposure(target={"id": node, "name": g.nodes[node]["name"]}, day=day)

    owners = _owner_order(g, node, depth, schema)
    totals = _path_totals(g, node, depth, schema, owners)
    result.paths, result.paths_total = _listed_paths(g, node, depth, schema), sum(c for c, _, _ in totals.values())
    counted = rule_states(g, node, day, depth - 1, schema)  # owners as they count towards the node
    for owner in owners:
        count, known, unknown = totals[owner]
        result.owners.append(
            {
                "id": owner,
                "name": g.nodes[owner]["name"],
                "aggregate_share": None if unknown else round(known, 4),
                "paths": count,
                "blocked_by": measures_on(g, owner, day, ("blocking",), schema),
                "restricted_by": measures_on(g, owner, day, ("restricting",), schema),
                "blocked": counted.get(owner, State(Verdict.NO)).verdict.blocked,
            }
        )
    for held in [node, *owners]:
        for holder, share in owners_of(g, held, schema):
            if not schema.ownership.controls(share):
                state = counted.get(holder, State(Verdict.NO))
                result.stakes.append({"id": holder, "name": g.nodes[holder]["name"], "share": share,
                                      "in_id": held, "in": g.nodes[held]["name"], "blocked": state.verdict.blocked})
    for entity in [node, *owners]:
        for measure in measures_on(g, entity, day, ("restricting",), schema):
            result.restrictions.append({**measure, "on_id": entity, "on": g.nodes[entity]["name"]})
    result.caveat = CAVEAT if result.restrictions else ""
    state = _aggregate(owners_of(g, node, schema), counted)
    result.listed_share, result.possible_share = round(state.known, 4), round(state.possible, 4)
    result.blocked_by = measures_on(g, node, day, ("blocking",), schema)
    if result.blocked_by:
        result.verdict = Verdict.PROVEN
        result.reason = f"blocked itself by {len(result.blocked_by)} blocking measure(s) in force"
    elif state.verdict is Verdict.PROVEN:
        result.verdict, result.reason = state.verdict, f"blocked owners hold {state.known:g}% (>= {THRESHOLD:g}%)"
    elif state.verdict is Verdict.POSSIBLE:
        result.verdict = state.verdict
        result.reason = f"blocked owners hold {state.known:g}% known; missing shares could bring it to {state.possible:g}%"
    else:
        result.verdict, result.reason = Verdict.NO, f"blocked owners hold {state.known:g}% at most"
    if result.restrictions and result.verdict is not Verdict.PROVEN:
        result.reason += f"; not blocking: {len(result.restrictions)} restricting measure(s) in force"
    return result


def _owner_order(g: nx.MultiDiGraph, node: str, depth: int, schema: Schema) -> list[str]:
    """Every controlling owner within ``depth`` steps above ``node``, in the order a depth-first walk of the owner
    paths first meets them (owners sorted at each step); each node is walked again only when reached
    with more steps left, so dense ownership costs its edges, not its paths."""
    order: list[str] = []
    best: dict[str, int] = {node: depth}

    def visit(current: str, left: int) -> None:
        if left == 0:
            return
        for owner, _ in owners_of(g, current, schema, control=True):
            if owner == node:
                continue
            if owner not in best:
                order.append(owner)
            if best.get(owner, -1) < left - 1:
                best[owner] = left - 1
                visit(owner, left - 1)

    visit(node, depth)
    return order


def _path_totals(
    g: nx.MultiDiGraph, node: str, depth: int, schema: Schema, owners: list[str]
) -> dict[str, tuple[int, float, int]]:
    """Per owner: how many owner paths of at most ``depth`` steps lead from it down to ``node``, the
    sum of their interests (share products, percent) where every share is known, and how many have
    an unknown share. Counted step by step over the ownership edges, never path by path, unless a
    cycle is within reach (then paths must be told from walks, and are walked, up to a bound)."""
    within = {node, *owners}
    edges = [(u, v, share) for v in within for u, share in owners_of(g, v, schema, control=True) if u in within]
    reach = nx.DiGraph((u, v) for u, v, _ in edges)
    if not nx.is_directed_acyclic_graph(reach):
        return _walked_totals(g, node, depth, schema, owners)
    totals = {owner: (0, 0.0, 0) for owner in owners}
    step: dict[str, tuple[int, float, int]] = {node: (1, 100.0, 0)}  # paths of exactly k steps from each node
    for _ in range(depth):
        following: dict[str, tuple[int, float, int]] = {}
        for owner, owned, share in edges:
            if owned in step:
                count, known, unknown = step[owned]
                c, k, u = following.get(owner, (0, 0.0, 0))
                if share is None:
                    following[owner] = (c + count, k, u + count)
                else:
                    following[owner] = (c + count, k + known * share / 100.0, u + unknown)
        for owner, (count, known, unknown) in following.items():
            c, k, u = totals[owner]
            totals[owner] = (c + count, k + known, u + unknown)
        step = following
    return totals


def _owner_paths(g: nx.MultiDiGraph, node: str, depth: int, schema: Schema) -> Iterator[Path]:
    """Controlling owner paths up from ``node`` (no node twice, at most ``depth`` steps) in depth-first order:
    (chain of ids, owner first; the share of each step; the interest, None when a share is unknown)."""

    def walk(path: list[str], shares: list[float | None], product: float | None) -> Iterator[Path]:
        for owner, share in owners_of(g, path[0], schema, control=True):
            if owner in path or len(path) > depth:
                continue
            interest = None if product is None or share is None else product * share / 100.0
            chain, chain_shares = [owner, *path], [share, *shares]
            yield chain, chain_shares, interest
            yield from walk(chain, chain_shares, interest)

    return walk([node], [], 100.0)


def _listed_paths(g: nx.MultiDiGraph, node: str, depth: int, schema: Schema) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for chain, shares, interest in _owner_paths(g, node, depth, schema):
        if len(listed) == MAX_LISTED_PATHS:
            break
        listed.append({"path": [g.nodes[n]["name"] for n in chain], "ids": chain, "shares": shares, "interest": interest})
    return listed


def _walked_totals(
    g: nx.MultiDiGraph, node: str, depth: int, schema: Schema, owners: list[str]
) -> dict[str, tuple[int, float, int]]:
    totals = {owner: (0, 0.0, 0) for owner in owners}
    for walked, (chain, _, interest) in enumerate(_owner_paths(g, node, depth, schema), 1):
        if walked > MAX_CYCLIC_PATHS:
            raise QueryError(
                f"ownership above {node!r} has a cycle and more than {MAX_CYCLIC_PATHS:,} owner paths within "
                f"{depth} steps: too many to add up"
            )
        c, k, u = totals[chain[0]]
        totals[chain[0]] = (c + 1, k + (interest or 0.0), u + (interest is None))
    return totals



@cache
def _holders_of(label: str, relations: tuple[str, ...]) -> str:
    """The statement fetching what points at nodes of one label by ``relations``: each holding or measure
    with its source node, from a list of ids (``$ids``) looked up by the label's primary key."""
    return (
        f"UNWIND $ids AS id MATCH (x:{label}) WHERE x.id = id "
        f"OPTIONAL MATCH (source)-[r:{'|'.join(relations)}]->(x) "
        "RETURN x.id AS held, r AS relation, source"
    )


def neighbourhood(engine: Engine, node: dict[str, str], schema: Schema | None = None) -> nx.MultiDiGraph:
    """What :func:`exposure` reads of ``node`` (its ``id``, ``name`` and ``label``, as a name
    resolves), fetched from ``engine``: every owner up to the schema's ownership depth, walked
    breadth first through every holding (one round trip a step and label, so dense cross-holdings
    cost their edges, not their paths), each with all its holdings and the measures targeting it,
    and the holders one step further (their names only count).

    >>> import graph
    >>> g = graph.open()
    >>> local = neighbourhood(g.engine, g.resolve("WeCom")[0])
    >>> {"wecom", "tencent", "eo-13943"} <= set(local.nodes), exposure(local, "wecom", "2021-06-01").verdict
    (True, <Verdict.NO: 'no'>)
    """
    schema = schema or load_schema()
    rel = schema.ownership.relation
    relations = (rel, TARGETS)
    held = {b for kind in relations for _, b in schema.relations[kind].pairs}  # labels anything can point at
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    g.add_node(node["id"], label=node["label"], name=node["name"])
    frontier = {node["id"]: node["label"]}
    for _ in range(schema.ownership.depth + 1):
        following: dict[str, str] = {}
        for label in sorted(set(frontier.values()) & held):
            ids = sorted(n for n, of in frontier.items() if of == label)
            for row in engine.run(_holders_of(label, relations), {"ids": ids})[1]:
                if row["relation"] is None:
                    continue
                source, data = dict(row["source"]), dict(row["relation"])
                source_id = source.pop("id")
                if source_id not in g:
                    g.add_node(source_id, **source)
                    if data["type"] == rel:
                        following[source_id] = source["label"]
                g.add_edge(source_id, row["held"], key=data.pop("key"), **data)
        frontier = following
    return g
