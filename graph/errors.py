"""The exceptions techgraph raises; all derive from :class:`TechgraphError`.

Each message is one line that names the file, line, record, query or value at
fault, so the CLI can print it as it is; values are quoted with :func:`brief`, so a
megabyte-long bad value still makes a readable line.
"""

from typing import Any


def brief(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to about ``limit`` characters for an error message.

    >>> brief("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1000 characters)"
    """
    text = repr(value)
    if len(text) <= limit + 2:
        return text
    return f"{text[: limit + 1]}…{text[0]} ({len(value) if hasattr(value, '__len__') else len(text)} characters)"


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


class DatabaseError(TechgraphError):
    """The database cannot be built, opened or queried."""


class PictureError(TechgraphError):
    """A picture cannot be drawn or written (bad file type, date, depth or size)."""
