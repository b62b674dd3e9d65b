"""A timeline of the measures: a lane per issuing body, an arrow for each retaliation, as PNG or SVG.

:func:`timeline` draws each dated measure in the lane of the body that issued
it, with an arrow to every measure it retaliates against.

>>> import tempfile
>>> from graph.dataset.network import load_graph
>>> timeline(load_graph(), Path(tempfile.mkdtemp()) / "timeline.png")["arrows"]
10
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import networkx as nx
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from graph.errors import PictureError, QueryError
from graph.model.dates import check_day
from graph.model.lifecycle import DATE_BASIS
from graph.model.schema import load_schema
from graph.model.style import FALLBACK, PALETTE
from graph.outputs.drawing import LABEL, check_suffix, drawable, short_name
from graph.text import shown

MIN_LANE = 3  # a body with fewer measures shares its side's "other" lane
SIDES = {"US": "US", "CN": "China", "HK": "China"}  # issuer country -> side, as the stored queries count them
SIDE_COLOURS = {"US": PALETTE["Government"], "China": PALETTE["Measure"]}
ARROW_COLOUR = "#333333"
MARKER_EDGE = "#5A1A1A"
NEVER_IN_FORCE = "#B8B8B8"  # a measure the lifecycle rule never has in force
FONT = 7.5  # points, measure labels
ROW = 0.24  # inches per row of a lane
DPI = 150


@dataclass
class _Mark:
    id: str
    day: date
    exact: bool
    text: str
    lane: str
    in_force: bool = True  # in force at some time (by the day drawn up to), by the lifecycle rule
    slot: int = 0


def _day(value: str) -> tuple[date, bool]:
    """A dataset date as a day (the first of its month or year) and whether it names the day.

    >>> _day("2018-11")
    (datetime.date(2018, 11, 1), False)
    """
    parts = [int(p) for p in value.split("-")]
    return date(*parts, *[1] * (3 - len(parts))), len(parts) == 3


def _tag(node: dict[str, Any]) -> str:
    """The shortest drawable alias of a body (its acronym, usually), else its name."""
    return min((a for a in node.get("aliases", []) if drawable(a)), key=len, default=node["name"])


def _tint(colour: str, alpha: float) -> tuple[float, float, float]:
    """The colour at ``alpha`` over white, as an opaque colour that can cover what lies under it."""
    red, green, blue = (1 - alpha + alpha * c for c in to_rgb(colour))
    return red, green, blue


def _side(g: nx.MultiDiGraph, body: str | None) -> str:
    country = g.nodes[body].get("country") if body else None
    return SIDES.get(country, country) if country else "unattributed"


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
    issuer_of: dict[str, str | None] = {}
    lane_of: dict[str, str] = {}
    lanes: dict[str, dict[str, Any]] = {}
    for measure in measures:
        # A measure with several issuers goes to the one with most measures.
        body = issuer_of[measure] = min(issuers[measure], key=lambda b: (-issued[b], b), default=None)
        side = _side(g, body)
        key = body if body and issued[body] >= MIN_LANE else f"other {side}"
        lane_of[measure] = key
        if key not in lanes:
            own = key == body
            title = short_name(g.nodes[body], 24) if own else key
            lanes[key] = {"title": title, "side": side, "body": body if own else None, "measures": 0}
        lanes[key]["measures"] += 1
    per_side: Counter[str] = Counter()
    for lane in lanes.values():
        per_side[lane["side"]] += lane["measures"]

    def rank(key: str) -> tuple:
        lane = lanes[key]
        return -per_side[lane["side"]], lane["side"], lane["body"] is None, -lane["measures"], key

    return issuer_of, lane_of, {key: lanes[key] for key in sorted(lanes, key=rank)}


def _marks(g: nx.MultiDiGraph, until: date | None) -> tuple[list[_Mark], dict[str, dict[str, Any]], int, int]:
    """The measures to draw with their lanes, and how many were undated or later than ``until``."""
    schema = load_schema()
    extent = schema.nodes["Measure"].extent  # drawn at the day it began: announced, else effective
    life = schema.lifecycle
    dated: dict[str, tuple[date, bool]] = {}
    undated = later = 0
    for node_id, node in g.nodes(data=True):
        if node["label"] != "Measure":
            continue
        when = extent.begins(node)
        if not when:
            undated += 1
        elif until and _day(when)[0] > until:
            later += 1
        else:  # a programme held from a list's edition (announced_basis) is known to hold by then, not to begin
            day, exact = _day(when)
            dated[node_id] = day, exact and not node.get(DATE_BASIS)
    issuer_of, lane_of, lanes = _lanes(g, list(dated))
    marks = []
    for node_id, (day, exact) in dated.items():
        text = short_name(g.nodes[node_id], LABEL)
        if lanes[lane_of[node_id]]["body"] is None and issuer_of[node_id]:
            text = f"{_tag(g.nodes[issuer_of[node_id]])}: {text}"
        periods = life.values(g.nodes[node_id])["in_force"] if life else ["0000-01-01/.."]
        in_force = any(not until or p[:10] <= until.isoformat() for p in periods or ())
        marks.append(_Mark(node_id, day, exact, text, lane_of[node_id], in_force))
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
    ticks, labels, sides, tint = [], [], defaultdict(list), {}
    colours: dict[str, str] = {}
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
    for tick, lane in zip(ax.get_yticklabels(), lanes.values(), strict=False):
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
    try:
        return date.fromisoformat(check_day(value, what="as_of"))
    except QueryError as exc:
        raise PictureError(str(exc)) from None


def _draw_marks(ax, marks: list[_Mark], arrows: list[tuple[str, str]], base: dict[str, float], tint: dict) -> None:
    """A marker and a label per measure; an arrow from each retaliation to what it answers."""
    where = {}
    for mark in marks:
        x, y = mdates.date2num(mark.day), base[mark.lane] + mark.slot
        where[mark.id] = (x, y)
        colour = PALETTE["Measure"] if mark.in_force else NEVER_IN_FORCE
        ax.plot([x], [y], ls="", marker="o" if mark.in_force else "D", ms=6.5 if mark.in_force else 5.5, mew=1.2,
                color=colour, mec=MARKER_EDGE, mfc=colour if mark.exact else "white", zorder=4, gid=f"measure-{mark.id}")
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
    measure: dict[str, Any] = {"ls": "", "marker": "o", "ms": 6.5, "mec": MARKER_EDGE}
    handles = [Line2D([], [], color=PALETTE["Measure"], label="measure, at its announcement (else effective) date",
                      **measure)]
    if not all(m.in_force for m in marks):
        handles.append(Line2D([], [], color=NEVER_IN_FORCE, label="never in force (not enacted, enjoined first, or binds no one)",
                              **{**measure, "marker": "D", "ms": 5.5}))
    if not all(m.exact for m in marks):
        handles.append(Line2D([], [], mfc="white", label="date known to the month or year only, or held from a list's edition",
                              **measure))
    handles.append(Line2D([], [], color=ARROW_COLOUR, lw=1.1, marker=">", ms=5, markevery=[1], label="retaliates against"))
    if until:
        handles.append(ax.axvline(mdates.date2num(until), color="#555555", ls="--", lw=1, label=f"as of {until}"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)


def timeline(g: nx.MultiDiGraph, out: Path, as_of: str | None = None) -> dict[str, Any]:
    """Draw the measures over time, one lane per issuing body, as a PNG or SVG file.

    Each measure is a marker at its announcement date (else its effective
    date; hollow when only the month or year is known; a grey diamond when the
    schema's lifecycle rule never has it in force, by ``as_of`` if given) labelled with a short
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
        (measures left out), ``never_in_force`` (drawn as such).

    Raises
    ------
    PictureError
        On another suffix, a malformed ``as_of`` or a file that cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from graph.dataset.network import load_graph
    >>> drawn = timeline(load_graph(), Path(tempfile.mkdtemp()) / "t.svg", as_of="2020-12-31")
    >>> drawn["lanes"][-1]["lane"], drawn["after_as_of"] > 0
    ('other China', True)
    """
    out = Path(out)
    suffix = check_suffix(out, ("png", "svg"), "a timeline")
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
        "never_in_force": sum(not m.in_force for m in marks),
    }
