"""Property types: each declared once, with its Python type, its engine types and its one validator.

>>> PROPERTY_TYPES["float"].ladybug, PROPERTY_TYPES["float"].neo4j_admin, PROPERTY_TYPES["float"].neo4j_cast
('DOUBLE', ':double', 'toFloat')
>>> PROPERTY_TYPES["date"].check("2020-13")
Traceback (most recent call last):
...
ValueError: not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD): '2020-13'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.errors import brief
from graph.model.dates import check_date

# Control characters other than tab and line breaks: C0 (the build's files use U+001F), DEL and C1
# (U+0080-009F), never text; and the bidirectional embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069), which reorder how the text around them is shown ("Trojan Source" spoofing).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Shown as nothing though neither whitespace nor a format character (Cf: ZWSP, ZWJ, U+FEFF, U+2060 ...).
_BLANKS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def text_problem(value: str | None) -> str | None:
    r"""Why a text cannot be a name or a property value (a control or bidirectional control character,
    or nothing visible), or None when it can. Tabs and line breaks are left to the caller.

    >>> text_problem("Tencent"), text_problem("\u202eTencent"), text_problem("\u200b\u200d")
    (None, "contains the bidirectional control U+202E: '\\u202eTencent'", "holds only invisible characters: '\\u200b\\u200d'")
    """
    found = value and CONTROLS.search(value)
    if found:
        code = ord(found.group())
        what = "bidirectional control" if code > 0x9F else "control character"
        return f"contains the {what} U+{code:04X}: {brief(value)}"
    if value and not visible(value):
        return f"holds only invisible characters: {brief(value)}"
    return None


def visible(value: str) -> bool:
    """Whether a text shows anything: a character that is not whitespace, a format character
    (zero-width space, joiners, U+FEFF, U+2060 ...), a control or a blank filler."""
    if value.isascii() and value.isprintable():  # the usual text: letters, digits, punctuation and spaces only
        return bool(value.strip())
    return any(
        not (char.isspace() or char in _BLANKS or unicodedata.category(char) in ("Cf", "Cc")) for char in value
    )


def check_controls(value: str | None) -> None:
    """Raise ValueError if a text holds a control or bidirectional control character, or nothing visible."""
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)


def check_string(value: str | None) -> str | None:
    """A string property: not empty, something visible, no control or bidirectional control characters."""
    if value is not None and not value.strip():
        raise ValueError("empty string")
    check_controls(value)
    return value


def check_list(value: list[str] | None) -> list[str] | None:
    """A string-list property: no empty items, each item a text :func:`check_string` accepts."""
    if value is not None and any(not item.strip() for item in value):
        raise ValueError("list contains an empty string")
    for item in value or ():
        check_controls(item)
    return value


def check_id(value: str) -> str:
    """A node id: a slug."""
    if value is not None and not ID_PATTERN.match(value):
        raise ValueError(f"id {brief(value)} is not a slug (lowercase letters, digits and single hyphens)")
    return value


def check_share(value: float | None) -> float | None:
    """An ownership share: a percentage in (0, 100]."""
    if value is not None and not 0 < value <= 100:
        raise ValueError(f"share {value} is not a percentage in (0, 100]")
    return value


def _unchecked(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class PropertyType:
    """One property type: Python type, LadybugDB column type, neo4j-admin header type, the
    Cypher function that keeps a pushed value typed on Neo4j, and the validator (runs before
    pydantic's type check for dates, after it for the others)."""

    name: str
    python: Any
    ladybug: str
    neo4j_admin: str
    neo4j_cast: str | None
    check: Callable[[Any], Any]


PROPERTY_TYPES = {
    t.name: t
    for t in (
        PropertyType("string", str, "STRING", "", None, check_string),
        PropertyType("date", str, "STRING", "", None, check_date),  # ISO strings compare alike everywhere
        PropertyType("float", float, "DOUBLE", ":double", "toFloat", _unchecked),
        PropertyType("integer", int, "INT64", ":long", "toInteger", _unchecked),
        PropertyType("string-list", list[str], "STRING[]", ":string[]", "toStringList", check_list),
    )
}


@dataclass(frozen=True)
class Property:
    """One declared property: its name, type, whether it is required, allowed values."""

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    description: str = ""
    derived: bool = False
    validator: Callable[[Any], Any] | None = None  # a further check the schema attaches (a measure's history)

    @property
    def kind(self) -> PropertyType:
        """The property's type."""
        return PROPERTY_TYPES[self.type]
