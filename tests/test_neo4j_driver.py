"""The Neo4j code path through the official driver, against a real Bolt server (see tests/bolt_server.py).

Push twice, then every stored query, `show` and `stats` over Bolt must give what the
embedded engine gives; CLI commands with --backend neo4j; one-line errors that never
show the password.
"""

from __future__ import annotations

import json
import re

import pytest
from neo4j import exceptions as ne

import graph
from graph.backends.neo4j.engine import _explain
from graph.backends.neo4j.push import push_statements
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cypher.stored import load_queries
from graph.errors import DatabaseError, QueryError, ReadOnlyError
from tests.bolt_server import BoltTestServer, LadybugExecutor, free_port
from tests.conftest import assert_same_rows

PASSWORD = "s3cret-Passw0rd"
QUERIES = load_queries()



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    bolt = BoltTestServer(tmp_path_factory.mktemp("bolt"))
    yield bolt
    bolt.stop()


@pytest.fixture(scope="module")
def settings(server):
    return Neo4jSettings(uri=server.uri, user="neo4j", password=PASSWORD, database="neo4j")


@pytest.fixture(scope="module")
def pushed(server, settings, shipped):
    first = shipped.push(settings, batch_size=97)
    second = shipped.push(settings, batch_size=500)
    return first, second


@pytest.fixture(scope="module")
def remote(settings, pushed):
    with graph.open(neo4j=settings) as g:
        yield g


def test_push_is_idempotent_and_complete(pushed, shipped):
    first, second = pushed
    assert first == second == {"nodes": shipped.manifest["nodes"], "relationships": shipped.manifest["edges"]}


def test_push_sends_constraints_first_then_batches(server, pushed, shipped):
    statements = push_statements(graph.load_schema())
    sent = LadybugExecutor.statements
    constraints = statements["constraints"]
    start = sent.index(constraints[0])
    assert sent[start : start + len(constraints)] == constraints
    first_merge = next(i for i, s in enumerate(sent) if s.startswith("UNWIND $rows"))
    assert first_merge >= start + len(constraints)
    merges = [s for s in sent if s.startswith("UNWIND $rows")]
    # 97 records per batch on the first push: at least (nodes + edges) / 97 transactions.
    assert len(merges) >= (shipped.manifest["nodes"] + shipped.manifest["edges"]) // 97



@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_gives_the_same_rows_on_neo4j(remote, shipped, name):
    q = QUERIES[name]
    assert_same_rows(remote.query(name, **q.example), shipped.query(name, **q.example), q.cypher)


def test_show_and_stats_agree(remote, shipped):
    assert remote.stats() == shipped.stats()
    far, local = remote.show("ZTE"), shipped.show("ZTE")
    key = lambda r: (r["relation"], r["id"])  # noqa: E731
    assert sorted(far.pop("incoming"), key=key) == sorted(local.pop("incoming"), key=key)
    assert sorted(far.pop("outgoing"), key=key) == sorted(local.pop("outgoing"), key=key)
    assert far == local


def test_cypher_is_read_only_unless_write(remote):
    with pytest.raises(ReadOnlyError):
        remote.cypher("MATCH (n:App {id: 'tiktok'}) SET n.summary = 'x'")
    created = remote.cypher("CREATE (n:App {id: 'zz-probe', name: 'Probe', sources: ['x']}) RETURN n.id AS id", write=True)
    assert created == [{"id": "zz-probe"}]
    remote.cypher("MATCH (n:App {id: 'zz-probe'}) DETACH DELETE n", write=True)
    assert remote.cypher("MATCH (n:App {id: 'zz-probe'}) RETURN n") == []


def test_replace_clears_then_pushes_the_same_graph(shipped, settings, pushed):
    assert shipped.push(settings, replace=True) == pushed[0]


def test_cli_push_and_query_on_neo4j(run, server, pushed, shipped):
    env = {"TECHGRAPH_NEO4J_URI": server.uri, "TECHGRAPH_NEO4J_PASSWORD": PASSWORD}
    result = run("push", "--batch-size", "200", env=env)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"holds {shipped.manifest['nodes']} nodes and {shipped.manifest['edges']} relationships\n")
    assert PASSWORD not in result.output
    far = run("query", "measures-hitting", "-p", "entity=Tencent", "--backend", "neo4j", "--format", "json", env=env)
    local = run("query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert far.exit_code == 0 and json.loads(far.output) == json.loads(local.output)
    refused = run("cypher", "MATCH (n) DETACH DELETE n", "--backend", "neo4j", env=env)
    assert refused.exit_code == 2 and refused.output.startswith("Error: refused: DETACH is a writing clause")


def test_unreachable_server_is_one_line_without_password(run):
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = run("query", "path", "-p", "from=a", "-p", "to=b", "--backend", "neo4j", "--uri", uri, "--password", PASSWORD)
    assert result.exit_code == 1
    assert result.output == f"Error: cannot reach Neo4j at {uri}: is it running? (docker compose up -d)\n"
    pushed = run("push", "--uri", uri, "--password", PASSWORD)
    assert pushed.exit_code == 1 and PASSWORD not in pushed.output and pushed.output.count("\n") == 1


def test_missing_password_and_bad_uri(run):
    assert run("push", "--password", "").output == "Error: no Neo4j password: set TECHGRAPH_NEO4J_PASSWORD or pass --password\n"
    bad = run("push", "--uri", "http2://x", "--password", PASSWORD)
    assert bad.exit_code == 1 and bad.output.startswith("Error: bad Neo4j URI 'http2://x': ")


@pytest.mark.parametrize(
    "error, expected",
    [
        (ne.AuthError("The client is unauthorized due to authentication failure."), "Neo4j at bolt://db:7687 refused the credentials of user 'neo4j'"),
        (ne.ServiceUnavailable("Couldn't connect"), "cannot reach Neo4j at bolt://db:7687: is it running? (docker compose up -d)"),
    ],
)
def test_driver_errors_become_one_line(error, expected):
    # The Bolt test server accepts any credentials and database name, so these are checked here
    # on the driver's own exception types; the `neo4j`-marked tests see them from a real server.
    explained = _explain(error, Neo4jSettings(uri="bolt://db:7687", password=PASSWORD))
    assert isinstance(explained, DatabaseError) and str(explained) == expected


def test_query_errors_are_one_line_and_hide_the_password(remote):
    with pytest.raises(QueryError) as caught:
        remote.cypher(f"RETURN '{PASSWORD}' AS echo LIMIT")  # the server's message quotes the statement
    message = str(caught.value)
    assert message.startswith(f"query failed on Neo4j at {remote.engine.settings.uri}: ")
    assert "\n" not in message and PASSWORD not in message and "***" in message


def test_password_is_not_in_settings_repr():
    assert PASSWORD not in repr(Neo4jSettings(password=PASSWORD))
    assert re.search("password", repr(Neo4jSettings(password=PASSWORD))) is None


def test_as_of_and_analysis_agree_on_neo4j(remote, shipped):
    far, local = remote.as_of("2020-09-01"), shipped.as_of("2020-09-01")
    assert far.query("measures-hitting", entity="Tencent") == local.query("measures-hitting", entity="Tencent")
    assert far.stats() == local.stats()
    assert remote.exposure("China Mobile Limited", "2021-06-01") == shipped.exposure("China Mobile Limited", "2021-06-01")
    assert remote.chains() == shipped.chains()
