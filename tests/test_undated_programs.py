"""Programmes the list gives no date for: their Measure is held from the first edition that holds it, marked.

Fixtures (tests/fixtures/imports/undated/) are rows copied unmodified from the real lists of January and April
2022: OFAC's legacy sdn.csv with WONG, Moon Chi (9340, SDNTK), NAFTIRAN INTERTRADE CO. (11318, IRAN), OFFICE 39
(12209, DPRK) and LI, Hong Ri (22609, DPRK3, a Chinese national); a later edition adding AMEZCUA CONTRERAS (6703,
SDNTK) and CHI, Yupeng (22612, DPRK3); and trade.gov's Consolidated Screening List with LI, Hong Ri's SDN row and
a State Department nonproliferation (ISN) row dated 2003-07-30 (China Precision Machinery Import-Export Corp.).
SDNTK, IRAN and DPRK carry their orders' dates (programs.yaml); DPRK3 and the ISN list carry none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import graph
from graph.analysis.ownership import Verdict, exposure
from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.lists.editions import import_list
from graph.lists.listings import DATE_BASIS, FIRST_EDITION, FIRST_LISTING
from graph.paths import data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "undated"
JANUARY, MARCH, CSL_APRIL = FIXTURES / "sdn_2022-01-21.csv", FIXTURES / "sdn_2022-03-01.csv", FIXTURES / "csl_2022-04-21.csv"
PARTIES = {"sdntk": "wong-moon-chi", "iran": "naftiran-intertrade-co-nico-limited", "dprk": "office-39", "dprk3": "li-hong-ri"}


def dates(g, measure: str) -> tuple:
    data = g.nodes[measure]
    return data.get("announced"), data.get(DATE_BASIS), data["in_force"]


@pytest.fixture(scope="module")
def sdn_editions(tmp_path_factory) -> dict:
    """A database through two editions of the SDN list: January, then March (incremental, on January's build)."""
    db = tmp_path_factory.mktemp("undated") / "db"
    import_list("ofac-sdn", JANUARY, db=db, edition="2022-01-21")
    with graph.open(db) as tg:
        january = tg.nx
        before = {"in_force": {r["measure_id"] for r in tg.query("measures-in-force-on", date="2022-01-25")}}
        with tg.as_of("2022-01-20") as view:
            before["as_of"] = {r["measure_id"] for r in view.query("measures-in-force-on", date="2022-01-20")}
            before["exposure"] = {k: view.exposure(node)["verdict"] for k, node in PARTIES.items()}
    import_list("ofac-sdn", MARCH, db=db, edition="2022-03-01")
    with graph.open(db) as tg:
        return {"db": db, "january": january, "before": before, "march": tg.nx}


def test_a_party_listed_under_a_programme_is_blocked_after_import(sdn_editions):
    g = sdn_editions["january"]
    for programme, node in PARTIES.items():
        result = exposure(g, node, "2022-01-25")
        assert (result.verdict, [m["id"] for m in result.blocked_by]) == (Verdict.PROVEN, [f"ofac-{programme}"]), node
    assert {f"ofac-{p}" for p in PARTIES} <= sdn_editions["before"]["in_force"]


def test_an_undated_programme_is_held_from_the_first_edition_and_dated_ones_keep_their_orders(sdn_editions):
    g = sdn_editions["january"]
    assert dates(g, "ofac-dprk3") == ("2022-01-21", FIRST_EDITION, ["2022-01-21/.."])
    assert dates(g, "ofac-sdntk") == ("1999-12-03", None, ["1999-12-03/.."])  # the Kingpin Act (programs.yaml)
    assert dates(g, "ofac-iran") == ("2012-02-05", None, ["2012-02-06/.."])  # EO 13599, in effect the day after


def test_as_of_a_day_before_the_first_edition_shows_neither_the_listing_nor_the_undated_programme(sdn_editions):
    before = sdn_editions["before"]
    assert before["exposure"] == dict.fromkeys(PARTIES, "no")
    assert "ofac-dprk3" not in before["as_of"] and "ofac-sdntk" in before["as_of"]  # the Kingpin Act held then


def test_a_second_edition_moves_no_date(sdn_editions):
    january, march = sdn_editions["january"], sdn_editions["march"]
    assert dates(march, "ofac-dprk3") == dates(january, "ofac-dprk3") == ("2022-01-21", FIRST_EDITION, ["2022-01-21/.."])
    since = {b: d["since"] for a, b, d in march.edges(data=True) if d["type"] == "SANCTIONS" and a == "ofac-dprk3"}
    assert since == {"li-hong-ri": "2022-01-21", "chi-yupeng": "2022-03-01"}
    assert exposure(march, "chi-yupeng", "2022-03-01").verdict is Verdict.PROVEN


def test_the_incremental_build_and_a_rebuild_from_the_files_agree(sdn_editions):
    rebuilt = load_graph([data_dir(), sdn_editions["db"] / "imports"])
    for measure in ("ofac-dprk3", "ofac-sdntk", "ofac-iran", "ofac-dprk"):
        assert dates(rebuilt, measure) == dates(sdn_editions["march"], measure), measure


@pytest.fixture(scope="module")
def csl_then_sdn(tmp_path_factory) -> dict:
    """The CSL of April imported first, then the SDN list of January: the programme both hold moves earlier."""
    db = tmp_path_factory.mktemp("undated-csl") / "db"
    import_list("csl", CSL_APRIL, db=db, edition="2022-04-21")
    with graph.open(db) as tg:
        april = tg.nx
    import_list("ofac-sdn", JANUARY, db=db, edition="2022-01-21")
    with graph.open(db) as tg:
        return {"db": db, "april": april, "after": tg.nx}


def test_a_dated_listing_earlier_than_the_edition_dates_the_undated_list(csl_then_sdn):
    g = csl_then_sdn["april"]
    assert dates(g, "state-isn-nonproliferation-sanctions") == ("2003-07-30", FIRST_LISTING, ["2003-07-30/.."])
    assert dates(g, "ofac-dprk3") == ("2022-04-21", FIRST_EDITION, ["2022-04-21/.."])


def test_an_earlier_edition_of_another_list_moves_the_programme_earlier_and_a_rebuild_agrees(csl_then_sdn):
    after, db = csl_then_sdn["after"], csl_then_sdn["db"]
    assert dates(after, "ofac-dprk3") == ("2022-01-21", FIRST_EDITION, ["2022-01-21/.."])
    extends = [json.loads(line)["Extend"] for line in (db / "imports" / "ofac-sdn.jsonl").read_text().splitlines()
               if '"Extend"' in line]
    assert {"id": "ofac-dprk3", "announced": "2022-01-21", DATE_BASIS: FIRST_EDITION} in extends
    assert dates(load_graph([data_dir(), db / "imports"]), "ofac-dprk3") == dates(after, "ofac-dprk3")


def test_an_extend_moves_only_a_date_set_by_an_edition_and_only_with_its_basis(tmp_path):
    folder = tmp_path / "extra"
    folder.mkdir()
    moved = {"id": "eo-13942", "announced": "2001-01-01", DATE_BASIS: FIRST_EDITION}
    (folder / "x.jsonl").write_text(json.dumps({"Extend": moved}) + "\n", encoding="utf-8")
    assert load_graph([data_dir(), folder]).nodes["eo-13942"]["announced"] == "2020-08-06"  # its own date holds
    (folder / "x.jsonl").write_text(json.dumps({"Extend": {"id": "eo-13942", "announced": "2001-01-01"}}) + "\n")
    with pytest.raises(DataError, match="'announced' and 'announced_basis' move a date earlier together: give both"):
        load_graph([data_dir(), folder])
