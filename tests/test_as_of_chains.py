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
from tests.conftest import assert_same_rows

FIXTURE = Path(__file__).parent / "fixtures" / "chains"
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


@pytest.mark.parametrize("day", list(DAYS))
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
