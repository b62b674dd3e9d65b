"""The Neo4j code path through the official driver, against the session's real Neo4j 5.26
(tests/neo4j_server.py): push in batches, the CLI with --backend neo4j, one-line errors that never
show the password.
"""

from __future__ import annotations

import json
import re

import pytest

import graph
from graph.backends.neo4j.settings import Neo4jSettings
from graph.errors import QueryError
from tests.neo4j_server import free_port

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def remote(neo4j_server, neo4j_shipped):
    with graph.open(neo4j=neo4j_server.settings) as g:
        yield g


def test_push_writes_batches_of_at_most_the_batch_size(neo4j_shipped, shipped):
    batches, size = neo4j_shipped.batches, neo4j_shipped.batch_size
    assert sum(batches) == shipped.manifest["nodes"] + shipped.manifest["edges"]
    assert max(batches) == size and len(batches) >= sum(batches) // size  # one transaction per batch of a label or type


def test_cli_push_and_query_on_neo4j(run, neo4j_server, neo4j_shipped, shipped):
    result = run("push", "--batch-size", "400", env=neo4j_server.env)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"holds {shipped.manifest['nodes']} nodes and {shipped.manifest['edges']} relationships\n")
    assert neo4j_server.password not in result.output
    far = run("query", "measures-hitting", "-p", "entity=Tencent", "--backend", "neo4j", "--format", "json", env=neo4j_server.env)
    local = run("query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert far.exit_code == 0 and json.loads(far.output) == json.loads(local.output)
    refused = run("cypher", "MATCH (n) DETACH DELETE n", "--backend", "neo4j", env=neo4j_server.env)
    assert refused.exit_code == 2 and refused.output.startswith("Error: refused: DETACH is a writing clause")


def test_unreachable_server_is_one_line_without_password(run):
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = run("query", "path", "-p", "from=a", "-p", "to=b", "--backend", "neo4j", "--uri", uri, "--password", "pw-123456")
    assert result.exit_code == 1
    assert result.output == f"Error: cannot reach Neo4j at {uri}: is it running? (docker compose up -d)\n"
    pushed = run("push", "--uri", uri, "--password", "pw-123456")
    assert pushed.exit_code == 1 and "pw-123456" not in pushed.output and pushed.output.count("\n") == 1


def test_missing_password_and_bad_uri(run):
    assert run("push", "--password", "").output == "Error: no Neo4j password: set TECHGRAPH_NEO4J_PASSWORD or pass --password\n"
    bad = run("push", "--uri", "http2://x", "--password", "pw-123456")
    assert bad.exit_code == 1 and bad.output.startswith("Error: bad Neo4j URI 'http2://x': ")


def test_query_errors_are_one_line_and_hide_the_password(remote, neo4j_server):
    with pytest.raises(QueryError) as caught:
        remote.cypher(f"RETURN '{neo4j_server.password}' AS echo LIMIT")  # the server's message quotes the statement
    message = str(caught.value)
    assert message.startswith(f"query failed on Neo4j at {neo4j_server.bolt_uri}: Invalid input")
    assert "\n" not in message and neo4j_server.password not in message and "***" in message


def test_password_is_not_in_settings_repr():
    assert "pw-123456" not in repr(Neo4jSettings(password="pw-123456"))
    assert re.search("password", repr(Neo4jSettings(password="pw-123456"))) is None


def test_push_counts_ask_only_for_the_labels_and_types_the_database_knows():
    """A fresh Neo4j knows none of the schema's names: a count of one it does not know makes the driver
    print Neo4j's warning of an unknown label or relationship type, once per name, on every first push."""
    from graph.backends.neo4j.push import counts
    from graph.model.schema import load_schema

    class Known:
        statements: list[str] = []

        def run(self, text: str, params: dict | None = None, write: bool = False) -> tuple[list[str], list[dict]]:
            self.statements.append(text)
            if "db.labels()" in text:
                return ["label"], [{"label": "App"}]
            if "db.relationshipTypes()" in text:
                return ["type"], [{"type": "OWNS"}]
            return ["c"], [{"c": 2}]

    engine = Known()
    assert counts(engine, load_schema()) == {"nodes": 2, "relationships": 2}  # type: ignore[arg-type]
    assert [s for s in engine.statements if s.startswith("MATCH")] == [
        "MATCH (n:App) RETURN count(n) AS c", "MATCH ()-[r:OWNS]->() RETURN count(r) AS c"]
