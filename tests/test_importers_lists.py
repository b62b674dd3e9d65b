"""The DoD 1260H, FCC Covered List and China countermeasures importers on their fixtures."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from graph.errors import DataError
from graph.lists.formats import cn_countermeasures, dod_1260h, fcc_covered_list
from graph.lists.formats.base import BadRow, Entity, Listing, OutOfScope, Ownership

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
DOD = FIXTURES / "dod_1260h" / "1260h.csv"
FCC = FIXTURES / "fcc_covered_list" / "covered_list.csv"
CN = FIXTURES / "cn_countermeasures" / "cn_sanctions.csv"
D25 = "https://media.defense.gov/2025/Jan/07/2003625471/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES.PDF"
COVERED = "https://www.fcc.gov/supplychain/coveredlist"
MFA_0713 = "https://www.fmprc.gov.cn/web/wjdt_674879/zcjd/202007/t20200713_9712330.shtml"
MFA_0810 = "https://www.fmprc.gov.cn/eng/xwfw_665399/s2510_665401/2511_665403/202008/t20200810_693328.html"
KINDS = {"executive-order", "entity-listing", "denial-order", "designation", "visa-restriction", "app-ban",
         "transaction-prohibition", "equipment-authorisation-ban", "investment-ban", "delisting", "divestment-order",
         "counter-sanction", "list-provision", "campaign", "court-injunction", "legislation", "settlement", "tariff",
         "merger-review", "cybersecurity-review", "regulation", "arms-sale-approval", "law", "recommendation", "investigation"}
ISSUERS = {"us-ofac", "us-treasury", "us-bis", "us-commerce", "us-state", "us-dod", "us-fcc", "cn-mofcom", "cn-mfa", "cn-state-council"}


def at(items: list, where: str) -> list:
    """The items read from the row at ``where``."""
    return [item for item in items if item.where == where]


def kinds(items: list) -> list[str]:
    return [type(item).__name__ for item in items]


# DoD Section 1260H


def test_dod_row_gives_entity_listing_and_ownership_by_name():
    entity, listing, ownership = at(list(dod_1260h.read(DOD)), "1260h.csv:3")
    assert entity == Entity(
        record="huawei-technologies-co-ltd", label="Company", name="Huawei Technologies Co., Ltd.", where="1260h.csv:3",
        aliases=["Huawei Technologies Co., Ltd. (Huawei)", "Huawei"], country="CN",
        sources=["https://www.jdsupra.com/legalnews/dod-s-list-of-chinese-military-4693501/"],
    )
    assert (listing.record, listing.since, listing.until, listing.note) == ("huawei-technologies-co-ltd", "2021-06-03", None, None)
    assert ownership == Ownership(owned="huawei-technologies-co-ltd", owner="Huawei Investment & Holding Co., Ltd.",
                                  where="1260h.csv:3", owner_is_name=True, sources=entity.sources)


def test_dod_one_program_per_edition_with_the_statute():
    items = list(dod_1260h.read(DOD))
    programs = {item.program.id: item.program for item in items if isinstance(item, Listing)}
    assert sorted(programs) == ["dod-1260h-2021-06-03", "dod-1260h-2022-10-05", "dod-1260h-2024-01-31", "dod-1260h-2025-01-07"]
    edition = programs["dod-1260h-2025-01-07"]
    assert edition.name == "DoD Section 1260H list of Chinese military companies (2025-01-07 edition)"
    assert (edition.kind, edition.issuer, edition.announced, edition.part_of) == ("designation", "us-dod", "2025-01-07", None)
    assert edition.legal_basis == ("Section 1260H of the William M. (Mac) Thornberry National Defense Authorization Act "
                                   "for Fiscal Year 2021 (Pub. L. 116-283)")
    assert edition.sources == (D25,)
    # One object per edition, whichever row made it.
    assert len({id(item.program) for item in items if isinstance(item, Listing) and item.since == "2021-06-03"}) == 1


def test_dod_same_company_in_two_editions_is_one_record_with_a_removal_date():
    listings = [item for item in dod_1260h.read(DOD) if isinstance(item, Listing) and item.record == "costar-group-co-ltd"]
    assert [(item.where, item.program.id, item.since, item.until, item.sources) for item in listings] == [
        ("1260h.csv:10", "dod-1260h-2021-06-03", "2021-06-03", None, ["https://www.jdsupra.com/legalnews/dod-s-list-of-chinese-military-4693501/"]),
        ("1260h.csv:11", "dod-1260h-2025-01-07", "2025-01-07", "2026-02-17", [D25]),
    ]


def test_dod_quoted_newline_aliases_and_line_numbers():
    items = list(dod_1260h.read(DOD))
    knownsec, listing = at(items, "1260h.csv:7")
    assert knownsec.aliases == ["Beijing Zhidao Chuangyu Information Technology Co., Ltd. (Knownsec)", "Knownsec", "Beijing Kownsec"]
    assert listing.note == "Affiliated with MIIT. Identified as a military-civil fusion contributor."
    # The note spans lines 7 and 8: the next row is line 9.
    zemic = at(items, "1260h.csv:9")[0]
    assert zemic.name == "Zhonghang Electronic Measuring Instruments Company Limited"
    assert zemic.aliases == ["Zhonghang Electronic Measuring Instruments Company Limited (ZEMIC)", "ZEMIC"]
    # No Clean Name: the listed name without its asterisk.
    spacesat = at(items, "1260h.csv:14")[0]
    assert (spacesat.record, spacesat.name, spacesat.aliases) == ("china-spacesat-co", "China SpaceSat Co.", [])
    assert kinds(items).count("BadRow") == 0
    assert kinds(items).count("Ownership") == 6


def test_dod_malformed_rows_are_bad_rows_and_reading_goes_on():
    items = list(dod_1260h.read(FIXTURES / "dod_1260h" / "malformed.csv"))
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("malformed.csv:2", "7 fields where the header has 9"),
        BadRow("malformed.csv:3", "Hangzhou Hikvision Digital Technology Co., Ltd.: not a date: '03/06/2021'"),
        BadRow("malformed.csv:4", "no name"),
        BadRow("malformed.csv:5", "China Telecom Group Co., Ltd.: no Start date (the list edition)"),
        BadRow("malformed.csv:7", "Zhejiang Dahua Technology Co., Ltd.: not a date: '2025-02-30'"),
    ]
    assert [item.record for item in items if isinstance(item, Entity)] == ["china-unicom-hong-kong-limited"]
    assert items[-1].where == "malformed.csv:8"


# FCC Covered List


def test_fcc_company_is_taken_from_the_prose():
    items = list(fcc_covered_list.read(FCC))
    entities = [item for item in items if isinstance(item, Entity)]
    assert [entity.name for entity in entities] == [
        "Huawei Technologies Company", "ZTE Corporation", "Hytera Communications Corporation",
        "Hangzhou Hikvision Digital Technology Company", "Dahua Technology Company", "AO Kaspersky Lab",
        "China Mobile International USA Inc.", "China Telecom (Americas) Corp.", "Pacific Networks Corp", "ComNet (USA) LLC",
        "China Unicom (Americas) Operations Limited", "Kaspersky Lab, Inc.",
    ]
    huawei, listing = at(items, "covered_list.csv:2")
    assert huawei == Entity(record="huawei-technologies-company", label="Company", name="Huawei Technologies Company",
                            where="covered_list.csv:2", sources=[COVERED])
    assert listing.program.id == "fcc-covered-list" and listing.since == "2021-03-12" and listing.until is None
    assert listing.note.startswith("Telecommunications equipment produced by Huawei Technologies Company and its subsidiaries")


def test_fcc_program_is_the_shipped_measure():
    program = fcc_covered_list.PROGRAM
    assert (program.id, program.kind, program.issuer) == ("fcc-covered-list", "designation", "us-fcc")
    assert program.name == "FCC Covered List of communications equipment and services that pose an unacceptable risk to national security"
    assert program.legal_basis == "Secure and Trusted Communications Networks Act of 2019, section 2; 47 CFR 1.50002"


def test_fcc_parent_and_wholly_owned_subsidiary():
    items = at(list(fcc_covered_list.read(FCC)), "covered_list.csv:10")
    assert kinds(items) == ["Entity", "Listing", "Entity", "Listing", "Ownership"]
    assert [item.since for item in items if isinstance(item, Listing)] == ["2022-09-20", "2022-09-20"]
    assert items[-1] == Ownership(owned="comnet-usa-llc", owner="pacific-networks-corp", where="covered_list.csv:10",
                                  share=100.0, sources=[COVERED])


def test_fcc_crlf_newline_in_cell_category_rows_and_missing_date():
    items = list(fcc_covered_list.read(FCC))
    unicom, listing = at(items, "covered_list.csv:11")
    assert unicom.name == "China Unicom (Americas) Operations Limited" and listing.since == "2022-09-20"
    # Line 11's cell runs on to line 12; line 13 (drones) names no company: a row out of scope, counted, no party.
    assert at(items, "covered_list.csv:13") == [OutOfScope("covered_list.csv:13", "covered equipment named by kind, not by maker")]
    kaspersky, undated = at(items, "covered_list.csv:14")
    assert (kaspersky.name, undated.since) == ("Kaspersky Lab, Inc.", None)


def test_fcc_first_of_several_dates():
    assert fcc_covered_list.first_date("December 22, 2025Updated:January 7, 2026Updated:March 18, 2026", "x:1") == "2025-12-22"
    assert fcc_covered_list.first_date(" ", "x:1") is None


def test_fcc_malformed_rows():
    items = list(fcc_covered_list.read(FIXTURES / "fcc_covered_list" / "malformed.csv"))
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("malformed.csv:2", "not a date: 'Someday in 2021'"),
        BadRow("malformed.csv:3", "3 fields where the header has 2"),
        BadRow("malformed.csv:4", "no covered equipment or services"),
    ]
    assert [(item.name, item.where) for item in items if isinstance(item, Entity)] == [("Digitalsystem Technology Inc.", "malformed.csv:6")]


# China's countermeasures


def test_cn_bom_person_with_wikidata_and_chinese_name():
    items = list(cn_countermeasures.read(CN))
    rubio, listing = at(items, "cn_sanctions.csv:4")
    assert rubio == Entity(record="marco-rubio", label="Official", name="Marco Rubio", where="cn_sanctions.csv:4",
                           aliases=["鲁比欧"], country="US", identifiers=["wikidata:Q324546"], role="US Senator",
                           sources=[MFA_0713])
    assert listing == Listing(record="marco-rubio", program=listing.program, where="cn_sanctions.csv:4", since="2020-07-13",
                              sources=[MFA_0713])
    assert at(items, "cn_sanctions.csv:1") == []  # the header, after the BOM


def test_cn_each_mfa_announcement_is_its_own_program():
    items = list(cn_countermeasures.read(CN))
    july, august = (item.program for item in items if isinstance(item, Listing) and item.record == "marco-rubio")
    assert (july.id, july.issuer, july.kind, july.announced, july.sources) == (
        "cn-mfa-countermeasures-2020-07-13", "cn-mfa", "counter-sanction", "2020-07-13", (MFA_0713,))
    assert (august.id, august.sources) == ("cn-mfa-countermeasures-2020-08-10", (MFA_0810,))
    ned = at(items, "cn_sanctions.csv:2")
    assert (ned[0].label, ned[0].aliases, ned[1].program.id) == ("Company", ["美国国家民主基金会"], "cn-mfa-countermeasures-2019-12-02")


def test_cn_lists_map_to_their_programs():
    items = list(cn_countermeasures.read(CN))
    by_row = {item.where: item.program for item in items if isinstance(item, Listing)}
    uel = by_row["cn_sanctions.csv:10"]
    assert (uel.id, uel.name, uel.kind, uel.issuer, uel.part_of) == (
        "cn-unreliable-entity-list", "MOFCOM Unreliable Entity List", "counter-sanction", "cn-mofcom",
        "mofcom-unreliable-entity-list-provisions")
    assert uel.legal_basis == "Provisions on the Unreliable Entity List (MOFCOM Order No. 4 of 2020)"
    afsl = by_row["cn_sanctions.csv:12"]
    assert (afsl.id, afsl.issuer, afsl.kind, afsl.legal_basis) == (
        "cn-mfa-anti-foreign-sanctions-law-countermeasures", "cn-mfa", "counter-sanction", "Anti-Foreign Sanctions Law of the PRC (2021)")
    decision = by_row["cn_sanctions.csv:13"]
    assert decision.id == "cn-mfa-decision-on-countermeasures-against-u-s-military-industry-enterprises-and-senior-managers-2024-10-10"
    assert decision is by_row["cn_sanctions.csv:14"]
    export = by_row["cn_sanctions.csv:15"]
    assert (export.id, export.kind, export.issuer) == ("cn-mofcom-export-control-list", "entity-listing", "cn-mofcom")
    assert export.legal_basis.startswith("Export Control Law of the PRC (2020)")
    targets = by_row["cn_sanctions.csv:16"]
    assert (targets.id, targets.issuer) == ("cn-mfa-list-of-targets-of-countermeasures", "cn-mfa")
    for program in by_row.values():
        assert program.kind in KINDS and program.issuer in ISSUERS and program.sources


def test_cn_newline_in_summary_duplicate_aliases_missing_date_and_country():
    items = list(cn_countermeasures.read(CN))
    gershman = at(items, "cn_sanctions.csv:7")[0]
    assert gershman.role == "President, National Endowment for Democracy"
    council = at(items, "cn_sanctions.csv:9")[0]  # line 8 ended inside Gershman's quoted summary
    assert (council.name, council.aliases) == ("Hong Kong Democracy Council", ["Hong Kong Democratic Council", "香港民主委员会"])
    purvis = at(items, "cn_sanctions.csv:14")[0]
    assert (purvis.role, purvis.identifiers) == ("边缘自治运营公司前首席执行官", [])
    ventures, listing = at(items, "cn_sanctions.csv:16")
    assert (ventures.country, ventures.sources, listing.since) == (None, ["https://www.emilyweilawfirm.com/laws_regulations/50"], None)
    assert [item.record for item in items if isinstance(item, Entity)].count("lockheed-martin-corporation") == 2
    assert "BadRow" not in kinds(items)


def test_cn_malformed_rows():
    items = list(cn_countermeasures.read(FIXTURES / "cn_countermeasures" / "malformed.csv"))
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("malformed.csv:2", "14 fields where the header has 15"),
        BadRow("malformed.csv:3", "Ted Cruz: not a date: '31.02.21'"),
        BadRow("malformed.csv:4", "no name"),
        BadRow("malformed.csv:5", "Some Ship: unknown Type 'Vessel' (expected Person, Company, Organization)"),
    ]
    assert [item.record for item in items if isinstance(item, Entity)] == ["tom-cotton", "tom-cotton", "josh-hawley"]
    # Rows the format allows are read: no date (an undated announcement), a body the module has no id for (found
    # by name, or made, by the import)
    undated, body = (at(items, f"malformed.csv:{line}")[1].program for line in (6, 7))
    assert (undated.id, undated.issuer, undated.announced) == ("cn-mfa-countermeasures-undated", "cn-mfa", None)
    assert (body.id, body.issuer, body.issuer_name, body.issuer_state) == ("state-council-afsl-2020-08-10", "", "State Council", "prc")


# What all three share


@pytest.mark.parametrize("module", [dod_1260h, fcc_covered_list, cn_countermeasures])
def test_module_interface(module):
    assert module.FORMAT.name in {"dod-1260h", "fcc-covered-list", "cn-countermeasures"}
    assert module.FORMAT.published_at.startswith("https://") and module.FORMAT.extra_files == {}
    assert inspect.isgeneratorfunction(module.read)


@pytest.mark.parametrize(("module", "path"), [(dod_1260h, DOD), (fcc_covered_list, FCC), (cn_countermeasures, CN)])
def test_read_is_lazy(module, path, tmp_path):
    # The first row of a file whose tail is not UTF-8 text comes out before the tail is read.
    lazy = tmp_path / "lazy.csv"
    lazy.write_bytes(path.read_bytes().split(b"\n", 2)[0] + b"\n" + path.read_bytes().split(b"\n", 2)[1] + b"\n" + b"\xff\xfe\n" * 3)
    items = module.read(lazy)
    assert isinstance(next(items), Entity)
    with pytest.raises(DataError, match=r"^lazy\.csv:3: not UTF-8 text \(byte 0xff at column 1\)$"):
        list(items)


@pytest.mark.parametrize("module", [dod_1260h, fcc_covered_list, cn_countermeasures])
def test_unusable_files_raise_one_line_data_errors(module, tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(DataError, match=r"missing\.csv: cannot read: No such file or directory$"):
        list(module.read(missing))
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("\nid,name\n1,Huawei\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^wrong\.csv:2: not a .* file: header lacks "):
        list(module.read(wrong))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"^empty\.csv: not a .* file: it is empty$"):
        list(module.read(empty))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("Name,München\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"^latin1\.csv:1: not UTF-8 text \(byte 0xfc at column 7\)$"):
        list(module.read(latin1))
