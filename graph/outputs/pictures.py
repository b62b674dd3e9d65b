"""Pictures of the graph: a timeline of the measures and the neighbourhood of a node.

:func:`timeline` draws each dated measure in the lane of the body that issued
it, with an arrow to every measure it retaliates against, as PNG or SVG.
:func:`ego` writes the neighbourhood of one node as a single HTML page (pan,
zoom, names and sources on hover) with its scripts inlined, so it opens offline.

>>> import tempfile
>>> from graph.dataset.loader import load_graph
>>> folder, g = Path(tempfile.mkdtemp()), load_graph()
>>> timeline(g, folder / "timeline.png")["arrows"]
9
>>> ego(g, "wechat", 1, folder / "wechat.html")["nodes"] > 3
True
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
from bokeh.embed import file_html
from bokeh.models import ColumnDataSource, HoverTool, Legend, LegendItem
from bokeh.plotting import figure
from bokeh.resources import INLINE
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from graph.backends.neo4j.browser import FALLBACK, PALETTE
from graph.errors import PictureError, UnknownEntityError
from graph.dataset.loader import shown, suggest

MIN_LANE = 3  # a body with fewer measures shares its side's "other" lane
SIDES = {"US": "US", "CN": "China", "HK": "China"}  # issuer country -> side, as the stored queries count them
SIDE_COLOURS = {"US": PALETTE["Government"], "China": PALETTE["Measure"]}
EDGE_COLOUR = "#A5ABB6"  # relationships, as in the Neo4j Browser style
ARROW_COLOUR = "#333333"
MARKER_EDGE = "#5A1A1A"
FONT = 7.5  # points, measure labels
LABEL = 34  # characters at most in a measure label (an issuer tag comes on top)
ROW = 0.24  # inches per row of a lane
DPI = 150
MAX_EGO_NODES = 500
MAX_SOURCES = 8  # listed in a tooltip; more are counted


@dataclass
class _Mark:
    id: str
    day: date
    exact: bool
    text: str
    lane: str
    slot: int = 0


def _day(value: str) -> tuple[date, bool]:
    """A dataset date as a day (the first of its month or year) and whether it names the day.

    >>> _day("2018-11")
    (datetime.date(2018, 11, 1), False)
    """
    parts = [int(p) for p in value.split("-")]
    return date(*parts, *[1] * (3 - len(parts))), len(parts) == 3


def _drawable(text: str) -> bool:
    # The default fonts have Latin, Greek and Cyrillic glyphs but no CJK.
    return all(ord(c) < 0x2E80 for c in text)


def _short(node: dict[str, Any], width: int) -> str:
    """A short name: the first alias that fits ``width`` and the fonts, else the name trimmed.

    >>> _short({"name": "Executive Order 13942: Addressing the Threat", "aliases": ["EO 13942"]}, 24)
    'EO 13942'
    >>> _short({"name": "Identification of Prohibited Transactions", "aliases": ["行政令"]}, 24)
    'Identification of…'
    """
    for alias in node.get("aliases", []):
        if len(alias) <= width and _drawable(alias):
            return alias
    return textwrap.shorten(node["name"].split(":")[0], width, placeholder="…")


def _tag(node: dict[str, Any]) -> str:
    """The shortest drawable alias of a body (its acronym, usually), else its name."""
    return min((a for a in node.get("aliases", []) if _drawable(a)), key=len, default=node["name"])


def _tint(colour: str, alpha: float) -> tuple[float, float, float]:
    """The colour at ``alpha`` over white, as an opaque colour that can cover what lies under it."""
    return tuple(1 - alpha + alpha * c for c in to_rgb(colour))


def _side(g: nx.MultiDiGraph, body: str | None) -> str:
    country = g.nodes[body].get("country") if body else None
    return SIDES.get(country, country or "unattributed")


def _check_suffix(out: Path, allowed: tuple[str, ...], what: str) -> str:
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in allowed:
        options = " or ".join(f".{a}" for a in allowed)
        raise PictureError(f"{shown(out)}: cannot write {what} as '{out.suffix}' (use {options})")
    return suffix


def _lanes(g: nx.MultiDiGraph, measures: list[str]) -> tuple[dict[str, str | None], dict[str, str], dict[str, dict]]:
    """Each measure's issuer and lane, and each lane's title, side, body and count, in drawing order.

    Sides come by the number of their measures; within a side, lanes by theirs, the "other" lane last.
    """
    issuers: dict[str, list[str]] = defaultdict(list)
    wanted = set(measures)
    for body, measure, data in g.edges(data=True):
        if data["type"] == "ISSUED" and measure in wanted:
            issuers[measure].append(body)
    issued = Counter(body for bodies in issuers.values() for body in bodies)
    issuer_of, lane_of, lanes = {}, {}, {}
    for measure in measures:
        # A measure with several issuers goes to the one with most measures.
        body = issuer_of[measure] = min(issuers[measure], key=lambda b: (-issued[b], b), default=None)
        side = _side(g, body)
        key = body if body and issued[body] >= MIN_LANE else f"other {side}"
        lane_of[measure] = key
        if key not in lanes:
            own = key == body
            title = _short(g.nodes[body], 24) if own else key
            lanes[key] = {"title": title, "side": side, "body": body if own else None, "measures": 0}
        lanes[key]["measures"] += 1
    per_side = Counter()
    for lane in lanes.values():
        per_side[lane["side"]] += lane["measures"]

    def rank(key: str) -> tuple:
        lane = lanes[key]
        return -per_side[lane["side"]], lane["side"], lane["body"] is None, -lane["measures"], key

    return issuer_of, lane_of, {key: lanes[key] for key in sorted(lanes, key=rank)}


def _marks(g: nx.MultiDiGraph, until: date | None) -> tuple[list[_Mark], dict[str, dict[str, Any]], int, int]:
    """The measures to draw with their lanes, and how many were undated or later than ``until``."""
    dated: dict[str, tuple[date, bool]] = {}
    undated = later = 0
    for node_id, node in g.nodes(data=True):
        if node["label"] != "Measure":
            continue
        when = node.get("announced") or node.get("effective")
        if not when:
            undated += 1
        elif until and _day(when)[0] > until:
            later += 1
        else:
            dated[node_id] = _day(when)
    issuer_of, lane_of, lanes = _lanes(g, list(dated))
    marks = []
    for node_id, (day, exact) in dated.items():
        text = _short(g.nodes[node_id], LABEL)
        if lanes[lane_of[node_id]]["body"] is None and issuer_of[node_id]:
            text = f"{_tag(g.nodes[issuer_of[node_id]])}: {text}"
        marks.append(_Mark(node_id, day, exact, text, lane_of[node_id]))
    return marks, lanes, undated, later


def _label_points(text: str) -> float:
    """The width of a measure label with its gap after the marker, in points (a generous estimate)."""
    return len(text) * FONT * 0.6 + 14


def _stack(marks: list[_Mark], days_per_point: float) -> dict[str, int]:
    """Give each mark the lowest row of its lane where its label clears the previous one; rows per lane."""
    ends: dict[str, list[float]] = defaultdict(list)
    for mark in sorted(marks, key=lambda m: (m.day, m.text)):
        x = mdates.date2num(mark.day)
        rows = ends[mark.lane]
        mark.slot = next((i for i, end in enumerate(rows) if end <= x), len(rows))
        if mark.slot == len(rows):
            rows.append(x)
        rows[mark.slot] = x + _label_points(mark.text) * days_per_point
    return {lane: len(rows) for lane, rows in ends.items()}


def _draw_lanes(fig: Figure, ax, lanes: dict[str, dict], base: dict[str, float], rows: dict[str, int]) -> dict[str, tuple]:
    """Shade and name the lanes, bracket each side's lanes on the left; return each lane's shade."""
    ticks, labels, sides, tint, colours = [], [], defaultdict(list), {}, {}
    for index, (key, lane) in enumerate(lanes.items()):
        n_rows = rows[key]
        if lane["side"] not in colours:
            others = sum(side not in SIDE_COLOURS for side in colours)
            colours[lane["side"]] = SIDE_COLOURS.get(lane["side"], FALLBACK[others % len(FALLBACK)])
        colour = colours[lane["side"]]
        tint[key] = _tint(colour, 0.10 if index % 2 else 0.05)
        ax.axhspan(base[key] - 0.5, base[key] + n_rows - 0.5, color=tint[key], lw=0)
        ticks.append(base[key] + (n_rows - 1) / 2)
        labels.append(f"{lane['title']} ({lane['measures']})")
        sides[lane["side"]].append((base[key] - 0.5, base[key] + n_rows - 0.5, colour))
    ax.set_yticks(ticks, labels, fontsize=9)
    ax.tick_params(axis="y", length=0)
    for tick, lane in zip(ax.get_yticklabels(), lanes.values()):
        tick.set_color(colours[lane["side"]])
    at_left = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    for side, spans in sides.items():
        start, end = spans[0][0], spans[-1][1]
        ax.plot([0.35, 0.35], [start + 0.1, end - 0.1], transform=at_left, color=spans[0][2], lw=3, clip_on=False)
        ax.text(0.2, (start + end) / 2, side, transform=at_left, rotation=90, ha="center", va="center",
                fontsize=11, fontweight="bold", color=spans[0][2])
    return tint


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PictureError(f"as_of must be an ISO date YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise PictureError(f"as_of {value!r}: {exc}") from None


def _draw_marks(ax, marks: list[_Mark], arrows: list[tuple[str, str]], base: dict[str, float], tint: dict) -> None:
    """A marker and a label per measure; an arrow from each retaliation to what it answers."""
    where = {}
    for mark in marks:
        x, y = mdates.date2num(mark.day), base[mark.lane] + mark.slot
        where[mark.id] = (x, y)
        ax.plot([x], [y], ls="", marker="o", ms=6.5, mew=1.2, color=PALETTE["Measure"], mec=MARKER_EDGE,
                mfc=PALETTE["Measure"] if mark.exact else "white", zorder=4, gid=f"measure-{mark.id}")
        # The label's box, in its lane's shade, hides the arrows that pass behind it.
        ax.annotate(mark.text, (x, y), xytext=(5, 0), textcoords="offset points", va="center", fontsize=FONT,
                    zorder=5, bbox={"boxstyle": "square,pad=0.1", "fc": tint[mark.lane], "ec": "none"})
    for u, v in arrows:
        arrow = ax.annotate("", xy=where[v], xytext=where[u], zorder=3, arrowprops={
            "arrowstyle": "-|>", "color": ARROW_COLOUR, "lw": 1.1, "mutation_scale": 11,
            "shrinkA": 4, "shrinkB": 4, "connectionstyle": "arc3,rad=-0.12"})
        arrow.arrow_patch.set_gid(f"retaliation-{u}-{v}")


def _draw_legend(fig: Figure, ax, marks: list[_Mark], until: date | None) -> None:
    """The legend below the lanes; with ``until``, the dashed line that marks it."""
    measure = {"ls": "", "marker": "o", "ms": 6.5, "mec": MARKER_EDGE}
    handles = [Line2D([], [], color=PALETTE["Measure"], label="measure, at its announcement (else effective) date",
                      **measure)]
    if not all(m.exact for m in marks):
        handles.append(Line2D([], [], mfc="white", label="date known to the month or year only", **measure))
    handles.append(Line2D([], [], color=ARROW_COLOUR, lw=1.1, marker=">", ms=5, markevery=[1], label="retaliates against"))
    if until:
        handles.append(ax.axvline(mdates.date2num(until), color="#555555", ls="--", lw=1, label=f"as of {until}"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)


def timeline(g: nx.MultiDiGraph, out: Path, as_of: str | None = None) -> dict[str, Any]:
    """Draw the measures over time, one lane per issuing body, as a PNG or SVG file.

    Each measure is a marker at its announcement date (else its effective
    date; hollow when only the month or year is known) labelled with a short
    name, in the lane of its issuing body; bodies with fewer than
    ``MIN_LANE`` measures share an "other US" / "other China" lane, where the
    label names the body. Arrows join a measure to each measure it retaliates
    against. Measures with neither date are left out and counted. In an SVG
    file each marker is a group with id ``measure-<id>`` and each arrow one with
    id ``retaliation-<from>-<to>``.

    Parameters
    ----------
    g : networkx.MultiDiGraph
        The graph, as :func:`graph.load_graph` returns it.
    out : Path
        The file to write; its suffix (``.png`` or ``.svg``) picks the format.
    as_of : str, optional
        An ISO date (YYYY-MM-DD): measures dated later are left out, and a
        dashed line marks the day.

    Returns
    -------
    dict
        ``path``, ``measures`` (markers drawn), ``arrows``, ``lanes`` (top to
        bottom: ``lane``, ``side``, ``measures``), ``undated`` and ``after_as_of``
        (measures left out).

    Raises
    ------
    PictureError
        On another suffix, a malformed ``as_of`` or a file that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from graph.dataset.loader import load_graph
    >>> drawn = timeline(load_graph(), Path(tempfile.mkdtemp()) / "t.svg", as_of="2020-12-31")
    >>> drawn["lanes"][-1]["lane"], drawn["after_as_of"] > 0
    ('other China', True)
    """
    out = Path(out)
    suffix = _check_suffix(out, ("png", "svg"), "a timeline")
    until = _as_of(as_of)
    marks, lanes, undated, later = _marks(g, until)
    drawn = {m.id for m in marks}
    arrows = [(u, v) for u, v, d in g.edges(data=True) if d["type"] == "RETALIATES_AGAINST" and {u, v} <= drawn]

    width = min(max(10.0, 6 + 0.2 * len(marks)), 30.0)
    left, right, top, bottom = 2.6, 0.3, 0.9, 1.0  # inches
    days = [mdates.date2num(m.day) for m in marks] or [mdates.date2num(until or date.today())]
    lo = min(days) - 30
    hi = mdates.date2num(until) if until else max(days)
    days_per_point = (hi - lo) / ((width - left - right) * 72)
    rows = _stack(marks, days_per_point)
    hi = max([hi + 15, *(mdates.date2num(m.day) + _label_points(m.text) * days_per_point for m in marks)])
    base, y = {}, 0.0
    for key in lanes:
        base[key] = y
        y += rows[key] + 0.6
    height = max(4.0, y * ROW + top + bottom)

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "techgraph"}):
        fig = Figure(figsize=(width, height), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height)
        ax = fig.add_subplot()
        ax.set_xlim(lo, hi)
        ax.set_ylim(y - 0.6 - 0.5, -0.5)
        locator = mdates.AutoDateLocator(minticks=6, maxticks=24)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(axis="x", labeltop=True)  # a tall picture gets its dates at both ends
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        tint = _draw_lanes(fig, ax, lanes, base, rows)
        _draw_marks(ax, marks, arrows, base, tint)
        _draw_legend(fig, ax, marks, until)
        years = sorted({m.day.year for m in marks})
        span = f", {years[0]}–{years[-1]}" if years else ""
        left_out = [f"{n} {why}" for n, why in ((undated, "undated"), (later, f"after {until}")) if n]
        ax.set_title(
            f"US–China technology conflict, measures by issuing body{span}: "
            f"{len(marks)} measures, {len(arrows)} retaliations"
            + (f" ({' and '.join(left_out)} not shown)" if left_out else ""),
            loc="left", fontsize=12, pad=24,
        )
        try:
            fig.savefig(out, format=suffix, dpi=DPI)
        except OSError as exc:
            raise PictureError(f"{shown(out)}: cannot write: {exc.strerror}") from None
    return {
        "path": out,
        "measures": len(marks),
        "arrows": len(arrows),
        "lanes": [{"lane": lane["title"], "side": lane["side"], "measures": lane["measures"]} for lane in lanes.values()],
        "undated": undated,
        "after_as_of": later,
    }


def _caption(node: dict[str, Any]) -> str:
    """A node's caption: its name when short and drawable, else a short alias or the name trimmed."""
    name = node["name"]
    return name if len(name) <= LABEL and _drawable(name) else _short(node, LABEL)


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
    >>> from graph.dataset.loader import load_graph
    >>> ego(load_graph(), "tencent", 0, Path(tempfile.mkdtemp()) / "t.html")["nodes"]
    1
    """
    out = Path(out)
    if node_id not in g:
        raise UnknownEntityError(f"unknown node id '{node_id}'{suggest(node_id, g.nodes)}")
    if depth < 0:
        raise PictureError(f"depth must be 0 or more, not {depth}")
    _check_suffix(out, ("html",), "a neighbourhood")
    h = nx.ego_graph(g, node_id, radius=depth, undirected=True)
    if len(h) > MAX_EGO_NODES:
        raise PictureError(
            f"the neighbourhood of '{node_id}' at depth {depth} has {len(h)} nodes, "
            f"more than {MAX_EGO_NODES} can show; use a smaller depth"
        )
    simple = nx.Graph()  # built in sorted order: the layout then depends on the seed alone
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
    renderers, items = [], []
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
        items.append(LegendItem(label=label, renderers=[nodes, captions]))
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
