"""Retaliation chains as of a day: the view reads the build's table of chains by day and answers what the
snapshot of that day, built, answers (tests/fixtures/chains: a chain that grows, an answer revoked, an answer
that holds for a month), as tests/test_as_of.py checks for the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import graph
from graph.analysis.snapshot import snapshot_database
from graph.backends.ladybug.engine import EmbeddedEngine
from graph.errors import DataError
from graph.lists.editions import import_list
from tests.conftest import assert_same_rows

FIXTURE = Path(__file__).parent / "fixtures" / "chains"
UNDATED = Path(__file__).parent / "fixtures" / "imports" / "undated"
DAYS = {
    "2020-01-15": "A alone: no chain",
    "2020-02-15": "B answers A",
    "2020-03-15": "E answers B too, for a month",
    "2020-05-15": "C answers B: the chain grows",
    "2020-08-01": "D answers C",
    "2020-10-01": "D revoked",
}


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> graph.TechGraph:
    db = tmp_path_factory.mktemp("as-of-chains") / "db"
    graph.load(db, [FIXTURE])
    with graph.open(db) as g:
        yield g


def fixture_chains(g: graph.TechGraph) -> list[list[str]]:
    return sorted(r["chain"] for r in g.query("retaliation-chains") if r["first_id"].startswith("ch-"))


@pytest.mark.parametrize("day", ["2020-03-15", "2020-08-01", "2020-10-01"])  # the other days: the test below
def test_the_days_chains_are_the_snapshots(whole, day):
    view = whole.as_of(day)
    folder = snapshot_database(whole.nx, day)
    try:
        reference = graph.TechGraph(EmbeddedEngine(folder), folder, {**whole.manifest, "as_of": day})
        expected = (reference.query("retaliation-chains"), reference.chains())
        reference.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert_same_rows(view.query("retaliation-chains"), expected[0], view.stored_queries["retaliation-chains"].cypher)
    assert view.chains() == expected[1], DAYS[day]


def test_the_fixtures_chains_by_day(whole):
    found = {day: fixture_chains(whole.as_of(day)) for day in DAYS}
    assert found == {
        "2020-01-15": [],
        "2020-02-15": [["ch-b", "ch-a"]],
        "2020-03-15": [["ch-e", "ch-b", "ch-a"]],
        "2020-05-15": [["ch-c", "ch-b", "ch-a"]],
        "2020-08-01": [["ch-d", "ch-c", "ch-b", "ch-a"]],
        "2020-10-01": [["ch-c", "ch-b", "ch-a"]],  # a sub-chain of the whole graph's, maximal once D is revoked
    }
    assert fixture_chains(whole) == [["ch-d", "ch-c", "ch-b", "ch-a"], ["ch-e", "ch-b", "ch-a"]]  # the whole graph's


def test_a_data_file_may_not_hold_a_derived_relation(tmp_path):
    (tmp_path / "chain.yaml").write_text(
        "RETALIATION_CHAIN:\n  - {from: ch-b, to: ch-a, steps: 1, chain: [ch-b, ch-a], sources: [https://example.org/x]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"chain\.yaml:2: RETALIATION_CHAIN relations are derived at build; a data file may not hold them$"):
        graph.check([FIXTURE, tmp_path])


def test_an_import_moving_a_measure_on_a_chain_moves_the_chains_days(tmp_path):
    # No list makes a RETALIATES_AGAINST, but an edition may move the start of a programme it dates: the SDN
    # edition of January moves ofac-dprk3 (dated by the CSL of April) earlier, and with it the chain answering it.
    db, extra = tmp_path / "db", tmp_path / "extra"
    import_list("csl", UNDATED / "csl_2022-04-21.csv", db=db, edition="2022-04-21")
    extra.mkdir()
    (extra / "answer.yaml").write_text(
        "Measure:\n  - {id: ch-answer, name: Chain answer, kind: counter-sanction, announced: 2022-03-01, "
        "sources: [https://example.org/ch-answer]}\n"
        "RETALIATES_AGAINST:\n  - {from: ch-answer, to: ofac-dprk3, sources: [https://example.org/ch-answer]}\n",
        encoding="utf-8",
    )
    graph.load(db, [extra])
    answering = lambda g: [r["chain"] for r in g.as_of("2022-03-15").query("retaliation-chains") if r["last_id"] == "ch-answer"]  # noqa: E731
    with graph.open(db) as g:
        assert answering(g) == []  # ofac-dprk3 held from April
    import_list("ofac-sdn", UNDATED / "sdn_2022-01-21.csv", db=db, edition="2022-01-21")
    with graph.open(db) as g:
        assert answering(g) == [["ch-answer", "ofac-dprk3"]]
    graph.load(tmp_path / "rebuilt", [extra, db / "imports"])
    with graph.open(tmp_path / "rebuilt", data=[extra, db / "imports"]) as rebuilt, graph.open(db) as g:
        assert answering(rebuilt) == answering(g)


def test_a_relationship_of_no_type_matches_the_datas_relations_only(whole):
    profile = {r["relation"] for r in whole.query("entity-profile", entity="ch-d")}
    assert profile == {"RETALIATES_AGAINST", "REVOKES"}  # no RETALIATION_CHAIN, nor the table of its days
    assert whole.query("path", **{"from": "ch-d", "to": "ch-a"})[0]["steps"] == 3  # not the chain's one step
    assert "RETALIATION_CHAIN" not in whole.stats()["relationships"]
    assert len(whole.cypher("MATCH (d:Measure {id: 'ch-d'})-[c:RETALIATION_CHAIN]->(a) RETURN c.steps AS steps")) == 1
