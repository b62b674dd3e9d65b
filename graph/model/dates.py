"""Dates as techgraph stores them: ISO-8601 strings, whole or partial, compared as text.

One validator for a stored date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and one
for a day asked about (``--as-of``, a ``date`` query parameter, an edition), so
every entry point accepts and refuses the same values.

>>> check_day("2021-03-01")
'2021-03-01'
>>> check_day("2021-02-30")
Traceback (most recent call last):
...
graph.errors.QueryError: date '2021-02-30' is not an ISO-8601 day (YYYY-MM-DD)
>>> holds("2020-08", None, "2020-08-15"), holds(None, "2021", "2021-01-01")
(True, False)
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from graph.errors import QueryError, brief

DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DAY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_date(value: Any) -> Any:
    """A stored date as its ISO string (a ``datetime.date`` from YAML included), or ValueError.

    >>> check_date(datetime.date(2020, 8, 7)), check_date("2020-08"), check_date(None)
    ('2020-08-07', '2020-08', None)
    >>> check_date("2020-13")
    Traceback (most recent call last):
    ...
    ValueError: not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD): '2020-13'
    """
    if value is None:
        return value
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, (str, int)) or isinstance(text, bool) or not DATE_PATTERN.match(str(text)):
        raise ValueError(f"not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD): {brief(value)}")
    if len(str(text)) == 10:
        try:
            datetime.date.fromisoformat(str(text))
        except ValueError:
            raise ValueError(f"no such day: {brief(text)}") from None
    return str(text)


def check_day(day: Any, what: str = "date") -> str:
    """A day asked about, as YYYY-MM-DD, or a QueryError naming ``what`` and the value.

    >>> check_day("2021", what="parameter 'date':")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: parameter 'date': '2021' is not an ISO-8601 day (YYYY-MM-DD)
    """
    try:
        if not isinstance(day, str) or not DAY_PATTERN.match(day):  # fromisoformat also takes 20210101
            raise ValueError(day)
        datetime.date.fromisoformat(day)
    except ValueError:
        raise QueryError(f"{what} {brief(day)} is not an ISO-8601 day (YYYY-MM-DD)") from None
    return day


def today() -> str:
    """Today as YYYY-MM-DD."""
    return datetime.date.today().isoformat()


def holds(start: str | None, end: str | None, day: str) -> bool:
    """Whether something that began on ``start`` and ended on ``end`` (exclusive) held on ``day``.

    ISO strings compare as dates; a partial end (``2021-06``) counts as ended during that month.
    """
    return (start is None or start <= day) and (end is None or end > day)


def days_between(earlier: str | None, later: str | None) -> int | None:
    """Whole days between two full ISO dates, or None when either is missing or partial.

    >>> days_between("2020-08-07", "2020-08-10")
    3
    """
    if not earlier or not later or len(earlier) != 10 or len(later) != 10:
        return None
    return (datetime.date.fromisoformat(later) - datetime.date.fromisoformat(earlier)).days
