"""CSV for ``neo4j-admin database import``: ``<Label>_nodes.csv`` and ``<TYPE>_relationships.csv``.

The headers follow neo4j-admin: ``id:ID``, ``:LABEL``, ``:START_ID``,
``:END_ID``, ``:TYPE``, ``name:string[]`` for string lists and ``name:double``
for floats, ``name:long`` for integers; dates stay strings, as on every other
engine. List items are joined with ``;``, neo4j-admin's default array
delimiter (an item containing ``;`` is an error). :func:`neo4j_admin_command`
gives the command line that imports the folder into a new database.

neo4j-admin cannot store an empty list (an empty field is no property) nor, in
Neo4j community, create constraints (its ``--schema`` needs the block format).
``after_import.cypher`` (:func:`after_import`), run once the server is up
(``cypher-shell -f after_import.cypher``), creates the uniqueness constraints
``techgraph push`` creates and puts the empty lists back: a list a table never
leaves out (``aliases``) is empty wherever the import left it unset; where a list
may also be absent, each row names its empty ones in one more column,
``techgraph_empty_lists``, which the script reads and removes. The database then
holds what ``techgraph push`` writes.

:func:`write_csv` writes a networkx graph; :func:`write_csv_from_database` writes the same
files from the embedded database with the engine's own ``COPY ... TO`` (no row through Python:
at a million relationships seconds where the graph alone takes half a minute to load).
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import DataError
from graph.model.schema import Property, Schema, load_schema
from graph.model.types import PROPERTY_TYPES
from graph.outputs.exports.base import Exporter

ARRAY_DELIMITER = ";"
AFTER_IMPORT = "after_import.cypher"
EMPTY_LISTS = "techgraph_empty_lists"  # the names of a row's empty lists, until after_import.cypher has run
NEO4J_TYPES = {name: kind.neo4j_admin for name, kind in PROPERTY_TYPES.items()}


@dataclass(frozen=True)
class _Table:
    """One file: a label's nodes or a relation type's relationships, and the properties it holds."""

    kind: str
    is_node: bool
    properties: list[Property]

    @property
    def name(self) -> str:
        return f"{self.kind}_{'nodes' if self.is_node else 'relationships'}.csv"

    @property
    def match(self) -> str:
        """The MATCH of its rows, ``n`` each (a relationship's ends ``a`` and ``b``), on LadybugDB and Neo4j alike."""
        return f"MATCH (n:{self.kind})" if self.is_node else f"MATCH (a)-[n:{self.kind}]->(b)"

    @property
    def lists(self) -> list[str]:
        return [p.name for p in self.properties if p.type == "string-list"]

    @property
    def header(self) -> list[str]:
        ends = ["id:ID"] if self.is_node else [":START_ID", ":END_ID", ":TYPE"]
        empty = [EMPTY_LISTS + NEO4J_TYPES["string-list"]] if self.lists else []
        return [*ends, *(p.name + NEO4J_TYPES[p.type] for p in self.properties), *empty, *([":LABEL"] if self.is_node else [])]


# A table's lists that are empty somewhere, each marked when it is also absent somewhere: then only a
# row's own mark (EMPTY_LISTS) tells the import's unset one that was empty from one that was absent.
Empties = dict[str, bool]


def _tables(schema: Schema) -> list[_Table]:
    return [
        *(_Table(label, True, [p for p in node.properties.values() if p.name != "id"]) for label, node in schema.nodes.items()),
        *(_Table(rel_type, False, list(rel.properties.values())) for rel_type, rel in schema.relations.items()),
    ]


def _cell(value: Any, where: str, prop: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        for item in value:
            if ARRAY_DELIMITER in item:
                raise DataError(f"{where}: {prop} item {item!r} contains {ARRAY_DELIMITER!r}, the neo4j-admin array delimiter")
        return ARRAY_DELIMITER.join(value)
    return repr(value) if isinstance(value, float) else str(value)


def _write_table(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_csv(g: nx.MultiDiGraph, folder: Path | str, schema: Schema | None = None) -> list[Path]:
    """Write one nodes file per label and one relationships file per type present in the graph, and
    ``after_import.cypher``.

    >>> import tempfile
    >>> from graph import load_graph
    >>> files = write_csv(load_graph(), tempfile.mkdtemp())
    >>> files[0].read_text(encoding="utf-8").splitlines()[0]
    'id:ID,name,aliases:string[],summary,sources:string[],identifiers:string[],merges:string[],country,kind,techgraph_empty_lists:string[],:LABEL'
    """
    schema = schema or load_schema()
    files: list[Path] = []
    empty: dict[str, Empties] = {}
    for table in _tables(schema):
        items: list[tuple[tuple[str, ...], dict[str, Any], str]]  # the row's ends, its data, what names it in an error
        if table.is_node:
            items = [((n,), d, f"{table.kind} {n!r}") for n, d in g.nodes(data=True) if d["label"] == table.kind]
        else:
            edges = g.edges(keys=True, data=True)
            items = [((u, v, table.kind), {**d, "key": k}, k) for u, v, k, d in edges if d["type"] == table.kind]
        if not items:
            continue
        found = empty[table.kind] = {
            p: any(d.get(p) is None for _, d, _ in items) for p in table.lists if any(d.get(p) == [] for _, d, _ in items)
        }
        rows = [
            [*ends, *(_cell(d.get(p.name), where, p.name) for p in table.properties),
             *([ARRAY_DELIMITER.join(p for p, marked in found.items() if marked and d.get(p) == [])] if table.lists else []),
             *([table.kind] if table.is_node else [])]
            for ends, d, where in items
        ]  # fmt: skip
        files.append(_write_table(Path(folder) / table.name, table.header, rows))
    return [*files, write_after_import(Path(folder), schema, empty)]


def after_import(schema: Schema, empty: dict[str, Empties]) -> list[str]:
    """The statements that make an imported database what ``techgraph push`` writes: the uniqueness
    constraints, then, for each label or type (``empty``: its lists empty somewhere, each marked when rows
    must name it), every list it never leaves out set empty where the import left it unset, and the lists
    its rows name (:data:`EMPTY_LISTS`) set empty, the names removed.

    >>> for statement in after_import(load_schema(), {"Company": {"aliases": False}, "OWNS": {"records": True}})[-2:]:
    ...     print(statement.replace(" SET ", "\\n  SET ").replace(" REMOVE ", "\\n  REMOVE "))
    MATCH (n:Company) WHERE n.aliases IS NULL
      SET n.aliases = []
    MATCH (a)-[n:OWNS]->(b) WHERE n.techgraph_empty_lists IS NOT NULL
      SET n.records = CASE WHEN 'records' IN n.techgraph_empty_lists THEN [] ELSE n.records END
      REMOVE n.techgraph_empty_lists
    """
    fixes = []
    for table in (t for t in _tables(schema) if empty.get(t.kind)):
        match, found = table.match, empty[table.kind]
        fixes += [f"{match} WHERE n.{p} IS NULL SET n.{p} = []" for p, marked in found.items() if not marked]
        if any(found.values()):
            sets = ", ".join(f"n.{p} = CASE WHEN '{p}' IN n.{EMPTY_LISTS} THEN [] ELSE n.{p} END" for p, m in found.items() if m)
            fixes.append(f"{match} WHERE n.{EMPTY_LISTS} IS NOT NULL SET {sets} REMOVE n.{EMPTY_LISTS}")
    return [*schema.neo4j_constraints(), *fixes]


def write_after_import(folder: Path, schema: Schema, empty: dict[str, Empties]) -> Path:
    """``after_import.cypher``: :func:`after_import`, one statement a line, for ``cypher-shell -f``."""
    path = Path(folder) / AFTER_IMPORT
    path.write_text("".join(f"{statement};\n" for statement in after_import(schema, empty)), encoding="utf-8")
    return path


def _copied(table: _Table, found: Empties) -> list[tuple[str, str]]:
    """``(expression, header name)`` of each column of ``table`` as ``COPY ... TO`` writes it: a list
    joined with the array delimiter (an empty one as an empty field, named in :data:`EMPTY_LISTS` when
    ``found`` marks it), anything else as the engine has it."""

    def value(p: Property) -> str:
        if p.type == "string-list":
            return f"CASE WHEN size(n.{p.name}) = 0 THEN NULL ELSE list_to_string('{ARRAY_DELIMITER}', n.{p.name}) END"
        return f"n.{p.name}"

    ends = ["n.id"] if table.is_node else ["a.id", "b.id", f"'{table.kind}'"]
    empty, marked = [], [p for p, m in found.items() if m]
    if marked:  # ";name" for each empty list, the first ";" cut (LadybugDB 0.22's list lambdas crash at scale)
        each = (f"CASE WHEN size(n.{p}) = 0 THEN '{ARRAY_DELIMITER}{p}' ELSE '' END" for p in marked)
        names = f"concat({', '.join(each)})"
        empty = [f"CASE WHEN {names} = '' THEN NULL ELSE substring({names}, 2, size({names})) END"]
    elif table.lists:
        empty = ["NULL"]
    expressions = [*ends, *(value(p) for p in table.properties), *empty, *([f"'{table.kind}'"] if table.is_node else [])]
    return list(zip(expressions, table.header, strict=True))


def write_csv_from_database(engine: Any, folder: Path | str, schema: Schema | None = None) -> list[Path]:
    """The files of :func:`write_csv`, written from an embedded database (an
    :class:`~graph.backends.ladybug.engine.EmbeddedEngine`) by the engine's ``COPY (MATCH ...) TO``.

    The rows come in the engine's order, their values alike but for floats, which the engine writes
    with six decimals: a table holding a float that six decimals do not give back exactly is written
    through Python instead. A list item holding the array delimiter is refused, as by :func:`write_csv`.

    >>> import graph, tempfile
    >>> files = write_csv_from_database(graph.open().engine, tempfile.mkdtemp())
    >>> files[0].name, files[0].read_text(encoding="utf-8").splitlines()[0].split(",")[:3]
    ('Government_nodes.csv', ['id:ID', 'name', 'aliases:string[]'])
    """
    schema = schema or load_schema()
    files: list[Path] = []
    empty: dict[str, Empties] = {}
    for table in _tables(schema):
        match = table.match
        if not _count(engine, match, "true"):
            continue
        for prop in table.lists:
            _refuse_delimiter(engine, match, table, prop)
        found = empty[table.kind] = {
            p: bool(_count(engine, match, f"n.{p} IS NULL")) for p in table.lists if _count(engine, match, f"size(n.{p}) = 0")
        }
        path, columns = Path(folder) / table.name, _copied(table, found)
        if any(_inexact(engine, match, p.name) for p in table.properties if p.type == "float"):
            rows = engine.run(f"{match} RETURN " + ", ".join(f"{e} AS c{i}" for i, (e, _) in enumerate(columns)))[1]
            _write_table(path, table.header, [[_cell(v, table.kind, "") for v in row.values()] for row in rows])
        else:
            engine.copy_to_csv(match, columns, path)
        files.append(path)
    return [*files, write_after_import(Path(folder), schema, empty)]


def _refuse_delimiter(engine: Any, match: str, table: _Table, prop: str) -> None:
    """DataError naming the first list item of ``prop`` that holds the array delimiter (found as more
    delimiters in the joined list than gaps between its items)."""
    joined = f"list_to_string('{ARRAY_DELIMITER}', n.{prop})"
    delimiters = f"size({joined}) - size(replace({joined}, '{ARRAY_DELIMITER}', ''))"
    found = engine.run(f"{match} WHERE size(n.{prop}) > 0 AND {delimiters} >= size(n.{prop}) "
                       f"RETURN {'n.id' if table.is_node else 'n.key'} AS id, n.{prop} AS items LIMIT 1")[1]  # fmt: skip
    if found:
        item = next(i for i in found[0]["items"] if ARRAY_DELIMITER in i)
        where = f"{table.kind} {found[0]['id']!r}"
        raise DataError(f"{where}: {prop} item {item!r} contains {ARRAY_DELIMITER!r}, the neo4j-admin array delimiter")


def _count(engine: Any, match: str, where: str) -> int:
    """How many rows of ``match`` meet ``where``."""
    return engine.run(f"{match} WHERE {where} RETURN count(*) AS rows")[1][0]["rows"]


def _inexact(engine: Any, match: str, prop: str) -> bool:
    """Whether a value of the float ``prop`` would change in the six decimals ``COPY ... TO`` writes."""
    return bool(_count(engine, match, f"CAST(CAST(n.{prop} AS STRING) AS DOUBLE) <> n.{prop}"))


def neo4j_admin_command(files: Iterable[Path | str], database: str = "neo4j") -> str:
    """The ``neo4j-admin`` (Neo4j 5.19+) command line importing :func:`write_csv`'s files into a new database.

    Run it with the database stopped (it replaces the database) where
    neo4j-admin can read the paths, then, once the server runs, ``after_import.cypher``
    (:func:`after_import`).

    >>> print(neo4j_admin_command(["out/OWNS_relationships.csv", "out/Company_nodes.csv"]))  # doctest: +NORMALIZE_WHITESPACE
    neo4j-admin database import full neo4j --overwrite-destination '--array-delimiter=;' --multiline-fields=true
    --nodes=out/Company_nodes.csv --relationships=out/OWNS_relationships.csv
    """
    paths = [Path(f) for f in files]
    return shlex.join([
        "neo4j-admin", "database", "import", "full", database, "--overwrite-destination",
        f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true",
        *(f"--nodes={p}" for p in paths if p.name.endswith("_nodes.csv")),
        *(f"--relationships={p}" for p in paths if p.name.endswith("_relationships.csv")),
    ])


EXPORTER = Exporter("csv", write_csv, write_csv_from_database)
