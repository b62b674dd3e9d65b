"""The neighbourhood of a node as one interactive HTML page that opens offline.

:func:`ego` writes the nodes around one node as a single HTML page (pan,
zoom, names and sources on hover) with its scripts inlined.

>>> import tempfile
>>> from graph.dataset.network import load_graph
>>> ego(load_graph(), "wechat", 1, Path(tempfile.mkdtemp()) / "wechat.html")["nodes"] > 3
True
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from bokeh.embed import file_html
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.models.annotations import Legend, LegendItem  # bokeh.models' star re-export hides them from type checkers
from bokeh.models.renderers import DataRenderer
from bokeh.plotting import figure
from bokeh.resources import INLINE

from graph.errors import PictureError, UnknownEntityError
from graph.model.style import FALLBACK, PALETTE
from graph.outputs.drawing import LABEL, check_suffix, drawable, short_name
from graph.text import shown, suggest

EDGE_COLOUR = "#A5ABB6"  # relationships, as in the Neo4j Browser style
MAX_EGO_NODES = 500
MAX_SOURCES = 8  # listed in a tooltip; more are counted


def _caption(node: dict[str, Any]) -> str:
    """A node's caption: its name when short and drawable, else a short alias or the name trimmed."""
    name = node["name"]
    return name if len(name) <= LABEL and drawable(name) else short_name(node, LABEL)


def _sources(g: nx.MultiDiGraph, node: dict[str, Any]) -> str:
    """The node's sources as tooltip HTML: catalogued documents by title, others by URL."""
    documents = g.graph.get("documents", {})
    sources = node.get("sources", [])
    lines = [html.escape(documents[s]["title"] if s in documents else s) for s in sources[:MAX_SOURCES]]
    if len(sources) > MAX_SOURCES:
        lines.append(f"and {len(sources) - MAX_SOURCES} more")
    return "<br>".join(f"&bull; {line}" for line in lines)


def ego(g: nx.MultiDiGraph, node_id: str, depth: int, out: Path) -> dict[str, Any]:
    """Write the neighbourhood of a node as a self-contained interactive HTML page.

    The page holds every node within ``depth`` relations of ``node_id``, either
    direction, and every relation among them: nodes coloured by label, the
    centre one ringed, relations labelled with their type and pointed by an
    arrowhead. It pans and zooms, hovering a node shows its name, label and
    sources, and clicking a label in the legend hides its nodes. The plotting
    library (Bokeh) is inlined: the page loads nothing from the network.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The graph, as :func:`graph.load_graph` returns it.
    node_id : str
        The id of the centre node.
    depth : int
        How many relations away to go (0: the node alone).
    out : Path
        The ``.html`` file to write.

    Returns
    -------
    dict
        ``path``, ``nodes`` and ``edges`` (relations) drawn.

    Raises
    ------
    UnknownEntityError
        When no node has that id.
    PictureError
        On a negative depth, another suffix, a neighbourhood of more than
        ``MAX_EGO_NODES`` nodes or a file that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from graph.dataset.network import load_graph
    >>> ego(load_graph(), "tencent", 0, Path(tempfile.mkdtemp()) / "t.html")["nodes"]
    1
    """
    out = Path(out)
    if node_id not in g:
        raise UnknownEntityError(f"unknown node id '{node_id}'{suggest(node_id, g.nodes)}")
    if depth < 0:
        raise PictureError(f"depth must be 0 or more, not {depth}")
    check_suffix(out, ("html",), "a neighbourhood")
    h = nx.ego_graph(g, node_id, radius=depth, undirected=True)
    if len(h) > MAX_EGO_NODES:
        raise PictureError(
            f"the neighbourhood of '{node_id}' at depth {depth} has {len(h)} nodes, "
            f"more than {MAX_EGO_NODES} can show; use a smaller depth"
        )
    simple: nx.Graph = nx.Graph()  # built in sorted order: the layout then depends on the seed alone
    simple.add_nodes_from(sorted(h))
    simple.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in h.edges()))
    pos = nx.spring_layout(simple, k=2 / math.sqrt(len(h)), iterations=200, seed=7)
    centre = h.nodes[node_id]

    p = figure(
        title=f"{_caption(centre)} ({centre['label']}) and everything within {depth} relation{'s' * (depth != 1)}",
        sizing_mode="stretch_both", match_aspect=True, tools="pan,wheel_zoom,box_zoom,reset,save",
        active_scroll="wheel_zoom", toolbar_location="above",
    )
    p.axis.visible = False
    p.grid.visible = False

    pairs: dict[frozenset, list[str]] = defaultdict(list)
    heads: dict[str, list[float]] = defaultdict(list)
    for u, v, data in h.edges(data=True):
        pairs[frozenset((u, v))].append(data["type"])
        (x0, y0), (x1, y1) = pos[u], pos[v]
        heads["x"].append(x0 + 0.6 * (x1 - x0))
        heads["y"].append(y0 + 0.6 * (y1 - y0))
        heads["angle"].append(math.atan2(y1 - y0, x1 - x0) - math.pi / 2)
    lines: dict[str, list[Any]] = defaultdict(list)
    for pair, types in pairs.items():
        u, v = sorted(pair) if len(pair) == 2 else (*pair, *pair)
        (x0, y0), (x1, y1) = pos[u], pos[v]
        lines["x0"].append(x0)
        lines["y0"].append(y0)
        lines["x1"].append(x1)
        lines["y1"].append(y1)
        lines["xm"].append((x0 + x1) / 2)
        lines["ym"].append((y0 + y1) / 2)
        lines["type"].append(" / ".join(sorted(set(types))))
    edges = ColumnDataSource({k: lines[k] for k in ("x0", "y0", "x1", "y1", "xm", "ym", "type")})
    p.segment("x0", "y0", "x1", "y1", source=edges, line_color=EDGE_COLOUR, line_width=1.5)
    p.scatter(x="x", y="y", angle="angle", source=ColumnDataSource({k: heads[k] for k in ("x", "y", "angle")}),
              marker="triangle", size=9, color="#8A8F99")
    # A glyph, not a LabelSet, so that the nodes drawn after it cover it.
    p.text("xm", "ym", text="type", source=edges, text_font_size="8pt", text_color="#666666", text_align="center",
           text_baseline="middle", background_fill_color="white", background_fill_alpha=0.7)

    order = list(PALETTE)  # the palette's labels in its order, then any others by name
    present = {data["label"] for _, data in h.nodes(data=True)}
    labels = sorted(present, key=lambda name: (order.index(name) if name in PALETTE else len(order), name))
    others = [name for name in labels if name not in PALETTE]
    colours = {label: PALETTE.get(label) or FALLBACK[others.index(label) % len(FALLBACK)] for label in labels}
    renderers: list[DataRenderer] = []
    items: list[LegendItem] = []
    for label in labels:
        ids = [n for n, data in h.nodes(data=True) if data["label"] == label]
        source = ColumnDataSource({
            "x": [pos[n][0] for n in ids],
            "y": [pos[n][1] for n in ids],
            "id": ids,
            "name": [h.nodes[n]["name"] for n in ids],
            "caption": [_caption(h.nodes[n]) for n in ids],
            "label": [label] * len(ids),
            "sources": [_sources(g, h.nodes[n]) for n in ids],
        })
        nodes = p.scatter("x", "y", size=18, source=source, fill_color=colours[label], line_color="white", line_width=2.5)
        captions = p.text("x", "y", text="caption", source=source, y_offset=13, text_font_size="9pt", text_align="center",
                          text_baseline="top", text_color="#222222", background_fill_color="white", background_fill_alpha=0.7)
        renderers.append(nodes)
        # bokeh's stubs want a list[GlyphRenderer[Glyph]], which (a list being invariant) no Scatter or Text renderer is.
        items.append(LegendItem(label=label, renderers=[nodes, captions]))  # type: ignore[list-item]
    x, y = pos[node_id]  # the centre, larger and ringed, over its own node
    p.scatter([x], [y], size=30, fill_color=colours[centre["label"]], line_color="#222222", line_width=3)
    p.add_tools(HoverTool(renderers=renderers, tooltips=(
        '<div style="max-width:420px"><b>@name</b><br>@label &middot; @id<br>'
        '<span style="font-size:smaller">@sources{safe}</span></div>'
    )))
    p.add_layout(Legend(items=items, click_policy="hide"), "right")  # a click on a label hides its nodes
    try:
        out.write_text(file_html(p, INLINE, title=f"techgraph: {centre['name']}"), encoding="utf-8")
    except OSError as exc:
        raise PictureError(f"{shown(out)}: cannot write: {exc.strerror}") from None
    return {"path": out, "nodes": h.number_of_nodes(), "edges": h.number_of_edges()}
