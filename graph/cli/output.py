"""How commands print rows: a rich table, a JSON array of objects or CSV with a header."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

import click

import graph

TABLE_CELL_WIDTH = 44


def cell(value: Any) -> str:
    """A value as table or CSV text: nodes by name, lists joined, None empty.

    >>> cell({"id": "tencent", "name": "Tencent"}), cell(["ZTE", 2.0]), cell(None)
    ('Tencent', 'ZTE; 2', '')
    """
    if value is None:
        return ""
    if isinstance(value, dict):
        if "nodes" in value and "relationships" in value:
            return " → ".join(cell(n) for n in value["nodes"])
        return str(value.get("name") or value.get("type") or json.dumps(value, ensure_ascii=False))
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def emit(rows: graph.Rows, fmt: str, title: str | None = None, uncut: tuple[str, ...] = ()) -> None:
    """Print rows as a rich table, a JSON array of objects or CSV with a header.

    Table cells are cut to one line, except paths and the ``uncut`` columns.
    """
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows([cell(row[c]) for c in rows.columns] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        # One line per row: long names are cut with an ellipsis (JSON and CSV keep them whole);
        # paths are never cut, short columns (ids, dates) never squeezed.
        table = Table(title=title, show_lines=False, title_justify="left")
        cells = [[cell(row[c]) for c in rows.columns] for row in rows]
        width = 0
        for index, column in enumerate(rows.columns):
            is_path = any(isinstance(row[column], dict) and "nodes" in row[column] for row in rows)
            longest = max([len(column), *(len(line[index]) for line in cells)])
            fitted = longest if is_path or column in uncut else min(longest, TABLE_CELL_WIDTH)
            table.add_column(column, overflow="ellipsis", no_wrap=True, min_width=min(fitted, 12), max_width=fitted)
            width += fitted + 3
        for line in cells:
            table.add_row(*line)
        console = Console(width=None if sys.stdout.isatty() else max(width + 1, 80))
        console.print(table)
        click.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
