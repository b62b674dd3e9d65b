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

import os
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends.ladybug.dialect import START, start_parameters, to_ladybug
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
from graph.errors import DatabaseError, QueryError, QueryTimeout, ReadOnlyError

if TYPE_CHECKING:
    from ladybug import Connection, Database, QueryResult


@lru_cache(maxsize=1024)
def checked(
    text: str, starts: tuple[tuple[str, str], ...] = (), as_of_starts: frozenset[str] | None = None
) -> tuple[str, frozenset[str]]:
    """The statement the engine runs for ``text`` (rewritten into LadybugDB's dialect with ``starts``
    folded, as of a day if ``as_of_starts`` is given, then checked read-only) and the parameters it names;
    kept per text, as the same few statements run again and again (cutting one into tokens takes about a
    millisecond). The day of an as-of statement is a parameter: its text is the same every day.

    >>> checked("MATCH (n) WHERE n.id IN $entity RETURN n.name", (("entity", "App"),))
    ('MATCH (n:App) WHERE n.id = $entity__start RETURN n.name', frozenset({'entity__start'}))
    """
    statement = read_only_statement(to_ladybug(text, dict(starts), as_of_starts), READ_FUNCTIONS)
    return statement, frozenset(parameter_names(statement))


# LadybugDB's table functions that only read the catalogue or the connection: the only ones CALL may run.
# Left out: those that read files (read_csv, file_info, disk_*), touch extensions, attached databases,
# settings (current_setting) or storage internals, or change anything (clear_warnings, project_graph).
READ_FUNCTIONS = frozenset({
    "show_tables", "table_info", "show_connection", "show_functions", "show_indexes", "show_macros",
    "show_sequences", "show_warnings", "db_version", "storage_version", "catalog_version",
})  # fmt: skip

# The engine's buffer pool holds both the pages it caches and every query's working memory. Its default,
# 80% of the machine's memory, costs 50-100 ms to set up at each open (19 GB here); up to about 1 GB the
# open costs the same as with 64 MB (2026-12-02, benchmarks/RESULTS.md). Four times the build file, at
# least 512 MB, answers every stored query at 1M relations (64 MB fails most of them).
POOL_PER_BUILD_BYTE = 4
MIN_POOL = 512 << 20


def pool_size(build: Path) -> int:
    """The buffer pool an open of ``build`` asks for, in bytes: :data:`POOL_PER_BUILD_BYTE` times the
    file, at least :data:`MIN_POOL`, at most the engine's default (80% of the machine's memory).

    >>> import tempfile
    >>> pool_size(Path(tempfile.mkstemp()[1])) == MIN_POOL
    True
    """
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min(max(MIN_POOL, POOL_PER_BUILD_BYTE * Path(build).stat().st_size), int(0.8 * memory))


_PLAIN = {str, int, float, bool, type(None)}
# The engine's column types and the Python type of their values (LadybugDB's Python API): the values plain()
# leaves alone are those of _PLAIN types and lists of them; a column of any other type is converted.
_SCALARS = {
    "STRING": str, "BOOL": bool, "DOUBLE": float, "FLOAT": float, "SERIAL": int,
    **{f"{sign}INT{bits}": int for sign in ("", "U") for bits in (8, 16, 32, 64)},
}  # fmt: skip
_UNCHANGED = frozenset(kind for kind, python in _SCALARS.items() if python in _PLAIN)


def converted(kind: str) -> bool:
    """Whether plain() changes the values of a column of the engine's type ``kind`` (``STRING[]`` is a
    list of strings, left alone; nodes, relationships, structs, decimals and any other type are converted).

    >>> converted("STRING[]"), converted("INT64"), converted("NODE"), converted("DECIMAL(18, 3)"), converted("DATE")
    (False, False, True, True, True)
    """
    while kind.endswith("]"):  # a list (STRING[]) or an array (DOUBLE[3]) of its items' type
        kind = kind[: kind.rindex("[")]
    return kind not in _UNCHANGED


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
            if day is not None:  # a view's only: a query of the whole graph does not import the as-of modules
                from graph.dataset.asof import DAYS, values_on

                value = {**value, **values_on(value, day)} if value.get(DAYS) else value
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
            self._db = ladybug.Database(str(build), read_only=True, buffer_pool_size=pool_size(build))
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
        from graph.dataset.asof import days_tables
        from graph.model.schema import load_schema

        schema = load_schema()
        days = days_tables(schema)  # the as-of tables of derived relations: not the graph's, not counted
        expected = {**{label: "NODE" for label in schema.nodes}, **{rel: "REL" for rel in [*schema.relations, *days]}}
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
        edges = sum(
            count for table, count in _rows(self._connection.execute("MATCH ()-[r]->() RETURN label(r), count(r)"))
            if table not in days
        )  # fmt: skip
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

    @staticmethod
    def _starts(params: dict[str, Any], starts: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
        """The list parameters of start ids that hold one id whose label the caller gave (``starts``),
        with those labels; their ids are added to ``params`` under
        :data:`graph.backends.ladybug.dialect.START`'s names. A start by several ids stays as written."""
        folded = []
        for parameter, label in sorted((starts or {}).items()):
            ids = params.get(parameter)
            if isinstance(ids, list) and len(ids) == 1 and isinstance(ids[0], str) and START.format(parameter) not in params:
                folded.append((parameter, label))
                params[START.format(parameter)] = ids[0]
        return tuple(folded)

    def run(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        timeout: float | None = None,
        starts: dict[str, str] | None = None,
        as_of: tuple[str, frozenset[str]] | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement; return its column names and rows (dicts). The database is built from data
        files and never written: ``write`` is refused, and so is a statement that is not a read
        (:func:`graph.cypher.readonly.read_only_statement`). Past ``timeout`` seconds (None: no limit) the
        engine stops the statement: :class:`QueryTimeout`. ``starts`` gives the label of the one node a
        list parameter of start ids holds: that start is looked up by primary key
        (:func:`graph.backends.ladybug.dialect.to_ladybug`). ``as_of`` (a day, and the start parameters
        that hold only nodes that exist that day) runs it on the graph as of that day
        (:func:`graph.backends.ladybug.as_of.as_of`)."""
        if write:
            raise ReadOnlyError("refused: the embedded database is read-only; edit the data files and run `techgraph load`")
        params = dict(params or {})
        folded = self._starts(params, starts)
        if as_of is not None:
            from graph.backends.ladybug.as_of import as_of_parameters  # a view's: the whole graph's queries skip its imports

            params.update(as_of_parameters(as_of[0]))
        statement, named = checked(text, folded, as_of[1] if as_of is not None else None)  # what runs is the checked text
        self._connection.set_query_timeout(max(1, round(timeout * 1000)) if timeout else 0)  # 0: no limit
        try:
            result = _single(self._connection.execute(statement, {k: v for k, v in params.items() if k in named}))
        except RuntimeError as exc:
            if timeout and "Interrupted" in str(exc):
                raise QueryTimeout(timeout) from None
            raise QueryError(f"query failed on the embedded engine: {' '.join(str(exc).split())}") from None
        columns = result.get_column_names()
        # Only the columns of types plain() changes are converted (tens of thousands of rows: half the time).
        convert = [i for i, kind in enumerate(result.get_column_data_types()) if converted(kind)]
        rows = []
        for row in result.get_all():
            values = list(row)
            for i in convert:
                values[i] = plain(values[i], as_of[0] if as_of is not None else None)
            rows.append(dict(zip(columns, values, strict=False)))
        return columns, rows

    def copy_to_csv(self, match: str, columns: list[tuple[str, str]], path: Path) -> None:
        """Write the rows of ``match`` (a read pattern, with its WHERE) to the CSV file ``path`` with the
        engine's own ``COPY ... TO``, a column for each ``(expression, header name)``: a header line,
        RFC 4180 quoting, no row through Python.

        >>> import graph, tempfile
        >>> path = Path(tempfile.mkdtemp()) / "apps.csv"
        >>> columns = [("n.id", "id:ID"), ("n.name", "name")]
        >>> graph.open().engine.copy_to_csv("MATCH (n:App) WHERE n.id STARTS WITH 'we'", columns, path)
        >>> sorted(path.read_text(encoding="utf-8").splitlines())
        ['id:ID,name', 'wechat,WeChat', 'wechat-pay,WeChat Pay', 'wecom,WeCom']
        """
        from graph.backends.ladybug.build import cypher_string

        returned = ", ".join(f"{expression} AS `{name}`" for expression, name in columns)
        target = cypher_string(str(Path(path).resolve()))
        try:
            self._connection.execute(f"COPY ({match} RETURN {returned}) TO {target} (HEADER=true)")
        except RuntimeError as exc:
            raise QueryError(f"{path}: the embedded engine could not write it: {' '.join(str(exc).split())}") from None

    def batches(self, schema, size: int) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        """Everything the database holds, read table by table: every node label's rows first, then every
        relation's by ``(type, from label, to label)``, in batches of at most ``size`` rows, each row a
        dict of its present (not null) properties plus ``id`` (a node) or ``from``, ``to``, ``key``.

        The engine hands the rows over ``size`` at a time: only one batch is held in Python.

        >>> import tempfile
        >>> from graph.backends.ladybug.folder import ensure_database
        >>> from graph.model.schema import load_schema
        >>> folder = Path(tempfile.mkdtemp()); _ = ensure_database(folder)
        >>> kind, rows = next(EmbeddedEngine(folder).batches(load_schema(), 2))
        >>> kind, len(rows), "id" in rows[0]
        ('Government', 2, True)
        """
        kinds = [*schema.nodes, *((t, a, b) for t, relation in schema.relations.items() for a, b in relation.pairs)]
        for kind in kinds:
            properties = list(schema.properties_of(kind))
            if isinstance(kind, str):
                columns = ["id", *(p for p in properties if p != "id")]
                match = f"MATCH (n:{kind})"
                values = [f"n.{c}" for c in columns]
            else:
                columns = ["from", "to", "key", *(p for p in properties if p != "key")]
                match = f"MATCH (a:{kind[1]})-[n:{kind[0]}]->(b:{kind[2]})"
                values = ["a.id", "b.id", *(f"n.{c}" for c in columns[2:])]
            result = _single(self._connection.execute(f"{match} RETURN {', '.join(values)}"))
            while result.has_next():
                rows = [
                    {c: v for c, v in zip(columns, row, strict=True) if v is not None}
                    for row in result.get_n(size)
                ]  # fmt: skip
                yield kind, rows
            result.close()

    def close(self) -> None:
        """Release the database."""
        if self._conn is not None:
            self._conn.close()
        if self._db is not None:
            self._db.close()


class AsOfEngine:
    """An embedded database as it stood on a day: the same database, every statement rewritten
    (:func:`graph.backends.ladybug.as_of.as_of`); nothing is copied or written, so it works on a
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
        self,
        text: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        timeout: float | None = None,
        starts: dict[str, str] | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement on the graph as of the day (as :meth:`EmbeddedEngine.run`). The ids a start
        parameter holds (``(n) WHERE n.id IN $p``) are narrowed first to nodes that existed that day, so
        that the start stays a primary-key lookup."""
        params = dict(params or {})
        narrowed = set()
        for parameter in start_parameters(text):
            ids = params.get(parameter)
            if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                label = (starts or {}).get(parameter)
                params[parameter] = self._existing(ids, {ids[0]: label} if label and len(ids) == 1 else None)
                narrowed.add(parameter)
        return self.engine.run(text, params, write, timeout, starts, as_of=(self.day, frozenset(narrowed)))

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
