"""GEXF 1.2draft (``techgraph.gexf``) for Gephi, and back.

Every property is kept; lists (``aliases``, ``sources``) are JSON text, as
GEXF has no list type. GEXF reserves ``label`` and ``type`` for itself, so a
node's GEXF label is its name and its techgraph label the ``node_label``
attribute; an edge's GEXF label is its type, its id (and ``networkx_key``) its
relation key. The document catalogue is left out. :func:`read_gexf` undoes all
this and gives back the graph :func:`load_graph` built, without the catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import networkx as nx

from graph.model.schema import Schema
from graph.outputs.exports.base import decoded, json_lists, one_file


def write_gexf(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write GEXF 1.2draft for Gephi: nodes labelled by name, edges by type, lists as JSON text."""
    h: nx.MultiDiGraph = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{**json_lists(d), "label": d["name"], "node_label": d["label"]})
    for u, v, k, d in g.edges(keys=True, data=True):
        data = json_lists(d)
        rel_type = data.pop("type")
        h.add_edge(u, v, k, **data, id=k, label=rel_type)
    nx.write_gexf(h, path, encoding="utf-8")


def read_gexf(path: Path | str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Read a file :func:`write_gexf` wrote back into the graph it came from (without the catalogue).

    >>> import tempfile
    >>> from graph import load_graph
    >>> g = load_graph()
    >>> path = Path(tempfile.mkdtemp()) / "techgraph.gexf"
    >>> write_gexf(g, path)
    >>> h = read_gexf(path)
    >>> h.edges["tencent", "wechat", "OWNS:tencent->wechat"] == g.edges["tencent", "wechat", "OWNS:tencent->wechat"]
    True
    """
    h = cast(nx.MultiDiGraph, nx.read_gexf(path))  # directed, as write_gexf wrote it
    h.graph = {}
    for _, data in h.nodes(data=True):
        data["label"] = data.pop("node_label")
    for _, _, data in h.edges(data=True):
        data["type"] = data.pop("label")
        del data["id"]
    return decoded(h, schema)


EXPORTER = one_file("gexf", "techgraph.gexf", write_gexf)
