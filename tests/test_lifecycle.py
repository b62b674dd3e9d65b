"""The measure lifecycle: statuses, SUSPENDS and REVOKES acting, and the one rule of what is in force."""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
from graph.analysis.snapshot import snapshot
from graph.backends.neo4j.push import columns, push_statements
from graph.errors import DataError
from graph.model.lifecycle import IN_FORCE_CYPHER, Act
from graph.model.schema import load_schema

LIFE = load_schema().lifecycle
ORDER = {"kind": "transaction-prohibition", "announced": "2020-09-18", "effective": "2020-09-20"}


def test_a_measure_without_history_keeps_its_dates():
    values = LIFE.derive({**ORDER, "ended": "2021-06"})
    assert values["lifecycle"] == ["2020-09-18 enacted", "2020-09-20 in-effect", "2021-06 ended"]
    assert values["in_force"] == ["2020-09-20/2021-06-01"] and values["status"] == "ended"
    assert LIFE.derive({"kind": "campaign", "announced": "2020-08-05"})["in_force"] == []  # binds no one


def test_a_stay_that_lifts_lets_the_measure_take_effect_and_a_revocation_ends_it():
    stay = Act("SUSPENDS", "2020-09-19", "2020-10-01", ("https://example.org/stay",))
    revocation = Act("REVOKES", "2021-06-09", None, ("https://example.org/eo",))
    values = LIFE.derive(ORDER, [stay, revocation])
    assert values["lifecycle"] == [
        "2020-09-18 enacted",
        "2020-09-19 enjoined https://example.org/stay",
        "2020-10-01 in-effect",
        "2021-06-09 revoked https://example.org/eo",
    ]
    assert values["in_force"] == ["2020-10-01/2021-06-09"] and values["status"] == "revoked"
    assert [LIFE.in_force_on(values, day) for day in ("2020-09-21", "2020-10-01", "2021-06-08", "2021-06-09")] == [
        False, True, True, False]


def test_a_bill_that_died_never_was_in_force_and_exists_until_it_died(shipped):
    g = shipped.nx
    bill = g.nodes["s-3455-no-tiktok-on-government-devices"]
    assert (bill["status"], bill["in_force"]) == ("failed", [])
    assert "s-3455-no-tiktok-on-government-devices" in snapshot(g, "2020-04-01")  # introduced 12 March 2020
    assert "s-3455-no-tiktok-on-government-devices" not in snapshot(g, "2021-01-03")  # the 116th Congress ended
    for measure in ("commerce-wechat-identification", "commerce-tiktok-identification"):  # enjoined, then revoked
        assert (g.nodes[measure]["status"], g.nodes[measure]["in_force"]) == ("revoked", []), measure
    assert g.nodes["eo-13942"]["in_force"] == ["2020-09-20/2021-06-09"]  # REVOKES from EO 14034


@pytest.mark.parametrize("day", ["2018-05-01", "2020-09-19", "2020-09-28", "2020-12-31", "2021-03-01", "2021-06-09", "2023-01-01"])
def test_python_and_cypher_apply_the_same_rule(shipped, day):
    by_python = {n for n, d in shipped.nx.nodes(data=True) if d["label"] == "Measure" and LIFE.in_force_on(d, day)}
    by_cypher = {r["id"] for r in shipped.cypher(f"WITH $day AS day MATCH (m:Measure) WHERE {IN_FORCE_CYPHER} RETURN m.id AS id", {"day": day})}
    assert by_python == by_cypher and by_python


def test_as_of_views_answer_by_the_rule(shipped):
    view = shipped.as_of("2020-09-25")
    rows = {r["measure_id"] for r in view.query("measures-in-force-on", date="2020-09-25")}
    assert "eo-13943" in rows and "commerce-wechat-identification" not in rows
    status = view.cypher("MATCH (m:Measure {id: 'commerce-wechat-identification'}) RETURN m.status AS s")
    assert status == [{"s": "enjoined"}]  # the view's own lifecycle: its revocation had not happened


def test_neo4j_gets_the_lifecycle_properties():
    statement, order = push_statements(load_schema())["nodes"]["Measure"], columns(load_schema(), "Measure")
    for name, cast in (("in_force", "toStringList"), ("lifecycle", "toStringList"), ("status", ""),
                       ("history", "toStringList"), ("restricts", "")):  # fmt: skip
        value = f"r[{order.index(name)}]"
        assert f"n.{name} = " + (f"{cast}({value})" if cast else value) in statement, name


def test_a_history_cites_sources_the_data_knows(tmp_path: Path):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "bill.yaml").write_text(
        "Measure:\n  - id: test-bill\n    name: Test bill\n    kind: legislation\n"
        "    history: [2020-01-01 proposed unknown.txt]\n    sources: [https://example.org]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"bill.yaml:2: Measure 'test-bill': source 'unknown.txt' is neither a URL nor a catalogued document"):
        graph.check([folder])
