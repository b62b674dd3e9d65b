"""Changes to an embedded build, written into a copy of it in place: an import costs what the list costs.

A :class:`BuildChanges` holds the node and relation rows an import created or changed
(rows shaped like :func:`graph.dataset.validate.dataset_rows`'). Written into a copy of the
current build (:func:`graph.backends.ladybug.build.update_build`), new rows are bulk-loaded
with LadybugDB's ``COPY`` into the tables that already hold the graph, changed rows are
updated with ``SET`` (every property, so the row is the one a rebuild writes), and the name
index beside the build is amended for those nodes only.

Example
-------
>>> changes = BuildChanges()
>>> changes.add("Company", {"id": "example-co", "name": "Example Co."}, new=True)
>>> changes.counts()
(1, 0)
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from graph.backends.ladybug.names import name_keys
from graph.model.types import PROPERTY_TYPES

BATCH = 2_000  # rows per UNWIND of changed rows


class BuildChanges:
    """The rows to add to a build (``new``) and the rows whose values change (the others)."""

    def __init__(self) -> None:
        self.new: list[tuple[Any, dict[str, Any]]] = []
        self.changed: dict[Any, list[dict[str, Any]]] = {}

    def add(self, kind, row: dict[str, Any], new: bool) -> None:
        """One node row (``kind`` its label) or relation row (``(type, from label, to label)``, with ``key``)."""
        if new:
            self.new.append((kind, row))
        else:
            self.changed.setdefault(kind, []).append(row)

    def counts(self) -> tuple[int, int]:
        """How many nodes and relations the changes add."""
        nodes = sum(1 for kind, _ in self.new if isinstance(kind, str))
        return nodes, len(self.new) - nodes

    def write(self, path: Path, schema, old: dict[str, Any]) -> dict[str, int]:
        """Write the changes into the build file at ``path`` (and its name index ``<path>.names``);
        return the counts of nodes, relations and measures, ``old`` being the build's manifest before."""
        import ladybug

        from graph.backends.ladybug.build import BUILD_POOL_BASE, _CsvTables

        folder = Path(f"{path}.csv")
        folder.mkdir()
        tables = _CsvTables(folder, schema)
        try:
            for kind, row in sorted(self.new, key=lambda item: not isinstance(item[0], str)):
                tables.add(kind, row)
            statements = tables.copy_statements()
            db = ladybug.Database(str(path), buffer_pool_size=BUILD_POOL_BASE)
            conn = ladybug.Connection(db)
            try:
                for statement in statements:
                    conn.execute(statement)
                for kind, rows in self.changed.items():
                    statement = _update_statement(kind, schema)
                    for start in range(0, len(rows), BATCH):
                        conn.execute(statement, {"rows": [_params(kind, row, schema) for row in rows[start:start + BATCH]]})
            finally:
                conn.close()
                db.close()  # checkpoints: the file holds every change, no WAL is left
        finally:
            tables.close()
            shutil.rmtree(folder, ignore_errors=True)
        self._amend_names(Path(f"{path}.names"))
        nodes, edges = self.counts()
        measures = sum(1 for kind, _ in self.new if kind == "Measure")
        return {"nodes": old.get("nodes", 0) + nodes, "edges": old.get("edges", 0) + edges,
                "measures": old.get("measures", 0) + measures}  # fmt: skip

    def _amend_names(self, path: Path) -> None:
        """The name index with the keys of every new or changed node replaced by their current ones."""
        nodes = [(kind, row) for kind, row in self.new if isinstance(kind, str)]
        nodes += [(kind, row) for kind, rows in self.changed.items() if isinstance(kind, str) for row in rows]
        conn = sqlite3.connect(path)
        try:
            conn.executemany("DELETE FROM names WHERE id = ?", [(row["id"],) for _, row in nodes])
            conn.executemany(
                "INSERT INTO names VALUES (?, ?, ?, ?)",
                [(key, row["id"], row["name"], label) for label, row in nodes for key in name_keys(row)],
            )
            conn.commit()
        finally:
            conn.close()


def _update_statement(kind, schema) -> str:
    """``UNWIND $rows`` setting every declared property of the rows' nodes or relations, typed."""
    properties = schema.properties_of(kind)
    if isinstance(kind, str):
        match, variable = f"MATCH (x:{kind} {{id: row.id}})", "x"
        names = [name for name in properties if name != "id"]
    else:
        rel_type, source, target = kind
        match = f"MATCH (:{source} {{id: row.from_id}})-[x:{rel_type}]->(:{target} {{id: row.to_id}}) WHERE x.key = row.key"
        variable, names = "x", [name for name in properties if name != "key"]
    sets = ", ".join(f"{variable}.{name} = CAST(row.{name} AS {PROPERTY_TYPES[properties[name].type].ladybug})" for name in names)
    return f"UNWIND $rows AS row {match} SET {sets}"


def _params(kind, row: dict[str, Any], schema) -> dict[str, Any]:
    """A row as the parameters of :func:`_update_statement`: every property present (None when absent)."""
    values = {name: row.get(name) for name in schema.properties_of(kind)}
    if isinstance(kind, str):
        values["id"] = row["id"]
    else:
        values.update(from_id=row["from"], to_id=row["to"], key=row["key"])
    return values
