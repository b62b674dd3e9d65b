"""Neo4j-dialect rewriting for LadybugDB, and refusal of writing clauses."""

from __future__ import annotations

import pytest

from graph.backends.ladybug.dialect import to_ladybug
from graph.cypher.readonly import check_read_only
from graph.errors import ReadOnlyError
from graph.model.schema import load_schema


@pytest.mark.parametrize(
    "neo4j, ladybug",
    [
        ("RETURN labels(n)[0] AS l", "RETURN label(n) AS l"),
        ("RETURN type(r), TYPE( r2 )", "RETURN label(r), label(r2)"),
        ("RETURN 'labels(n)[0] and type(r)' AS s // type(x)", "RETURN 'labels(n)[0] and type(r)' AS s"),
        ("RETURN `type(r)` AS t, type(r) /* type(x) */", "RETURN `type(r)` AS t, label(r)"),
        ("MATCH p = shortestPath((a)-[*..8]-(b)) RETURN p", f"MATCH p = (a)-[:{load_schema().data_types}* SHORTEST 1..8]-(b) RETURN p"),
        ("MATCH (n)<-[r]-(o) RETURN r", f"MATCH (n)<-[r:{load_schema().data_types}]-(o) RETURN r"),
        ("MATCH p = shortestPath((a:X)-[:OWNS*2..5]->(b)) RETURN p", "MATCH p = (a:X)-[:OWNS* SHORTEST 2..5]->(b) RETURN p"),
        ("MATCH (n) RETURN n.name", "MATCH (n) RETURN n.name"),
        ("SET x.share = toFloat(r.share)", "SET x.share = CAST(r.share AS DOUBLE)"),
    ],
)
def test_to_ladybug(neo4j, ladybug):
    assert to_ladybug(neo4j) == ladybug


@pytest.mark.parametrize(
    "statement, clause",
    [
        ("CREATE (n:Company {id: 'x'})", "CREATE"),
        ("MATCH (n) SET n.name = 'x'", "SET"),
        ("MATCH (n) DETACH DELETE n", "DETACH"),
        ("MATCH (n) delete n", "DELETE"),
        ("MERGE (n:App {id: 'a'})", "MERGE"),
        ("MATCH (n) REMOVE n.name", "REMOVE"),
        ("DROP TABLE Company", "DROP"),
        ("MATCH (n) FOREACH (x IN [1] | SET n.a = x)", "FOREACH"),
    ],
)
def test_writing_clauses_are_refused(statement, clause):
    with pytest.raises(ReadOnlyError, match=f"^refused: {clause} is a writing clause"):
        check_read_only(statement)


@pytest.mark.parametrize(
    "statement, word",
    [("LOAD CSV FROM 'file:///x' AS row RETURN row", "LOAD"), ("COPY Company FROM 'x.csv'", "COPY"), ("CHECKPOINT", "CHECKPOINT")],
)
def test_other_clauses_are_refused(statement, word):
    with pytest.raises(ReadOnlyError, match=f"^refused: {word} is not a read clause"):
        check_read_only(statement)


def test_call_runs_only_allowed_functions_on_the_embedded_engine():
    check_read_only("CALL db.clearQueryCaches()")  # Neo4j: its read transaction decides
    with pytest.raises(ReadOnlyError, match="^refused: CALL db is not a read-only function here"):
        check_read_only("CALL db.clearQueryCaches()", frozenset({"show_tables"}))
    check_read_only("CALL show_tables() RETURN *", frozenset({"show_tables"}))


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (n) RETURN n.name AS created",
        "MATCH (n) WHERE n.summary CONTAINS 'CREATE' RETURN n",
        "MATCH (n) RETURN n.set, $delete",
        "MATCH (n) RETURN n // DELETE everything",
        "MATCH (n) RETURN n.kind AS use",
        "MATCH (n) RETURN {delete: 1} AS m",
    ],
)
def test_reading_statements_pass(statement):
    check_read_only(statement)
