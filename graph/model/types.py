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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.errors import brief
from graph.model.dates import check_date

# Control characters other than tab and line breaks: never text, and the build's files use U+001F.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def check_controls(value: str | None) -> None:
    """Raise ValueError if a text holds a control character."""
    found = value and CONTROLS.search(value)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}: {brief(value)}")


def check_string(value: str | None) -> str | None:
    """A string property: neither empty nor holding control characters."""
    if value is not None and not value.strip():
        raise ValueError("empty string")
    check_controls(value)
    return value


def check_list(value: list[str] | None) -> list[str] | None:
    """A string-list property: no empty items, no control characters."""
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

    @property
    def kind(self) -> PropertyType:
        """The property's type."""
        return PROPERTY_TYPES[self.type]
