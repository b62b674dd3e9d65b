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
    """A value as table text: nodes by name, lists joined, None empty (CSV: :func:`csv_cell`).

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


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|..., @SUM(...)):
# CSV output puts a ' before it, as OWASP advises against CSV injection, unless --raw.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RAW_META = "techgraph.raw"  # click context meta: --raw was given


def csv_cell(value: Any, raw: bool = False) -> str:
    """A value as CSV text: as :func:`cell`, but a list is a JSON array of its items' texts (split it
    back with ``json.loads``), and, unless ``raw``, text a spreadsheet would run as a formula gets a
    leading ``'`` (numbers are numbers, never a formula).

    >>> csv_cell(["ZTE", "a; b", 2.0]), csv_cell("=1+2"), csv_cell(-1.5), csv_cell("@x", raw=True)
    ('["ZTE", "a; b", "2"]', "'=1+2", '-1.5', '@x')
    """
    if isinstance(value, list):
        return json.dumps([cell(v) for v in value], ensure_ascii=False)
    text = cell(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return "'" + text if not raw and not number and text.startswith(FORMULA_STARTS) else text


def raw_option() -> click.Option:
    """``--raw``, for a command whose ``--format`` offers csv: cells printed as they are."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        ctx.meta[RAW_META] = value

    return click.Option(
        ["--raw"], is_flag=True, expose_value=False, callback=remember,
        help="With --format csv, print cells as they are: by default a cell starting with =, +, -, @, tab or CR "
        "gets a leading ' so that a spreadsheet does not run it as a formula. Lists are JSON arrays either way.",
    )  # fmt: skip


def _raw() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(RAW_META))


def emit(rows: graph.Rows, fmt: str, title: str | None = None, uncut: tuple[str, ...] = ()) -> None:
    """Print rows as a rich table, a JSON array of objects or CSV with a header.

    In a terminal every value is shown whole: the table wraps its cells to the terminal's width,
    or, when its columns cannot fit even wrapped, prints one block per record (as psql's ``-x``):
    see :func:`fitted_table`. To a pipe or file, table cells are cut to one line, except paths and
    the ``uncut`` columns (JSON and CSV keep every value whole).
    """
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        raw = _raw()
        writer.writerow([csv_cell(c, raw) for c in rows.columns])
        writer.writerows([csv_cell(row[c], raw) for c in rows.columns] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        terminal = terminal_width()
        if terminal is None:
            _piped_table(rows, title, uncut)
        else:
            from rich.console import Console

            Console(width=terminal).print(fitted_table(rows, terminal, title))
        click.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


def _piped_table(rows: graph.Rows, title: str | None, uncut: tuple[str, ...]) -> None:
    """The table for a pipe or file: one line per row at the width its cells need (80 at least)."""
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
    console = Console(width=max(width + 1, 80))
    console.print(table)


MIN_COLUMN = 10  # the narrowest a wrapped column may get (a date): below it, one block per record


def terminal_width() -> int | None:
    """The terminal's width in columns when standard output is one (``COLUMNS`` first), else None."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def fitted_table(rows: graph.Rows, width: int, title: str | None = None) -> Any:
    """The rows in ``width`` columns with every value whole: a rich table, its cells wrapped when the
    natural widths do not fit; or, when the columns cannot fit even at ``MIN_COLUMN`` each, the
    text of one block per record, as psql's expanded mode (``-x``) prints them.
    """
    from rich.cells import cell_len
    from rich.table import Table

    cells = [[cell(row[c]) for c in rows.columns] for row in rows]
    natural = [
        max([cell_len(column), *(max(map(cell_len, line[i].splitlines() or [""])) for line in cells)])
        for i, column in enumerate(rows.columns)
    ]
    room = width - 3 * len(natural) - 1  # a border and two spaces of padding per column, one border more
    if sum(min(n, MIN_COLUMN) for n in natural) > room:
        return expanded(rows.columns, cells, width, title)
    widths = _share(natural, room)
    table = Table(title=title, show_lines=sum(natural) > room, title_justify="left")
    for column, column_width in zip(rows.columns, widths, strict=True):
        table.add_column(column, overflow="fold", width=column_width)
    for line in cells:
        table.add_row(*line)
    return table


def _share(natural: list[int], room: int) -> list[int]:
    """Column widths within ``room``: the natural ones when they fit, else each at least
    ``MIN_COLUMN`` (or its natural width) and the rest shared max-min fairly: a column that needs
    less than an even share gets all it needs, the others the same.

    >>> _share([5, 40, 30], 100), _share([5, 40, 30], 45), _share([12, 40, 30, 15], 70)
    ([5, 40, 30], [5, 20, 20], [12, 21, 22, 15])
    """
    if sum(natural) <= room:
        return natural
    widths = [min(n, MIN_COLUMN) for n in natural]
    spare = room - sum(widths)
    wanting = [i for i, n in enumerate(natural) if widths[i] < n]
    while spare > 0 and wanting:  # max-min fair: the columns needing least are served whole first
        share = spare // len(wanting)
        whole = [i for i in wanting if natural[i] - widths[i] <= share]
        for i in whole or sorted(wanting, key=lambda i: natural[i])[: max(spare, 1)]:
            grant = natural[i] - widths[i] if whole else max(share, 1)
            widths[i] += grant
            spare -= grant
        wanting = [i for i in wanting if widths[i] < natural[i]]
    return widths


def expanded(columns: list[str], cells: list[list[str]], width: int, title: str | None = None) -> str:
    """One block per record, as psql's expanded mode: ``-[ RECORD n ]``, then ``column | value``
    lines, values wrapped (never cut) to ``width``.

    >>> print(expanded(["id", "name"], [["zte", "ZTE Corporation"]], 20), end="")
    -[ RECORD 1 ]-----
    id   | zte
    name | ZTE
         | Corporation
    """
    from rich.cells import cell_len

    label = min(max(map(cell_len, columns)), max(width // 3, 1))
    room = max(width - label - 3, 1)
    out = [title] if title else []
    for number, line in enumerate(cells, start=1):
        block = []
        for column, value in zip(columns, line, strict=True):
            names, values = _wrapped(column, label), _wrapped(value, room)
            for i in range(max(len(names), len(values))):
                name = names[i] if i < len(names) else ""
                block.append(f"{name}{' ' * (label - cell_len(name))} | {values[i] if i < len(values) else ''}".rstrip())
        head = f"-[ RECORD {number} ]"
        out += [head + "-" * max(min(width, max(map(cell_len, block))) - len(head), 0), *block]
    return "".join(f"{text}\n" for text in out)


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells: at spaces where it can, inside words where it must."""
    from rich.console import Console
    from rich.text import Text

    console = Console(width=width, color_system=None)
    return [line.plain.rstrip() for line in Text(text).wrap(console, width, overflow="fold")] or [""]
