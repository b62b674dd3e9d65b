"""What every export format is: an :class:`Exporter`, and the helpers GraphML and GEXF share.

An exporter has a name (the ``--format`` of ``techgraph export``) and a
``write(g, folder, schema)`` that writes the graph into an existing folder and
returns the files written. :func:`one_file` makes one for a format written as a
single file; :data:`graph.outputs.exports.EXPORTERS` maps each name to its
exporter.

>>> import tempfile
>>> from pathlib import Path
>>> exporter = one_file("txt", "nodes.txt", lambda g, path: Path(path).write_text("\\n".join(g)))
>>> [p.name for p in exporter.write(["a", "b"], Path(tempfile.mkdtemp()))]
['nodes.txt']
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph.model.schema import NodeType, RelationType, Schema, load_schema


@dataclass(frozen=True)
class Exporter:
    """One export format: its name, and how it writes a graph into a folder.

    ``write(g, folder, schema)`` writes into ``folder`` (which exists; files of
    the same names are replaced) and returns the files written, in order.
    ``schema`` is ``None`` for the shipped one. ``write_database``, where a
    format has it, writes the same from an embedded database's engine instead
    of a graph (no graph built).
    """

    name: str
    write: Callable[[nx.MultiDiGraph, Path, Schema | None], list[Path]]
    write_database: Callable[[Any, Path, Schema | None], list[Path]] | None = None


def one_file(name: str, file_name: str, write: Callable[[nx.MultiDiGraph, Path], None]) -> Exporter:
    """An exporter that writes the graph as the one file ``file_name`` with ``write(g, path)``."""

    def write_into(g: nx.MultiDiGraph, folder: Path, schema: Schema | None = None) -> list[Path]:
        path = folder / file_name
        write(g, path)
        return [path]

    return Exporter(name, write_into)


def json_lists(data: dict[str, Any]) -> dict[str, Any]:
    """The attributes with each list as JSON text, for formats without a list type.

    >>> json_lists({"name": "腾讯", "aliases": ["Tencent", "腾讯"]})
    {'name': '腾讯', 'aliases': '["Tencent", "腾讯"]'}
    """
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in data.items()}


def decoded(h: nx.MultiDiGraph, schema: Schema | None) -> nx.MultiDiGraph:
    """Turn the JSON text of the schema's string-list properties back into lists."""
    schema = schema or load_schema()
    kinds: list[NodeType | RelationType] = [*schema.nodes.values(), *schema.relations.values()]
    lists = {p.name for kind in kinds for p in kind.properties.values() if p.type == "string-list"}
    for data in [*(d for _, d in h.nodes(data=True)), *(d for *_, d in h.edges(data=True))]:
        data.update({k: json.loads(v) for k, v in data.items() if k in lists})
    return h
