"""The full round trip against a live Neo4j: opt-in, run with a server from docker-compose.yml.

    cp .env.example .env && docker compose up -d
    set -a && . ./.env && set +a
    pytest -m neo4j

Pushes the shipped graph twice (idempotent), runs every stored query on Neo4j and compares
with the embedded engine, and checks the errors a real server gives for bad credentials and
an unknown database.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

import graph
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cypher.stored import load_queries
from graph.errors import DatabaseError
from tests.conftest import assert_same_rows

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(not os.environ.get("TECHGRAPH_NEO4J_URI"), reason="set TECHGRAPH_NEO4J_URI to run against Neo4j"),
]
QUERIES = load_queries()



@pytest.fixture(scope="module")
def settings():
    return Neo4jSettings.from_env()


@pytest.fixture(scope="module")
def remote(settings, shipped):
    first = shipped.push(settings, replace=True)
    assert shipped.push(settings) == first == {"nodes": shipped.manifest["nodes"], "relationships": shipped.manifest["edges"]}
    with graph.open(neo4j=settings) as g:
        yield g


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_matches_embedded(remote, shipped, name):
    q = QUERIES[name]
    assert_same_rows(remote.query(name, **q.example), shipped.query(name, **q.example), q.cypher)


def test_constraints_exist(remote):
    names = {r["name"] for r in remote.cypher("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {f"techgraph_{label}_id" for label in graph.load_schema().nodes} <= names


def test_bad_credentials_and_database(settings):
    with pytest.raises(DatabaseError, match=f"^Neo4j at {settings.uri} refused the credentials of user"):
        graph.open(neo4j=replace(settings, password=settings.password + "-wrong"))
    with pytest.raises(DatabaseError, match="has no database 'no-such-db'"):
        graph.open(neo4j=replace(settings, database="no-such-db"))
