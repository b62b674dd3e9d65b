"""Export the graph for other tools: GraphML, GEXF, FollowTheMoney and neo4j-admin CSV.

``export(g, fmt, out_dir)`` writes one format into a folder (created if
missing) and returns the files written. Each format is a module with an
:class:`~graph.outputs.exports.base.Exporter`; :data:`EXPORTERS` maps the
format names to them:

* ``graphml`` (:mod:`.graphml`) -> ``techgraph.graphml`` and ``gexf``
  (:mod:`.gexf`) -> ``techgraph.gexf``: for networkx, Gephi, yEd, Cytoscape;
  every property kept, lists as JSON text. :func:`read_graphml` and
  :func:`read_gexf` give back the graph :func:`load_graph` built.
* ``ftm`` (:mod:`.ftm`) -> ``techgraph.ftm.json``: FollowTheMoney entities, one
  JSON object a line sorted by id, as OpenSanctions and Aleph read them (see
  :func:`ftm_entities`).
* ``csv`` (:mod:`.neo4j_csv`) -> ``<Label>_nodes.csv`` and
  ``<TYPE>_relationships.csv`` in the header format of ``neo4j-admin database
  import``; :func:`neo4j_admin_command` gives the command line that imports
  the folder into a new database.

Every public name of the formats is importable from here.

Example
-------
>>> import tempfile
>>> from graph import load_graph
>>> [p.name for p in export(load_graph(), "graphml", tempfile.mkdtemp())]
['techgraph.graphml']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import DataError, QueryError
from graph.model.schema import Schema
from graph.outputs.exports import ftm, gexf, graphml, neo4j_csv
from graph.outputs.exports.base import Exporter, one_file
from graph.outputs.exports.ftm import FTM_NODES, FTM_RELATIONS, ftm_entities, ftm_id, write_ftm
from graph.outputs.exports.gexf import read_gexf, write_gexf
from graph.outputs.exports.graphml import read_graphml, write_graphml
from graph.outputs.exports.neo4j_csv import (
    AFTER_IMPORT,
    ARRAY_DELIMITER,
    EMPTY_LISTS,
    NEO4J_TYPES,
    after_import,
    neo4j_admin_command,
    write_csv,
    write_csv_from_database,
)
from graph.paths import out_folder
from graph.text import shown

# The formats, in the order the command line and the errors list them.
EXPORTERS: dict[str, Exporter] = {e.name: e for e in (graphml.EXPORTER, gexf.EXPORTER, ftm.EXPORTER, neo4j_csv.EXPORTER)}
FORMATS = tuple(EXPORTERS)

__all__ = [
    "AFTER_IMPORT",
    "ARRAY_DELIMITER",
    "EMPTY_LISTS",
    "EXPORTERS",
    "FORMATS",
    "FTM_NODES",
    "FTM_RELATIONS",
    "NEO4J_TYPES",
    "Exporter",
    "after_import",
    "export",
    "ftm_entities",
    "ftm_id",
    "neo4j_admin_command",
    "one_file",
    "read_gexf",
    "read_graphml",
    "write_csv",
    "write_csv_from_database",
    "write_ftm",
    "write_gexf",
    "write_graphml",
]


def export(g: Any, fmt: str, out_dir: Path | str, schema: Schema | None = None) -> list[Path]:
    """Write the graph in one format into ``out_dir`` (created if missing).

    Parameters
    ----------
    g : networkx.MultiDiGraph or EmbeddedEngine
        A graph as :func:`load_graph` builds it, or, for a format whose exporter has
        ``write_database`` (``csv``), an embedded database's engine.
    fmt : str
        One of ``graphml``, ``gexf``, ``ftm``, ``csv`` (the keys of :data:`EXPORTERS`).
    out_dir : path-like
        The folder to write into; existing files of the same names are replaced.
    schema : Schema, optional
        Defaults to the shipped schema.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    QueryError
        On an unknown format, or an ``out_dir`` that cannot be a folder (a file is in the way).
    DataError
        When the folder or a file in it cannot be written (permissions, a full disk); a file
        half-written is removed.

    Examples
    --------
    >>> export(None, "pdf", "out")
    Traceback (most recent call last):
    graph.errors.QueryError: unknown export format 'pdf' (formats: graphml, gexf, ftm, csv)
    """
    if fmt not in EXPORTERS:
        raise QueryError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    exporter = EXPORTERS[fmt]
    write = exporter.write if isinstance(g, nx.Graph) or exporter.write_database is None else exporter.write_database
    out = out_folder(out_dir)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}
    try:
        return write(g, out, schema)
    except OSError as exc:  # a full disk, a file in the way: what this export wrote goes, nothing half-written stays
        for path in out.iterdir():
            if path.is_file() and before.get(path.name) != path.stat().st_mtime_ns:
                path.unlink(missing_ok=True)
        raise DataError(f"{shown(exc.filename or out)}: cannot write: {exc.strerror}") from None
