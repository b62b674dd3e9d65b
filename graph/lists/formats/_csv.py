"""Streaming, line-numbered reading shared by the list importers.

:func:`read_rows` reads a file's lines with :func:`graph.text.numbered_lines`
(numbered from 1, decoded as UTF-8) to yield the rows of a CSV file as
:class:`Row` (``where`` is ``file:line`` of the row's first line, so a quoted
field spanning several lines still points at its start), or a
:class:`~graph.lists.formats.base.BadRow` for a row that cannot be read. A leading
UTF-8 BOM and CRLF or mixed line endings are accepted.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
>>> _ = path.write_bytes(b'\\xef\\xbb\\xbfName,Date\\r\\n"Huawei\\nTechnologies",2021\\r\\nZTE\\r\\n')
>>> for row in read_rows(path, ("Name", "Date"), "test list"):
...     print(row)
Row(where='list.csv:2', values={'Name': 'Huawei\\nTechnologies', 'Date': '2021'})
BadRow(where='list.csv:4', reason='1 fields where the header has 2')
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from graph.errors import DataError
from graph.lists.formats.base import BadRow, clean_text
from graph.text import numbered_lines


class Row(NamedTuple):
    """A CSV row: ``values`` maps each header column to its stripped text."""

    where: str
    values: dict[str, str]


def _text_lines(path: Path, line_numbers: list[int]) -> Iterator[str]:
    """The file's lines decoded as UTF-8; the number of the line last read goes into ``line_numbers[0]``."""
    for number, line in numbered_lines(path, path.name, text=True):
        line_numbers[0] = number
        yield line


def read_rows(path: Path, columns: Sequence[str], what: str) -> Iterator[Row | BadRow]:
    """Each data row of the CSV file at ``path``, whose header must include ``columns``.

    ``what`` names the format in the :class:`DataError` raised for a file
    without those columns. Blank lines are skipped; a row whose field count
    differs from the header's is a :class:`BadRow`.
    """
    line_numbers = [0]
    rows = csv.reader(_text_lines(path, line_numbers))
    header: list[str] | None = None
    while True:
        first_line = line_numbers[0] + 1
        try:
            fields = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            yield BadRow(f"{path.name}:{first_line}", f"unreadable CSV: {exc}")
            continue
        if not any(field.strip() for field in fields):
            continue
        if header is None:
            header = [clean_text(name) for name in fields]
            missing = [name for name in columns if name not in header]
            if missing:
                raise DataError(f"{path.name}:{first_line}: not a {what} file: header lacks {', '.join(map(repr, missing))}")
            continue
        if len(fields) != len(header):
            yield BadRow(f"{path.name}:{first_line}", f"{len(fields)} fields where the header has {len(header)}")
            continue
        yield Row(f"{path.name}:{first_line}", {name: field.strip() for name, field in zip(header, fields, strict=True)})
    if header is None:
        raise DataError(f"{path.name}: not a {what} file: it is empty")
