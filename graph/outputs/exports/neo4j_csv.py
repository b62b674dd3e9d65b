"""CSV for ``neo4j-admin database import``: ``<Label>_nodes.csv`` and ``<TYPE>_relationships.csv``.

The headers follow neo4j-admin: ``id:ID``, ``:LABEL``, ``:START_ID``,
``:END_ID``, ``:TYPE``, ``name:string[]`` for string lists and ``name:double``
for floats, ``name:long`` for integers; dates stay strings, as on every other
engine. List items are joined with ``;``, neo4j-admin's default array
delimiter (an item containing ``;`` is an error), and an empty list is an empty
field, which neo4j-admin leaves unset. :func:`neo4j_admin_command` gives the
command line that imports the folder into a new database.
"""

from __future__ import annotations

import csv
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import DataError
from graph.model.schema import Schema, load_schema
from graph.outputs.exports.base import Exporter

ARRAY_DELIMITER = ";"
NEO4J_TYPES = {"string": "", "date": "", "float": ":double", "integer": ":long", "string-list": ":string[]"}


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
    """Write one nodes file per label and one relationships file per type present in the graph.

    >>> import tempfile
    >>> from graph import load_graph
    >>> files = write_csv(load_graph(), tempfile.mkdtemp())
    >>> files[0].read_text(encoding="utf-8").splitlines()[0]
    'id:ID,name,aliases:string[],summary,sources:string[],identifiers:string[],merges:string[],country,kind,:LABEL'
    """
    schema = schema or load_schema()
    folder = Path(folder)
    files = []
    for label, node in schema.nodes.items():
        props = [p for p in node.properties.values() if p.name != "id"]
        rows = [
            [n, *(_cell(d.get(p.name), f"{label} {n!r}", p.name) for p in props), label]
            for n, d in g.nodes(data=True)
            if d["label"] == label
        ]
        if rows:
            header = ["id:ID", *(p.name + NEO4J_TYPES[p.type] for p in props), ":LABEL"]
            files.append(_write_table(folder / f"{label}_nodes.csv", header, rows))
    for rel_type, rel in schema.relations.items():
        props = list(rel.properties.values())
        rows = [
            [u, v, rel_type, *(_cell({**d, "key": k}.get(p.name), k, p.name) for p in props)]
            for u, v, k, d in g.edges(keys=True, data=True)
            if d["type"] == rel_type
        ]
        if rows:
            header = [":START_ID", ":END_ID", ":TYPE", *(p.name + NEO4J_TYPES[p.type] for p in props)]
            files.append(_write_table(folder / f"{rel_type}_relationships.csv", header, rows))
    return files


def neo4j_admin_command(files: Iterable[Path | str], database: str = "neo4j") -> str:
    """The ``neo4j-admin`` (Neo4j 5.19+) command line importing :func:`write_csv`'s files into a new database.

    Run it with the database stopped (it replaces the database) where
    neo4j-admin can read the paths, then create the uniqueness constraints
    (:meth:`Schema.neo4j_constraints`) that ``techgraph push`` would.

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


EXPORTER = Exporter("csv", write_csv)
