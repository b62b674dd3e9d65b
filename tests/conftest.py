"""Fixtures: small datasets written for the tests, and helpers to write bad ones."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import graph
from graph.cli import cli
from graph.cypher.lexer import code_only
from tests.neo4j_server import (  # noqa: F401  (the session's Neo4j: fixtures and the hook that orders its tests)
    neo4j_changed,
    neo4j_export,
    neo4j_server,
    neo4j_server_settings,
    neo4j_shipped,
    pytest_collection_modifyitems,
    stopped_neo4j_server,
)

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
def shipped(default_db) -> graph.TechGraph:
    """The shipped graph on the embedded engine, opened once per run."""
    g = graph.open()
    yield g
    g.close()


@pytest.fixture
def db_dir(tmp_path: Path) -> Path:
    """A private database folder for tests that rebuild."""
    return tmp_path / "db"


def copy_database(source: Path, target: Path) -> Path:
    """Copy the database folder ``source`` to ``target`` as if it had been built there: the current
    build (its file, manifest and name index) and the imported lists. Into a ``target`` that has a
    build already, the copy becomes current and the other build stays, as after a rebuild.

    A copy costs milliseconds where a build costs a second or more; tests that need a database but
    do not test how it is built start from one. The files keep their modification times, so the
    copy opens as the build it is (no recount of its contents); folders the manifest records inside
    ``source`` (older manifests listed the imported lists) name their place in ``target``.
    """
    source, target = Path(source), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    build = os.readlink(source / "current")
    stem = Path(build).stem
    for path in source.glob(f"{stem}.*"):
        shutil.copy2(path, target / path.name)
    if (source / "imports").is_dir():
        shutil.copytree(source / "imports", target / "imports", dirs_exist_ok=True)
    manifest_file = target / f"{stem}.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    old, new = str(source.resolve()), str(target.resolve())
    relocated = [new + f[len(old):] if f == old or f.startswith(old + os.sep) else f for f in manifest.get("folders", [])]
    if relocated != manifest.get("folders", []):
        manifest_file.write_text(json.dumps({**manifest, "folders": relocated}, indent=2), encoding="utf-8")
    link = target / ".current.copy.tmp"  # into a database folder that has a build: swapped in, as a rebuild does
    link.unlink(missing_ok=True)
    link.symlink_to(build)
    os.replace(link, target / "current")
    return target


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory) -> Path:
    """A database of the shipped data, built once per run: copy it (``built_db``), never change it."""
    db = tmp_path_factory.mktemp("shipped-template") / "db"
    graph.load(db)
    return db


@pytest.fixture
def built_db(db_dir: Path, shipped_db: Path) -> Path:
    """``db_dir`` holding a build of the shipped data, copied from ``shipped_db`` (not built again)."""
    return copy_database(shipped_db, db_dir)


@pytest.fixture(scope="session")
def default_db(shipped_db: Path) -> Path:
    """The run's default database ($TECHGRAPH_DB, a folder of its own: see the root conftest),
    holding a copy of ``shipped_db`` rather than a second build of the same data."""
    db = Path(os.environ["TECHGRAPH_DB"])
    if not (db / "current").is_symlink():
        copy_database(shipped_db, db)
    return db


@pytest.fixture(scope="session")
def extra_db(tmp_path_factory) -> Path:
    """A database of the shipped data and an extra folder of EXTRA_DATA, built once per run: open it
    or copy it, never change it."""
    folder = write(tmp_path_factory.mktemp("extra-template") / "extra", "extra.yaml", EXTRA_DATA)
    db = folder.parent / "db"
    graph.load(db, [folder])
    return db


@pytest.fixture
def run(tmp_path: Path, default_db):
    """Invoke the CLI; returns click's Result (exit_code, output)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(cli, list(args), env={"TECHGRAPH_DB": os.environ["TECHGRAPH_DB"], **(env or {})})

    return invoke
