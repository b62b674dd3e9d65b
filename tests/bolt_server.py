"""A real Bolt server for the tests, since no Neo4j server can run here.

The protocol side is nxcypher's Bolt server (PyPI ``nxcypher``, Apache-2.0): handshake,
HELLO/LOGON, RUN/PULL, BEGIN/COMMIT/ROLLBACK and PackStream, as the official Neo4j
driver speaks them. nxcypher's own Cypher executor is partial, so statements are
executed by LadybugDB instead, through techgraph's one dialect layer; results go back
as real Bolt nodes, relationships and paths. What this exercises: the driver path
(connection, sessions, read and write transactions, parameters, result types,
errors). What it does not: Neo4j's own semantics, authentication and databases
(nxcypher accepts any credentials and ignores the database name); the `neo4j`-marked
tests cover those against a live Neo4j.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import ladybug
import networkx as nx
import nxcypher.bolt.connection as bolt_connection
from nxcypher.bolt import BoltNode, BoltPath, BoltServer, BoltUnboundRelationship

from graph.backends.ladybug.dialect import to_ladybug
from graph.backends.ladybug.engine import used_parameters
from graph.model.schema import load_schema

_read_once = bolt_connection.BoltConnection._read_messages


async def _read_whole_messages(self: bolt_connection.BoltConnection) -> list:
    """nxcypher closes the connection when one 64 KB read holds no whole message (a batch over 64 KB,
    as the shipped measures with their lifecycles are): read on until a message is whole or the peer left."""
    while True:
        messages = await _read_once(self)
        if messages or self._state.is_defunct():
            return messages


bolt_connection.BoltConnection._read_messages = _read_whole_messages  # type: ignore[method-assign]

# Uniqueness on `id` is the primary key of every LadybugDB node table already.
_CONSTRAINT = re.compile(r"^\s*CREATE CONSTRAINT \w+ IF NOT EXISTS FOR \(n:\w+\) REQUIRE n\.id IS UNIQUE\s*$")


def _key(internal: dict) -> str:
    return f"{internal['table']}:{internal['offset']}"


def _bolt_value(value: Any) -> Any:
    """A LadybugDB value in the dict shapes nxcypher's result converter turns into Bolt structures."""
    if isinstance(value, dict) and "_NODES" in value:
        return _bolt_path(value["_NODES"], value["_RELS"])
    if isinstance(value, dict) and "_SRC" in value:
        return {
            "__rel_type__": value["_LABEL"],
            "__start_node__": _key(value["_SRC"]),
            "__end_node__": _key(value["_DST"]),
            "__edge_key__": _key(value["_ID"]),
            **_props(value),
        }
    if isinstance(value, dict) and "_LABEL" in value:
        return {"__node_id__": _key(value["_ID"]), "__labels__": [value["_LABEL"]], **_props(value)}
    if isinstance(value, dict):
        return {k: _bolt_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bolt_value(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _props(value: dict) -> dict:
    return {k: _bolt_value(v) for k, v in value.items() if not k.startswith("_") and v is not None}


def _number(internal: dict) -> int:
    return internal["table"] * 1_000_000 + internal["offset"]


def _bolt_path(nodes: list[dict], rels: list[dict]):
    """A Bolt Path structure, built here: nxcypher 1.1.4 also encodes the first node's index,
    which the Bolt specification leaves implicit, and the driver rejects such paths."""
    unique: list[dict] = []
    for node in nodes:
        if all(_key(node["_ID"]) != _key(u["_ID"]) for u in unique):
            unique.append(node)
    position = {_key(n["_ID"]): i for i, n in enumerate(unique)}
    indices: list[int] = []
    for step, rel in enumerate(rels):
        forward = _key(rel["_SRC"]) == _key(nodes[step]["_ID"])
        indices += [(step + 1) if forward else -(step + 1), position[_key(nodes[step + 1]["_ID"])]]
    return BoltPath(
        nodes=[BoltNode(id=_number(n["_ID"]), labels=[n["_LABEL"]], properties=_props(n), element_id=_key(n["_ID"])) for n in unique],
        relationships=[
            BoltUnboundRelationship(id=_number(r["_ID"]), type=r["_LABEL"], properties=_props(r), element_id=_key(r["_ID"]))
            for r in rels
        ],
        indices=indices,
    ).to_structure()


class LadybugExecutor:
    """Stands in for nxcypher's executor: runs each statement on one LadybugDB connection."""

    connection: ladybug.Connection | None = None
    statements: list[str] = []

    def __init__(self, graph: nx.Graph):
        pass

    def run(self, query: str, params: dict | None = None) -> dict[str, list]:
        type(self).statements.append(query)
        if _CONSTRAINT.match(query):
            return {}
        statement = to_ladybug(query)
        try:
            result = self.connection.execute(statement, used_parameters(statement, params or {}))
        except RuntimeError as error:
            raise ValueError(" ".join(str(error).split())) from None  # sent to the client as a FAILURE
        columns = result.get_column_names()
        rows = result.get_all()
        return {column: [_bolt_value(row[i]) for row in rows] for i, column in enumerate(columns)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BoltTestServer:
    """nxcypher's Bolt server on a free local port, in a thread, over an empty LadybugDB database."""

    def __init__(self, folder: Path):
        self.db = ladybug.Database(str(folder / "bolt.lbdb"))
        connection = ladybug.Connection(self.db)
        for statement in load_schema().ladybug_ddl():
            connection.execute(statement)
        LadybugExecutor.connection = connection
        LadybugExecutor.statements = []
        bolt_connection.NXCypher = LadybugExecutor
        self.port = free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._server = BoltServer(nx.MultiDiGraph(), host="127.0.0.1", port=self.port)
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._server.start(block=False))
            started.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        started.wait(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        LadybugExecutor.connection = None
        self.db.close()
