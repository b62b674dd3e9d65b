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
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import QueryError
from graph.model.dates import check_day, today
from graph.model.schema import Schema, load_schema

THRESHOLD = 50.0
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


@dataclass
class Exposure:
    """The answer of :func:`exposure`: every owner path, every owner's aggregate, the verdict."""

    target: dict[str, str]
    day: str
    paths: list[dict[str, Any]] = field(default_factory=list)
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

    def walk(current: str, path: list[str], product: float | None) -> None:
        for owner, share in owners_of(g, current, schema):
            if owner in path or len(path) > depth:
                continue
            interest = None if product is None or share is None else product * share / 100.0
            chain = [owner, *path]
            result.paths.append(
                {
                    "path": [g.nodes[n]["name"] for n in chain],
                    "ids": chain,
                    "shares": [share] + [_share(g, a, b, schema) for a, b in zip(chain[1:], chain[2:], strict=False)],
                    "interest": interest,
                }
            )
            walk(owner, chain, interest)

    walk(node, [node], 100.0)
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for entry in result.paths:
        by_owner.setdefault(entry["ids"][0], []).append(entry)
    counted = rule_states(g, node, day, depth - 1, schema)  # owners as they count towards the node
    for owner, entries in by_owner.items():
        interests = [e["interest"] for e in entries]
        result.owners.append(
            {
                "id": owner,
                "name": g.nodes[owner]["name"],
                "aggregate_share": None if None in interests else round(sum(interests), 4),
                "paths": len(entries),
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


def _share(g: nx.MultiDiGraph, owner: str, owned: str, schema: Schema) -> float | None:
    for _, v, d in g.out_edges(owner, data=True):
        if v == owned and d["type"] == schema.ownership.relation:
            return d.get(schema.ownership.share)
    return None
