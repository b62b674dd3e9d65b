"""The Neo4j engine: the official driver behind the :class:`graph.backends.base.Engine` interface.

Reads run in read transactions; writes (``cypher --write``, imports, push) in write
transactions. Every driver error becomes one line naming the server and user,
never the password.

>>> Neo4jEngine(Neo4jSettings(password=None))
Traceback (most recent call last):
...
graph.errors.DatabaseError: no Neo4j password: set TECHGRAPH_NEO4J_PASSWORD or pass --password
"""

from __future__ import annotations

from typing import Any

from graph.backends.neo4j.dialect import to_neo4j
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cypher.stored import RESOLVE
from graph.errors import DatabaseError, QueryError, QueryTimeout
from graph.model.schema import load_schema


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
    from neo4j import GraphDatabase
    from neo4j import exceptions as ne

    settings.check_uri()
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
    """Runs statements on a Neo4j database; reads in read transactions. A node looked up by id without
    a label gets the schema's labels (:func:`graph.backends.neo4j.dialect.to_neo4j`), so that Neo4j
    seeks the labels' uniqueness indexes instead of scanning every node."""

    can_write = True
    read_functions = None  # any procedure: read transactions refuse writes

    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        self._labels, self._types = list(load_schema().nodes), load_schema().data_types
        self._driver = connect(settings)

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes ``name`` names (any case; id, name or alias): id, name and label, ordered by id."""
        return self.run(RESOLVE, {"name": name})[1]

    def run(
        self,
        text: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        timeout: float | None = None,
        starts: dict[str, str] | None = None,
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Run one statement (a read transaction unless ``write``); return columns and rows.

        ``timeout`` (seconds; None: the server's limit) is the transaction's: the server stops
        it past that (:class:`QueryTimeout`). ``starts`` is not needed here: a label-less start
        by id is given every label (:func:`graph.backends.neo4j.dialect.to_neo4j`), whose
        indexes Neo4j seeks."""
        from neo4j import NotificationDisabledClassification, unit_of_work

        text = to_neo4j(text, self._labels, "" if write else self._types)  # a write may mean every relation

        @unit_of_work(timeout=timeout)
        def work(tx):
            result = tx.run(text, params or {})
            columns = list(result.keys())
            return columns, [dict(zip(columns, plain_neo4j(list(record.values())), strict=False)) for record in result]

        # A read's relationship of no type is given every type of the data: one the database holds none of yet (a
        # graph without LINKED_TO) is no mistake, and the server's warning about it would print on every path query.
        quiet = {} if write else {"notifications_disabled_classifications": [NotificationDisabledClassification.UNRECOGNIZED]}
        try:
            with self._driver.session(database=self.settings.database, **quiet) as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except Exception as error:
            if timeout and "TransactionTimedOut" in (getattr(error, "code", "") or ""):
                raise QueryTimeout(timeout) from None
            raise _explain(error, self.settings) from None

    def close(self) -> None:
        """Close the driver."""
        self._driver.close()

    def __enter__(self) -> Neo4jEngine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
