"""Analysis on the graph: what held on a date, ownership exposure, retaliation delays.

These work on a networkx MultiDiGraph read from whichever engine is open, so they
behave the same on the embedded database and on Neo4j.

>>> from graph.dataset.loader import load_graph
>>> g = load_graph()
>>> "eo-13942" in snapshot(g, "2020-12-31") and "eo-13942" not in snapshot(g, "2020-08-01")
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import QueryError

MAX_OWNERSHIP_DEPTH = 8
THRESHOLD = 50.0
# Measures that restrict dealings with their targets, and so make them "listed" for the 50% rule.
# Campaigns, court orders, investigations, settlements, tariffs, bills and reviews do not.
RESTRICTING_KINDS = frozenset({
    "executive-order", "entity-listing", "denial-order", "designation", "app-ban", "transaction-prohibition",
    "equipment-authorisation-ban", "investment-ban", "delisting", "divestment-order", "counter-sanction",
})  # fmt: skip


def check_date(day: str) -> str:
    """The day as YYYY-MM-DD, or a QueryError naming it."""
    try:
        if len(day) != 10 or day[4] != "-" or day[7] != "-":  # fromisoformat also takes 20210101
            raise ValueError(day)
        dt.date.fromisoformat(day)
    except (TypeError, ValueError):
        raise QueryError(f"date {day!r} is not an ISO-8601 day (YYYY-MM-DD)") from None
    return day


def _holds(start: str | None, end: str | None, day: str) -> bool:
    # ISO strings compare as dates; a partial end ("2021-06") counts as ended during that month.
    return (start is None or start <= day) and (end is None or end > day)


def node_holds(data: dict[str, Any], day: str) -> bool:
    """A measure or deal exists from its announcement (else effective date) until it ended; others always."""
    if data["label"] not in ("Measure", "Deal"):
        return True
    return _holds(data.get("announced") or data.get("effective"), data.get("ended"), day)


def snapshot(g: nx.MultiDiGraph, day: str) -> nx.MultiDiGraph:
    """The graph as it stood on ``day``: measures and deals that existed, relations that held.

    A relation holds from ``since`` (if given) until ``until`` (exclusive) and only
    while both its ends exist.
    """
    day = check_date(day)
    view = nx.MultiDiGraph(**g.graph)
    view.add_nodes_from((n, d) for n, d in g.nodes(data=True) if node_holds(d, day))
    view.add_edges_from(
        (u, v, k, d)
        for u, v, k, d in g.edges(keys=True, data=True)
        if u in view and v in view and _holds(d.get("since"), d.get("until"), day)
    )
    return view


def in_force(g: nx.MultiDiGraph, measure: str, day: str) -> bool:
    """Whether a measure had taken effect (else been announced) on ``day`` and not ended."""
    data = g.nodes[measure]
    return _holds(data.get("effective") or data.get("announced"), data.get("ended"), day)


def listings(g: nx.MultiDiGraph, node: str, day: str) -> list[dict[str, str]]:
    """Restricting measures (:data:`RESTRICTING_KINDS`) in force on ``day`` that target the node directly."""
    return sorted(
        (
            {"id": m, "name": g.nodes[m]["name"], "kind": g.nodes[m]["kind"]}
            for m, _, d in g.in_edges(node, data=True)
            if d["type"] == "SANCTIONS"
            and g.nodes[m]["kind"] in RESTRICTING_KINDS
            and in_force(g, m, day)
            and _holds(d.get("since"), d.get("until"), day)
        ),
        key=lambda m: m["id"],
    )


def _owners(g: nx.MultiDiGraph, node: str) -> list[tuple[str, float | None]]:
    # Sorted, so that results do not depend on the order the engine returned edges in.
    return sorted((u, d.get("share")) for u, _, d in g.in_edges(node, data=True) if d["type"] == "OWNS")


@dataclass
class Exposure:
    """The answer of :func:`exposure`: every owner path, every owner's aggregate, the verdict."""

    target: dict[str, str]
    day: str
    paths: list[dict[str, Any]] = field(default_factory=list)
    owners: list[dict[str, Any]] = field(default_factory=list)
    listed_share: float = 0.0
    possible_share: float = 0.0
    verdict: str = "no"
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _blocked(g: nx.MultiDiGraph, node: str, day: str, memo: dict, depth: int = 0) -> tuple[str, float, float]:
    """OFAC's 50% rule, three-valued: ("yes" | "possible" | "no", known share, share that may count).

    An entity is blocked when it is listed itself, or when blocked owners hold 50%
    or more of it in the aggregate (:func:`_from_owners`).
    """
    if node not in memo:
        memo[node] = ("no", 0.0, 0.0)  # breaks ownership cycles
        memo[node] = ("yes", 100.0, 100.0) if listings(g, node, day) else _from_owners(g, node, day, memo, depth)
    return memo[node]


def _from_owners(g: nx.MultiDiGraph, node: str, day: str, memo: dict, depth: int = 0) -> tuple[str, float, float]:
    """The 50% rule from the node's owners: only blocked owners' shares count, so ownership
    passes through an intermediate only when that intermediate is blocked too. A missing
    share of a blocked (or possibly blocked) owner makes the answer "possible", never a guess.
    """
    known = possible = 0.0
    if depth < MAX_OWNERSHIP_DEPTH:
        for owner, share in _owners(g, node):
            state = _blocked(g, owner, day, memo, depth + 1)[0]
            if state == "yes" and share is not None:
                known += share
            if state in ("yes", "possible"):
                possible += 100.0 if share is None else share
    possible = min(possible, 100.0)
    return ("yes" if known >= THRESHOLD else "possible" if possible >= THRESHOLD else "no"), known, possible


def exposure(g: nx.MultiDiGraph, node: str, day: str | None = None) -> Exposure:
    """Who owns ``node``, up the chain, and whether it falls under a 50%-ownership rule on ``day``.

    Each owner path multiplies the shares along it (the owner's economic interest);
    an owner's aggregate adds its paths. Owners targeted by a measure in force are
    flagged. The verdict applies OFAC's 2014 guidance on entities owned 50 percent or
    more by blocked persons (see :func:`_blocked`): "proven" when listed owners' known
    shares reach 50%, "possible" when only missing shares could make them reach it,
    "no" otherwise.

    >>> from graph.dataset.loader import load_graph
    >>> result = exposure(load_graph(), "china-mobile", "2021-06-01")
    >>> result.verdict, result.listed_share      # listed itself; its listed parent holds 72.72%
    ('proven', 72.72)
    """
    day = check_date(day or dt.date.today().isoformat())
    if node not in g:
        raise QueryError(f"unknown node id {node!r}")
    result = Exposure(target={"id": node, "name": g.nodes[node]["name"]}, day=day)

    def walk(current: str, path: list[str], product: float | None) -> None:
        for owner, share in _owners(g, current):
            if owner in path or len(path) > MAX_OWNERSHIP_DEPTH:
                continue
            interest = None if product is None or share is None else product * share / 100.0
            chain = [owner, *path]
            result.paths.append(
                {
                    "path": [g.nodes[n]["name"] for n in chain],
                    "ids": chain,
                    "shares": [share] + [_share(g, a, b) for a, b in zip(chain[1:], chain[2:])],
                    "interest": interest,
                }
            )
            walk(owner, chain, interest)

    walk(node, [node], 100.0)
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for entry in result.paths:
        by_owner.setdefault(entry["ids"][0], []).append(entry)
    memo: dict[str, tuple[str, float, float]] = {}
    for owner, entries in by_owner.items():
        interests = [e["interest"] for e in entries]
        result.owners.append(
            {
                "id": owner,
                "name": g.nodes[owner]["name"],
                "aggregate_share": None if None in interests else round(sum(interests), 4),
                "paths": len(entries),
                "listed_by": listings(g, owner, day),
                "blocked": _blocked(g, owner, day, memo)[0],
            }
        )
    state, known, possible = _from_owners(g, node, day, memo)
    result.listed_share, result.possible_share = round(known, 4), round(possible, 4)
    own = listings(g, node, day)
    if own:
        result.verdict, result.reason = "proven", f"listed itself by {len(own)} measure(s) in force"
    elif state == "yes":
        result.verdict = "proven"
        result.reason = f"blocked owners hold {known:g}% (>= {THRESHOLD:g}%)"
    elif state == "possible":
        result.verdict = "possible"
        result.reason = f"blocked owners hold {known:g}% known; missing shares could bring it to {possible:g}%"
    else:
        result.verdict, result.reason = "no", f"blocked owners hold {known:g}% at most"
    return result


def _share(g: nx.MultiDiGraph, owner: str, owned: str) -> float | None:
    for _, v, d in g.out_edges(owner, data=True):
        if v == owned and d["type"] == "OWNS":
            return d.get("share")
    return None


def days_between(earlier: str | None, later: str | None) -> int | None:
    """Whole days between two full ISO dates, or None when either is missing or partial.

    >>> days_between("2020-08-07", "2020-08-10")
    3
    """
    if not earlier or not later or len(earlier) != 10 or len(later) != 10:
        return None
    return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days
