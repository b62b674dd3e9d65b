"""techgraph: a graph database of the US–China technology conflict.

>>> import graph
>>> g = graph.open()                      # embedded database, built on first use
>>> rows = g.query("measures-hitting", entity="Tencent")   # Tencent and everything it owns
>>> "eo-13943" in {r["measure_id"] for r in rows}
True
"""

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
from graph.dataset.network import load_graph
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


def __getattr__(name: str):
    # `graph.import_list` without loading the importers for every command.
    if name == "import_list":
        from graph.lists.editions import import_list

        return import_list
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
