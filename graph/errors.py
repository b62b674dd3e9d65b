"""The exceptions techgraph raises; all derive from :class:`TechgraphError`.

Each message is one line that names the file, line, record, query or value at
fault, so the CLI can print it as it is; values are quoted with :func:`brief`, so a
megabyte-long bad value still makes a readable line.
"""

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxtuple, _REPR.maxset = 3, 4, 6, 6, 6
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 200


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters for an error message.

    Bounded whatever the value: a string is cut before it is quoted, and containers
    are shown a few items and levels deep (:mod:`reprlib`), so a value of shared
    references a billion items wide (a YAML alias bomb) costs no more than a short one.

    >>> brief("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1000 characters)"
    >>> bomb = ["lol"] * 9
    >>> for _ in range(9): bomb = [bomb] * 9
    >>> brief(bomb)
    '[[[[...], [...], [...], [...], [...], [...], ...], [[...], [.…'
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        text = repr(value[: limit + 1])[:-1]
        return f"{text[: limit + 1]}…{text[0]} ({len(value)} characters)"
    try:
        text = _REPR.repr(value)
    except ValueError:  # an int of more digits than Python converts
        text = f"<{type(value).__name__} too large to show>"
    if len(text) <= limit + 2:
        return text
    return f"{text[: limit + 1]}…"


class TechgraphError(Exception):
    """Root of every error techgraph raises on purpose."""


class SchemaError(TechgraphError):
    """The schema declaration (data/schema.yaml) is malformed."""


class DataError(TechgraphError):
    """A data file or record does not satisfy the schema."""


class QueryError(TechgraphError):
    """A stored query, its parameters or an ad-hoc Cypher statement is unusable."""


class UnknownEntityError(QueryError):
    """No node matches the name, alias or id asked for."""


class ReadOnlyError(QueryError):
    """A read-only entry point was given a statement that writes."""


class QueryTimeout(TechgraphError):
    """A query ran past its time limit and was stopped (the CLI's ``--timeout``; exit 3)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"query stopped after {seconds:g} s (--timeout); narrow it (a start node, a LIMIT, "
            "fewer unbound patterns) or allow more time"
        )


class DatabaseError(TechgraphError):
    """The database cannot be built, opened or queried."""


class PictureError(TechgraphError):
    """A picture cannot be drawn or written (bad file type, date, depth or size)."""
