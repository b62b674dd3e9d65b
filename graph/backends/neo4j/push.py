"""Push a graph into Neo4j: constraints first, then batched ``UNWIND $rows ...`` statements on the keys.

Each row is a plain list of values in the order of :func:`columns` (no property name
sent per row). Into a database that holds no node of the schema's labels (a first push,
or ``replace``), nodes and relationships are created (``CREATE``: nothing to look for)
with their properties as one map (a null value is not stored); otherwise they merge,
nodes on ``id`` and relations on their ``key``, every schema property set by name (an
absent one is null, which removes a stale value), so pushing twice leaves the same
counts. A relation row's ends are matched by label and ``id`` (the label's uniqueness
index): the batches come grouped by (type, from label, to label).

>>> from graph.model.schema import load_schema
>>> statements = push_statements(load_schema())
>>> statements["nodes"]["App"].startswith("UNWIND $rows AS r MERGE (n:App {id: r[0]}) SET n.name = r[1]")
True
>>> statements["new_nodes"]["App"].startswith("UNWIND $rows AS r CREATE (n:App {id: r[0], name: r[1], aliases: r[2]")
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graph.backends.neo4j.engine import Neo4jEngine
from graph.backends.neo4j.settings import PUSH_BATCH_SIZE
from graph.errors import QueryError
from graph.model.schema import Schema


def columns(schema: Schema, kind: str | tuple[str, str, str]) -> list[str]:
    """A row's values in the order push sends them: ``id`` then a node's properties, or ``from``, ``to``,
    ``key`` then a relation's (each row a plain list, so no property name is sent once a row).

    >>> from graph.model.schema import load_schema
    >>> columns(load_schema(), ("OWNS", "Company", "App"))[:4]
    ['from', 'to', 'key', 'sources']
    """
    own = [p for p in schema.properties_of(kind) if p not in ("id", "key")]
    return ["id", *own] if isinstance(kind, str) else ["from", "to", "key", *own]


def _values(schema: Schema, kind, verb: str) -> list[tuple[str, str]]:
    """``(property, value)`` for each column but the ends: ``r[i]``, cast for a MERGE (toFloat, toInteger and
    toStringList keep a batch whose values are all null typed on every engine)."""
    properties = schema.properties_of(kind)
    first = 1 if isinstance(kind, str) else 2
    pairs = []
    for i, name in enumerate(columns(schema, kind)[first:], start=first):
        cast = properties[name].kind.neo4j_cast if name in properties else None
        pairs.append((name, f"{cast}(r[{i}])" if cast and verb == "MERGE" else f"r[{i}]"))
    return pairs


def _writes(schema: Schema, verb: str) -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
    """The node and relation statements that write rows of :func:`columns` with ``verb``: MERGE on the
    key, each property set by name (null removes a stale value), or CREATE with the properties as a map
    (a null one is not stored)."""
    merge = verb == "MERGE"

    def node(label: str) -> str:
        values = _values(schema, label, verb)
        if merge:
            return f"UNWIND $rows AS r MERGE (n:{label} {{id: r[0]}}) SET " + ", ".join(f"n.{p} = {v}" for p, v in values)
        return f"UNWIND $rows AS r CREATE (n:{label} {{" + ", ".join(f"{p}: {v}" for p, v in [("id", "r[0]"), *values]) + "})"

    def relation(kind: tuple[str, str, str]) -> str:
        rel_type, a, b = kind
        values = _values(schema, kind, verb)
        ends = f"UNWIND $rows AS r MATCH (a:{a} {{id: r[0]}}) MATCH (b:{b} {{id: r[1]}}) "
        if merge:
            return ends + f"MERGE (a)-[x:{rel_type} {{key: r[2]}}]->(b) SET " + ", ".join(f"x.{p} = {v}" for p, v in values[1:])
        return ends + f"CREATE (a)-[x:{rel_type} {{" + ", ".join(f"{p}: {v}" for p, v in values) + "}]->(b)"

    nodes = {label: node(label) for label in schema.nodes}
    relations = {(t, a, b): relation((t, a, b)) for t, rel in schema.relations.items() for a, b in rel.pairs}
    return nodes, relations


class _Rows(list):
    """A batch's rows as the driver sends them; its repr is short, as the driver formats a RUN's
    parameters for its debug log whether or not that log is on (``repr`` of every row, 40% of
    the client's time in a 100k push)."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def push_statements(schema: Schema) -> dict[str, Any]:
    """Every statement ``push`` sends, derived from the schema.

    Returns a dict with ``constraints`` (list), ``nodes`` (label -> MERGE),
    ``relations`` ((type, from label, to label) -> MERGE), ``new_nodes`` and
    ``new_relations`` (the same keys -> CREATE, for a database holding none of
    the schema's nodes) and ``clear`` (label -> batched DETACH DELETE).
    """
    nodes, relations = _writes(schema, "MERGE")
    new_nodes, new_relations = _writes(schema, "CREATE")
    clear = {label: f"MATCH (n:{label}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted" for label in schema.nodes}
    return {
        "constraints": schema.neo4j_constraints(),
        "nodes": nodes,
        "relations": relations,
        "new_nodes": new_nodes,
        "new_relations": new_relations,
        "clear": clear,
    }


def push(
    batches: Iterable[tuple[Any, list[dict[str, Any]]]],
    engine: Neo4jEngine,
    schema: Schema,
    batch_size: int = PUSH_BATCH_SIZE,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write rows to Neo4j: constraints, then each batch of nodes or relationships.

    ``batches`` gives ``(kind, rows)``: a node label or ``(type, from label, to
    label)``, and rows as :meth:`graph.backends.ladybug.engine.EmbeddedEngine.batches`
    or :func:`graph.dataset.network.row_batches` give them, every node batch before
    the first relation batch (``batch_size`` is what made them; ``replace`` deletes
    that many nodes a transaction). Each batch is one write transaction (retried by
    the driver on transient errors). Into a database holding none of the schema's
    nodes (after ``replace``, which first deletes every node of the schema's labels,
    or a first push) the batches CREATE; otherwise they MERGE on ``id`` and on each
    relation's ``key``, so that a second push changes nothing. ``progress`` is
    called with the number of records written after each batch.

    Returns the node and relationship counts found in Neo4j afterwards.
    """
    if batch_size < 1:
        raise QueryError(f"batch size must be at least 1, not {batch_size}")
    statements = push_statements(schema)
    for statement in statements["constraints"]:
        engine.run(statement, write=True)
    if replace:
        for statement in statements["clear"].values():
            while engine.run(statement, {"batch": batch_size}, write=True)[1][0]["deleted"]:
                pass
    create = counts(engine, schema)["nodes"] == 0  # CREATE into a database holding none of them
    prefix = "new_" if create else ""
    nodes, relations = statements[f"{prefix}nodes"], statements[f"{prefix}relations"]
    for kind, batch in batches:
        order = columns(schema, kind)  # once a batch: inside the rows' comprehension it would run once a row
        rows = _Rows([row.get(c) for c in order] for row in batch)
        engine.run((nodes if isinstance(kind, str) else relations)[kind], {"rows": rows}, write=True)
        if progress:
            progress(len(batch))
    return counts(engine, schema)


def counts(engine: Neo4jEngine, schema: Schema) -> dict[str, int]:
    """Nodes of the schema's labels and relationships of its types, as Neo4j counts them (from its count
    store). Only labels and types the database knows are asked for: Neo4j warns of an unknown one."""
    labels = {row["label"] for row in engine.run("CALL db.labels() YIELD label RETURN label")[1]}
    types = {row["type"] for row in engine.run("CALL db.relationshipTypes() YIELD relationshipType AS type RETURN type")[1]}
    nodes = sum(engine.run(f"MATCH (n:{label}) RETURN count(n) AS c")[1][0]["c"] for label in schema.nodes if label in labels)
    rels = sum(engine.run(f"MATCH ()-[r:{t}]->() RETURN count(r) AS c")[1][0]["c"] for t in schema.relations if t in types)
    return {"nodes": nodes, "relationships": rels}
