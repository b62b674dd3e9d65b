"""The one interface every engine offers, and what can be built on any engine.

An engine runs Neo4j-dialect Cypher and returns plain Python rows in the same
shapes everywhere: a node is a dict with its ``label`` and properties, a
relationship a dict with its ``type`` and properties, a path a dict of ``nodes``
and ``relationships``; numbers are ``int`` or ``float``.

>>> from graph.backends.ladybug.engine import EmbeddedEngine
>>> members = ("run", "resolve", "close", "can_write", "read_functions")
>>> all(hasattr(EmbeddedEngine, member) for member in members)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import networkx as nx


class Engine(Protocol):
    """What the API needs of a database: run a statement, resolve a name, close."""

    can_write: bool  # whether ``run(..., write=True)`` may change the database

    @property
    def read_functions(self) -> frozenset[str] | None:
        """The functions an ad-hoc CALL may run (None: any, the server's read transaction refusing writes)."""
        ...

    def run(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        timeout: float | None = None,
        starts: dict[str, str] | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement; return its column names and rows (dicts). Past ``timeout`` seconds (None:
        no limit of techgraph's) the engine stops it and raises :class:`graph.errors.QueryTimeout`.
        ``starts`` maps a list parameter of start ids (``MATCH (n) WHERE n.id IN $p``) holding one id to
        that node's label, when the caller knows it (it resolved the name): an engine may look it up by key."""
        ...

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes ``name`` names (any case; id, name or alias): id, name and label, ordered by id."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...


# The data's relations (a relationship of no type is given the data's types), then each derived type by name.
_RELATIONS = "MATCH (a)-[r{}]->(b) RETURN a.id AS source, b.id AS target, r AS rel"


def graph_from_engine(engine: Engine, documents: dict[str, Any] | None = None) -> nx.MultiDiGraph:
    """Everything an engine holds, as a networkx MultiDiGraph shaped like :func:`graph.dataset.network.load_graph`'s.

    >>> import graph
    >>> g = graph_from_engine(graph.open().engine)
    >>> g.nodes["wechat"]["label"], g.number_of_edges() == graph.load_graph().number_of_edges()
    ('App', True)
    """
    import networkx as nx

    from graph.model.schema import load_schema

    g: nx.MultiDiGraph = nx.MultiDiGraph(documents=documents or {})
    for row in engine.run("MATCH (n) RETURN n AS node")[1]:
        node = dict(row["node"])
        node.setdefault("aliases", [])
        g.add_node(node.pop("id"), **node)
    derived = [rel_type for rel_type, rel in load_schema().relations.items() if rel.derived]
    for rel_pattern in ["", *(f":{rel_type}" for rel_type in derived)]:
        for row in engine.run(_RELATIONS.format(rel_pattern))[1]:
            rel = dict(row["rel"])
            g.add_edge(row["source"], row["target"], key=rel.pop("key"), **rel)
    return g
