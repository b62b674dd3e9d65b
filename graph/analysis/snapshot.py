"""The graph as it stood on a day, by the one temporal rule (:mod:`graph.model.holding`).

Works on a networkx MultiDiGraph read from whichever engine is open, so it
behaves the same on the embedded database and on Neo4j.

>>> from graph.dataset.network import load_graph
>>> g = load_graph()
>>> "eo-13942" in snapshot(g, "2020-12-31") and "eo-13942" not in snapshot(g, "2020-08-01")
True
"""

from __future__ import annotations

import networkx as nx

from graph.model.dates import check_day
from graph.model.holding import known_on, node_holds
from graph.model.schema import Schema, load_schema


def snapshot(g: nx.MultiDiGraph, day: str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """The graph as it stood on ``day``: nodes that existed, relations that held, measures'
    histories and ends as known that day.

    A relation holds from ``since`` (if given) until ``until`` (exclusive) and only
    while both its ends exist.
    """
    day = check_day(day)
    schema = schema or load_schema()
    view: nx.MultiDiGraph = nx.MultiDiGraph(**g.graph)
    view.add_nodes_from((n, known_on(d, day, schema)) for n, d in g.nodes(data=True) if node_holds(d, day, schema))
    # A multigraph takes (u, v, key, data); the stubs give add_edges_from only Graph's 2- and 3-tuples.
    view.add_edges_from(
        (u, v, k, d)  # type: ignore[misc]
        for u, v, k, d in g.edges(keys=True, data=True)
        if u in view and v in view and schema.relation_extent.holds(d, day)
    )
    return view
