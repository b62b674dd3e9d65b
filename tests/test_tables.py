"""Tables in a terminal show every value of every row: wrapped cells, or one block per record (psql -x)."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest
from rich.cells import cell_len
from rich.console import Console

import graph
from graph.cli.output import cell, fitted_table

WIDTHS = (80, 120, 160)


def rendered(rows: graph.Rows, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(fitted_table(rows, width, "a title"))
    return console.file.getvalue()


def _squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def parsed(text: str, columns: list[str]) -> list[dict[str, str]]:
    """The records a table or expanded output shows, each column's text without whitespace."""
    records: list[dict[str, str]] = []
    if "-[ RECORD 1 ]" in text:
        name = ""
        for line in text.splitlines():
            if line.startswith("-[ RECORD "):
                records.append({c: "" for c in columns})
            elif records and " | " in line or line.endswith(" |"):
                label, _, value = line.partition(" |")
                name = label.strip() or name
                records[-1][name] += _squeezed(value)
        return records
    header = True
    for line in text.splitlines():
        if line.startswith(("┡", "├")):
            header = False
            records.append({c: "" for c in columns})
        elif line.startswith("│") and not header:
            if not records:
                records.append({c: "" for c in columns})
            for column, part in zip(columns, line.strip("│").split("│"), strict=True):
                records[-1][column] += _squeezed(part)
            if "├" not in text:  # one line per row: the next line is the next row
                records.append({c: "" for c in columns})
    return [r for r in records if any(r.values())]


def expected(rows: graph.Rows) -> list[dict[str, str]]:
    return [{c: _squeezed(cell(row[c])) for c in rows.columns} for row in rows]


@pytest.fixture(scope="module")
def hitting(shipped) -> graph.Rows:
    return shipped.query("measures-hitting", entity="Tencent")


@pytest.fixture(scope="module")
def stored_queries() -> graph.Rows:
    from graph.cli.commands_query import _quote

    return graph.Rows(
        ["name", "title", "parameters", "example"],
        [
            {
                "name": q.name, "title": q.title, "parameters": [f"{p.name} ({p.type})" for p in q.parameters.values()],
                "example": f"techgraph query {q.name}" + "".join(f" -p {k}={_quote(v)}" for k, v in q.example.items()),
            }
            for q in graph.api.load_queries().values()
        ],
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_measures_hitting_shows_every_value_within_the_width(hitting, width):
    text = rendered(hitting, width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert parsed(text, hitting.columns) == expected(hitting)
    assert ("-[ RECORD 1 ]" in text) == (width < 160)  # ten columns fit wrapped at 160, not at 120


@pytest.mark.parametrize("width", WIDTHS)
def test_queries_keep_their_parameters_column(stored_queries, width):
    text = rendered(stored_queries, width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert parsed(text, stored_queries.columns) == expected(stored_queries)
    assert any(r["parameters"].startswith("entity(entity)") for r in parsed(text, stored_queries.columns))


def test_a_table_that_fits_is_one_line_per_row(shipped):
    rows = shipped.cypher("MATCH (a:App) RETURN a.id AS id ORDER BY id LIMIT 3")
    text = rendered(rows, 80)
    assert "-[ RECORD" not in text and "├" not in text
    assert parsed(text, rows.columns) == expected(rows)


def test_in_a_terminal_of_80_columns_the_command_shows_dates_and_citations(default_db, hitting):
    """The whole command, in a pseudo-terminal 80 columns wide (as in tmux or xterm)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "graph", "query", "measures-hitting", "-p", "entity=Tencent"],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode()).replace("\r\n", "\n")
    assert process.returncode == 0, text
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert parsed(text, hitting.columns) == expected(hitting)
    assert any(r["effective"] and r["citation"] for r in expected(hitting))
    assert text.rstrip().endswith(f"{len(hitting)} rows")
