"""The graph as it stood on a day, by the one temporal rule (:mod:`graph.model.holding`).

Works on a networkx MultiDiGraph read from whichever engine is open, so it
behaves the same on the embedded database and on Neo4j.

>>> from graph.dataset.network import load_graph
>>> g = load_graph()
>>> "eo-13942" in snapshot(g, "2020-12-31") and "eo-13942" not in snapshot(g, "2020-08-01")
True
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

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


def snapshot_database(g: nx.MultiDiGraph, day: str) -> Path:
    """:func:`snapshot` of ``g`` on ``day`` built into an embedded database in a new private temporary folder
    (its derived properties derived by the build, as of that day): the as-of view of a graph whose engine
    holds no derived days (Neo4j). The caller removes the folder.

    >>> import shutil
    >>> from graph.backends.ladybug.engine import EmbeddedEngine
    >>> from graph.dataset.network import load_graph
    >>> folder = snapshot_database(load_graph(), "2020-08-01")
    >>> EmbeddedEngine(folder).run("MATCH (m:Measure {id: 'eo-13942'}) RETURN m.id")[1]; shutil.rmtree(folder)
    []
    """
    from graph.backends.ladybug.build import install_build
    from graph.dataset.network import graph_rows

    day = check_day(day)
    folder = Path(tempfile.mkdtemp(prefix=f"techgraph-as-of-{day}-"))
    try:
        install_build(folder, graph_rows(snapshot(g, day)), f"as-of-{day}", {"as_of": day})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder
