"""Editions of a list over time: re-imports, newer editions with delistings, older editions, re-written dates,
dates taken from the first edition, the graph as of a day before them, issuing bodies the format has no id for.

The fixtures (tests/fixtures/imports/editions/) are written for these tests in the real formats: two editions
of OFAC's legacy sdn.csv (invented ZZ parties around a real one, Chris Tang; a tanker company and its LLC whose
names differ only by legal form, both named by "Linked To", as the real file names the National Iranian Tanker
Company; a vessel row) and two of OpenSanctions' China countermeasures CSV, the second re-writing dates as the
real one did (``12.02.19`` -> ``02.12.2019``, ``26.2.2026`` -> ``24.02.2026``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph
from graph.analysis.snapshot import snapshot
from graph.dataset.network import load_graph
from graph.errors import QueryError
from graph.lists.editions import apply_list, import_list
from graph.lists.listings import FIRST_EDITION, record_edition
from graph.paths import data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "editions"
SDN_MAY, SDN_SEPTEMBER = FIXTURES / "sdn_2024-05-03.csv", FIXTURES / "sdn_2024-09-01.csv"
CN_JUNE, CN_AUGUST = FIXTURES / "cn_sanctions.2026-06-01.csv", FIXTURES / "cn_sanctions.2026-08-01.csv"


def listings(g, record: str) -> list[dict]:
    """The SANCTIONS relations a list record backs, as (from, to, data) dicts."""
    return [{"from": a, "to": b, **d} for a, b, d in g.edges(data=True) if d["type"] == "SANCTIONS" and record in (d.get("records") or [])]


@pytest.fixture(scope="module")
def sdn_history(tmp_path_factory) -> dict:
    """One database through the SDN editions: May, May again, September, then May once more (refused)."""
    db = tmp_path_factory.mktemp("sdn-editions") / "db"
    data_file = db / "imports" / "ofac-sdn.jsonl"
    first = import_list("ofac-sdn", SDN_MAY, db=db, edition="2024-05-03")
    may = data_file.read_text(encoding="utf-8")
    with graph.open(db) as g:
        may_graph = g.nx
    again = import_list("ofac-sdn", SDN_MAY, db=db, edition="2024-05-03")
    unchanged = data_file.read_text(encoding="utf-8") == may
    newer = import_list("ofac-sdn", SDN_SEPTEMBER, db=db, edition="2024-09-01")
    september = data_file.read_text(encoding="utf-8")
    with pytest.raises(QueryError) as refused:
        import_list("ofac-sdn", SDN_MAY, db=db, edition="2024-05-03")
    with graph.open(db) as g:
        return {"first": first, "again": again, "unchanged": unchanged, "newer": newer, "refused": str(refused.value),
                "september": september, "after_refusal": data_file.read_text(encoding="utf-8"),
                "may_graph": may_graph, "graph": g.nx}


def test_reimporting_an_edition_changes_nothing_even_where_names_differ_only_by_legal_form(sdn_history):
    # "Linked To: ZZTANKER COMPANY" matches the company and its LLC alike (ambiguous: a node of its own); the second
    # import once failed with "cannot make a node id ... both candidates are taken".
    again = sdn_history["again"]
    assert sdn_history["unchanged"] and not again.changed
    assert (again.new_nodes, again.merged, again.delisted, again.skipped) == (0, 0, 0, [])


def test_the_row_count_is_the_files(sdn_history):
    first = sdn_history["first"]
    assert (first.rows, first.entities, first.out_of_scope) == (6, 5, 1)  # six rows, one of them a vessel


def test_a_newer_edition_ends_what_it_dropped_and_dates_what_it_added(sdn_history):
    g, newer = sdn_history["graph"], sdn_history["newer"]
    assert (newer.delisted, newer.new_nodes) == (1, 1)
    (gamma,) = listings(g, "ofac-sdn:90014")
    assert (gamma["since"], gamma["since_basis"], gamma["until"]) == ("2024-05-03", FIRST_EDITION, "2024-09-01")
    (delta,) = listings(g, "ofac-sdn:90015")
    assert (delta["since"], delta["since_basis"], delta.get("until")) == ("2024-09-01", FIRST_EDITION, None)
    tang = [d for d in listings(g, "ofac-sdn:29242") if d["from"] == "ofac-hk-eo13936"]
    assert [(d["to"], d["since"], d.get("until")) for d in tang] == [("chris-tang", "2024-05-03", None)]


def test_an_older_edition_is_refused_in_one_line_and_changes_nothing(sdn_history):
    assert sdn_history["refused"] == (
        "ofac-sdn: edition 2024-05-03 is older than 2024-09-01, the newest edition imported; "
        "import editions in order (nothing was imported)"
    )
    assert sdn_history["after_refusal"] == sdn_history["september"]


def test_the_cli_refuses_an_older_edition_with_exit_2(run, tmp_path):
    env = {"TECHGRAPH_DB": str(tmp_path / "db")}
    data_file = tmp_path / "db" / "imports" / "ofac-sdn.jsonl"
    data_file.parent.mkdir(parents=True)
    data_file.write_text("", encoding="utf-8")
    record_edition(data_file, "2024-09-01")
    result = run("import", "ofac-sdn", str(SDN_MAY), "--edition", "2024-05-03", env=env)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith("Error: ofac-sdn: edition 2024-05-03 is older than 2024-09-01")


def test_as_of_shows_no_listing_before_the_first_edition_that_holds_it(sdn_history):
    g = sdn_history["graph"]
    june, january = snapshot(g, "2024-06-01"), snapshot(g, "2024-01-01")
    sanctioned = {day: {b for _, b, d in view.edges(data=True) if d["type"] == "SANCTIONS"} for day, view in
                  (("june", june), ("january", january))}
    nodes = {record: listings(g, record)[0]["to"] for record in ("ofac-sdn:90014", "ofac-sdn:90015", "ofac-sdn:90010")}
    assert nodes["ofac-sdn:90014"] in sanctioned["june"] and nodes["ofac-sdn:90015"] not in sanctioned["june"]
    assert not set(nodes.values()) & sanctioned["january"]
    assert not any("ofac-sdn:29242" in (d.get("records") or []) for _, _, d in january.edges(data=True))


def test_programme_measures_carry_their_orders_dates(sdn_history):
    g = sdn_history["may_graph"]
    assert g.nodes["ofac-hk-eo13936"]["announced"] == "2020-07-14"  # EO 13936 (programs.yaml)
    assert g.nodes["ofac-sdgt"]["announced"] == "2001-09-23"  # EO 13224
    assert "ofac-hk-eo13936" not in snapshot(g, "2015-01-01") and "ofac-hk-eo13936" in snapshot(g, "2021-01-01")


def cn_edition(folder: Path, path: Path, day: str):
    """Apply one edition of the China list in memory over the earlier ones kept in ``folder``, keep it there."""
    data_file = folder / "cn-countermeasures.jsonl"
    previous = data_file if data_file.is_file() else None
    report, contribution = apply_list("cn-countermeasures", path, load_graph([data_dir(), folder]), previous=previous, edition=day)
    data_file.write_text("".join(line + "\n" for line in contribution.lines()), encoding="utf-8")
    record_edition(data_file, day)
    return report, contribution.g


@pytest.fixture(scope="module")
def cn_history(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("cn-editions")
    june, june_graph = cn_edition(folder, CN_JUNE, "2026-06-01")
    august, g = cn_edition(folder, CN_AUGUST, "2026-08-01")
    return {"june": june, "june_graph": june_graph, "august": august, "graph": g}


def test_an_edition_that_only_rewrites_dates_ends_no_listing(cn_history):
    g, august = cn_history["graph"], cn_history["august"]
    assert (august.delisted, august.skipped) == (0, [])
    (ned,) = listings(g, "cn-countermeasures:national-endowment-for-democracy")
    # The announcement is the Measure the first edition made (found by its address), its date the newest edition's.
    assert (ned["from"], ned["since"], ned.get("until")) == ("cn-mfa-countermeasures-2019-02-12", "2019-12-02", None)
    assert g.nodes["cn-mfa-countermeasures-2019-02-12"]["announced"] == "2019-12-02"
    assert "cn-mfa-countermeasures-2019-12-02" not in g
    (heavy,) = listings(g, "cn-countermeasures:zzheavy-industries-shipbuilding-co")
    assert (heavy["from"], heavy["since"], heavy.get("until")) == ("cn-mofcom-export-control-list", "2026-02-24", None)
    # A later edition files an announcement's rows under a named list: still that announcement, still listed.
    (koo,) = listings(g, "cn-countermeasures:koo-li-hsiung")
    assert (koo["from"], koo["since"], koo.get("until")) == ("cn-taiwan-affairs-office-countermeasures-2022-08-16", "2022-08-16", None)


def test_rows_of_bodies_the_format_has_no_id_for_are_no_bad_rows(cn_history):
    june, g = cn_history["june"], cn_history["june_graph"]
    assert (june.rows, june.skipped) == (8, [])
    issuers = {measure: next(a for a, _, d in g.in_edges(measure, data=True) if d["type"] == "ISSUED")
               for record in ("su-tseng-chang", "bi-khim-hsiao", "alliance-of-democracies-foundation", "zzexample-analytics-llc")
               for measure in [listings(g, f"cn-countermeasures:{record}")[0]["from"]]}
    # The Taiwan Affairs Office is shipped (one office under two names); a blank Body is China itself; an unknown
    # body is made a body of its state, with the announcement as its source.
    assert sorted(set(issuers.values())) == ["cn-taiwan-affairs-office", "prc", "zzexample-security-bureau"]
    body = g.nodes["zzexample-security-bureau"]
    assert (body["label"], body["country"], body["sources"]) == (
        "Government", "CN", ["https://www.example.org/zzexample-bureau/announcement"])
    assert any(b == "prc" and d["type"] == "PART_OF" for _, b, d in g.out_edges("zzexample-security-bureau", data=True))
    (alliance,) = listings(g, "cn-countermeasures:alliance-of-democracies-foundation")  # no date in the list
    assert (alliance["from"], alliance["since"], alliance["since_basis"]) == ("prc-countermeasures-undated", "2026-06-01", FIRST_EDITION)
