"""What the timeline (:mod:`graph.outputs.timeline`) and the ego page (:mod:`graph.outputs.ego`) share.

Names short enough to fit and drawable in the default fonts, and the check
that a picture's file has a suffix its writer can write.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from graph.errors import PictureError
from graph.text import shown

LABEL = 34  # characters at most in a measure label or a node caption (an issuer tag comes on top)


def drawable(text: str) -> bool:
    """Whether the default fonts can draw ``text``: they have Latin, Greek and Cyrillic glyphs but no CJK.

    >>> drawable("EO 13942"), drawable("行政令")
    (True, False)
    """
    return all(ord(c) < 0x2E80 for c in text)


def short_name(node: dict[str, Any], width: int) -> str:
    """A short name: the first alias that fits ``width`` and the fonts, else the name trimmed.

    >>> short_name({"name": "Executive Order 13942: Addressing the Threat", "aliases": ["EO 13942"]}, 24)
    'EO 13942'
    >>> short_name({"name": "Identification of Prohibited Transactions", "aliases": ["行政令"]}, 24)
    'Identification of…'
    """
    for alias in node.get("aliases", []):
        if len(alias) <= width and drawable(alias):
            return alias
    return textwrap.shorten(node["name"].split(":")[0], width, placeholder="…")


def check_suffix(out: Path, allowed: tuple[str, ...], what: str) -> str:
    """The suffix of ``out`` without its dot, lower-cased; a PictureError unless it is one of ``allowed``.

    >>> check_suffix(Path("t.SVG"), ("png", "svg"), "a timeline")
    'svg'
    """
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in allowed:
        options = " or ".join(f".{a}" for a in allowed)
        raise PictureError(f"{shown(out)}: cannot write {what} as '{out.suffix}' (use {options})")
    return suffix
