"""The seed articles' core claims (tests/seed_claims.yaml), each proved by its Cypher on the shipped graph.

A claim with a query must be held by the graph and confirmed by a public source that the
proving record itself cites; a claim without one says why it is left out. At least 95% of the
core claims must be held and sourced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CLAIMS_FILE = Path(__file__).with_name("seed_claims.yaml")
CLAIMS = yaml.safe_load(CLAIMS_FILE.read_text(encoding="utf-8"))
SEEDS = [
    line for line in (Path(__file__).parent / "fixtures" / "seeds.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
PROVED = [c for c in CLAIMS if "cypher" in c]
COVERAGE = 0.95


def test_every_claim_is_well_formed():
    ids = [c["id"] for c in CLAIMS]
    assert len(ids) == len(set(ids)), "duplicate claim ids"
    for c in CLAIMS:
        assert c["seed"] in SEEDS, f"{c['id']}: {c['seed']} is not a seed article"
        assert c["claim"].strip(), f"{c['id']}: no claim text"
        if "cypher" in c:
            assert "unsourced" not in c, f"{c['id']}: proved and unsourced at once"
            assert c.get("source", "").startswith("http"), f"{c['id']}: no public source"
        else:
            assert c.get("unsourced", "").strip(), f"{c['id']}: neither a query nor the reason it has none"


def test_every_seed_has_claims():
    assert {c["seed"] for c in CLAIMS} == set(SEEDS)


@pytest.mark.parametrize("claim", PROVED, ids=[c["id"] for c in PROVED])
def test_claim_holds_on_the_shipped_graph(shipped, claim):
    rows = shipped.cypher(claim["cypher"])
    assert rows.columns == ["sources"], f"{claim['id']}: the query must return one column, sources"
    if "rows" in claim:
        assert len(rows) == claim["rows"], f"{claim['id']}: {len(rows)} rows, expected {claim['rows']}"
    else:
        assert len(rows) >= 1, f"{claim['id']} does not hold: {claim['claim']}"
    cited = {s for row in rows for s in row["sources"]}
    assert claim["source"] in cited, f"{claim['id']}: the proving record does not cite {claim['source']}"


def test_core_claims_are_held_and_sourced():
    held = len(PROVED) / len(CLAIMS)
    assert len(CLAIMS) >= 150
    assert held >= COVERAGE, f"{len(PROVED)} of {len(CLAIMS)} core claims held and sourced ({held:.1%}), under {COVERAGE:.0%}"


def test_a_claim_the_graph_does_not_hold_fails(shipped):
    """The check can fail: a false claim (ZTE on the NS-CMIC list) returns no row."""
    rows = shipped.cypher("MATCH (:Measure {id: 'ns-cmic-list'})-[r:SANCTIONS]->(:Company {id: 'zte'}) RETURN r.sources AS sources")
    assert len(rows) == 0
