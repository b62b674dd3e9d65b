"""OFAC's "Linked To": a LINKED_TO relation, never OWNS; linked parties resolve first against the same file;
people stay people (hand-written fixtures in tests/fixtures/imports/links/, in the real formats)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import graph
from graph.analysis.ownership import exposure
from graph.lists.editions import import_list
from graph.lists.formats import csl, ofac_sdn
from graph.lists.formats.base import Entity, Link, Ownership
from graph.lists.formats.programs import OFAC_SDN_URL
from graph.model.schema import load_schema

LINKS = Path(__file__).parent / "fixtures" / "imports" / "links"


def sdn_items() -> list:
    return list(ofac_sdn.read(LINKS / "sdn.csv"))


def csl_items() -> list:
    return list(csl.read(LINKS / "csl.csv"))


def test_sdn_linked_to_is_a_link_to_the_files_own_record():
    items = sdn_items()
    assert not [item for item in items if isinstance(item, Ownership)]
    assert [item for item in items if isinstance(item, Link)] == [
        Link("91001", "91002", "sdn.csv:1", sources=[OFAC_SDN_URL]),  # the owner listed in the same file, by name
        Link("91003", "29220", "sdn.csv:3", sources=[OFAC_SDN_URL]),  # CHEN, Quanguo: the individual's record
        Link("91004", "NOBODY, Such", "sdn.csv:5", party_is_name=True, party_label="Official", sources=[OFAC_SDN_URL]),
        Link("91004", "EXAMPLE FRONT ORGANIZATION", "sdn.csv:5", party_is_name=True, sources=[OFAC_SDN_URL]),
    ]  # "Owned or Controlled By U.S. Financial Institutions", "a subsidiary of" itself, "its parent company": nothing


def test_csl_parenthesised_links_same_list_first_and_untyped_people():
    items = csl_items()
    assert not [item for item in items if isinstance(item, Ownership)]
    links = [item for item in items if isinstance(item, Link)]
    # The CMIC row's link goes to the CMIC record of that name, not to the Entity List row that shares it.
    assert links[0] == Link("32087", "30947", "csl.csv:2", sources=["https://bit.ly/1QWTIfE"])
    assert [(link.record, link.party, link.party_label) for link in links[1:]] == [
        ("12345", "SHIRAZ EXAMPLE INDUSTRIES", "Company"),
        ("12345", "LIU, Example", "Official"),  # OFAC's form for individuals
        ("12346", "ISLAMIC REVOLUTIONARY GUARD CORPS (IRGC)-QODS FORCE", "Company"),  # nested parentheses kept
    ]
    labels = {item.name: item.label for item in items if isinstance(item, Entity)}
    assert {name: labels[name] for name in ("YAVUZ CIZMECI", "Artur Solomonyan", "EXAMPLE UNNAMED", "Nilco Group", "Rosneft")} == {
        "YAVUZ CIZMECI": "Official",  # Denied Persons List, no type: a person's name
        "Artur Solomonyan": "Official",  # ITAR debarred
        "EXAMPLE UNNAMED": "Official",  # a date of birth: only people have one
        "Nilco Group": "Company",
        "Rosneft": "Company",
    }


@pytest.fixture(scope="module")
def linked_graph(tmp_path_factory) -> nx.MultiDiGraph:
    """The SDN and CSL link fixtures imported one after the other into a fresh database."""
    db = tmp_path_factory.mktemp("links") / "db"
    import_list("ofac-sdn", LINKS / "sdn.csv", db=db, edition="2022-01-21")
    import_list("csl", LINKS / "csl.csv", db=db, edition="2022-04-21")
    with graph.open(db) as g:
        return g.nx


def named(g: nx.MultiDiGraph, name: str) -> list[str]:
    return [n for n, d in g.nodes(data=True) if d["name"] == name]


def relations(g: nx.MultiDiGraph, rel_type: str, source: str, target: str) -> list[dict]:
    return [d for _, t, d in g.out_edges(source, data=True) if t == target and d["type"] == rel_type]


def test_imported_links_are_linked_to_and_never_owns(linked_graph):
    g = linked_graph
    assert not [d for _, _, d in g.edges(data=True) if d["type"] == "OWNS" and d.get("records")]
    (hk,), (mainland,) = named(g, "EXAMPLE HK TRADING LIMITED"), named(g, "EXAMPLE MAINLAND GROUP CORPORATION")
    # the linked party listed in the same file is that record: one node, its own country, not the Hong Kong one
    assert relations(g, "LINKED_TO", hk, mainland)[0]["records"] == ["ofac-sdn:91001"]
    assert (g.nodes[hk]["country"], g.nodes[mainland]["country"]) == ("HK", "CN")
    # exposure never walks a link: the linked party is no owner
    assert exposure(g, hk, "2022-06-01").owners == []


def test_people_stay_people(linked_graph):
    g = linked_graph
    (corps,) = named(g, "EXAMPLE PRODUCTION AND CONSTRUCTION CORPS")
    assert relations(g, "LINKED_TO", corps, "chen-quanguo")  # the individual's record, merged into the seeds' Chen Quanguo
    assert g.nodes["chen-quanguo"]["label"] == "Official"
    (nobody,) = named(g, "NOBODY, Such")
    assert (g.nodes[nobody]["label"], g.nodes[nobody].get("country")) == ("Official", None)  # not the Iranian's country
    (liu,) = named(g, "LIU, Example")
    assert g.nodes[liu]["label"] == "Official"
    companies = {d["name"] for _, d in g.nodes(data=True) if d["label"] == "Company"}
    assert not companies & {"CHEN, Quanguo", "NOBODY, Such", "LIU, Example", "YAVUZ CIZMECI", "Artur Solomonyan"}


def test_huawei_holding_linked_to_huawei_is_no_ownership_cycle(linked_graph):
    g = linked_graph
    assert relations(g, "LINKED_TO", "huawei-investment-holding", "huawei")[0]["records"] == ["csl:32087"]
    assert relations(g, "OWNS", "huawei-investment-holding", "huawei")  # the seeds' statement stands
    assert not relations(g, "OWNS", "huawei", "huawei-investment-holding")
    owns = nx.DiGraph([(u, v) for u, v, d in g.edges(data=True) if d["type"] == load_schema().ownership.relation])
    assert nx.is_directed_acyclic_graph(owns.subgraph(nx.node_connected_component(owns.to_undirected(), "huawei")))
