"""The embedded LadybugDB engine behind the :class:`graph.backends.base.Engine` interface.

Statements are rewritten into LadybugDB's dialect (:mod:`graph.backends.ladybug.dialect`)
and checked read-only (:mod:`graph.cypher.readonly`, LadybugDB's lexical rules): the
engine executes the canonical text that was checked, never the caller's. Names
resolve in the build's name index, and rows come back in the shapes every engine
returns.

>>> import tempfile
>>> from graph.backends.ladybug.folder import ensure_database
>>> folder = Path(tempfile.mkdtemp()); _ = ensure_database(folder)
>>> engine = EmbeddedEngine(folder)
>>> engine.run("MATCH (g:Government {id: $id}) RETURN g.name AS name", {"id": "us"})
(['name'], [{'name': 'United States of America'}])
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends.ladybug.dialect import START, as_of_parameters, start_parameters, to_ladybug
from graph.backends.ladybug.folder import (
    build_manifest,
    current_build,
    file_identity,
    names_path,
)
from graph.backends.ladybug.names import lookup
from graph.cypher.lexer import parameter_names
from graph.cypher.readonly import read_only_statement
from graph.cypher.stored import RESOLVE
from graph.dataset.asof import DAYS, values_on
from graph.errors import DatabaseError, QueryError, QueryTimeout, ReadOnlyError

if TYPE_CHECKING:
    from ladybug import Connection, Database, QueryResult


def used_parameters(text: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (LadybugDB rejects extra ones)."""
    named = parameter_names(text)
    return {k: v for k, v in params.items() if k in named}


# LadybugDB's table functions that only read the catalogue or the connection: the only ones CALL may run.
# Left out: those that read files (read_csv, file_info, disk_*), touch extensions, attached databases,
# settings (current_setting) or storage internals, or change anything (clear_warnings, project_graph).
READ_FUNCTIONS = frozenset({
    "show_tables", "table_info", "show_connection", "show_functions", "show_indexes", "show_macros",
    "show_sequences", "show_warnings", "db_version", "storage_version", "catalog_version",
})  # fmt: skip

_PLAIN = {str, int, float, bool, type(None)}
# The engine's column types whose values plain() changes: nodes, relationships, paths, structs, maps, decimals.
_CONVERTED = re.compile(r"NODE|REL|STRUCT|MAP|UNION|DECIMAL")


@lru_cache(maxsize=1)
def _with_extent() -> frozenset[str]:
    """The labels whose nodes exist only on some days."""
    from graph.dataset.asof import has_extent
    from graph.model.schema import load_schema

    schema = load_schema()
    return frozenset(label for label in schema.nodes if has_extent(schema, label))


def plain(value: Any, day: str | None = None) -> Any:
    """Turn an engine value into plain, JSON-ready Python; a node as it stood on ``day`` if given (its values
    that an as-of view holds day by day, :func:`graph.dataset.asof.values_on`)."""
    if isinstance(value, dict):
        if "_NODES" in value:
            return {"nodes": [plain(n, day) for n in value["_NODES"]], "relationships": [plain(r, day) for r in value["_RELS"]]}
        if "_SRC" in value or "_LABEL" in value:  # a relationship, or a node
            if day is not None and value.get(DAYS):
                value = {**value, **values_on(value, day)}
            properties = {k: plain(v, day) for k, v in value.items() if not k.startswith("_") and v is not None}
            return {"type" if "_SRC" in value else "label": value["_LABEL"], **properties}
        return {k: plain(v, day) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # most items are already plain: no call for them (tens of thousands of rows)
        return [v if type(v) in _PLAIN else plain(v, day) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _single(result: QueryResult | list[QueryResult]) -> QueryResult:
    """The result of one statement (LadybugDB answers a text of several with a list of results)."""
    if isinstance(result, list):
        raise QueryError("query failed on the embedded engine: one statement at a time")
    return result


def _rows(result: QueryResult | list[QueryResult]) -> list[list[Any]]:
    """The rows of one of the engine's own statements, as lists."""
    return [list(row) for row in _single(result).get_all()]


@lru_cache(maxsize=512)
def _checked(text: str, starts: tuple[tuple[str, str], ...], as_of_starts: frozenset[str] | None) -> str:
    """The statement rewritten into LadybugDB's dialect (as of a day if ``as_of_starts`` is given: the day is a
    parameter, so the text is the same for every day) and checked read-only: what the engine runs."""
    return read_only_statement(to_ladybug(text, dict(starts), as_of_starts), READ_FUNCTIONS)


class EmbeddedEngine:
    """The embedded LadybugDB database of a techgraph database folder, opened read-only."""

    can_write = False
    read_functions = READ_FUNCTIONS

    def __init__(self, db_dir: Path):
        import ladybug

        build = current_build(Path(db_dir))
        if build is None:
            raise DatabaseError(f"{db_dir}: no database here; run `techgraph load`")
        manifest = build_manifest(build)  # read first: a rebuild may replace the file, never the pair
        self.build = build
        self._db: Database | None = None
        self._conn: Connection | None = None
        try:
            self._db = ladybug.Database(str(build), read_only=True)
            self._conn = ladybug.Connection(self._db)
            problem = self._check(manifest, build)
        except RuntimeError as exc:
            problem = f"cannot open the database ({' '.join(str(exc).split())})"
        if problem:
            self.close()
            raise DatabaseError(f"{build}: {problem}; rebuild it with `techgraph load`")

    def _check(self, manifest: dict[str, Any] | None, build: Path) -> str | None:
        """What makes the opened file not the techgraph build its manifest describes, or None.

        LadybugDB opens some damaged or foreign files without complaint (an empty
        file is an empty database): the tables must be the schema's, and the
        counts the manifest's. Counting every node and relation takes seconds at
        millions of them, so the check is skipped while the file is still the one
        the build wrote (same size and modification time as the manifest records).
        """
        if manifest is not None and manifest.get("file") == file_identity(build):
            return None
        from graph.model.schema import load_schema

        schema = load_schema()
        expected = {**{label: "NODE" for label in schema.nodes}, **{rel: "REL" for rel in schema.relations}}
        tables = {name: kind for name, kind in _rows(self._connection.execute("CALL show_tables() RETURN name, type"))}
        if tables != expected:
            missing = sorted(set(expected) - set(tables))
            strange = sorted(set(tables) - set(expected))
            what = (
                f"no table {missing[0]}" if missing
                else f"a table {strange[0]} techgraph does not know" if strange
                else "tables of other kinds"
            )
            return f"not a techgraph database ({what})"
        if manifest is None:
            return None
        nodes = _rows(self._connection.execute("MATCH (n) RETURN count(n)"))[0][0]
        edges = _rows(self._connection.execute("MATCH ()-[r]->() RETURN count(r)"))[0][0]
        if (nodes, edges) != (manifest["nodes"], manifest["edges"]):
            return (
                f"holds {nodes} nodes and {edges} relationships where its manifest says "
                f"{manifest['nodes']} and {manifest['edges']}: not the database built here"
            )
        return None

    @property
    def _connection(self) -> Connection:
        assert self._conn is not None, "the connection is opened in __init__"
        return self._conn

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes ``name`` names (any case; id, name or alias): id, name and label, ordered by id.

        Looked up in the build's name index; a build made before there was one scans the nodes.
        """
        if names_path(self.build).is_file():
            return lookup(names_path(self.build), name)
        return self.run(RESOLVE, {"name": name})[1]

    def _starts(self, text: str, params: dict[str, Any]) -> dict[str, str]:
        """The list parameters of start ids (:func:`graph.backends.ladybug.dialect.start_parameters`) that
        hold one id, each with that node's label from the name index; their ids are added to ``params``
        under :data:`graph.backends.ladybug.dialect.START`'s names. A start by several ids stays as written."""
        starts: dict[str, str] = {}
        if not names_path(self.build).is_file():
            return starts
        for parameter in start_parameters(text):
            ids = params.get(parameter)
            if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str) and START.format(parameter) not in params:
                labels = {node["label"] for node in lookup(names_path(self.build), ids[0]) if node["id"] == ids[0]}
                if len(labels) == 1:
                    starts[parameter] = labels.pop()
                    params[START.format(parameter)] = ids[0]
        return starts

    def run(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        timeout: float | None = None,
        as_of: tuple[str, frozenset[str]] | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement; return its column names and rows (dicts). The database is built from data
        files and never written: ``write`` is refused, and so is a statement that is not a read
        (:func:`graph.cypher.readonly.read_only_statement`). Past ``timeout`` seconds (None: no limit) the
        engine stops the statement: :class:`QueryTimeout`. ``as_of`` (a day, and the start parameters
        that hold only nodes that exist that day) runs it on the graph as of that day
        (:func:`graph.backends.ladybug.dialect.as_of`)."""
        if write:
            raise ReadOnlyError("refused: the embedded database is read-only; edit the data files and run `techgraph load`")
        params = dict(params or {})
        starts = self._starts(text, params)
        if as_of is not None:
            params.update(as_of_parameters(as_of[0]))
        statement = _checked(text, tuple(sorted(starts.items())), as_of[1] if as_of is not None else None)
        self._connection.set_query_timeout(max(1, round(timeout * 1000)) if timeout else 0)  # 0: no limit
        try:
            result = _single(self._connection.execute(statement, used_parameters(statement, params)))
        except RuntimeError as exc:
            if timeout and "Interrupted" in str(exc):
                raise QueryTimeout(timeout) from None
            raise QueryError(f"query failed on the embedded engine: {' '.join(str(exc).split())}") from None
        columns = result.get_column_names()
        # Only the columns of types plain() changes are converted (tens of thousands of rows: half the time).
        convert = [i for i, kind in enumerate(result.get_column_data_types()) if _CONVERTED.search(kind)]
        rows = []
        for row in result.get_all():
            values = list(row)
            for i in convert:
                values[i] = plain(values[i], as_of[0] if as_of is not None else None)
            rows.append(dict(zip(columns, values, strict=False)))
        return columns, rows

    def close(self) -> None:
        """Release the database."""
        if self._conn is not None:
            self._conn.close()
        if self._db is not None:
            self._db.close()


class AsOfEngine:
    """An embedded database as it stood on a day: the same database, every statement rewritten
    (:func:`graph.backends.ladybug.dialect.as_of`); nothing is copied or written, so it works on a
    database shared read-only.

    >>> import graph
    >>> view = AsOfEngine(graph.open().engine, "2020-08-01")
    >>> view.run("MATCH (m:Measure {id: 'eo-13942'}) RETURN m.id AS id"), view.resolve("EO 13942")
    ((['id'], []), [])
    """

    can_write = False
    read_functions = READ_FUNCTIONS

    def __init__(self, engine: EmbeddedEngine, day: str):
        self.engine, self.day = engine, day

    def run(
        self, text: str, params: dict[str, Any] | None = None, write: bool = False, timeout: float | None = None
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement on the graph as of the day (as :meth:`EmbeddedEngine.run`). The ids a start
        parameter holds (``(n) WHERE n.id IN $p``) are narrowed first to nodes that existed that day, so
        that the start stays a primary-key lookup."""
        params = dict(params or {})
        checked = set()
        for parameter in start_parameters(text):
            ids = params.get(parameter)
            if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                params[parameter] = self._existing(ids)
                checked.add(parameter)
        return self.engine.run(text, params, write, timeout, as_of=(self.day, frozenset(checked)))

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes ``name`` names that existed on the day."""
        rows = self.engine.resolve(name)
        existing = set(self._existing([row["id"] for row in rows], {row["id"]: row["label"] for row in rows}))
        return [row for row in rows if row["id"] in existing]

    def _existing(self, ids: list[str], labels: dict[str, str] | None = None) -> list[str]:
        """Those of ``ids`` whose nodes existed on the day (looked up by primary key)."""
        kept = []
        for node in ids:
            label = (labels or {}).get(node) or next(
                (row["label"] for row in lookup(names_path(self.engine.build), node) if row["id"] == node), None
            )
            if label in _with_extent():
                statement = f"MATCH (n:{label}) WHERE n.id = $id RETURN n.id AS id"
                if not self.engine.run(statement, {"id": node}, as_of=(self.day, frozenset()))[1]:
                    continue
            kept.append(node)
        return kept

    def close(self) -> None:
        """Nothing to release: the database is the whole graph's, closed with it."""
