"""The shipped dataset: size, provenance, and the seed facts the issue names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.dataset.network import load_graph

# The seed documents' file names, kept in the repository (tests read nothing outside it).
SEEDS = [
    line for line in (Path(__file__).parent / "fixtures" / "seeds.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]


@pytest.fixture(scope="module")
def g():
    return load_graph()


def by_label(g, label):
    return {n: d for n, d in g.nodes(data=True) if d["label"] == label}


def edges(g, rel_type):
    return {(u, v) for u, v, d in g.edges(data=True) if d["type"] == rel_type}


def test_size(g):
    assert g.number_of_nodes() > 100
    assert len(by_label(g, "Measure")) >= 40


def test_every_seed_is_cited_and_catalogued(g):
    cited = {s for _, d in g.nodes(data=True) for s in d["sources"]}
    cited |= {s for _, _, d in g.edges(data=True) for s in d["sources"]}
    assert SEEDS and set(g.graph["documents"]) == set(SEEDS)  # the catalogue is the seeds (tests/fixtures/seeds.txt)
    for seed in g.graph["documents"]:
        assert seed in cited, f"{seed} is never cited"


def test_every_measure_has_an_issuer_a_date_and_a_public_source(g):
    issued = {v for u, v in edges(g, "ISSUED")}
    for measure_id, measure in by_label(g, "Measure").items():
        assert measure_id in issued, f"{measure_id} has no issuer"
        # A dated measure: some (a merger review) are known only by the day they ended.
        assert measure.get("announced") or measure.get("effective") or measure.get("ended"), f"{measure_id} has no date"
        assert any(s.startswith("http") for s in measure["sources"]), f"{measure_id} cites no public record"


def test_counter_sanctions_answer_something(g):
    answering = {u for u, v in edges(g, "RETALIATES_AGAINST")}
    for measure_id, measure in by_label(g, "Measure").items():
        if measure["kind"] == "counter-sanction":
            assert measure_id in answering, f"{measure_id} retaliates against nothing"


@pytest.mark.parametrize(
    "measure, targets",
    [
        ("eo-13942", {"bytedance"}),
        ("eo-13943", {"tencent"}),
        ("eo-13971", {"alipay", "wechat-pay"}),
        ("zte-denial-order-2018", {"zte"}),
        ("fcc-22-84", {"huawei", "zte", "hikvision", "dahua", "hytera"}),
        ("ofac-hk-designations-2020-08-07", {"carrie-lam", "john-lee"}),
        ("cn-sanctions-lockheed-2020-07-14", {"lockheed-martin"}),
    ],
)
def test_seed_measures_hit_their_targets(g, measure, targets):
    hit = {v for u, v in edges(g, "SANCTIONS") if u == measure}
    assert targets <= hit, f"{measure} misses {targets - hit}"


def test_eleven_hong_kong_officials_named(g):
    hit = [v for u, v in edges(g, "SANCTIONS") if u == "ofac-hk-designations-2020-08-07"]
    assert len(hit) == 11 and all(g.nodes[v]["label"] == "Official" for v in hit)


def test_citations_of_the_executive_orders(g):
    assert "85 FR 48637" in g.nodes["eo-13942"]["citation"]
    assert "85 FR 48641" in g.nodes["eo-13943"]["citation"]
    assert "86 FR 1249" in g.nodes["eo-13971"]["citation"]


def test_ownership_of_the_apps(g):
    owns = edges(g, "OWNS")
    for owner, owned in [("tencent", "wechat"), ("bytedance", "tiktok"), ("ant-group", "alipay")]:
        assert (owner, owned) in owns or any((owner, mid) in owns and (mid, owned) in owns for mid in g.nodes)


def test_retaliation_answers_the_other_side(g):
    issued = edges(g, "ISSUED")

    def sides(measure):
        return {{"HK": "CN"}.get(g.nodes[u]["country"], g.nodes[u]["country"]) for u, v in issued if v == measure}

    links = edges(g, "RETALIATES_AGAINST")
    assert len(links) >= 5
    for answer, answered in links:
        assert sides(answer) and sides(answered), f"{answer} or {answered} has no issuer"
        assert sides(answer).isdisjoint(sides(answered)), f"{answer} answers its own side's {answered}"


def identifiers_of(data, scheme):
    return [i for i in data.get("identifiers") or () if i.startswith(f"{scheme}:")]


def test_every_party_ofac_designates_carries_its_ofac_entity_number(g):
    """A designation under an OFAC SDN programme (OFAC's own or the State Department's, which OFAC
    lists) blocks, and every party it or another OFAC listing names carries its entity number,
    the identifier an import of OFAC's lists resolves by."""
    measures = by_label(g, "Measure")
    issuer = {v: u for u, v in edges(g, "ISSUED")}
    sdn = {m for m, d in measures.items() if "SDN program" in (d.get("citation") or "")}
    blocking = {m for m, d in measures.items() if d.get("effect") == "blocking"}
    assert sdn == blocking and len(sdn) >= 4
    assert {issuer[m] for m in sdn} <= {"us-ofac", "us-state"}
    ofac_listings = {m for m, d in measures.items() if issuer[m] == "us-ofac" and d["restricts"] != "no"}
    designated = {v for u, v in edges(g, "SANCTIONS") if u in sdn | ofac_listings}
    assert len(designated) >= 30
    missing = sorted(party for party in designated if len(identifiers_of(g.nodes[party], "ofac")) != 1)
    assert missing == [], f"designated by OFAC without one ofac: identifier: {missing}"
    for party in designated:  # and the node cites the list its number comes from
        assert any(s.startswith("https://ofac.treasury.gov/") for s in g.nodes[party]["sources"]), party


def test_a_measure_citing_its_federal_register_document_carries_its_number(g):
    cited = 0
    for measure_id, measure in by_label(g, "Measure").items():
        for number in re.findall(r"FR Doc\. (\d{2,4}-\d{4,6})", measure.get("citation") or ""):
            assert f"fr:{number}" in identifiers_of(measure, "fr"), f"{measure_id} cites FR Doc. {number}"
            cited += 1
    assert cited >= 15
