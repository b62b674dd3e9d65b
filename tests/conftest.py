"""Fixtures: small datasets written for the tests, and helpers to write bad ones."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph
from graph.cli import cli
from graph.cypher.lexer import code_only

SEED = "004_b43ca08c91e65171.txt"

# A small, valid extra data folder: a company, an app it owns and a measure hitting the app.
EXTRA_DATA = f"""\
Company:
  - id: fixture-holding
    name: Fixture Holding Co., Ltd.
    aliases: [Fixture Holding, 夹具控股]
    country: CN
    sources: [https://example.org/fixture-holding]
App:
  - id: fixture-app
    name: FixtureChat
    sources: [https://example.org/fixturechat]
Measure:
  - id: fixture-ban
    name: Fixture app ban
    kind: app-ban
    announced: 2021-02-01
    effective: 2021-03-01
    sources: [{SEED}]
OWNS:
  - {{from: fixture-holding, to: fixture-app, share: 100, sources: [https://example.org/fixture-holding]}}
  - {{from: tencent, to: fixture-holding, share: 60, sources: [https://example.org/fixture-holding]}}
ISSUED:
  - {{from: us-commerce, to: fixture-ban, sources: [{SEED}]}}
SANCTIONS:
  - {{from: fixture-ban, to: fixture-app, sources: [{SEED}]}}
"""


def canonical(rows: graph.Rows) -> list[dict]:
    """Rows with their column order, and lists of strings sorted: Cypher leaves collect() unordered."""
    def value(v):
        return sorted(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else v

    return [{"columns": rows.columns}] + [{k: value(v) for k, v in row.items()} for row in rows]


def assert_same_rows(far: graph.Rows, local: graph.Rows, cypher: str) -> None:
    """Two engines' answers to one query agree: in order where the query orders its result."""
    far, local = canonical(far), canonical(local)
    if "ORDER BY" in code_only(cypher).rsplit("RETURN", 1)[-1]:
        assert far == local
    else:
        key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)  # noqa: E731
        assert sorted(far, key=key) == sorted(local, key=key)


def of_record(items: list, record: str) -> list:
    """An importer's items about one record: its entity, listings and the ownerships of it."""
    return [item for item in items if getattr(item, "record", getattr(item, "owned", None)) == record]


def write(folder: Path, name: str, text: str) -> Path:
    """Write a data file (dedented) into folder and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def extra_folder(tmp_path: Path) -> Path:
    """An extra data folder with a company 60% owned by Tencent and a measure on its app."""
    return write(tmp_path / "extra", "extra.yaml", EXTRA_DATA)


@pytest.fixture(scope="session")
def shipped() -> graph.TechGraph:
    """The shipped graph on the embedded engine, opened once per run."""
    g = graph.open()
    yield g
    g.close()


@pytest.fixture
def db_dir(tmp_path: Path) -> Path:
    """A private database folder for tests that rebuild."""
    return tmp_path / "db"


@pytest.fixture
def run(tmp_path: Path):
    """Invoke the CLI; returns click's Result (exit_code, output)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(cli, list(args), env={"TECHGRAPH_DB": os.environ["TECHGRAPH_DB"], **(env or {})})

    return invoke
