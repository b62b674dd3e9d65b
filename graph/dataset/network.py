"""The dataset as a networkx graph, and graphs and rows turned into one another.

:func:`load_graph` validates the dataset (:func:`graph.dataset.validate.dataset_rows`)
and builds it as a MultiDiGraph, derived properties included;
:func:`graph_rows` streams such a graph back as rows, and :func:`row_batches`
groups rows for the backends' bulk writes.

Example
-------
>>> g = load_graph()
>>> g.nodes["tencent"]["label"], g.nodes["tencent"]["name"]
('Company', 'Tencent Holdings Limited')
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from graph.dataset.derived import derive
from graph.dataset.files import read_documents
from graph.dataset.validate import Row, dataset_rows
from graph.model.schema import Schema
from graph.paths import data_dir


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large graph is built, and resume it after.

    Building a graph of tens of thousands of nodes allocates millions of containers, none of them
    garbage, and each collection walks them all: the full SDN import spends about a quarter of its
    time there (benchmarks/RESULTS.md). Reference counting still frees everything as usual.

    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def graph_rows(g: nx.MultiDiGraph) -> Iterator[Row]:
    """A networkx graph shaped like :func:`load_graph`'s as rows shaped like :func:`dataset_rows`'.

    >>> next(graph_rows(load_graph()))[0]
    'Government'
    """
    for node, data in g.nodes(data=True):
        yield data["label"], {k: v for k, v in data.items() if k != "label"} | {"id": node}
    labels = {node: data["label"] for node, data in g.nodes(data=True)}
    for source, target, key, data in g.edges(keys=True, data=True):
        row = {k: v for k, v in data.items() if k != "type"} | {"from": source, "to": target, "key": key}
        yield (data["type"], labels[source], labels[target]), row


def row_batches(rows: Iterable[Row], schema: Schema, size: int) -> Iterator[tuple[Any, list[dict]]]:
    """Rows grouped by kind in batches of at most ``size``, every property present (None when absent).

    Every node batch comes before the first relation batch (the rows must give nodes
    first); never more than ``size`` rows of a kind are held at once, whatever the
    graph's size.

    >>> from graph.model.schema import load_schema
    >>> batches = list(row_batches(dataset_rows(), load_schema(), 1000))
    >>> batches[0][0], sorted(dict(batches)[("OWNS", "Company", "App")][0])[:3]
    ('Government', ['from', 'key', 'note'])
    """
    buckets: dict[Any, list[dict]] = {}
    relations = False
    for kind, row in rows:
        is_node = isinstance(kind, str)
        if not is_node and not relations:  # every node is written before the first relation needs its ends
            relations = True
            yield from ((label, batch) for label, batch in buckets.items() if batch)
            buckets = {}
        ends = ("id",) if is_node else ("from", "to", "key")
        bucket = buckets.setdefault(kind, [])
        bucket.append({p: row.get(p) for p in (*schema.properties_of(kind), *ends)})
        if len(bucket) >= size:
            yield kind, buckets.pop(kind)
    yield from ((kind, batch) for kind, batch in buckets.items() if batch)


def load_graph(folders: Iterable[Path | str] | None = None, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Validate the dataset and build it as a networkx MultiDiGraph.

    Parameters
    ----------
    folders : list of path-like, optional
        Data folders; defaults to the shipped ``data/``. Extra folders given
        after it add records of the same format (and may catalogue their own
        documents).
    schema : Schema, optional
        Defaults to the shipped schema.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute and their properties;
        edges are keyed by :meth:`~graph.model.schema.Schema.relation_key` and carry ``type`` and their
        properties.

    Raises
    ------
    DataError
        On the first bad record, naming file, line, record and field.

    Examples
    --------
    >>> g = load_graph()
    >>> any(d["type"] == "OWNS" for _, _, d in g.in_edges("wechat", data=True))
    True
    """
    paths = [Path(f) for f in (folders or [data_dir()])]
    documents = read_documents(paths)
    g: nx.MultiDiGraph = nx.MultiDiGraph(documents=documents)
    for kind, row in dataset_rows(paths, schema, documents):
        if isinstance(kind, str):
            g.add_node(row.pop("id"), label=kind, **row)
        else:
            g.add_edge(row.pop("from"), row.pop("to"), key=row.pop("key"), type=kind[0], **row)
    derive(g)
    return g
