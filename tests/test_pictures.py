"""The pictures: the timeline as PNG and SVG, and the ego page as a browser shows it."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from matplotlib import image

from graph.dataset.network import load_graph
from graph.errors import PictureError, UnknownEntityError
from graph.model.style import PALETTE
from graph.outputs.ego import ego
from graph.outputs.timeline import MIN_LANE, timeline

CHROMIUM = Path("/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return load_graph()


def dated_measures(g: nx.MultiDiGraph, until: str | None = None) -> set[str]:
    """Measures with an announcement or effective date (on or before ``until``), worked out apart from the module."""
    dated = set()
    for node_id, node in g.nodes(data=True):
        when = node.get("announced") or node.get("effective")
        if node["label"] == "Measure" and when and (until is None or when[:10] <= until):
            dated.add(node_id)
    return dated


def retaliations(g: nx.MultiDiGraph, among: set[str]) -> set[tuple[str, str]]:
    return {(u, v) for u, v, d in g.edges(data=True) if d["type"] == "RETALIATES_AGAINST" and u in among and v in among}


def palette_pixels(png: Path) -> dict[str, int]:
    """How many pixels of the picture are (nearly) each label's colour."""
    rgb = (image.imread(png)[..., :3] * 255).astype(np.int16)  # 16 bits hold every difference of two channels
    counts = {}
    for label, colour in PALETTE.items():
        target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
        counts[label] = int((np.abs(rgb - target).max(axis=-1) <= 12).sum())
    return counts


@pytest.fixture(scope="module")
def png(g, tmp_path_factory) -> tuple[Path, dict]:
    """The shipped graph's timeline drawn as PNG once for the module (a drawing takes seconds), and what timeline() said of it."""
    out = tmp_path_factory.mktemp("timeline") / "timeline.png"
    return out, timeline(g, out)


def test_timeline_png_draws_every_dated_measure_and_retaliation(g, png):
    out, drawn = png
    dated = dated_measures(g)
    measures = {n for n, d in g.nodes(data=True) if d["label"] == "Measure"}
    assert drawn["path"] == out
    assert drawn["measures"] == len(dated) > 50
    assert drawn["arrows"] == len(retaliations(g, dated)) > 5
    assert drawn["undated"] == len(measures - dated)
    assert drawn["after_as_of"] == 0
    assert sum(lane["measures"] for lane in drawn["lanes"]) == drawn["measures"]
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    pixels = image.imread(out)
    height, width = pixels.shape[:2]
    assert 1500 <= width <= 4500 and 600 <= height <= 4500
    assert palette_pixels(out)["Measure"] > 20 * drawn["measures"]  # the markers are there, in the Measure colour


def test_timeline_lanes_group_small_bodies_by_side(png):
    lanes = png[1]["lanes"]
    titles = [lane["lane"] for lane in lanes]
    assert {"other US", "other China"} <= set(titles)
    assert all(lane["measures"] >= MIN_LANE for lane in lanes if not lane["lane"].startswith("other "))
    sides = [lane["side"] for lane in lanes]
    assert sides == sorted(sides, key=sides.index)  # each side's lanes are together
    assert titles.index("other US") == sides.index("China") - 1  # "other" closes its side


def test_timeline_svg_has_one_marker_group_per_measure_and_arrow(g, tmp_path):
    out = tmp_path / "timeline.svg"
    drawn = timeline(g, out)
    root = ET.parse(out).getroot()
    ids = [el.get("id", "") for el in root.iter()]
    markers = {i.removeprefix("measure-") for i in ids if i.startswith("measure-")}
    arrows = [i for i in ids if i.startswith("retaliation-")]
    assert len(markers) == drawn["measures"]
    assert markers == dated_measures(g)
    assert len(arrows) == drawn["arrows"]
    assert all(any(child.tag.endswith("use") for child in el.iter())
               for el in root.iter() if el.get("id", "").startswith("measure-"))
    texts = {"".join(el.itertext()) for el in root.iter() if el.tag.endswith("text")}
    assert {"EO 13942", "FCC: Covered List"} <= texts  # an alias, and a body's tag in an "other" lane


def test_timeline_as_of_leaves_later_measures_out(g, tmp_path):
    drawn = timeline(g, tmp_path / "timeline.svg", as_of="2020-07-31")
    dated = dated_measures(g, "2020-07-31")
    assert drawn["measures"] == len(dated)
    assert drawn["after_as_of"] == len(dated_measures(g)) - len(dated) > 0
    assert drawn["arrows"] == len(retaliations(g, dated))


@pytest.mark.parametrize(
    ("name", "as_of", "message"),
    [
        ("timeline.jpg", None, "cannot write a timeline as '.jpg' (use .png or .svg)"),
        ("timeline.png", "July 2020", "as_of 'July 2020' is not an ISO-8601 day (YYYY-MM-DD)"),
        ("timeline.png", "2020-02-30", "as_of '2020-02-30' is not an ISO-8601 day (YYYY-MM-DD)"),
        ("missing/timeline.png", None, "cannot write: No such file or directory"),
    ],
)
def test_timeline_refuses_in_one_line(g, tmp_path, name, as_of, message):
    with pytest.raises(PictureError) as caught:
        timeline(g, tmp_path / name, as_of=as_of)
    assert message in str(caught.value) and "\n" not in str(caught.value)


class References(HTMLParser):
    """The addresses a page loads by its markup: src and href attributes, and url() or @import in styles."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.style = False

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("src", "href") and value]
        self.style = tag == "style"

    def handle_endtag(self, tag):
        self.style = False

    def handle_data(self, data):
        if self.style:
            self.found += re.findall(r"""(?:url\(|@import)\s*['"]?([^'")\s;]+)""", data)


def test_ego_page_is_self_contained_and_holds_the_neighbourhood(g, tmp_path):
    out = tmp_path / "tencent.html"
    drawn = ego(g, "tencent", 2, out)
    h = nx.ego_graph(g, "tencent", radius=2, undirected=True)
    assert drawn == {"path": out, "nodes": len(h), "edges": h.number_of_edges()}
    assert {"wechat", "didi-global", "eo-13943"} <= set(h)  # owned, part-owned, sanctioning: both directions, two steps
    text = out.read_text(encoding="utf-8")
    refs = References()
    refs.feed(text)
    assert not [ref for ref in refs.found if re.match(r"(https?:)?//", ref)]
    assert "<script src" not in text and "<link" not in text  # the library itself is inlined
    for node_id in h:
        assert f'"{node_id}"' in text
    for rel_type in {d["type"] for _, _, d in h.edges(data=True)}:
        assert rel_type in text


def test_ego_refuses_in_one_line(g, tmp_path):
    with pytest.raises(UnknownEntityError, match=r"unknown node id 'tencnet' \(did you mean 'tencent'"):
        ego(g, "tencnet", 1, tmp_path / "x.html")
    with pytest.raises(PictureError, match="depth must be 0 or more, not -1"):
        ego(g, "tencent", -1, tmp_path / "x.html")
    with pytest.raises(PictureError, match=r"cannot write a neighbourhood as '.png' \(use .html\)"):
        ego(g, "tencent", 1, tmp_path / "x.png")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is absent (apt-get install -y chromium) and CI is not set")


def screenshot(chromium: Path, page: Path, folder: Path) -> Path:
    """A 1200x900 screenshot of the page by headless Chromium, with every host name unresolvable."""
    shot = folder / "screenshot.png"
    (folder / "profile").mkdir()
    command = [
        str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={folder / 'profile'}",
        f"--screenshot={shot}", "--window-size=1200,900", "--virtual-time-budget=10000", page.resolve().as_uri(),
    ]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    return shot


def test_ego_page_draws_a_network_in_chromium(g, tmp_path, chromium):
    page = tmp_path / "tencent.html"
    ego(g, "tencent", 2, page)
    shot = screenshot(chromium, page, tmp_path)
    assert shot.read_bytes()[:8] == PNG_SIGNATURE
    assert image.imread(shot).shape[:2] == (900, 1200)
    pixels = palette_pixels(shot)
    # Tencent's neighbourhood has companies, apps, measures, officials and governments: each drawn in its colour.
    assert pixels["Company"] > 1500 and pixels["App"] > 800 and pixels["Measure"] > 800, pixels
    assert sum(count > 100 for count in pixels.values()) >= 4, pixels
