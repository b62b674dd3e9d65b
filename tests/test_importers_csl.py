"""The trade.gov Consolidated Screening List parser (CSV in both layouts, JSON, JSON lines) on hand-written fixtures."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import threading
from pathlib import Path

import pytest

from graph.errors import DataError
from graph.lists.formats import csl, ofac_consolidated, ofac_sdn
from graph.lists.formats.base import BadRow, Entity, Link, Listing
from graph.lists.formats.programs import OFAC_CONSOLIDATED_URL, csl_programs, ofac_program
from tests.conftest import of_record

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
CSL = FIXTURES / "csl"
SDN_URL = "https://sanctionslist.ofac.treas.gov/Home/SdnList"
EL_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list"


def items_of(name: str) -> list:
    return list(csl.read(CSL / name))


def test_sdn_row_matches_the_ofac_importer():
    entity, listing = of_record(items_of("csl.csv"), "29242")
    assert entity == Entity(
        record="29242",
        label="Official",
        name="TANG, Chris",
        where="csl.csv:2",
        aliases=["Chris TANG", "TANG, Ping-keung", "Ping-keung TANG"],
        country="HK",
        identifiers=["ofac:29242"],
        role="Commissioner of Police",
        summary="DOB 1965-07-04; POB Hong Kong",
        sources=[SDN_URL],
        scope="csl ofac",  # the CSL's OFAC rows are distinct parties, as OFAC's own records
    )
    from_sdn = next(item for item in ofac_sdn.read(FIXTURES / "ofac_sdn" / "sdn.csv") if isinstance(item, Listing))
    assert listing.program == from_sdn.program == ofac_program("HK-EO13936")
    assert listing == Listing("29242", from_sdn.program, "csl.csv:2", sources=[SDN_URL])


def test_cmic_row_shares_the_consolidated_measure_and_reads_its_ids():
    entity, listing, link = of_record(items_of("csl.csv"), "30882")
    cons = FIXTURES / "ofac_consolidated" / "cons_prim.csv"
    from_cons = next(item for item in ofac_consolidated.read(cons) if isinstance(item, Listing))
    assert listing.program == from_cons.program == ofac_program("CMIC-EO13959", (OFAC_CONSOLIDATED_URL,))
    assert entity.identifiers == ["ofac:30882", "uscc:9111000071093019X7"]  # the same ofac: identifier as cons_prim.csv
    assert entity.aliases == ["CHINA TELECOM", "CHINA TELECOM CO., LTD", "中国电信股份有限公司"]  # "China Telecom" repeated
    assert (entity.label, entity.country) == ("Company", "CN")
    assert (listing.since, listing.until, listing.note) == ("2021-06-03", None, "Effective Date (CMIC) 2021-08-02")
    assert link == Link("30882", "CHINA TELECOMMUNICATIONS CORPORATION", "csl.csv:3", party_is_name=True, sources=[SDN_URL])


def test_entity_list_row():
    entity, listing = of_record(items_of("csl.csv"), "e1000000000000000000000000000001")
    assert entity == Entity(
        record="e1000000000000000000000000000001",
        label="Company",
        name="Huawei Technologies Co., Ltd.",
        where="csl.csv:4",
        aliases=["Huawei"],
        country="CN",
        identifiers=["csl:e1000000000000000000000000000001"],
        sources=[EL_URL],
    )
    assert listing == Listing(
        "e1000000000000000000000000000001",
        csl_programs("Entity List (EL) - Bureau of Industry and Security", [])[0],
        "csl.csv:4",
        since="2019-05-21",
        note="84 FR 22961",
        sources=[EL_URL, "https://www.federalregister.gov/citation/84-FR-22961"],
    )
    program = listing.program
    assert (program.id, program.name, program.kind, program.issuer) == (
        "bis-entity-list",
        "BIS Entity List (Supplement No. 4 to Part 744)",
        "entity-listing",
        "us-bis",
    )
    assert (program.legal_basis, program.citation) == (
        "Export Administration Regulations, 15 CFR 744.11",
        "15 CFR part 744, supplement no. 4",
    )


def test_other_lists_multi_programmes_and_skipped_rows():
    items = items_of("csl.csv")
    assert [listing.program.id for listing in of_record(items, "66f6ab3f26234b75a9093fce79ef0ce0")[1:]] == ["bis-meu-list"]
    assert [listing.program.id for listing in of_record(items, "99201")[1:]] == ["ofac-cyber2", "ofac-sdgt"]
    assert of_record(items, "99201")[0].aliases == ["EXAMPLE CYBER", "示例网络科技有限公司"]
    denied, denial = of_record(items, "e1000000000000000000000000000002")
    assert (denied.label, denied.role, denied.country) == ("Official", "Person on the DPL list", "CN")
    assert (denial.program.id, denial.program.kind, denial.since, denial.until) == (
        "bis-denied-persons-list",
        "denial-order",
        "2019-01-02",
        "2029-01-02",
    )
    isn_entity, isn = of_record(items, "e1000000000000000000000000000003")
    assert (isn_entity.where, isn.program.issuer, isn.note) == ("csl.csv:10", "us-state", "INKSNA")
    assert of_record(items, "99202") == []  # a vessel, out of scope
    assert [item for item in items if not isinstance(item, Link)][-1] == BadRow("csl.csv:11", "unknown screening list 'Example List (XL) - Example Department'")
    assert len([item for item in items if isinstance(item, Entity)]) == 7


def test_old_layout_without_id():
    items = items_of("csl_old.csv")
    lam, listing = items[:2]
    assert (lam.record, lam.where, lam.identifiers, lam.country) == ("29249", "csl_old.csv:2", ["ofac:29249"], "HK")
    assert lam.aliases == ["Carrie LAM", "CHENG, Yuet-ngor", "Yuet-ngor CHENG", "LAM CHENG, Yuet-ngor", "Yuet-ngor LAM CHENG"]
    assert listing.program == ofac_program("HK-EO13936")
    hikvision = items[2]
    source = "Entity List (EL) - Bureau of Industry and Security"
    expected = hashlib.sha256(f"{source}\nHangzhou Hikvision Digital Technology Co., Ltd.".encode()).hexdigest()[:16]
    assert (hikvision.record, hikvision.identifiers, hikvision.aliases) == (expected, [], ["Hikvision", "Hangzhou Hikvision."])
    assert (items[3].since, items[3].note) == ("2019-10-09", "84 FR 54002")
    assert (items[4].country, items[5].program.id, items[5].where) == ("HK", "bis-unverified-list", "csl_old.csv:4")


def test_malformed_csv_rows():
    items = items_of("csl_bad.csv")
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("csl_bad.csv:3", "expected 29 columns, found 3"),
        BadRow("csl_bad.csv:4", "not a date: '2019-13-45'"),
        BadRow("csl_bad.csv:5", "empty name"),
    ]
    assert [item.where for item in items if isinstance(item, Entity)] == ["csl_bad.csv:2", "csl_bad.csv:6"]


def test_json_document_gives_the_csv_rows_with_their_lines():
    items = items_of("csl.json")
    from_csv = items_of("csl.csv")
    for record, line in (("29242", 9), ("30882", 40), ("99201", 112)):
        as_json, as_csv = of_record(items, record), of_record(from_csv, record)
        assert {item.where for item in as_json} == {f"csl.json:{line}"}
        for item in as_json + as_csv:
            item.where = "-"
        assert as_json == as_csv
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("csl.json:111", "not a JSON object"),
        BadRow("csl.json:138", "not a date: 'someday'"),
    ]


def test_json_lines_and_bare_list(tmp_path):
    items = items_of("csl.jsonl")
    assert [(type(item).__name__, item.where) for item in items if not isinstance(item, (Listing, Link))] == [
        ("Entity", "csl.jsonl:1"),
        ("Entity", "csl.jsonl:2"),
        ("BadRow", "csl.jsonl:4"),  # line 3 is blank
        ("Entity", "csl.jsonl:5"),
    ]
    rows = json.loads((CSL / "csl.json").read_text(encoding="utf-8"))["results"][:2]
    (tmp_path / "list.json").write_text(json.dumps(rows), encoding="utf-8")
    assert [item.record for item in csl.read(tmp_path / "list.json") if isinstance(item, Entity)] == ["29242", "30882"]


def test_unreadable_files_are_data_errors(tmp_path):
    (tmp_path / "csl.csv").write_text((CSL / "csl.csv").read_text(encoding="utf-8"), encoding="utf-16")
    with pytest.raises(DataError, match=r"csl\.csv:1: not UTF-8 text \(byte 0xff at column 1\)$"):
        list(csl.read(tmp_path / "csl.csv"))
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"other\.csv: not a Consolidated Screening List CSV"):
        list(csl.read(tmp_path / "other.csv"))
    (tmp_path / "broken.json").write_text('{\n  "results": [\n    {"name": "X"},\n    oops\n  ]\n}\n')
    with pytest.raises(DataError, match=r"broken\.json:4: invalid JSON"):
        list(csl.read(tmp_path / "broken.json"))
    (tmp_path / "latin1.json").write_bytes('{"results": [{"name": "Gui\xe9an"}]}'.encode("latin-1"))
    with pytest.raises(DataError, match=r"latin1\.json:1: not UTF-8 text \(byte 0xe9 at column 27\)$"):
        list(csl.read(tmp_path / "latin1.json"))
    with pytest.raises(DataError, match=r"missing\.json: cannot read"):
        list(csl.read(tmp_path / "missing.json"))


def test_invalid_utf8_line_is_a_bad_row(tmp_path):
    lines = (CSL / "csl.csv").read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"Commissioner", b"Commissi\xf6ner")
    (tmp_path / "csl.csv").write_bytes(b"".join(lines))
    items = list(csl.read(tmp_path / "csl.csv"))
    assert items[0] == BadRow("csl.csv:2", "not UTF-8 text (byte 0xf6 at column 127)")
    assert items[1].record == "30882"


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_read_is_lazy_and_streams(tmp_path, suffix):
    """The first row's items arrive while the rest of the file is still being written."""
    source = (CSL / f"csl{suffix}").read_text(encoding="utf-8").splitlines(keepends=True)
    head = source[:2] if suffix == ".csv" else source[:1]
    pipe = tmp_path / f"csl{suffix}"
    os.mkfifo(pipe)
    release = threading.Event()

    def write() -> None:
        with open(pipe, "w", encoding="utf-8") as out:
            out.writelines(head)
            out.flush()
            release.wait(10)
            out.writelines(source[len(head) :])

    writer = threading.Thread(target=write)
    items = csl.read(pipe)
    assert inspect.isgenerator(items)
    writer.start()
    first = next(items)
    streamed = not release.is_set()
    release.set()
    rest = list(items)
    writer.join()
    assert streamed and first.record == "29242"
    assert len(rest) > 5
