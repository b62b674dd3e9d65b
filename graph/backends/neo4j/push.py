"""Push a graph into Neo4j: constraints first, then batched ``UNWIND $rows ...`` statements on the keys.

Into a database that holds no node of the schema's labels (a first push, or ``replace``),
nodes and relationships are created (``CREATE``: nothing to look for), each row's
properties set as one map (``SET n = r``, the row holding only present properties);
otherwise they merge, nodes on ``id`` and relations on their ``key``, every schema
property set by name (an absent one is null, which removes a stale value), so pushing
twice leaves the same counts. A relation row's ends are matched by label and ``id``
(the label's uniqueness index).

>>> from graph.model.schema import load_schema
>>> statements = push_statements(load_schema())
>>> statements["nodes"]["App"].startswith("UNWIND $rows AS r MERGE (n:App {id: r.id}) SET n.name = r.name")
True
>>> statements["new_nodes"]["App"]
'UNWIND $rows AS r CREATE (n:App) SET n = r'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graph.backends.neo4j.engine import Neo4jEngine
from graph.backends.neo4j.settings import PUSH_BATCH_SIZE
from graph.errors import QueryError
from graph.model.schema import Schema


def _set_clause(variable: str, properties, skip: str) -> str:
    # toFloat, toInteger and toStringList keep a batch whose values are all null typed on every engine.
    return ", ".join(
        f"{variable}.{p.name} = " + (f"{p.kind.neo4j_cast}(r.{p.name})" if p.kind.neo4j_cast else f"r.{p.name}")
        for p in properties.values()
        if p.name != skip
    )


def _writes(schema: Schema, verb: str) -> tuple[dict[str, str], dict[tuple[str, str, str], str]]:
    """The node and relation statements that write with ``verb``: MERGE (each property by name), or
    CREATE (a row's properties as one map: ``r`` for a node, ``r.p`` for a relation, see :func:`_relation_rows`)."""
    merge = verb == "MERGE"
    nodes = {
        label: f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET {_set_clause('n', node.properties, 'id')}"
        if merge else f"UNWIND $rows AS r CREATE (n:{label}) SET n = r"
        for label, node in schema.nodes.items()
    }  # fmt: skip
    relations = {
        (rel_type, a, b): f"UNWIND $rows AS r MATCH (a:{a} {{id: r.from}}) MATCH (b:{b} {{id: r.to}}) " + (
            f"MERGE (a)-[x:{rel_type} {{key: r.key}}]->(b) SET {_set_clause('x', rel.properties, 'key')}"
            if merge else f"CREATE (a)-[x:{rel_type}]->(b) SET x = r.p"
        )
        for rel_type, rel in schema.relations.items()
        for a, b in rel.pairs
    }  # fmt: skip
    return nodes, relations


def _relation_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Relation rows for a CREATE statement: the ends apart, the properties (``key`` among them) as the map ``p``.

    >>> _relation_rows([{"from": "a", "to": "b", "key": "k", "share": 0.5}])
    [{'from': 'a', 'to': 'b', 'p': {'key': 'k', 'share': 0.5}}]
    """
    return [{"from": r["from"], "to": r["to"], "p": {k: v for k, v in r.items() if k != "from" and k != "to"}} for r in rows]


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
        rows = [{p: v for p, v in row.items() if v is not None} for row in batch]
        if isinstance(kind, str):
            engine.run(nodes[kind], {"rows": rows}, write=True)
        else:
            engine.run(relations[kind], {"rows": _relation_rows(rows) if create else rows}, write=True)
        if progress:
            progress(len(batch))
    return counts(engine, schema)


def counts(engine: Neo4jEngine, schema: Schema) -> dict[str, int]:
    """Nodes of the schema's labels and relationships of its types, as Neo4j counts them."""
    nodes = sum(engine.run(f"MATCH (n:{label}) RETURN count(n) AS c")[1][0]["c"] for label in schema.nodes)
    rels = sum(engine.run(f"MATCH ()-[r:{t}]->() RETURN count(r) AS c")[1][0]["c"] for t in schema.relations)
    return {"nodes": nodes, "relationships": rels}
