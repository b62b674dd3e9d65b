"""Changes to an embedded build, written into a copy of it in place: an import costs what the list costs.

A :class:`BuildChanges` holds the node and relation rows an import created or changed
(rows shaped like :func:`graph.dataset.validate.dataset_rows`'). Written into a copy of the
current build (:func:`graph.backends.ladybug.build.update_build`), new rows are bulk-loaded
with LadybugDB's ``COPY`` into the tables that already hold the graph, changed rows are
written to a file per table too and set from it by one ``LOAD FROM ... MATCH ... SET`` (every
property, so the row is the one a rebuild writes), and the name index beside the build is
amended for those nodes only. The relations written are then read back from both their ends
(:func:`misread_relations`): LadybugDB 0.22 has been seen to return a relation it was given with
another end and no properties after such a write, and the caller then builds the graph whole.

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

from graph.backends.ladybug.names import index_ids, name_keys


class MisreadUpdate(Exception):
    """The engine read back a relation that a write into a build gave it with other ends, or without it."""


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
        (folder / "new").mkdir()
        (folder / "changed").mkdir()
        tables, changed = _CsvTables(folder / "new", schema), _CsvTables(folder / "changed", schema)
        try:
            for kind, row in sorted(self.new, key=lambda item: not isinstance(item[0], str)):
                tables.add(kind, row)
            db = ladybug.Database(str(path), buffer_pool_size=BUILD_POOL_BASE)
            conn = ladybug.Connection(db)
            try:
                updates = []
                for kind, rows in self.changed.items():
                    rows, columns = _differing(conn, kind, rows, changed.columns(kind))
                    for row in rows:
                        changed.add(kind, row)
                    if rows:
                        updates.append(_update_statement(kind, changed, columns))
                for statement in tables.copy_statements() + updates:
                    conn.execute(statement)
            finally:
                conn.close()
                db.close()  # checkpoints: the file holds every change, no WAL is left
        finally:
            tables.close()
            changed.close()
            shutil.rmtree(folder, ignore_errors=True)
        written = [(kind, row) for kind, row in self.new if not isinstance(kind, str)]
        written += [(kind, row) for kind, rows in self.changed.items() if not isinstance(kind, str) for row in rows]
        problem = misread_relations(path, written, schema)
        if problem:
            raise MisreadUpdate(problem)
        self._amend_names(Path(f"{path}.names"))
        nodes, edges = self.counts()
        measures = sum(1 for kind, _ in self.new if kind == "Measure")
        return {"nodes": old.get("nodes", 0) + nodes, "edges": old.get("edges", 0) + edges,
                "measures": old.get("measures", 0) + measures}  # fmt: skip

    def _amend_names(self, path: Path) -> None:
        """The name index with the keys of every new or changed node replaced by their current ones."""
        changed = [(kind, row) for kind, rows in self.changed.items() if isinstance(kind, str) for row in rows]
        nodes = [(kind, row) for kind, row in self.new if isinstance(kind, str)] + changed
        conn = sqlite3.connect(path)
        try:  # the index of a build not yet made current: nothing to journal, a failure discards it whole
            conn.execute("PRAGMA journal_mode = OFF")
            index_ids(conn)  # made with the build; builds made before it was have none
            conn.executemany("DELETE FROM names WHERE id = ?", [(row["id"],) for _, row in changed])  # new: none held
            conn.executemany(
                "INSERT INTO names VALUES (?, ?, ?, ?)",
                [(key, row["id"], row["name"], label) for label, row in nodes for key in name_keys(row)],
            )
            conn.commit()
        finally:
            conn.close()


def misread_relations(path: Path, written: list[tuple[Any, dict[str, Any]]], schema) -> str | None:
    """What the build at ``path`` reads wrongly of the relation rows ``written`` (``((type, from label, to label),
    row)``), or None: each one's key must come back from its source to its target and from its target to its source.

    The reads start at the ends (by primary key) and leave them by a relationship of any type, as a stored
    query's label-less pattern does: that is the read LadybugDB 0.22 once answered with another end and no
    key, for one relation whose properties an import had set (the same relation by its type read right).
    Relations of a type the schema does not declare (the as-of tables) have no key and are not read.

    >>> import tempfile
    >>> from graph.dataset.network import graph_rows, load_graph
    >>> from graph.backends.ladybug.build import write_database
    >>> from graph.model.schema import load_schema
    >>> build = Path(tempfile.mkdtemp()) / "build.lbug"
    >>> _ = write_database(graph_rows(load_graph()), build, load_schema())
    >>> row = {"from": "tencent", "to": "wechat", "key": "OWNS:tencent->wechat"}
    >>> misread_relations(build, [(("OWNS", "Company", "App"), row)], load_schema()) is None
    True
    >>> misread_relations(build, [(("OWNS", "Company", "App"), {**row, "to": "tencent-qq"})], load_schema())
    "OWNS:tencent->wechat read from 'tencent' leads to 'wechat', not 'tencent-qq'"
    """
    import ladybug

    if not written:
        return None
    wanted: dict[tuple[str, str], dict[str, str]] = {}  # (end, id) -> key -> the other end's id
    ids: dict[tuple[str, str], set[str]] = {}  # (label, end) -> the ids of that label at that end
    for (_, source_label, target_label), row in written:
        wanted.setdefault(("source", row["from"]), {})[row["key"]] = row["to"]
        wanted.setdefault(("target", row["to"]), {})[row["key"]] = row["from"]
        ids.setdefault((source_label, "source"), set()).add(row["from"])
        ids.setdefault((target_label, "target"), set()).add(row["to"])
    from graph.backends.ladybug.build import BUILD_POOL_BASE

    db = ladybug.Database(str(path), read_only=True, buffer_pool_size=BUILD_POOL_BASE)  # opens in 20 ms, the default's 40-70
    conn = ladybug.Connection(db)
    try:
        for (label, end), these in sorted(ids.items(), key=lambda item: (item[0][1], item[0][0])):  # sources first
            held: dict[str, dict[str, str]] = {}
            result = conn.execute(read_from(label, end), {"ids": sorted(these)})
            assert not isinstance(result, list), "one statement, one result"
            for at, other, key, rel_type in result.get_all():
                if rel_type not in schema.relations:
                    continue
                if key is None:
                    return f"a relation read from {at!r} to {other!r} has no key"
                held.setdefault(at, {})[key] = other
            for at in sorted(these):
                for key, there in wanted[(end, at)].items():
                    found = held.get(at, {}).get(key)
                    if found != there:
                        return f"{key} read from {at!r} " + (f"leads to {found!r}, not {there!r}" if found else "is not there")
    finally:
        conn.close()
        db.close()
    return None


def read_from(label: str, end: str) -> str:
    """The read of every relation at the nodes ``$ids`` of ``label`` that are their ``end`` ("source" or
    "target"), extending from those nodes (the plan LadybugDB chooses for this form; a test holds it to that).

    >>> read_from("Company", "target")
    'UNWIND $ids AS i MATCH (a:Company) WHERE a.id = i MATCH (a)<-[r]-(b) RETURN a.id, b.id, r.key, label(r)'
    """
    arrow = "-[r]->" if end == "source" else "<-[r]-"
    return f"UNWIND $ids AS i MATCH (a:{label}) WHERE a.id = i MATCH (a){arrow}(b) RETURN a.id, b.id, r.key, label(r)"


def _differing(conn, kind, rows: list[dict[str, Any]], columns: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The changed rows of ``kind`` whose values differ from the build's, and the columns that differ in any.

    A rewritten row costs its columns, not its values: LadybugDB's checkpoint rewrites a list column
    (aliases, sources, as-of days) of the whole table once any of its values is set, 30-50 ms each on a
    table of 10k rows. A row the build lacks counts as differing in every column.

    >>> import ladybug
    >>> conn = ladybug.Connection(ladybug.Database(":memory:"))
    >>> _ = conn.execute("CREATE NODE TABLE T (id STRING PRIMARY KEY, a STRING, b STRING[])")
    >>> _ = conn.execute("CREATE (:T {id: 'x', a: 'same', b: ['one']})")
    >>> _differing(conn, "T", [{"id": "x", "a": "same", "b": ["one", "two"]}], ["id", "a", "b"])
    ([{'id': 'x', 'a': 'same', 'b': ['one', 'two']}], ['b'])
    """
    names = [c for c in columns if c not in (("id",) if isinstance(kind, str) else ("from", "to", "key"))]  # not set
    values = ", ".join(f"x.{name}" for name in names)
    if isinstance(kind, str):  # a node by its primary key, row by row
        found, key, wanted = f"UNWIND $ids AS i MATCH (x:{kind} {{id: i}}) RETURN i, {values}", "id", "ids"
    else:  # a relation by its key, in one scan of its table (by its ends' ids: 1.3 s for 5k listings; this, 0.12 s)
        rel_type, source, target = kind
        found = f"MATCH (:{source})-[x:{rel_type}]->(:{target}) WHERE x.key IN $keys RETURN x.key, {values}"
        key, wanted = "key", "keys"
    stored = {held[0]: held[1:] for held in conn.execute(found, {wanted: [row[key] for row in rows]}).get_all()}
    differing, changed = [], set()
    for row in rows:
        held = stored.get(row[key])
        these = {n for i, n in enumerate(names) if held is None or held[i] != row.get(n)}
        if these:
            differing.append(row)
            changed |= these
    return differing, [n for n in names if n in changed]


def _update_statement(kind, tables, columns: list[str]) -> str:
    """One ``LOAD FROM`` the file of ``kind``'s changed rows that sets the ``columns`` of their nodes or relations
    (:func:`_differing`'s): one statement per table (a join in the engine), not a statement, nor a parameter, per
    row. A node's as-of columns (:mod:`graph.dataset.asof`) are among them: its row carries them, computed anew."""
    load, values = tables.load(kind)
    if isinstance(kind, str):
        match = f"MATCH (x:{kind} {{id: {values['id']}}})"
    else:
        rel_type, source, target = kind
        ends = f"(:{source} {{id: {values['from']}}})-[x:{rel_type}]->(:{target} {{id: {values['to']}}})"
        match = f"MATCH {ends} WHERE x.key = {values['key']}"
    return f"{load} {match} SET {', '.join(f'x.{name} = {values[name]}' for name in columns)}"
