"""Neo4j: connection settings, the read engine, and an idempotent batched push.

Settings come from arguments or ``TECHGRAPH_NEO4J_URI``, ``TECHGRAPH_NEO4J_USER``,
``TECHGRAPH_NEO4J_PASSWORD`` and ``TECHGRAPH_NEO4J_DATABASE``; the defaults match
docker-compose.yml, except the password, which has none.

>>> statements = push_statements(__import__("graph").load_schema())
>>> statements["nodes"]["App"].startswith("UNWIND $rows AS r MERGE (n:App {id: r.id}) SET n.name = r.name")
True
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from graph.errors import DatabaseError, QueryError
from graph.dataset.loader import graph_rows, row_batches
from graph.cypher.stored import RESOLVE
from graph.model.schema import Schema

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect; the password never appears in repr or messages."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(cls, uri=None, user=None, password=None, database=None) -> "Neo4jSettings":
        """Arguments first, then ``TECHGRAPH_NEO4J_*`` variables, then the defaults.

        >>> Neo4jSettings.from_env(uri="bolt://db:7687", password="secret")
        Neo4jSettings(uri='bolt://db:7687', user='neo4j', database='neo4j')
        """
        env = os.environ.get
        return cls(
            uri=uri or env("TECHGRAPH_NEO4J_URI") or DEFAULT_URI,
            user=user or env("TECHGRAPH_NEO4J_USER") or DEFAULT_USER,
            password=password if password is not None else env("TECHGRAPH_NEO4J_PASSWORD"),
            database=database or env("TECHGRAPH_NEO4J_DATABASE") or DEFAULT_DATABASE,
        )

    @property
    def shown_uri(self) -> str:
        """The URI as messages show it: a password written into it (``bolt://user:pw@host``) masked.

        >>> Neo4jSettings(uri="bolt://neo4j:pw@db:7687").shown_uri
        'bolt://neo4j:***@db:7687'
        """
        return _URI_PASSWORD.sub(r"\1***@", self.uri)

    def redact(self, text: str) -> str:
        """``text`` with the password, and any password written into the URI, replaced by ``***``."""
        secrets = [self.password or "", *(m.group(2) for m in _URI_PASSWORD.finditer(self.uri))]
        for secret in sorted(filter(None, secrets), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Neo4jSettings(uri={self.shown_uri!r}, user={self.user!r}, database={self.database!r})"


# The password part of a URI's userinfo: scheme://user:PASSWORD@host
_URI_PASSWORD = re.compile(r"(^[^:/?#]+://[^:/?#@]*:)([^@/?#]*)@")


def _explain(error: Exception, settings: Neo4jSettings) -> DatabaseError | QueryError:
    """One line for a driver error: where, as whom, what went wrong; never the password."""
    from neo4j import exceptions as ne

    where = f"Neo4j at {settings.shown_uri}"
    if isinstance(error, ne.AuthError):
        return DatabaseError(f"{where} refused the credentials of user '{settings.user}'")
    if isinstance(error, (ne.ServiceUnavailable, ne.SessionExpired, OSError)):
        return DatabaseError(f"cannot reach {where}: is it running? (docker compose up -d)")
    if isinstance(error, ne.ConfigurationError):
        return DatabaseError(settings.redact(f"bad Neo4j URI '{settings.uri}': {str(error).splitlines()[0]}"))
    code = getattr(error, "code", "") or ""
    if "DatabaseNotFound" in code:
        return DatabaseError(f"{where} has no database '{settings.database}'")
    message = " ".join(str(getattr(error, "message", None) or error).split())
    return QueryError(settings.redact(f"query failed on {where}: {message}"))


def connect(settings: Neo4jSettings):
    """An open, verified driver; DatabaseError with one line if that is impossible."""
    from neo4j import GraphDatabase, exceptions as ne

    if not settings.password:
        raise DatabaseError("no Neo4j password: set TECHGRAPH_NEO4J_PASSWORD or pass --password")
    try:
        driver = GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))
    except (ValueError, ne.ConfigurationError) as error:
        raise DatabaseError(settings.redact(f"bad Neo4j URI '{settings.uri}': {str(error).splitlines()[0]}")) from None
    try:
        driver.verify_connectivity()
        with driver.session(database=settings.database) as session:
            session.run("RETURN 1").consume()
    except Exception as error:  # the driver raises many kinds; each becomes one line
        driver.close()
        raise _explain(error, settings) from None
    return driver


def plain_neo4j(value: Any) -> Any:
    """A driver value as plain Python, in the same shapes as the embedded engine's."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"label": sorted(value.labels)[0] if value.labels else None, **dict(value)}
    if isinstance(value, Relationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, Path):
        return {"nodes": [plain_neo4j(n) for n in value.nodes], "relationships": [plain_neo4j(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: plain_neo4j(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_neo4j(v) for v in value]
    return value


class Neo4jEngine:
    """Runs statements on a Neo4j database; reads in read transactions."""

    name = "neo4j"

    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        self._driver = connect(settings)

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes ``name`` names (any case; id, name or alias): id, name and label, ordered by id."""
        return self.run(RESOLVE, {"name": name})[1]

    def run(self, text: str, params: dict[str, Any] | None = None, write: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement (a read transaction unless ``write``); return columns and rows."""

        def work(tx):
            result = tx.run(text, params or {})
            columns = list(result.keys())
            return columns, [dict(zip(columns, plain_neo4j(list(record.values())))) for record in result]

        try:
            with self._driver.session(database=self.settings.database) as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except Exception as error:
            raise _explain(error, self.settings) from None

    def close(self) -> None:
        """Close the driver."""
        self._driver.close()

    def __enter__(self) -> "Neo4jEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _set_clause(variable: str, properties, skip: str) -> str:
    # toFloat, toInteger and toStringList keep a batch whose values are all null typed on every engine.
    return ", ".join(
        f"{variable}.{p.name} = " + (f"{p.kind.neo4j_cast}(r.{p.name})" if p.kind.neo4j_cast else f"r.{p.name}")
        for p in properties.values()
        if p.name != skip
    )


def push_statements(schema: Schema) -> dict[str, Any]:
    """Every statement ``push`` sends, derived from the schema.

    Returns a dict with ``constraints`` (list), ``nodes`` (label -> MERGE),
    ``relations`` ((type, from label, to label) -> MERGE) and ``clear``
    (label -> batched DETACH DELETE).
    """
    nodes = {
        label: f"UNWIND $rows AS r MERGE (n:{label} {{id: r.id}}) SET {_set_clause('n', node.properties, 'id')}"
        for label, node in schema.nodes.items()
    }
    relations = {
        (rel_type, a, b): (
            f"UNWIND $rows AS r MATCH (a:{a} {{id: r.from}}) MATCH (b:{b} {{id: r.to}}) "
            f"MERGE (a)-[x:{rel_type} {{key: r.key}}]->(b) SET {_set_clause('x', rel.properties, 'key')}"
        )
        for rel_type, rel in schema.relations.items()
        for a, b in rel.pairs
    }
    clear = {label: f"MATCH (n:{label}) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted" for label in schema.nodes}
    return {"constraints": schema.neo4j_constraints(), "nodes": nodes, "relations": relations, "clear": clear}


def push(
    g,
    engine: Neo4jEngine,
    schema: Schema,
    batch_size: int = 1000,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the graph to Neo4j: constraints, then nodes and relationships in batches.

    Each batch is one write transaction (retried by the driver on transient
    errors). MERGE on ``id`` and on each relation's ``key`` makes a second push
    change nothing. ``replace`` first deletes every node of the schema's labels.
    ``progress`` is called with the number of records written after each batch.

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
    for kind, batch in row_batches(graph_rows(g), schema, batch_size):
        engine.run(statements["nodes"][kind] if isinstance(kind, str) else statements["relations"][kind], {"rows": batch}, write=True)
        if progress:
            progress(len(batch))
    return counts(engine, schema)


def counts(engine: Neo4jEngine, schema: Schema) -> dict[str, int]:
    """Nodes of the schema's labels and relationships of its types, as Neo4j counts them."""
    nodes = sum(engine.run(f"MATCH (n:{label}) RETURN count(n) AS c")[1][0]["c"] for label in schema.nodes)
    rels = sum(engine.run(f"MATCH ()-[r:{t}]->() RETURN count(r) AS c")[1][0]["c"] for t in schema.relations)
    return {"nodes": nodes, "relationships": rels}
