"""The graph as it stood on a day, by the temporal extents and the measure lifecycle the schema declares.

Works on a networkx MultiDiGraph read from whichever engine is open, so it
behaves the same on the embedded database and on Neo4j.

>>> from graph.dataset.network import load_graph
>>> g = load_graph()
>>> "eo-13942" in snapshot(g, "2020-12-31") and "eo-13942" not in snapshot(g, "2020-08-01")
True
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.model.dates import check_day, holds
from graph.model.lifecycle import full_day
from graph.model.schema import Schema, load_schema


def node_holds(data: dict[str, Any], day: str, schema: Schema | None = None) -> bool:
    """Whether a node existed on ``day``: its label's temporal extent (measures and deals from
    their announcement, else effective date, until they ended), and for measures the lifecycle
    too (from their first status until they ended for good: revoked, expired, failed);
    other labels always.

    >>> bill = {"label": "Measure", "kind": "legislation", "announced": "2020-08-06",
    ...         "history": ["2020-03-12 proposed https://x.org", "2021-01-03 failed https://x.org"]}
    >>> node_holds(bill, "2020-04-01"), node_holds(bill, "2021-01-03")
    (True, False)
    """
    schema = schema or load_schema()
    node_type = schema.nodes.get(data["label"])
    if node_type is None:
        return True
    life = schema.lifecycle
    if life is None or data["label"] != life.label:
        return node_type.extent.holds(data, day)
    begun = life.status_on(data, day) is not None or node_type.extent.holds(data, day)
    return begun and not life.ended_on(data, day) and holds(None, node_type.extent.ends(data), day)


def _known_on(data: dict[str, Any], day: str, schema: Schema) -> dict[str, Any]:
    """A measure as it stood on ``day``: its history up to that day, no end yet if it ended later (its
    derived lifecycle is computed again from these, in the view's own build); other nodes unchanged."""
    life = schema.lifecycle
    if life is None or data.get("label") != life.label:
        return data
    known = dict(data)
    if known.get(life.history):
        known[life.history] = [e for e in known[life.history] if full_day(life.parse(e).day) <= day] or None
    end = schema.nodes[life.label].extent.end
    if end and known.get(end) and full_day(known[end]) > day:
        known[end] = None
    return known


def snapshot(g: nx.MultiDiGraph, day: str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """The graph as it stood on ``day``: nodes that existed, relations that held, measures'
    histories and ends as known that day.

    A relation holds from ``since`` (if given) until ``until`` (exclusive) and only
    while both its ends exist.
    """
    day = check_day(day)
    schema = schema or load_schema()
    view: nx.MultiDiGraph = nx.MultiDiGraph(**g.graph)
    view.add_nodes_from((n, _known_on(d, day, schema)) for n, d in g.nodes(data=True) if node_holds(d, day, schema))
    # A multigraph takes (u, v, key, data); the stubs give add_edges_from only Graph's 2- and 3-tuples.
    view.add_edges_from(
        (u, v, k, d)  # type: ignore[misc]
        for u, v, k, d in g.edges(keys=True, data=True)
        if u in view and v in view and schema.relation_extent.holds(d, day)
    )
    return view
