"""The round trip against a real Neo4j 5.26 (community, authentication on), started for the session by
tests/neo4j_server.py: push twice, then every stored query, `show`, `stats`, `--as-of`, `exposure`,
`chains`, `merges` and an import with `--backend neo4j` give what the embedded engine gives; the server's
own errors for a wrong password, an unknown database and a stopped server; read transactions that the
server keeps from writing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

import graph
from graph.backends.base import graph_from_engine
from graph.backends.neo4j.dialect import to_neo4j
from graph.cypher.stored import load_queries
from graph.errors import DatabaseError, QueryError, ReadOnlyError
from graph.lists.editions import import_list
from graph.outputs.exports import EMPTY_LISTS
from tests.conftest import assert_same_rows

pytestmark = pytest.mark.neo4j
QUERIES = load_queries()
SDN = Path(__file__).parent / "fixtures" / "imports" / "ofac_sdn"


@pytest.fixture(scope="module")
def remote(neo4j_server, neo4j_shipped):
    with graph.open(neo4j=neo4j_server.settings) as g:
        yield g


def test_push_twice_gives_the_same_counts(neo4j_shipped, shipped):
    first, second = neo4j_shipped.first, neo4j_shipped.second
    assert first == second == {"nodes": shipped.manifest["nodes"], "relationships": shipped.manifest["edges"]}


def test_the_offline_import_of_the_export_holds_what_push_writes(neo4j_shipped, shipped):
    # The session's database was made by `neo4j-admin database import full` from `techgraph export --format
    # csv` (tests/neo4j_server.py), then pushed over (MERGE sets every property to the graph's value): a value
    # the import got wrong would differ. test_a_push_into_an_empty_database... compares a CREATE with the graph.
    imported, created = neo4j_shipped.imported, neo4j_shipped.pushed
    assert len(imported.nodes) == shipped.manifest["nodes"] and len(imported.relationships) == shipped.manifest["edges"]
    for made, pushed in ((imported.nodes, created.nodes), (imported.relationships, created.relationships)):
        assert made.keys() == pushed.keys()
        differ = {k: [(p, made[k][-1].get(p), pushed[k][-1].get(p)) for p in {*made[k][-1], *pushed[k][-1]}
                      if made[k][-1].get(p) != pushed[k][-1].get(p)] for k in made if made[k] != pushed[k]}  # fmt: skip
        assert not differ
    assert any("share" in p for p in imported.relationships.values()) and any(len(p["sources"]) > 1 for _, p in imported.nodes.values())
    assert any([] in p.values() for _, p in imported.nodes.values())  # empty lists, which neo4j-admin cannot store
    # push leaves a property outside the schema alone: after_import.cypher must have removed its marker
    assert not [p for _, p in imported.nodes.values() if EMPTY_LISTS in p] + [p for p in imported.relationships.values() if EMPTY_LISTS in p]


def test_the_server_is_neo4j_5_26_community(remote, neo4j_server):
    (component,) = remote.cypher("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")
    assert component == {"name": "Neo4j Kernel", "versions": [neo4j_server.version], "edition": "community"}
    assert neo4j_server.version.startswith("5.26.")


def test_constraints_exist(remote):
    names = {r["name"] for r in remote.engine.run("SHOW CONSTRAINTS YIELD name RETURN name")[1]}
    assert {f"techgraph_{label}_id" for label in graph.load_schema().nodes} <= names


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_gives_the_same_rows_on_neo4j(remote, shipped, name):
    q = QUERIES[name]
    assert_same_rows(remote.query(name, **q.example), shipped.query(name, **q.example), q.cypher)


def test_retaliation_chains_are_ordered_without_ties(remote, shipped):
    # Predicted, and confirmed on Neo4j 5.26: chains from two measures of one day answered by the same
    # measure tied on (first_announced, last_announced, last_id), and the engines ordered them differently.
    for rows in (remote.query("retaliation-chains"), shipped.query("retaliation-chains")):
        keys = [(r["first_announced"], r["last_announced"], r["last_id"], r["first_id"], r["steps"]) for r in rows]
        assert len(set(keys)) == len(keys)
        assert len({k[:3] for k in keys}) < len(keys)  # the shipped data has such chains: the tie-breaks decide


def test_a_read_of_a_type_the_database_lacks_warns_nothing(remote, caplog):
    # path's untyped walk is given every data type (graph/backends/neo4j/dialect.py); the shipped graph holds no
    # LINKED_TO, and the server's "relationship type does not exist" warning printed on every such query.
    assert not remote.cypher("MATCH ()-[r:LINKED_TO]->() RETURN count(r) AS n")[0]["n"]
    with caplog.at_level(logging.DEBUG, logger="neo4j"):  # every record the driver logs; CI logs its debug ones too
        assert len(remote.query("path", **{"from": "Carrie Lam", "to": "Marco Rubio"})) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "LINKED_TO" in r.getMessage()]


def test_path_from_an_entity_to_itself_is_no_row_on_both_engines(remote, shipped):
    # Predicted, and confirmed: Neo4j refused shortestPath with the same node at both ends
    # ("The shortest path algorithm does not work when the start and end nodes are the same").
    same = {"from": "Carrie Lam", "to": "carrie-lam"}
    assert remote.query("path", **same) == shipped.query("path", **same) == []
    assert len(remote.query("path", **{"from": "Carrie Lam", "to": "Marco Rubio"})) == 1


def _operators(driver, text: str, params: dict) -> set[str]:
    with driver.session(database="neo4j") as session:
        result = session.run("PROFILE " + text, params)
        result.consume()
        plan = result.consume().profile
    found, todo = set(), [plan]
    while todo:
        step = todo.pop()
        found.add(step["operatorType"].split("@")[0])
        todo += step.get("children", [])
    return found


def test_entities_are_found_by_index_not_by_scanning_every_node(remote, shipped, neo4j_server):
    # Predicted, and confirmed by PROFILE: `MATCH (n) WHERE n.id IN $entity` without a label scans
    # every node (AllNodesScan); given the schema's labels it seeks their uniqueness indexes.
    from neo4j import GraphDatabase

    labels = list(graph.load_schema().nodes)
    scanned = []
    with GraphDatabase.driver(neo4j_server.bolt_uri, auth=(neo4j_server.user, neo4j_server.password)) as driver:
        for name, q in QUERIES.items():
            entities = [p for p, parameter in q.parameters.items() if parameter.type == "entity"]
            if not entities:
                continue
            params = {**q.coerce(q.example), **{p: [m["id"] for m in shipped.resolve(q.example[p])] for p in entities}}
            if "AllNodesScan" in _operators(driver, q.cypher, params):
                scanned.append(name)
            sent = to_neo4j(q.cypher, labels)
            assert "AllNodesScan" not in _operators(driver, sent, params), name
            assert "NodeUniqueIndexSeek" in _operators(driver, sent, params), name
        assert "AllNodesScan" not in _operators(driver, to_neo4j("MATCH (n) WHERE n.id = $id RETURN n", labels), {"id": "zte"})
    assert "measures-hitting" in scanned  # as the text is written, before the rewrite


def test_show_and_stats_agree(remote, shipped):
    assert remote.stats() == shipped.stats()
    for name in ("ZTE", "Carrie Lam", "eo-13942"):
        far, local = remote.show(name), shipped.show(name)
        key = lambda r: (r["relation"], r["id"])  # noqa: E731
        assert sorted(far.pop("incoming"), key=key) == sorted(local.pop("incoming"), key=key)
        assert sorted(far.pop("outgoing"), key=key) == sorted(local.pop("outgoing"), key=key)
        assert far == local


def test_as_of_exposure_chains_and_merges_agree(remote, shipped):
    far, local = remote.as_of("2020-09-01"), shipped.as_of("2020-09-01")
    try:
        assert far.query("measures-hitting", entity="Tencent") == local.query("measures-hitting", entity="Tencent")
        assert far.stats() == local.stats()
    finally:
        far.close()
        local.close()
    assert remote.exposure("China Mobile Limited", "2021-06-01") == shipped.exposure("China Mobile Limited", "2021-06-01")
    assert remote.chains() == shipped.chains()
    assert remote.merges("Huawei") == shipped.merges("Huawei")


def test_cypher_without_write_cannot_write(remote):
    with pytest.raises(ReadOnlyError):  # techgraph refuses a writing clause before sending it
        remote.cypher("MATCH (n:App {id: 'tiktok'}) SET n.summary = 'x'")
    # What gets past that check (any procedure may be called on Neo4j) meets the server's read transaction.
    with pytest.raises(QueryError, match="^query failed on Neo4j at .*: Writing in read access mode not allowed"):
        remote.cypher("CALL db.createProperty('techgraphProbe')")
    with pytest.raises(QueryError, match="Writing in read access mode not allowed"):
        remote.engine.run("CREATE (n:App {id: 'zz-probe', name: 'Probe', sources: ['x']})")
    created = remote.cypher("CREATE (n:App {id: 'zz-probe', name: 'Probe', sources: ['x']}) RETURN n.id AS id", write=True)
    assert created == [{"id": "zz-probe"}]
    remote.cypher("MATCH (n:App {id: 'zz-probe'}) DETACH DELETE n", write=True)
    assert remote.cypher("MATCH (n:App {id: 'zz-probe'}) RETURN n") == []


def test_wrong_password_and_unknown_database(neo4j_server):
    settings = neo4j_server.settings
    with pytest.raises(DatabaseError) as refused:
        graph.open(neo4j=replace(settings, password=settings.password + "-wrong"))
    assert str(refused.value) == f"Neo4j at {settings.uri} refused the credentials of user 'neo4j'"
    with pytest.raises(DatabaseError) as unknown:
        graph.open(neo4j=replace(settings, database="no-such-db"))
    assert str(unknown.value) == f"Neo4j at {settings.uri} has no database 'no-such-db'"


def test_cli_errors_from_the_server_are_one_line(run, neo4j_server):
    env = {**neo4j_server.env, "TECHGRAPH_NEO4J_PASSWORD": "not-the-password"}
    refused = run("query", "measures-hitting", "-p", "entity=Tencent", "--backend", "neo4j", env=env)
    assert refused.exit_code == 1
    assert refused.output == f"Error: Neo4j at {neo4j_server.bolt_uri} refused the credentials of user 'neo4j'\n"
    unknown = run("stats", "--backend", "neo4j", env={**neo4j_server.env, "TECHGRAPH_NEO4J_DATABASE": "nope"})
    assert (unknown.exit_code, unknown.output) == (1, f"Error: Neo4j at {neo4j_server.bolt_uri} has no database 'nope'\n")


def _content(g) -> tuple[dict, dict]:
    """Every node's and every relation's properties, by id and by (from, to, key)."""
    return dict(g.nodes(data=True)), {(a, b, k): d for a, b, k, d in g.edges(keys=True, data=True)}


def test_a_push_into_an_empty_database_creates_what_a_second_push_merges(neo4j_changed, shipped):
    with graph.open(neo4j=neo4j_changed.settings) as remote:
        shipped.push(remote.engine, replace=True, batch_size=300)  # holds none of the graph: CREATE
        assert _content(graph_from_engine(remote.engine)) == _content(shipped.nx)
        remote.engine.run("MATCH (n:App {id: 'wechat'}) SET n.name = 'changed', n.extra = 1", write=True)
        remote.engine.run("MATCH ()-[r:OWNS]->(:App {id: 'wechat'}) SET r.share = 0.5", write=True)
        again = shipped.push(remote.engine, batch_size=300)  # holds it: MERGE, the same nodes and relations again
        assert again == {"nodes": shipped.manifest["nodes"], "relationships": shipped.manifest["edges"]}
        nodes, edges = _content(graph_from_engine(remote.engine))
        assert nodes["wechat"].pop("extra") == 1  # a property outside the schema is left alone
        assert (nodes, edges) == _content(shipped.nx)  # the changed name and share are the graph's again


def test_import_on_neo4j_matches_the_embedded_import(run, neo4j_changed, built_db, tmp_path, monkeypatch):
    neo4j_server = neo4j_changed
    lines = (SDN / "sdn.csv").read_bytes().splitlines(keepends=True)  # line 8 is a bad row; line 9 OFAC's end-of-file mark
    good, bad = tmp_path / "sdn.csv", tmp_path / "sdn-bad.csv"
    good.write_bytes(b"".join(lines[:7] + lines[8:]))
    bad.write_bytes(b"".join(lines))
    lists = {"alt": SDN / "alt.csv", "add": SDN / "add.csv"}
    local = import_list("ofac-sdn", good, db=built_db, edition="2024-05-03", **lists)
    far = import_list("ofac-sdn", good, neo4j=neo4j_server.settings, edition="2024-05-03", **lists)
    assert (far.entities, far.merged, far.new_nodes, far.changed) == (local.entities, local.merged, local.new_nodes, True)
    assert far.target == neo4j_server.bolt_uri
    again = run("import", "ofac-sdn", str(good), "--alt", str(lists["alt"]), "--add", str(lists["add"]), "--edition", "2024-05-03",
                "--backend", "neo4j", env=neo4j_server.env)  # fmt: skip
    assert again.exit_code == 0, again.output
    with graph.open(neo4j=neo4j_server.settings) as remote, graph.open(built_db) as embedded:
        assert remote.stats() == embedded.stats()
        for name in ("Chris Tang", "Carrie Lam", "EXAMPLE TRADING CO., LTD."):
            assert_same_rows(remote.query("measures-hitting", entity=name), embedded.query("measures-hitting", entity=name), "")
            assert remote.merges(name) == embedded.merges(name)
    # Skipped rows of an import into Neo4j go to a local file: the default database's imports/.
    monkeypatch.setenv("TECHGRAPH_DB", str(tmp_path / "default-db"))
    report = import_list("ofac-sdn", bad, neo4j=neo4j_server.settings, edition="2024-05-03", skip_bad=True, **lists)
    assert report.skipped_file == str((tmp_path / "default-db" / "imports" / "ofac-sdn.skipped.tsv").resolve())
    (line,) = Path(report.skipped_file).read_text(encoding="utf-8").splitlines()
    assert line == "sdn-bad.csv:8\tno programme"


def test_a_stopped_server_is_one_line(run, stopped_neo4j_server):
    uri = stopped_neo4j_server.bolt_uri
    with pytest.raises(DatabaseError) as caught:
        graph.open(neo4j=stopped_neo4j_server.settings)
    assert str(caught.value) == f"cannot reach Neo4j at {uri}: is it running? (docker compose up -d)"
    result = run("stats", "--backend", "neo4j", env=stopped_neo4j_server.env)
    assert (result.exit_code, result.output) == (1, f"Error: cannot reach Neo4j at {uri}: is it running? (docker compose up -d)\n")
