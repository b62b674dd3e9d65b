"""Ownership exposure and OFAC's 50% rule, on a networkx MultiDiGraph.

An entity is blocked when it is listed itself, or when blocked persons own 50% or
more of it, directly or indirectly, in the aggregate; indirect ownership counts
only through entities that are themselves blocked (OFAC's revised guidance of
13 August 2014). Walks follow the schema's ownership relation up to its declared
depth.

>>> from graph.dataset.network import load_graph
>>> result = exposure(load_graph(), "china-mobile", "2021-06-01")
>>> result.verdict, result.listed_share      # listed itself; its listed parent holds 72.72%
(<Verdict.PROVEN: 'proven'>, 72.72)
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import QueryError
from graph.model.dates import check_day, today
from graph.model.schema import Schema, load_schema

THRESHOLD = 50.0
MAX_LISTED_PATHS = 100  # owner paths listed in an answer; aggregates count every path
# Ownership with a cycle within reach is walked path by path (the totals below assume none): at most this many.
MAX_CYCLIC_PATHS = 100_000
# Measures that restrict dealings with their targets, and so make them "listed" for the 50% rule.
# Campaigns, court orders, investigations, settlements, tariffs, bills and reviews do not.
RESTRICTING_KINDS = frozenset({
    "executive-order", "entity-listing", "denial-order", "designation", "app-ban", "transaction-prohibition",
    "equipment-authorisation-ban", "investment-ban", "delisting", "divestment-order", "counter-sanction",
})  # fmt: skip


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
    """The answer of :func:`exposure`: every owner path, every owner's aggregate, the verdict."""

    target: dict[str, str]
    day: str
    paths: list[dict[str, Any]] = field(default_factory=list)  # the first MAX_LISTED_PATHS, in walk order
    paths_total: int = 0
    owners: list[dict[str, Any]] = field(default_factory=list)
    listed_share: float = 0.0
    possible_share: float = 0.0
    verdict: Verdict = Verdict.NO
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The answer as plain values (the verdict as its word)."""
        return {**self.__dict__, "verdict": self.verdict.value}


def listings(g: nx.MultiDiGraph, node: str, day: str, schema: Schema | None = None) -> list[dict[str, str]]:
    """Restricting measures (:data:`RESTRICTING_KINDS`) in force on ``day`` that target the node directly."""
    schema = schema or load_schema()
    in_force = schema.nodes["Measure"].extent.in_force_on
    return sorted(
        (
            {"id": m, "name": g.nodes[m]["name"], "kind": g.nodes[m]["kind"]}
            for m, _, d in g.in_edges(node, data=True)
            if d["type"] == "SANCTIONS"
            and g.nodes[m].get("kind") in RESTRICTING_KINDS
            and in_force(g.nodes[m], day)
            and schema.relation_extent.holds(d, day)
        ),
        key=lambda m: m["id"],
    )


def owners_of(g: nx.MultiDiGraph, node: str, schema: Schema) -> list[tuple[str, float | None]]:
    """(owner, share) of every ownership relation into ``node``, sorted (engines return edges in any order)."""
    rel, share = schema.ownership.relation, schema.ownership.share
    return sorted((u, d.get(share)) for u, _, d in g.in_edges(node, data=True) if d["type"] == rel)


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

    Computed round by round: in round 0 only listed entities are blocked; in round k
    an entity is judged from its owners' states of round k-1. After ``steps`` rounds
    the node's owners are judged looking ``steps`` steps further up, whatever order
    owners are visited in and whatever cycles the ownership has.
    """
    above, frontier = {node}, [node]
    for _ in range(steps + 1):
        frontier = [o for n in frontier for o, _ in owners_of(g, n, schema) if o not in above]
        above.update(frontier)
    owners = {n: owners_of(g, n, schema) for n in above}
    listed = {n for n in above if listings(g, n, day, schema)}
    states = {n: LISTED if n in listed else State(Verdict.NO) for n in above}
    for _ in range(steps):
        states = {n: LISTED if n in listed else _aggregate(owners[n], states) for n in above}
    return states


def exposure(g: nx.MultiDiGraph, node: str, day: str | None = None, schema: Schema | None = None) -> Exposure:
    """Who owns ``node``, up the chain, and whether it falls under the 50% rule on ``day``.

    Each owner path multiplies the shares along it (the owner's economic interest);
    an owner's aggregate adds its paths. Owners targeted by a measure in force are
    flagged. The verdict (see :func:`rule_states`): "proven" when blocked owners'
    known shares reach 50% or the entity is listed itself, "possible" when only
    missing shares could make them reach it, "no" otherwise.
    """
    schema = schema or load_schema()
    depth = schema.ownership.depth
    day = check_day(day or today())
    if node not in g:
        raise QueryError(f"unknown node id {node!r}")
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
                "listed_by": listings(g, owner, day, schema),
                "blocked": counted.get(owner, State(Verdict.NO)).verdict.blocked,
            }
        )
    state = _aggregate(owners_of(g, node, schema), counted)
    result.listed_share, result.possible_share = round(state.known, 4), round(state.possible, 4)
    own = listings(g, node, day, schema)
    if own:
        result.verdict, result.reason = Verdict.PROVEN, f"listed itself by {len(own)} measure(s) in force"
    elif state.verdict is Verdict.PROVEN:
        result.verdict, result.reason = state.verdict, f"blocked owners hold {state.known:g}% (>= {THRESHOLD:g}%)"
    elif state.verdict is Verdict.POSSIBLE:
        result.verdict = state.verdict
        result.reason = f"blocked owners hold {state.known:g}% known; missing shares could bring it to {state.possible:g}%"
    else:
        result.verdict, result.reason = Verdict.NO, f"blocked owners hold {state.known:g}% at most"
    return result


def _owner_order(g: nx.MultiDiGraph, node: str, depth: int, schema: Schema) -> list[str]:
    """Every owner within ``depth`` steps above ``node``, in the order a depth-first walk of the owner
    paths first meets them (owners sorted at each step); each node is walked again only when reached
    with more steps left, so dense ownership costs its edges, not its paths."""
    order: list[str] = []
    best: dict[str, int] = {node: depth}

    def visit(current: str, left: int) -> None:
        if left == 0:
            return
        for owner, _ in owners_of(g, current, schema):
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
    edges = [(u, v, d.get(schema.ownership.share)) for v in within for u, _, d in g.in_edges(v, data=True)
             if d["type"] == schema.ownership.relation and u in within]
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
    """Owner paths up from ``node`` (no node twice, at most ``depth`` steps) in depth-first order:
    (chain of ids, owner first; the share of each step; the interest, None when a share is unknown)."""

    def walk(path: list[str], shares: list[float | None], product: float | None) -> Iterator[Path]:
        for owner, share in owners_of(g, path[0], schema):
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

