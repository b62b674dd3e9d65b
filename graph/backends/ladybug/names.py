"""The name index of an embedded build: every id, name and alias, lower-cased, and the nodes it names.

An entity parameter ("Tencent", "腾讯", "tencent") names every node whose id, name
or an alias equals it in any case (:data:`graph.cypher.stored.NAME_MATCH`). LadybugDB
indexes primary keys only, so that comparison lower-cases every name of every
node: 0.12 s per lookup at 357k nodes, more than most stored queries take. The
build therefore writes this index beside the database file, in SQLite (Python's
standard library), and the embedded engine looks names up in it; on Neo4j the
same rule runs as Cypher. A test holds the two equal on every name of the data.

Example
-------
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "x.names"
>>> with NameIndexWriter(path) as index:
...     index.add("Company", {"id": "tencent", "name": "Tencent Holdings Limited", "aliases": ["腾讯", "Tencent"]})
>>> lookup(path, "TENCENT")
[{'id': 'tencent', 'name': 'Tencent Holdings Limited', 'label': 'Company'}]
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from graph.errors import DatabaseError

BATCH = 50_000


def name_keys(row: dict[str, Any]) -> set[str]:
    """The lower-cased id, name and aliases of a node row: the keys it is found by.

    >>> sorted(name_keys({"id": "zte", "name": "ZTE Corporation", "aliases": ["ZTE", "中兴通讯"]}))
    ['zte', 'zte corporation', '中兴通讯']
    """
    return {row["id"].lower(), row["name"].lower(), *(alias.lower() for alias in row.get("aliases") or ())}


class NameIndexWriter:
    """Writes the name index of one build, node row by node row (a context manager)."""

    def __init__(self, path: Path):
        self._conn = sqlite3.connect(path)
        self._conn.execute("CREATE TABLE names (key TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL)")
        self._batch: list[tuple[str, str, str, str]] = []

    def add(self, label: str, row: dict[str, Any]) -> None:
        """Index one node row (:func:`graph.dataset.validate.dataset_rows`' shape)."""
        self._batch += [(key, row["id"], row["name"], label) for key in name_keys(row)]
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        self._conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", self._batch)
        self._batch = []

    def __enter__(self) -> NameIndexWriter:
        return self

    def __exit__(self, failed, *_: Any) -> None:
        if failed is None:
            self._flush()
            self._conn.execute("CREATE INDEX names_by_key ON names (key)")
            index_ids(self._conn)
            self._conn.commit()
        self._conn.close()


def index_ids(conn: sqlite3.Connection) -> None:
    """Index the names by node id (if not yet): an import replaces the keys of the nodes it changed, by id."""
    conn.execute("CREATE INDEX IF NOT EXISTS names_by_id ON names (id)")


def lookup(path: Path, name: str) -> list[dict[str, str]]:
    """The nodes ``name`` names, in any case: id, name and label, ordered by id.

    Raises :class:`DatabaseError` naming the file when it is not a readable index.
    """
    try:
        # immutable: a build's index never changes, so no lock and no journal (read-only folders work).
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute(
                "SELECT DISTINCT id, name, label FROM names WHERE key = ? ORDER BY id", (name.lower(),)
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path}: not a techgraph name index ({exc}); rebuild the database with `techgraph load`") from None
    return [{"id": node_id, "name": node_name, "label": label} for node_id, node_name, label in rows]
