"""GraphML (``techgraph.graphml``) for networkx, yEd, Cytoscape, and back.

Every property is kept; lists (``aliases``, ``sources``) are JSON text, as
GraphML has no list type. Edges keep their relation key as the GraphML edge
id; nodes their ``label`` and edges their ``type`` attributes; the document
catalogue is JSON text on the graph. :func:`read_graphml` undoes all this and
gives back the graph :func:`load_graph` built.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import networkx as nx

from graph.model.schema import Schema
from graph.outputs.exports.base import decoded, json_lists, one_file


def write_graphml(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write GraphML; lists and graph attributes (the document catalogue) as JSON text."""
    attributes: dict[str, Any] = {k: json.dumps(v, ensure_ascii=False) for k, v in g.graph.items()}
    h: nx.MultiDiGraph = nx.MultiDiGraph(**attributes)
    h.add_nodes_from((n, json_lists(d)) for n, d in g.nodes(data=True))
    # A multigraph takes (u, v, key, data); the stubs give add_edges_from only Graph's 2- and 3-tuples.
    h.add_edges_from((u, v, k, json_lists(d)) for u, v, k, d in g.edges(keys=True, data=True))  # type: ignore[misc]
    nx.write_graphml(h, path, encoding="utf-8")


def read_graphml(path: Path | str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Read a file :func:`write_graphml` wrote back into the graph it came from.

    >>> import tempfile
    >>> from graph import load_graph
    >>> g = load_graph()
    >>> path = Path(tempfile.mkdtemp()) / "techgraph.graphml"
    >>> write_graphml(g, path)
    >>> read_graphml(path).nodes["tencent"] == g.nodes["tencent"]
    True
    """
    h = cast(nx.MultiDiGraph, nx.read_graphml(path, force_multigraph=True))  # directed, as write_graphml wrote it
    h.graph = {k: json.loads(v) for k, v in h.graph.items() if k not in ("node_default", "edge_default")}
    return decoded(h, schema)


EXPORTER = one_file("graphml", "techgraph.graphml", write_graphml)
