"""The OpenSanctions FollowTheMoney JSON-lines importer on its fixtures."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from graph.errors import DataError
from graph.lists.formats import ftm
from graph.lists.formats.base import BadRow, Entity, Listing, OutOfScope, Ownership
from graph.lists.formats.programs import ofac_program

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "ftm"
ENTITIES = FIXTURES / "entities.ftm.json"
NESTED = FIXTURES / "targets.nested.json"
MALFORMED = FIXTURES / "malformed.ftm.json"
CMIC_URL = "https://ofac.treasury.gov/recent-actions/20210603"


def summary(items: list) -> list[tuple]:
    """Each item as (kind, where, record or owned->owner, program id)."""
    rows = []
    for item in items:
        if isinstance(item, Entity):
            rows.append(("Entity", item.where, item.record))
        elif isinstance(item, Listing):
            rows.append(("Listing", item.where, item.record, item.program.id))
        elif isinstance(item, Ownership):
            rows.append(("Ownership", item.where, f"{item.owner}->{item.owned}"))
        else:
            rows.append((type(item).__name__, item.where))
    return rows


def test_flat_file_yields_items_in_file_order_sanctions_before_their_entities():
    assert summary(list(ftm.read(ENTITIES))) == [
        ("Listing", "entities.ftm.json:1", "ofac-30947", "ofac-cmic-eo13959"),
        ("Entity", "entities.ftm.json:2", "ofac-30947"),
        ("Ownership", "entities.ftm.json:3", "ofac-32087->ofac-30947"),
        ("Entity", "entities.ftm.json:4", "ofac-32087"),
        ("Listing", "entities.ftm.json:5", "ofac-32087", "ofac-cmic-eo13959"),
        ("Entity", "entities.ftm.json:6", "ofac-30944"),
        ("Entity", "entities.ftm.json:7", "ofac-29249"),
        ("Listing", "entities.ftm.json:8", "ofac-29249", "ofac-hk-eo13936"),
        ("OutOfScope", "entities.ftm.json:9"),  # an Address: counted, not imported; line 10 is blank: nothing
        ("Entity", "entities.ftm.json:11", "cn-rubio"),
        ("Listing", "entities.ftm.json:12", "cn-rubio", "ministry-of-foreign-affairs-countermeasures"),
        ("Entity", "entities.ftm.json:13", "cn-cecc"),
    ]


def test_company_identifiers_aliases_and_country():
    items = [item for item in ftm.read(ENTITIES) if not isinstance(item, OutOfScope)]
    huawei = items[1]
    assert huawei == Entity(
        record="ofac-30947", label="Company", name="Huawei Technologies Co., Ltd.", where="entities.ftm.json:2",
        aliases=["HUAWEI TECHNOLOGIES CO., LTD.", "华为技术有限公司"], country="CN",
        identifiers=["opensanctions:ofac-30947", "ofac:30947", "uscc:914403001922038216"],
    )
    holding = items[3]
    assert holding.aliases == ["Huawei Investment and Holding Co., Ltd."]  # duplicates and the name itself dropped
    mobile = items[5]
    assert mobile.identifiers == ["opensanctions:ofac-30944", "ofac:30944", "uscc:911100007109250324"]  # CN registrationNumber


def test_people_public_bodies_and_wikidata():
    items = [item for item in ftm.read(ENTITIES) if not isinstance(item, OutOfScope)]
    lam = items[6]
    assert (lam.label, lam.country, lam.aliases, lam.role) == (
        "Official", "HK", ["Carrie Lam", "林鄭月娥"], "Chief Executive of the Hong Kong Special Administrative Region")
    rubio = items[8]
    assert (rubio.identifiers, rubio.role) == (["opensanctions:cn-rubio", "wikidata:Q324546"], "US Senator")
    cecc = items[10]
    assert (cecc.label, cecc.country, cecc.aliases) == ("Government", "US", ["国会-行政部门中国委员会", "CECC"])


def test_sanctions_become_listings_with_shared_ofac_programs():
    items = [item for item in ftm.read(ENTITIES) if not isinstance(item, OutOfScope)]
    cmic = items[0]
    assert cmic == Listing(record="ofac-30947", program=ofac_program("CMIC-EO13959"), where="entities.ftm.json:1",
                           since="2021-06-03", sources=[CMIC_URL])
    assert items[4].program is cmic.program
    hk = items[7]
    assert (hk.program, hk.since, hk.note) == (ofac_program("HK-EO13936"), "2020-08-07", "Undermining Hong Kong's autonomy")
    mfa = items[9].program
    assert (mfa.id, mfa.name, mfa.kind, mfa.issuer) == (
        "ministry-of-foreign-affairs-countermeasures", "Ministry of Foreign Affairs: Countermeasures", "counter-sanction", "cn-mfa")
    assert mfa.sources == ("https://www.fmprc.gov.cn/web/wjdt_674879/zcjd/202007/t20200713_9712330.shtml",)
    assert items[9].since == "2020-07-13"


def test_ownership_share():
    ownership = list(ftm.read(ENTITIES))[2]
    assert ownership == Ownership(owned="ofac-30947", owner="ofac-32087", where="entities.ftm.json:3", share=100.0)


def test_nested_form_embedded_entities_and_back_references():
    items = list(ftm.read(NESTED))
    assert summary(items) == [
        ("Entity", "targets.nested.json:1", "ofac-30947"),
        ("Listing", "targets.nested.json:1", "ofac-30947", "ofac-cmic-eo13959"),
        ("Entity", "targets.nested.json:1", "ofac-32087"),
        ("Listing", "targets.nested.json:1", "ofac-32087", "ofac-cmic-eo13959"),
        ("Ownership", "targets.nested.json:1", "ofac-32087->ofac-30947"),
        ("Entity", "targets.nested.json:2", "NK-fixtureHikvision"),
        ("Listing", "targets.nested.json:2", "NK-fixtureHikvision", "ofac-cmic-eo13959"),
        ("Listing", "targets.nested.json:2", "NK-fixtureHikvision", "federal-communications-commission-covered-list"),
        ("Entity", "targets.nested.json:3", "ofac-29249"),
        ("Listing", "targets.nested.json:3", "ofac-29249", "ofac-hk-eo13936"),
    ]
    hikvision = items[5]
    # A canonical OpenSanctions id: the OFAC id comes from its referents.
    assert hikvision.identifiers == ["opensanctions:NK-fixtureHikvision", "ofac:30946"]
    fcc = items[7].program
    assert (fcc.issuer, fcc.kind, fcc.sources, items[7].since) == (
        "us-fcc", "designation", ("https://www.fcc.gov/supplychain/coveredlist",), "2021-03-12")


def test_malformed_lines_are_bad_rows_with_their_line():
    items = list(ftm.read(MALFORMED))
    assert [item for item in items if isinstance(item, BadRow)] == [
        BadRow("malformed.ftm.json:2", "not JSON: Invalid control character at: line 1 column 86 (char 85)"),
        BadRow("malformed.ftm.json:3", "not UTF-8 text (byte 0xff at column 64)"),
        BadRow("malformed.ftm.json:4", "entity without an id"),
        BadRow("malformed.ftm.json:5", "ofac-dahua: entity without a schema"),
        BadRow("malformed.ftm.json:6", "ofac-spaceship: unknown FtM schema 'Spaceship'"),
        BadRow("malformed.ftm.json:7", "eu-huawei: unknown sanctioning authority 'Council of the European Union'"),
        BadRow("malformed.ftm.json:8", "ofac-orphan-sanction: Sanction without an entity"),
        BadRow("malformed.ftm.json:9", "ofac-own-orphan: Ownership without an asset"),
        BadRow("malformed.ftm.json:10", "ofac-noname: Company without a name"),
        BadRow("malformed.ftm.json:11", "not a JSON object"),
        BadRow("malformed.ftm.json:12", "ofac-30923-cmic: not a date: '2021-13-45'"),
    ]
    assert [item.where for item in items if isinstance(item, Entity)] == ["malformed.ftm.json:1", "malformed.ftm.json:13"]


def write_lines(path: Path, *entities: dict) -> Path:
    path.write_text("".join(json.dumps(entity, ensure_ascii=False) + "\n" for entity in entities), encoding="utf-8")
    return path


def test_lei_end_dates_percent_signs_and_crlf_bom(tmp_path):
    path = tmp_path / "x.json"
    write_lines(path,
                {"id": "x-co", "schema": "LegalEntity", "properties": {"name": ["Example Holdings"], "leiCode": ["5493001KJTIIGC8Y1R12"],
                                                                     "jurisdiction": ["gb"]}},
                {"id": "x-own", "schema": "Ownership", "properties": {"owner": ["x-co"], "asset": ["x-sub"], "percentage": ["about half", "50.5%"],
                                                                     "startDate": ["2019"], "endDate": ["2022-03"]}},
                {"id": "x-s", "schema": "Sanction", "properties": {"entity": ["x-co"], "authority": ["Bureau of Industry and Security"],
                                                                 "program": ["Entity List", "Military End User List"], "endDate": ["2023-01-05"]}})
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    company, ownership, entity_list, meu = ftm.read(path)
    assert (company.label, company.country, company.identifiers) == ("Company", "GB", ["opensanctions:x-co", "lei:5493001KJTIIGC8Y1R12"])
    assert (ownership.share, ownership.since, ownership.until) == (50.5, "2019", "2022-03")
    assert (entity_list.program.id, entity_list.program.issuer, entity_list.program.kind, entity_list.until) == (
        "bureau-of-industry-and-security-entity-list", "us-bis", "entity-listing", "2023-01-05")
    assert entity_list.program.sources == (ftm.FALLBACK_SOURCE,)
    assert meu.program.id == "bureau-of-industry-and-security-military-end-user-list"


def test_embedded_ownership_under_its_owner(tmp_path):
    path = write_lines(tmp_path / "n.json", {"id": "parent", "schema": "Company", "properties": {
        "name": ["Parent Co"], "ownershipOwner": [{"id": "o1", "schema": "Ownership", "properties": {
            "asset": [{"id": "child", "schema": "Company", "properties": {"name": ["Child Co"]}}]}}]}})
    parent, child, ownership = ftm.read(path)
    assert (parent.record, child.record) == ("parent", "child")
    assert ownership == Ownership(owned="child", owner="parent", where="n.json:1")


def test_read_is_lazy_and_streams(tmp_path):
    assert inspect.isgeneratorfunction(ftm.read)
    path = tmp_path / "big.json"
    lines = ENTITIES.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[1] + b"{not json\n" * 3)
    items = ftm.read(path)
    assert next(items).record == "ofac-30947"
    with path.open("ab") as handle:  # lines added after the first item was read are still read
        handle.write(lines[3])
    assert [type(item).__name__ for item in items] == ["BadRow", "BadRow", "BadRow", "Entity"]


def test_unopenable_file_raises(tmp_path):
    with pytest.raises(DataError, match=r"nowhere\.json: cannot read: No such file or directory$"):
        list(ftm.read(tmp_path / "nowhere.json"))


def test_issuers():
    assert [ftm.issuer_of(authority) for authority in (
        "US Department of the Treasury, Office of Foreign Assets Control", "U.S. Department of Commerce", "BIS",
        "Department of Defense", "U.S. Department of State", "Ministry of Foreign Affairs of the People's Republic of China",
        "MOFCOM", "Federal Communications Commission", "Banco de Bisagra",
    )] == ["us-ofac", "us-bis", "us-bis", "us-dod", "us-state", "cn-mfa", "cn-mofcom", "us-fcc", None]


def test_module_interface():
    assert (ftm.FORMAT.name, ftm.FORMAT.extra_files) == ("ftm", {})
    assert ftm.FORMAT.published_at.startswith("https://")


def _check_ftm(entity: dict, model) -> None:
    """Fail unless ``entity`` (embedded entities included) is valid FollowTheMoney."""
    schema = model.get(entity["schema"])
    assert schema is not None, entity["schema"]
    flat = {prop: [value for value in values if not isinstance(value, dict)] for prop, values in entity["properties"].items()}
    for prop in flat:
        assert schema.get(prop) is not None, f"{entity['id']}: {schema.name} has no property {prop}"
    proxy = model.get_proxy({"id": entity["id"], "schema": entity["schema"], "properties": flat}, cleaned=False)
    assert {prop for prop, values in flat.items() if values} == set(proxy.properties), entity["id"]
    for values in entity["properties"].values():
        for value in values:
            if isinstance(value, dict):
                _check_ftm(value, model)


@pytest.mark.parametrize("path", [ENTITIES, NESTED])
def test_fixtures_are_valid_followthemoney(path):
    model = pytest.importorskip("followthemoney").model
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            _check_ftm(json.loads(line), model)
