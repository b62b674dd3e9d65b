"""Every stored query runs on the embedded engine and meets the expectation in its header."""

from __future__ import annotations

import pytest

import graph
from graph.cypher.stored import load_queries, parse_query
from graph.errors import QueryError
from graph.model.schema import load_schema

QUERIES = load_queries()


def test_there_are_at_least_twelve_documented_queries():
    assert len(QUERIES) >= 12
    for q in QUERIES.values():
        assert q.title and q.description and q.expected, q.name


def matches(row: dict, wanted: dict) -> bool:
    return all(row.get(k) == v for k, v in wanted.items())


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_meets_its_expected_result(shipped, name):
    q = QUERIES[name]
    rows = shipped.query(name, **q.example)
    expected = q.expected
    assert len(rows) >= expected.get("min_rows", 1), f"{name}: {len(rows)} rows"
    if "max_rows" in expected:
        assert len(rows) <= expected["max_rows"]
    for wanted in expected.get("contains", []):
        assert any(matches(row, wanted) for row in rows), f"{name}: no row has {wanted}"
    for unwanted in expected.get("excludes", []):
        assert not any(matches(row, unwanted) for row in rows), f"{name}: a row has {unwanted}"
    assert not rows or list(rows[0]) == rows.columns


def test_measures_hitting_follows_ownership_and_matches_native_names(shipped):
    by_name = shipped.query("measures-hitting", entity="Tencent")
    assert shipped.query("measures-hitting", entity="腾讯") == by_name
    assert shipped.query("measures-hitting", entity="tencent holdings limited") == by_name
    direct_targets = {r["target_id"] for r in by_name}
    assert {"wechat", "wechat-pay"} <= direct_targets  # reached through OWNS, not hit directly


BOTH_SIDES = """
Measure:
  - {id: cn-test-sanctions, name: Test counter-sanction, kind: counter-sanction, announced: 2021-03-01, sources: [https://example.org/a]}
  - {id: hk-test-arrest, name: Test arrest, kind: investigation, announced: 2021-03-02, sources: [https://example.org/b]}
ISSUED:
  - {from: cn-mfa, to: cn-test-sanctions, sources: [https://example.org/a]}
  - {from: hk-police, to: hk-test-arrest, sources: [https://example.org/b]}
SANCTIONS:
  - {from: cn-test-sanctions, to: carrie-lam, sources: [https://example.org/a]}
  - {from: hk-test-arrest, to: marco-rubio, sources: [https://example.org/b]}
"""


def test_both_sides_means_sanctioned_by_both_and_sanctions_only(tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "both.yaml").write_text(BOTH_SIDES, encoding="utf-8")
    graph.load(tmp_path / "db", [folder])
    with graph.open(tmp_path / "db") as g:
        rows = g.query("officials-sanctioned-by-both-sides")
    # Carrie Lam: OFAC's designation and the test counter-sanction; Rubio: China's sanctions and an arrest, no sanction
    assert [(r["official_id"], r["us_measures"], r["china_measures"]) for r in rows] == [("carrie-lam", 1, 1)]


def test_counter_measures_to_follows_the_measures_that_carry_it_out(shipped):
    rows = shipped.query("counter-measures-to", measure="EO 13936")
    assert ("cn-counter-sanctions-2020-08-10", "ofac-hk-designations-2020-08-07") in {(r["answer_id"], r["answered_id"]) for r in rows}
    with pytest.raises(QueryError, match=r"^'Tencent' is a Company \(Tencent Holdings Limited\), not a Measure: query 'counter-measures-to' asks for a Measure$"):
        shipped.query("counter-measures-to", measure="Tencent")


def test_apps_banned_by_side_and_period(shipped):
    january = shipped.query("apps-banned-and-owners", side="United States", since="2021-01-01", until="2021-01-31")
    assert {r["measure_id"] for r in january} == {"eo-13971"} and len({r["app_id"] for r in january}) == 8
    china = shipped.query("apps-banned-and-owners", side="China")
    assert {r["side"] for r in china} == {"China"} and "tiktok" not in {r["app_id"] for r in china}
    everything = shipped.query("apps-banned-and-owners")
    assert {"tiktok", "didi-chuxing-app"} <= {r["app_id"] for r in everything} and {r["side"] for r in everything} == {"United States", "China"}


def test_measures_in_force_follow_the_lifecycle(shipped):
    on = {r["measure_id"]: r for r in shipped.query("measures-in-force-on", date="2021-03-01")}
    kinds = {r["kind"] for r in on.values()}
    assert not kinds & {"campaign", "investigation", "termination", "recommendation"}  # no arrests, indictments, campaigns
    never = ["s-3455-no-tiktok-on-government-devices", "house-ndaa-tiktok-amendment", "commerce-wechat-identification",
             "commerce-tiktok-identification"]
    for day in ("2020-08-07", "2020-09-21", "2020-10-01", "2020-12-31", "2021-03-01", "2021-07-01"):
        assert not set(never) & {r["measure_id"] for r in shipped.query("measures-in-force-on", date=day)}, day
    assert "eo-13943" in on and "eo-13943" not in {r["measure_id"] for r in shipped.query("measures-in-force-on", date="2021-06-09")}


def test_every_in_force_test_is_the_lifecycle_rule_and_every_walk_the_control_rule():
    from graph.model.lifecycle import IN_FORCE_CYPHER

    control = f"coalesce(r.share, 100.0) >= {load_schema().ownership.control:g}"
    for q in QUERIES.values():
        if "in_force WHERE" in q.cypher:
            assert IN_FORCE_CYPHER in q.cypher, q.name
        if ":OWNS*" in q.cypher:
            assert f"all(r IN relationships(w) WHERE {control})" in q.cypher, q.name


def test_measures_in_force_respects_end_dates(shipped):
    before = {r["measure_id"] for r in shipped.query("measures-in-force-on", date="2018-05-01")}
    after = {r["measure_id"] for r in shipped.query("measures-in-force-on", date="2018-08-01")}
    assert "zte-denial-order-2018" in before
    assert "zte-denial-order-2018" not in after  # lifted on 2018-07-13


def test_path_is_symmetric_in_length(shipped):
    there = shipped.query("path", **{"from": "Carrie Lam", "to": "Marco Rubio"})
    back = shipped.query("path", **{"from": "Marco Rubio", "to": "Carrie Lam"})
    assert there[0]["steps"] == back[0]["steps"]
    assert there[0]["path"]["nodes"][0]["name"].startswith("Carrie Lam")
    assert len(there[0]["path"]["relationships"]) == there[0]["steps"]


@pytest.mark.parametrize(
    "header, message",
    [
        ("// title: T\nMATCH (n) RETURN n\n", "needs '// title:' and '// description:'"),
        ("// title: T\n// description: D\n// parameters:\n//   x: {type: string}\nRETURN $x\n", "parameter 'x' needs a type"),
        ("// title: T\n// description: D\n// parameters:\n//   x: {type: string, example: a}\nRETURN 1\n", "never uses $x"),
        ("// title: T\n// description: D\nRETURN $y\n", "uses $y but the header does not declare it"),
    ],
)
def test_bad_query_file_is_rejected(tmp_path, header, message):
    path = tmp_path / "q.cypher"
    path.write_text(header)
    with pytest.raises(QueryError, match=message.replace("$", r"\$")):
        parse_query(path)


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("measures-in-force-on", {"date": "31/12/2020"}, "parameter 'date': '31/12/2020' is not an ISO-8601 day (YYYY-MM-DD)"),
        ("measures-in-force-on", {"date": "2021-02-30"}, "parameter 'date': '2021-02-30' is not an ISO-8601 day (YYYY-MM-DD)"),
        ("measures-in-force-on", {"date": "2021"}, "parameter 'date': '2021' is not an ISO-8601 day (YYYY-MM-DD)"),
        ("most-targeted-companies", {"limit": "ten"}, "parameter 'limit': 'ten' is not an integer"),
        ("measures-hitting", {}, "query 'measures-hitting' needs parameter 'entity' (entity), e.g. -p entity=Tencent"),
        ("measures-hitting", {"entity": "x", "colour": "red"}, "query 'measures-hitting' has no parameter 'colour' (parameters: entity)"),
        ("measures-hiting", {}, "unknown query 'measures-hiting' (did you mean measures-hitting"),
        ("measures-hitting", {"entity": "Tencnt"}, "unknown entity 'Tencnt' (did you mean 'Tencent Holdings Limited'"),
    ],
)
def test_bad_parameters_raise_one_line_errors(shipped, name, params, message):
    with pytest.raises(QueryError) as caught:
        shipped.query(name, **params)
    assert str(caught.value).startswith(message)


def test_ownership_tree_names_the_immediate_owner_at_each_depth(tmp_path):
    # A owns B and C, B owns C: C is one step below A (owner A) and two below it through B (owner B).
    import graph
    from tests.conftest import write

    folder = write(tmp_path / "shortcut", "shortcut.yaml", """\
        Company:
          - {id: sc-a, name: Shortcut A, sources: [https://example.org/sc]}
          - {id: sc-b, name: Shortcut B, sources: [https://example.org/sc]}
          - {id: sc-c, name: Shortcut C, sources: [https://example.org/sc]}
        OWNS:
          - {from: sc-a, to: sc-b, share: 100, sources: [https://example.org/sc]}
          - {from: sc-b, to: sc-c, share: 60, sources: [https://example.org/sc]}
          - {from: sc-a, to: sc-c, share: 40, sources: [https://example.org/sc]}
        """)
    with graph.open(tmp_path / "db", data=[folder]) as g:
        rows = [(r["id"], r["depth"], r["owner"], r["share"]) for r in g.query("ownership-tree", entity="sc-a")]
    assert rows == [("sc-b", 1, "Shortcut A", 100.0), ("sc-c", 1, "Shortcut A", 40.0), ("sc-c", 2, "Shortcut B", 60.0)]



def test_counter_measures_to_lists_each_answer_once_by_its_fewest_steps_over_a_programme_diamond(tmp_path):
    # The implementing measure carries out the order twice (directly and through its programme line): each measure
    # answered is walked back from once, and an answer reached by two chains keeps its shorter one.
    import graph
    from tests.conftest import write

    folder = write(tmp_path / "diamond", "diamond.yaml", """\
        Measure:
          - {id: cm-order, name: CM order, kind: executive-order, announced: 2020-01-01, sources: [https://example.org/cm]}
          - {id: cm-line, name: CM line, kind: executive-order, announced: 2020-02-01, sources: [https://example.org/cm]}
          - {id: cm-impl, name: CM impl, kind: executive-order, announced: 2020-03-01, sources: [https://example.org/cm]}
          - {id: cm-first, name: CM first, kind: executive-order, announced: 2020-04-01, sources: [https://example.org/cm]}
          - {id: cm-second, name: CM second, kind: executive-order, announced: 2020-05-01, sources: [https://example.org/cm]}
        PART_OF:
          - {from: cm-line, to: cm-order, sources: [https://example.org/cm]}
        IMPLEMENTS:
          - {from: cm-impl, to: cm-line, sources: [https://example.org/cm]}
          - {from: cm-impl, to: cm-order, sources: [https://example.org/cm]}
        RETALIATES_AGAINST:
          - {from: cm-first, to: cm-impl, sources: [https://example.org/cm]}
          - {from: cm-second, to: cm-first, sources: [https://example.org/cm]}
          - {from: cm-second, to: cm-impl, sources: [https://example.org/cm]}
        """)
    with graph.open(tmp_path / "db", data=[folder]) as g:
        rows = [(r["answer_id"], r["answered_id"], r["steps"]) for r in g.query("counter-measures-to", measure="cm-order")]
    assert rows == [("cm-first", "cm-impl", 1), ("cm-second", "cm-impl", 1)]
