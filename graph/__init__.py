"""techgraph: a graph database of the US–China technology conflict.

>>> import graph
>>> g = graph.open()                      # embedded database, built on first use
>>> rows = g.query("measures-hitting", entity="Tencent")   # Tencent and everything it owns
>>> "eo-13943" in {r["measure_id"] for r in rows}
True
"""

from typing import TYPE_CHECKING, Any

from graph.api import Rows, TechGraph, check, load, open
from graph.errors import (
    DatabaseError,
    DataError,
    PictureError,
    QueryError,
    ReadOnlyError,
    SchemaError,
    TechgraphError,
    UnknownEntityError,
)

if TYPE_CHECKING:
    from graph.dataset.network import load_graph
    from graph.lists.editions import import_list
    from graph.model.schema import load_schema

__all__ = [
    "DataError",
    "DatabaseError",
    "PictureError",
    "QueryError",
    "ReadOnlyError",
    "Rows",
    "SchemaError",
    "TechGraph",
    "TechgraphError",
    "UnknownEntityError",
    "check",
    "import_list",
    "load",
    "load_graph",
    "load_schema",
    "open",
]
__version__ = "0.1.0"

# Loaded on first use, so that a stored query never loads networkx, pydantic or the importers.
_LAZY = {
    "import_list": "graph.lists.editions",
    "load_graph": "graph.dataset.network",
    "load_schema": "graph.model.schema",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
