"""Derived properties: computed once per build, equal to the walk the stored query used to make."""

from __future__ import annotations

import graph
from graph.dataset.derived import PROPERTIES, derive
from graph.dataset.network import load_graph
from graph.model.schema import load_schema
from graph.paths import data_dir
from tests.conftest import copy_database

# The question most-targeted-companies asks, as a walk over the relations at query time.
WALK = """
MATCH w = (c:Company)-[:OWNS*0..6]->(target)<-[:SANCTIONS]-(m:Measure)
WHERE all(r IN relationships(w) WHERE r.share IS NULL OR r.share >= 50)
WITH c, count(DISTINCT m) AS measures, count(DISTINCT target) AS targets
RETURN c.id AS company_id, measures, targets ORDER BY company_id
"""
STORED = """
MATCH (c:Company) WHERE c.group_measures > 0
RETURN c.id AS company_id, c.group_measures AS measures, c.group_targets AS targets ORDER BY company_id
"""


def test_the_schema_declares_exactly_what_is_derived():
    schema = load_schema()
    declared = {
        label: tuple(name for name, p in node.properties.items() if p.derived) for label, node in schema.nodes.items()
    }
    assert {label: names for label, names in declared.items() if names} == PROPERTIES
    assert all(schema.nodes["Company"].properties[name].type == "integer" for name in PROPERTIES["Company"])
    assert PROPERTIES["Measure"] == (*schema.lifecycle.derived, "retaliation")


def test_stored_values_equal_the_walk_on_the_database_and_its_as_of_views(tmp_path, extra_folder, extra_db):
    with graph.open(copy_database(extra_db, tmp_path / "db"), data=[extra_folder]) as g:  # a build with the folder
        walked = list(g.cypher(WALK))
        assert len(walked) > 20
        assert list(g.cypher(STORED)) == walked
        assert {"company_id": "fixture-holding", "measures": 1, "targets": 1} in walked
        before = g.as_of("2020-09-01")  # the fixture's ban came later, and ended measures are gone
        assert list(before.cypher(STORED)) == list(before.cypher(WALK)) != walked
        before.close()


def test_networkx_values_equal_the_database_values(tmp_path, extra_folder, extra_db):
    g = load_graph([data_dir(), extra_folder])
    with graph.open(copy_database(extra_db, tmp_path / "db"), data=[extra_folder]) as opened:
        stored = {row["company_id"]: (row["measures"], row["targets"]) for row in opened.cypher(STORED)}
    computed = {n: (d["group_measures"], d["group_targets"]) for n, d in g.nodes(data=True) if d.get("group_measures")}
    assert computed == stored


def test_a_new_listing_changes_the_owners_above_it_and_only_them():
    g = load_graph()
    assert derive(g) == set()
    before = dict(g.nodes(data="group_measures"))
    g.add_node("test-ban", label="Measure", name="Test ban", kind="app-ban", sources=["https://example.org"], aliases=[])
    g.add_edge("test-ban", "wechat", key="SANCTIONS:test-ban->wechat", type="SANCTIONS", sources=["https://example.org"])
    changed = derive(g)
    owners = {n for n in g.nodes if g.nodes[n]["label"] == "Company" and before[n] != g.nodes[n]["group_measures"]}
    assert "tencent" in changed and changed == owners | {"test-ban"}  # the new measure gets its lifecycle
    assert g.nodes["tencent"]["group_measures"] == before["tencent"] + 1
