"""The OFAC list parsers (legacy SDN CSV and consolidated non-SDN CSV) on hand-written fixtures."""

from __future__ import annotations

import inspect
import os
import threading
from pathlib import Path

import pytest

from graph.errors import DataError
from graph.lists.formats import ofac_consolidated, ofac_sdn
from graph.lists.formats.base import BadRow, Entity, Link, Listing
from graph.lists.formats.programs import OFAC_CONSOLIDATED_URL, OFAC_SDN_URL, ofac_program
from tests.conftest import of_record

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SDN = FIXTURES / "ofac_sdn"
CONS = FIXTURES / "ofac_consolidated"
NULLS = ",-0- " * 7
CHEN_QUANGUO = f'29220,"CHEN, Quanguo","individual","GLOMAG"{NULLS},"DOB 1955; POB Pingyu, Henan, China; Gender Male."'


def sdn_items(name: str = "sdn.csv") -> list:
    return list(ofac_sdn.read(SDN / name, alt=SDN / "alt.csv", add=SDN / "add.csv"))


def test_person_row_gives_entity_then_listing():
    entity, listing = of_record(sdn_items(), "29242")
    assert entity == Entity(
        record="29242",
        label="Official",
        name="TANG, Chris",
        where="sdn.csv:1",
        aliases=["Chris TANG", "TANG, Ping-keung", "Ping-keung TANG"],
        country="HK",
        identifiers=["ofac:29242"],
        role="Commissioner of Police",
        summary="DOB 04 Jul 1965; POB Hong Kong",
        sources=[OFAC_SDN_URL],
    )
    assert listing == Listing("29242", ofac_program("HK-EO13936"), "sdn.csv:1", sources=[OFAC_SDN_URL])
    assert listing.program.part_of == "eo-13936"


def test_person_without_title_or_nationality():
    entity, listing = of_record(sdn_items(), "29220")
    assert (entity.role, entity.country, entity.aliases) == ("Person designated by OFAC", "CN", ["Quanguo CHEN"])
    assert (listing.program.id, listing.since) == ("ofac-glomag", None)


def test_company_row_aliases_identifiers_address_and_links():
    entity, *rest = of_record(sdn_items(), "99002")
    assert entity.label == "Company" and entity.role is None
    # alt.csv first, then the remarks; "Example Trading Co., Ltd" is the name again and the
    # fka 'EXAMPLE TRADING' repeats the remarks' a.k.a.
    assert entity.aliases == ["EXAMPLE TRADING COMPANY LIMITED", "示例贸易有限公司", "EXAMPLE TRADING"]
    assert entity.identifiers == ["ofac:99002", "uscc:91440300EXAMPLE001", "lei:5493000EXAMPLE000001"]
    # add.csv files the address under "China" with the city "Hong Kong New Territories\nHong Kong SAR".
    assert entity.country == "HK"
    assert entity.summary == "Organization Type: Wholesale trade"
    assert [listing.program.id for listing in rest if isinstance(listing, Listing)] == ["ofac-sdgt", "ofac-iran"]
    # "Linked To" is a link, not ownership; EXAMPLE, Person is a record of the file (99001), found by its name.
    assert [item for item in rest if isinstance(item, Link)] == [
        Link("99002", "EXAMPLE HOLDINGS LIMITED", "sdn.csv:5", party_is_name=True, sources=[OFAC_SDN_URL]),
        Link("99002", "99001", "sdn.csv:5", sources=[OFAC_SDN_URL]),
    ]


def test_multi_programme_person_and_duplicate_aliases():
    entity, *listings = of_record(sdn_items(), "99001")
    assert entity.aliases == ["Person EXAMPLE", "EXAMPLE, Persona", "Persona EXAMPLE"]
    assert entity.country == "CN"  # "citizen China"
    assert [listing.program for listing in listings] == [ofac_program("DPRK3"), ofac_program("CYBER2")]
    assert all(listing.where == "sdn.csv:4" for listing in listings)


def test_file_order_vessels_skipped_null_row_bad_and_crlf():
    items = sdn_items()
    assert [(type(item).__name__, item.where) for item in items if not isinstance(item, (Listing, Link))] == [
        ("Entity", "sdn.csv:1"),
        ("Entity", "sdn.csv:2"),
        ("Entity", "sdn.csv:3"),
        ("Entity", "sdn.csv:4"),
        ("Entity", "sdn.csv:5"),
        ("OutOfScope", "sdn.csv:7"),  # line 6 continues row 5 (embedded newline), 7 is a vessel: counted, not imported
        ("BadRow", "sdn.csv:8"),  # the ^Z line is ignored
    ]
    # the links come once the whole file is read, so that they can name any of its records
    assert items[-3] == BadRow("sdn.csv:8", "no programme") and all(isinstance(item, Link) for item in items[-2:])


def test_side_files_are_optional():
    entity = next(ofac_sdn.read(SDN / "sdn.csv"))
    assert (entity.record, entity.aliases) == ("29242", ["Chris TANG"])
    company = next(item for item in ofac_sdn.read(SDN / "sdn.csv") if getattr(item, "record", "") == "99002")
    assert company.country == "CN"  # without add.csv: the USCC's "(China)"


def test_newer_edition_drops_and_adds_records():
    def records(name: str) -> set[str]:
        return {item.record for item in sdn_items(name) if isinstance(item, Entity)}

    assert records("sdn.csv") - records("sdn_newer.csv") == {"99001"}
    assert records("sdn_newer.csv") - records("sdn.csv") == {"99005"}


def test_malformed_rows_become_bad_rows_with_their_first_line():
    items = list(ofac_sdn.read(SDN / "sdn_bad.csv"))
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("sdn_bad.csv:2", "expected 12 columns, found 4"),
        BadRow("sdn_bad.csv:3", "ent_num is not a number: 'X99011'"),
        BadRow("sdn_bad.csv:4", "empty name"),
        BadRow("sdn_bad.csv:5", "not a date: '31 Feb 2021'"),  # the row spans lines 5 and 6
        BadRow("sdn_bad.csv:7", "not UTF-8 text (byte 0xe9 at column 28)"),
    ]
    assert [item.where for item in items if isinstance(item, Entity)] == ["sdn_bad.csv:1", "sdn_bad.csv:8"]


def test_consolidated_cmic_row():
    items = list(ofac_consolidated.read(CONS / "cons_prim.csv", alt=CONS / "cons_alt.csv", add=CONS / "cons_add.csv"))
    assert items[0] == BadRow("cons_add.csv:4", "expected 6 columns, found 3")
    entity, listing, link = of_record(items, "30882")
    assert entity == Entity(
        record="30882",
        label="Company",
        name="CHINA TELECOM CORPORATION LIMITED",
        where="cons_prim.csv:1",
        aliases=["CHINA TELECOM", "CHINA TELECOM CO., LTD", "中国电信股份有限公司", "China Telecom Corp Ltd"],
        country="CN",
        identifiers=["ofac:30882", "uscc:9111000071093019X7"],
        summary="Target Type Public Company",
        sources=[OFAC_CONSOLIDATED_URL],
    )
    assert listing == Listing(
        "30882",
        ofac_program("CMIC-EO13959", (OFAC_CONSOLIDATED_URL,)),
        "cons_prim.csv:1",
        since="2021-06-03",
        note="Effective Date (CMIC) 2021-08-02; Purchase/Sales For Divestment Date (CMIC) 2022-06-03",
        sources=[OFAC_CONSOLIDATED_URL],
    )
    assert listing.program.id == "ofac-cmic-eo13959" and listing.program.part_of == "ns-cmic-list"
    assert link == Link(
        "30882", "CHINA TELECOMMUNICATIONS CORPORATION", "cons_prim.csv:1", party_is_name=True, sources=[OFAC_CONSOLIDATED_URL]
    )


def test_consolidated_hong_kong_address_links_and_missing_dates():
    items = list(ofac_consolidated.read(CONS / "cons_prim.csv", alt=CONS / "cons_alt.csv", add=CONS / "cons_add.csv"))
    china_mobile = of_record(items, "30923")
    assert china_mobile[0].country == "HK"  # address "Hong Kong", "China"
    assert china_mobile[2].party == "CHINA MOBILE COMMUNICATIONS GROUP CO., LTD" and china_mobile[2].party_is_name
    huawei_holding = of_record(items, "32087")
    assert huawei_holding[0].aliases == ["Huawei Investment and Holding Co., Ltd."]
    # "Linked To: HUAWEI TECHNOLOGIES CO., LTD" is record 30947 of the same file (the final period aside)
    assert huawei_holding[2] == Link("32087", "30947", "cons_prim.csv:5", sources=[OFAC_CONSOLIDATED_URL])
    example, *listings = of_record(items, "99101")
    assert example.aliases == ["EMEC"]
    assert [(listing.program.id, listing.since, listing.note) for listing in listings] == [
        ("ofac-cmic-eo13959", None, None),
        ("ofac-ns-mbs", None, None),
    ]


def test_consolidated_bad_rows():
    bad = [item for item in ofac_consolidated.read(CONS / "cons_prim_bad.csv") if isinstance(item, BadRow)]
    assert bad == [
        BadRow("cons_prim_bad.csv:2", "not a date: '32 Jun 2021'"),
        BadRow("cons_prim_bad.csv:3", "expected 12 columns, found 13"),
    ]


def test_one_reader_for_both_lists_and_the_same_measure_ids():
    assert ofac_consolidated.read_ofac_csv is ofac_sdn.read_ofac_csv
    assert (ofac_sdn.FORMAT.name, ofac_consolidated.FORMAT.name) == ("ofac-sdn", "ofac-consolidated")
    assert set(ofac_sdn.FORMAT.extra_files) == set(ofac_consolidated.FORMAT.extra_files) == {"alt", "add"}
    assert ofac_program("CMIC-EO13959", (OFAC_CONSOLIDATED_URL,)).id == ofac_program("[CMIC-EO13959]").id


def test_truncated_remarks_drop_the_cut_clause_but_keep_a_whole_uscc(tmp_path):
    head = "Target Type Public Company; " + "; ".join(f"alt. ISIN CND1000{n:05d}" for n in range(60))
    uscc = "; Unified Social Credit Code (USCC) 91110000710934369E "
    linked = "; Linked To: CHINA COMMUNICATIONS CONSTRUCTI"
    for tail, identifiers in ((uscc, ["ofac:1", "uscc:91110000710934369E"]), (linked, ["ofac:1"])):
        remarks = head[: 1000 - len(tail)] + tail
        (tmp_path / "sdn.csv").write_text(f'1,"EXAMPLE CUT CO.",-0- ,"SDGT"{NULLS},"{remarks}"\n')
        items = list(ofac_sdn.read(tmp_path / "sdn.csv"))
        assert items[0].identifiers == identifiers
        assert not [item for item in items if isinstance(item, Link)]


def test_not_utf8_or_unreadable_file_is_a_data_error(tmp_path):
    utf16 = tmp_path / "sdn.csv"
    utf16.write_text(CHEN_QUANGUO, encoding="utf-16")
    with pytest.raises(DataError, match=r"sdn\.csv:1: not UTF-8 text \(byte 0xff at column 1\)$") as error:
        list(ofac_sdn.read(utf16))
    assert "\n" not in str(error.value)
    with pytest.raises(DataError, match=r"missing\.csv: cannot read"):
        list(ofac_consolidated.read(tmp_path / "missing.csv"))
    with pytest.raises(DataError, match=r"alt\.csv: cannot read"):
        list(ofac_sdn.read(SDN / "sdn.csv", alt=tmp_path / "alt.csv"))


def test_read_is_lazy_and_streams(tmp_path):
    """The first row's items arrive while the rest of the file is still being written."""
    pipe = tmp_path / "sdn.csv"
    os.mkfifo(pipe)
    release = threading.Event()

    def write() -> None:
        with open(pipe, "w", encoding="utf-8") as out:
            out.write(CHEN_QUANGUO + "\r\n")
            out.flush()
            release.wait(10)
            out.write(CHEN_QUANGUO.replace("29220", "29221") + "\r\n")

    writer = threading.Thread(target=write)
    items = ofac_sdn.read(pipe)
    assert inspect.isgenerator(items)
    writer.start()
    first = next(items)
    streamed = not release.is_set()
    release.set()
    rest = list(items)
    writer.join()
    assert streamed and first.record == "29220"
    assert [item.record for item in rest] == ["29220", "29221", "29221"]
