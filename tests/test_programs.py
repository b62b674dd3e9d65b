"""The programme catalogue (graph/lists/formats/programs.yaml): checked on load, and tied to the shipped data."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

import graph
from graph.analysis.ownership import Verdict, exposure
from graph.errors import DataError
from graph.lists.editions import apply_list
from graph.lists.formats import programs
from graph.lists.formats.programs import CATALOGUE_PATH, load_catalogue
from graph.model.schema import load_schema

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "programs"
SHIPPED = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "programs.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def altered(change) -> dict:
    raw = copy.deepcopy(SHIPPED)
    change(raw)
    return raw


def test_the_shipped_catalogue_is_in_the_package_and_loads():
    assert CATALOGUE_PATH.parent == Path(programs.__file__).resolve().parent
    found = programs.catalogue()
    assert found is programs.catalogue()  # read once
    assert set(found.ofac) >= {"HK-EO13936", "GLOMAG", "CMIC-EO13959", "SDGT"}
    assert set(found.csl_lists) == {"EL", "MEU", "UVL", "DPL", "ISN", "DTC"}
    kinds = set(load_schema().nodes["Measure"].properties["kind"].enum)
    assert {p.kind for p in found.csl_lists.values()} | {p.kind for p in found.ofac.values()} <= kinds


def test_every_issuer_and_parent_measure_is_a_node_of_the_shipped_data():
    nodes = graph.load_graph().nodes
    found = programs.catalogue()
    named = found.node_ids()
    assert {"us-ofac", "us-bis", "us-state", "eo-13936"} <= named
    assert sorted(named - set(nodes)) == []
    issuers = {found.ofac_issuer} | {p.issuer for p in found.csl_lists.values()}
    parents = {p.part_of for p in [*found.ofac.values(), *found.csl_lists.values()] if p.part_of}
    assert named == issuers | parents
    assert {node: nodes[node]["label"] for node in issuers} == dict.fromkeys(issuers, "Government")
    assert {node: nodes[node]["label"] for node in parents} == dict.fromkeys(parents, "Measure")


BAD = [
    ("unknown kind", lambda raw: raw["csl_lists"]["EL"].update(kind="embargo"),
     "csl_lists.EL: kind 'embargo' is not a Measure kind"),
    ("unknown kind (OFAC)", lambda raw: raw["ofac"]["programmes"]["SDGT"].update(kind="blacklist"),
     "ofac.programmes.SDGT: kind 'blacklist' is not a Measure kind"),
    ("missing field", lambda raw: raw["csl_lists"]["DPL"].pop("issuer"), "csl_lists.DPL: missing required field(s) issuer"),
    ("missing field (OFAC)", lambda raw: raw["ofac"]["programmes"]["GLOMAG"].pop("legal_basis"),
     "ofac.programmes.GLOMAG: missing required field(s) legal_basis"),
    ("unknown field", lambda raw: raw["csl_lists"]["UVL"].update(issued_by="us-bis"),
     "csl_lists.UVL: unknown field(s) issued_by"),
    ("positional entry", lambda raw: raw["ofac"]["programmes"].update(IRAN=["31 CFR part 560", None, None, "designation"]),
     "ofac.programmes.IRAN must be a mapping of named fields"),
    ("bad date", lambda raw: raw["csl_lists"]["MEU"].update(announced="23 Dec 2020"),
     "csl_lists.MEU: announced must be a date"),
    ("bad node id", lambda raw: raw["csl_lists"]["ISN"].update(issuer="US State"),
     "csl_lists.ISN: issuer 'US State' is not a node id"),
    ("not a list of sources", lambda raw: raw["csl_lists"]["DTC"].update(sources="https://www.trade.gov"),
     "csl_lists.DTC: sources must be a list of https:// addresses"),
    ("duplicate id", lambda raw: raw["csl_lists"]["UVL"].update(id="bis-entity-list"),
     "csl_lists.UVL: id 'bis-entity-list' is already the Measure of csl_lists.EL"),
    ("missing url", lambda raw: raw["urls"].pop("csl"), "urls must have exactly the addresses"),
    ("unknown effect", lambda raw: raw["ofac"]["effects"].update(sdn="freezing"),
     "ofac.effects must give each of OFAC's lists (sdn, non-sdn) a Measure effect of the schema"),
    ("a list's effect missing", lambda raw: raw["ofac"]["effects"].pop("non-sdn"), "ofac.effects must give each"),
    ("unknown list", lambda raw: raw["ofac"]["programmes"]["GLOMAG"].update(list="ssi"),
     "ofac.programmes.GLOMAG: list 'ssi' is not one of OFAC's lists (sdn, non-sdn)"),
]


@pytest.mark.parametrize(("change", "message"), [bad[1:] for bad in BAD], ids=[bad[0] for bad in BAD])
def test_a_bad_entry_is_refused_with_one_line_naming_the_file_and_the_entry(tmp_path, change, message):
    path = write(tmp_path, altered(change))
    with pytest.raises(DataError) as caught:
        load_catalogue(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    assert "\n" not in text


def test_an_unreadable_catalogue_is_refused(tmp_path):
    path = tmp_path / "programs.yaml"
    path.write_text("ofac: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="cannot read the programme catalogue") as caught:
        load_catalogue(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)
    with pytest.raises(DataError, match="cannot read"):
        load_catalogue(tmp_path / "absent.yaml")


def test_the_url_constants_come_from_the_catalogue():
    urls = programs.catalogue().urls
    assert programs.OFAC_SDN_URL == urls["ofac_sdn"] == SHIPPED["urls"]["ofac_sdn"]
    assert programs.BIS_LISTS_URL == "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern"
    with pytest.raises(AttributeError):
        programs.NOT_A_URL  # noqa: B018


def node_with(g, identifier: str) -> str:
    return next(node for node, data in g.nodes(data=True) if identifier in (data.get("identifiers") or ()))


@pytest.fixture(scope="module")
def listed():
    """The shipped graph after importing real SDN rows (China's Equipment Development Department under
    CAATSA - RUSSIA, a Hong Kong official under HK-EO13936) and a real NS-CMIC row (SMIC) of the
    consolidated non-SDN list (tests/fixtures/imports/programs)."""
    g = graph.load_graph()
    apply_list("ofac-sdn", FIXTURES / "sdn.csv", g, edition="2022-01-21", alt=FIXTURES / "alt.csv")
    apply_list("ofac-consolidated", FIXTURES / "cons_prim.csv", g, edition="2025-12-01")
    return g


@pytest.mark.parametrize(("identifier", "measure"), [
    ("ofac:24837", "ofac-caatsa-russia"),  # Equipment Development Department
    ("ofac:24838", "ofac-caatsa-russia"),  # Li Shangfu, its director
    ("ofac:32477", "ofac-hk-eo13936"),  # Yin Zonghua
])
def test_an_sdn_listing_blocks_its_party_and_exposure_names_the_measure(listed, identifier, measure):
    party = node_with(listed, identifier)
    assert listed.nodes[measure]["effect"] == "blocking"
    result = exposure(listed, party, "2022-06-01")
    assert result.verdict is Verdict.PROVEN
    assert [m["id"] for m in result.blocked_by] == [measure]
    assert result.blocked_by[0]["effect"] == "blocking"


def test_an_ns_cmic_listing_restricts_without_blocking(listed):
    smic = node_with(listed, "ofac:30951")
    assert listed.nodes["ofac-cmic-eo13959"]["effect"] == "restricting"
    result = exposure(listed, smic, "2022-06-01")
    assert result.verdict is Verdict.NO and result.blocked_by == []
    assert [m["id"] for m in result.restrictions] == ["ofac-cmic-eo13959"]
    assert "not blocking: 1 restricting measure(s) in force" in result.reason


def test_a_tag_on_both_of_ofacs_lists_is_one_measure_per_list_each_with_its_effect():
    on_sdn = programs.ofac_program("UKRAINE-EO13662", (programs.OFAC_SDN_URL,))
    on_ssi = programs.ofac_program("UKRAINE-EO13662", (programs.OFAC_CONSOLIDATED_URL,))
    assert (on_sdn.id, on_sdn.effect) == ("ofac-ukraine-eo13662", "blocking")
    assert (on_ssi.id, on_ssi.effect) == ("ofac-ukraine-eo13662-non-sdn", "restricting")
    cmic = programs.ofac_program("CMIC-EO13959", (programs.OFAC_CONSOLIDATED_URL,))
    assert cmic == programs.ofac_program("CMIC-EO13959") and cmic.effect == "restricting"
    csl = programs.csl_programs("Specially Designated Nationals (SDN) - Treasury Department", ["HK-EO13936"])
    assert [p.effect for p in csl] == ["blocking"]
    entity_list = programs.csl_programs("Entity List (EL) - Bureau of Industry and Security", [])
    assert [p.effect for p in entity_list] == [None]  # the kind's: entity-listing restricts
    assert load_schema().lifecycle.effect({"kind": entity_list[0].kind}) == "restricting"
