"""Entity resolution (issue 12): identifiers decide, a list's records stay distinct, names need to say enough.

Each fault found on the complete lists has a test here, on hand-written records and fixtures
(``tests/fixtures/imports/resolution``, in the lists' own formats).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.lists.contribution import Contribution, ImportReport
from graph.lists.editions import apply_list
from graph.lists.formats import list_format
from graph.lists.formats.base import Entity
from graph.lists.importer import Importer
from graph.lists.names import name_key
from graph.lists.resolve import Resolver
from graph.model.schema import load_schema

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "resolution"


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("HUAWEI TECHNOLOGIES CO., LTD.", "Huawei Technologies Co., Ltd.", True),
        ("China Telecom Corporation Limited", "CHINA TELECOM CORP., LTD", True),
        ("华为技术有限公司", "华为技术", True),
        ("華為技術有限公司", "华为技术有限公司", True),  # Traditional and Simplified
        ("林鄭月娥", "林郑月娥", True),
        ("Société Générale S.A.", "Societe Generale", True),
        ("SZ DJI TECHNOLOGY CO., LTD.", "SZ DJI Technology Co Ltd", True),  # case and punctuation
        ("ZTE Corp", "ZTE Corporation", True),
        ("OOO Example Trade", "Example Trade LLC", True),  # rigour's legal forms, in any jurisdiction
        ("CNOOC Limited", "CNOOC", False),  # a listed subsidiary is not its group's acronym
        ("CNOOC Limited", "CNOOC Ltd.", True),
        ("Huawei Technologies", "Huawei Cloud", False),
        ("China Telecom Corporation Limited", "China Telecommunications Corporation", False),
        ("China Mobile Limited", "China Mobile Communications Group Co., Ltd.", False),
    ],
)
def test_name_keys(a, b, same):
    assert (name_key(a) == name_key(b)) is same


def resolver(*nodes: tuple[str, str, str, list[str], str | None], **extra) -> Resolver:
    g = nx.MultiDiGraph()
    for node, label, name, aliases, country in nodes:
        g.add_node(node, label=label, name=name, aliases=aliases, country=country, identifiers=[f"x:{node}"],
                   **extra.get(node, {}))  # fmt: skip
    return Resolver(g)


def test_names_aliases_and_countries():
    r = resolver(
        ("cac", "Government", "Cyberspace Administration of China", ["CAC", "国家网信办"], "CN"),
        ("ross", "Official", "Wilbur L. Ross Jr.", ["罗斯"], "US"),
        ("acme-cn", "Company", "Acme Trading Co., Ltd.", [], "CN"),
        ("acme-us", "Company", "Acme Trading Inc.", [], "US"),
        ("lam", "Official", "Carrie Lam", [], "HK"),
    )
    assert r.resolve("Company", "Anything", [], ["x:cac"]).reason == "same identifier x:cac"
    assert r.resolve("Company", "COMAC America Corporation", ["CAC"], []).node is None  # an acronym alias is not enough
    assert r.resolve("Government", "国家网信办", [], []).node == "cac"  # the record's name is a node's alias
    assert r.resolve("Company", "Office", ["國家網信辦"], [], country="CN").node == "cac"  # Traditional script
    assert r.resolve("Official", "Kenneth Roth", ["罗斯"], []).node is None  # a two-character transliteration
    assert r.resolve("Official", "LAM, Carrie", [], [], country="CN").node == "lam"  # HK and CN are not told apart
    assert r.resolve("Company", "ACME TRADING CO LTD", [], [], country="CN").node == "acme-cn"
    assert r.resolve("Company", "ACME TRADING", [], [], country="DE").node is None  # another country
    ambiguous = r.resolve("Company", "ACME TRADING", [], [])
    assert ambiguous.node is None and "acme-cn, acme-us (ambiguous, kept apart)" in ambiguous.reason
    assert r.resolve("Official", "Acme Trading Inc.", [], []).node is None  # a person is not a company


def test_an_identifier_beats_a_country_mismatch():
    r = resolver(("tanker", "Company", "National Iranian Tanker Company", [], "IR"))
    decision = r.resolve("Company", "NITC", [], ["x:tanker"], country="AE")
    assert decision.node == "tanker"
    assert decision.reason == "same identifier x:tanker, countries differ (AE, IR): the identifier decides"


def test_one_identifier_per_party_forbids_a_merge_by_name():
    g = nx.MultiDiGraph()
    g.add_node("a", label="Official", name="Ali Hassan Example", aliases=[], country="IQ", identifiers=["ofac:1"])
    r = Resolver(g)
    decision = r.resolve("Official", "EXAMPLE, Ali Hassan", [], ["ofac:2"], country="IQ")
    assert decision.node is None  # same name, another OFAC number: another person
    assert r.resolve("Official", "EXAMPLE, Ali Hassan", [], ["ofac:1"], country="US").node == "a"


def test_one_word_person_aliases_are_not_distinctive():
    r = resolver(("sdn", "Official", "AL-EXAMPLE, Khalid Ahmad", ["KHALID", "Abu Khalid"], "SA"))
    assert r.resolve("Official", "Khalid bin Salman", ["Khalid"], [], country="SA").node is None
    assert r.resolve("Official", "Khalid", [], [], country="SA").node is None  # a one-word name matches nobody
    assert r.resolve("Official", "Salman Example", ["Abu Khalid Example"], [], country="SA").node is None  # another country
    r = resolver(("sdn", "Official", "NURISTANI, Abdul Aziz", ["Abd al-Aziz", "Abdul Aziz", "NOORISTANI, Abdul Aziz"], "PK"))
    assert r.resolve("Official", "Ibn Saud", ["Abd al-Aziz", "Abdul Aziz"], [], country="SA").node is None  # a king
    assert r.resolve("Official", "Abdul Aziz NOORISTANI", [], [], country="PK").node == "sdn"  # two words do


def test_a_missing_country_needs_the_records_own_name_and_more_for_people():
    r = resolver(
        ("p", "Official", "Omar Example", ["Omar al-Example"], "JO"),
        ("c", "Company", "Example Relief Foundation", ["ERF International"], None),
        ("q", "Official", "Omar Faruq Example", [], None),
    )
    assert r.resolve("Official", "EXAMPLE, Omar", [], []).node is None  # two words, no country: many people
    both = r.resolve("Official", "EXAMPLE, Omar", ["AL-EXAMPLE, Omar"], [])
    assert both.node == "p" and "2 names or birth years agree" in both.reason  # a second name corroborates
    assert r.resolve("Official", "EXAMPLE, Omar Faruq", [], [], country="JO").node == "q"  # three words
    assert r.resolve("Company", "EXAMPLE RELIEF FOUNDATION", [], [], country="US").node == "c"  # its own name
    assert r.resolve("Company", "Other Name", ["ERF International"], [], country="US").node is None  # an alias alone


def test_birth_years_tell_namesakes_apart():
    r = resolver(
        ("a", "Official", "Ahmad Example", [], "SY"),
        ("b", "Official", "Ahmad Example", [], "SY"),
        a={"summary": "DOB 1961; POB Damascus"}, b={"summary": "DOB 12 Mar 1975"},
    )
    assert r.resolve("Official", "EXAMPLE, Ahmad", [], [], "SY", summary="DOB 1975-03-12").node == "b"
    assert r.resolve("Official", "EXAMPLE, Ahmad", [], [], "SY", summary="DOB 1990").node is None


def test_a_listed_subsidiary_stays_apart_from_its_group():
    g = nx.MultiDiGraph()
    g.add_node("cnooc-limited", label="Company", name="CNOOC LIMITED", aliases=[], country="HK",
               identifiers=["ofac-consolidated:30926"])  # fmt: skip
    r = Resolver(g)
    group = r.resolve("Company", "China National Offshore Oil Corporation", ["CNOOC"], ["dod-1260h:cnooc"], country="CN")
    assert group.node is None  # the parent's acronym is not the subsidiary's name without its legal form
    assert r.resolve("Company", "CNOOC Ltd.", [], [], country="CN").node == "cnooc-limited"


def test_a_list_never_merges_two_of_its_own_records():
    g = nx.MultiDiGraph()
    g.add_node("cnooc-limited", label="Company", name="CNOOC LIMITED", aliases=["CNOOC Ltd"], identifiers=["ofac-consolidated:30926"])
    r = Resolver(g, exclusive=frozenset({"ofac-consolidated"}))
    kept = r.resolve("Company", "CNOOC LTD.", [], ["ofac-consolidated:30956"], record="ofac-consolidated:30956")
    assert kept.node is None and "holds ofac-consolidated:30926" in kept.reason
    sdn = r.resolve("Company", "CNOOC LTD.", [], ["ofac-sdn:1"], record="ofac-sdn:1")
    assert sdn.node is None  # the SDN and the non-SDN lists share OFAC's numbering: another number, another party
    same = r.resolve("Company", "CNOOC LTD.", [], ["ofac-sdn:30926"], record="ofac-sdn:30926")
    assert same.node == "cnooc-limited"  # a party on both lists has one number


def importer(g, fmt: str) -> tuple[Importer, ImportReport]:
    report = ImportReport(fmt, "2024-01-01")
    return Importer(Contribution(g, load_schema()), fmt, "2024-01-01", report, skip_bad=False), report


def imported_in_turn(lists, identifiers: str):
    """The shipped graph with each (format, fixture file) applied in turn; ``identifiers="hidden"`` drops the records' ids."""
    g = load_graph()
    for fmt, file in lists:
        run, _ = importer(g, fmt)
        for item in list_format(fmt).read(FIXTURES / file):
            if identifiers == "hidden" and isinstance(item, Entity):
                item.identifiers = []
            run.take(item)
        run.finish(partial=False)
    return g


@pytest.mark.parametrize("identifiers", ["shown", "hidden"])
def test_csl_rows_do_not_chain_parties_through_aliases(identifiers):
    g = imported_in_turn((("ofac-sdn", "sdn.csv"), ("csl", "csl.csv")), identifiers)
    khalid = [n for n, d in g.nodes(data=True) if "csl:90001" in (d.get("identifiers") or [])]
    assert khalid and "ofac-sdn:90001" in g.nodes[khalid[0]]["identifiers"]  # the born-1961 one, not his namesake
    omar = [n for n, d in g.nodes(data=True) if "csl:90005" in (d.get("identifiers") or [])]
    assert omar and omar != khalid  # the alias the first CSL row brought does not pull in another OFAC record


def test_same_list_namesakes_and_a_company_and_its_short_form_stay_apart():
    report, _ = apply_list("ofac-sdn", FIXTURES / "sdn.csv", load_graph(), edition="2024-01-01")
    assert (report.entities, report.new_nodes, report.merged) == (4, 4, 0)


def test_a_duplicated_record_id_with_another_name_is_refused():
    with pytest.raises(DataError, match=r"sdn_duplicate.csv:3: record '90010' is defined twice: 'EXAMPLE TRADING CO., LTD.' "
                                        r"before, 'OTHER PARTY HOLDINGS LIMITED' here"):  # fmt: skip
        apply_list("ofac-sdn", FIXTURES / "sdn_duplicate.csv", load_graph(), edition="2024-01-01")
    report, contribution = apply_list("ofac-sdn", FIXTURES / "sdn_duplicate.csv", load_graph(), edition="2024-01-01", skip_bad=True)
    assert [(bad.where, bad.reason.split(":")[0]) for bad in report.skipped] == [("sdn_duplicate.csv:3", "record '90010' is defined twice")]
    (node,) = [n for n, d in contribution.g.nodes(data=True) if "ofac-sdn:90010" in (d.get("identifiers") or [])]
    assert "OTHER PARTY HOLDINGS LIMITED" not in contribution.g.nodes[node].get("aliases", [])  # the repeat of the same name is fine


@pytest.mark.parametrize("identifiers", ["shown", "hidden"])
def test_a_newer_ofac_number_never_takes_the_node_of_a_record_the_same_file_names_exactly(identifiers):
    # The real CSL of April 2022 lists SberTech (36410), RDIF's management company (34337) and Zvezdochka (36065)
    # under new SDN numbers before the rows of their older numbers (18746, 18279, 20201): with identifiers hidden the
    # new rows took the older numbers' nodes (same normalised name or alias), and those rows then found them taken.
    lists = (("ofac-consolidated", "cons_two_numbers.csv"), ("ofac-sdn", "sdn_two_numbers.csv"), ("csl", "csl_two_numbers.csv"))
    g = imported_in_turn(lists, identifiers)
    numbers = {
        node: {i.rsplit(":", 1)[1] for i in d.get("identifiers") or [] if i.split(":")[0] in ("csl", "ofac-sdn", "ofac-consolidated")}
        for node, d in g.nodes(data=True)
    }  # fmt: skip
    assert all(len(held) <= 1 for held in numbers.values()), {n: h for n, h in numbers.items() if len(h) > 1}
    node_of = {(record, number): n for n, d in g.nodes(data=True) for i in d.get("identifiers") or []
               for record, _, number in [i.rpartition(":")]}  # fmt: skip
    for older, listed in (("90101", "ofac-consolidated"), ("90103", "ofac-consolidated"), ("90105", "ofac-sdn")):
        assert node_of[("csl", older)] == node_of[(listed, older)]  # the older number's CSL row is its node's
    assert len({node_of[("csl", n)] for n in ("90101", "90102", "90103", "90104", "90105", "90106")}) == 6
