"""The Measures that imported listings hang from: one per sanctions programme or list.

The same programme reached through two lists (an SDN row of trade.gov's
Consolidated Screening List and the same row of OFAC's sdn.csv) must become the
same Measure node, so every importer takes its :class:`Program` from here.
Issuers and parents are nodes of the shipped data.

The catalogue itself (OFAC programme tags, the CSL's other lists, where each
list is published) is data: ``programs.yaml`` beside this module, read once on
first use and checked as it is read (:func:`load_catalogue`).

>>> p = ofac_program("HK-EO13936")
>>> p.id, p.name, p.part_of, p.effect
('ofac-hk-eo13936', 'OFAC HK-EO13936 designations', 'eo-13936', 'blocking')
>>> [(p.id, p.effect) for p in (ofac_program("CMIC-EO13959"), ofac_program("NS-PLC"))]
[('ofac-cmic-eo13959', 'restricting'), ('ofac-ns-plc', 'restricting')]
>>> ofac_program("SDGT").legal_basis
'EO 13224; IEEPA'
>>> from graph.lists.formats.programs import OFAC_SDN_URL  # read from the catalogue, like every URL constant
>>> OFAC_SDN_URL
'https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists'

trade.gov's Consolidated Screening List names its source list on every row;
:func:`csl_programs` maps that to the same Measures (OFAC lists) or to one
Measure per BIS or State Department list:

>>> [p.id for p in csl_programs("Specially Designated Nationals (SDN) - Treasury Department", ["HK-EO13936"])]
['ofac-hk-eo13936']
>>> [(p.id, p.issuer, p.kind) for p in csl_programs("Entity List (EL) - Bureau of Industry and Security", [])]
[('bis-entity-list', 'us-bis', 'entity-listing')]
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import DataError, brief
from graph.lists.formats.base import Program
from graph.model.schema import load_schema
from graph.model.types import ID_PATTERN
from graph.text import YAML_LOADER

CATALOGUE_PATH = Path(__file__).resolve().with_name("programs.yaml")

# The module's URL constants (read from the catalogue on first use, see __getattr__) and their keys under ``urls:``.
_URL_CONSTANTS = {
    "OFAC_SDN_URL": "ofac_sdn",
    "OFAC_CONSOLIDATED_URL": "ofac_consolidated",
    "CSL_URL": "csl",
    "BIS_LISTS_URL": "bis_lists",
}
# Fields of an OFAC programme (its id, name, issuer and sources come from the tag and the list read).
_OFAC_REQUIRED = ("legal_basis", "kind", "summary")
_OFAC_OPTIONAL = ("list", "citation", "part_of", "announced", "effective")
# OFAC's two lists, as a programme's ``list`` names them: the SDN list and the non-SDN lists.
OFAC_LISTS = ("sdn", "non-sdn")
# Fields of one of the CSL's other lists: a whole Program.
_LIST_REQUIRED = ("id", "name", "kind", "issuer", "sources", "summary")
_LIST_OPTIONAL = ("legal_basis", "citation", "part_of", "announced", "effective")


@dataclass(frozen=True)
class OfacProgramme:
    """What the catalogue says of one OFAC programme tag."""

    kind: str
    summary: str
    legal_basis: str
    list: str = "sdn"
    citation: str | None = None
    part_of: str | None = None
    announced: str | None = None
    effective: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """The checked contents of ``programs.yaml``."""

    path: Path
    urls: dict[str, str]
    ofac_issuer: str
    ofac: dict[str, OfacProgramme]
    csl_lists: dict[str, Program]
    ofac_effects: dict[str, str]  # OFAC list (OFAC_LISTS) -> the effect of a listing on it
    non_sdn_prefix: str  # a tag the catalogue does not list designates onto the non-SDN lists when it starts so

    def ofac_list(self, tag: str) -> str:
        """The OFAC list a programme tag designates onto: its entry's, else by OFAC's ``NS-`` marking.

        >>> found = catalogue()
        >>> found.ofac_list("GLOMAG"), found.ofac_list("CMIC-EO13959"), found.ofac_list("NS-MBS"), found.ofac_list("BALKANS")
        ('sdn', 'non-sdn', 'non-sdn', 'sdn')
        """
        entry = self.ofac.get(tag)
        if entry is not None:
            return entry.list
        return "non-sdn" if tag.startswith(self.non_sdn_prefix) else "sdn"

    def node_ids(self) -> set[str]:
        """Every issuer and parent measure the catalogue names: each must be a node of the shipped data."""
        programmes: list[OfacProgramme | Program] = [*self.ofac.values(), *self.csl_lists.values()]
        return {self.ofac_issuer} | {p.issuer for p in self.csl_lists.values()} | {p.part_of for p in programmes if p.part_of}


def _mapping(raw: Any, where: str, path: Path) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw or not all(isinstance(key, str) for key in raw):
        raise DataError(f"{path}: {where} must be a non-empty mapping with text keys")
    return raw


def _fields(raw: Any, where: str, path: Path, required: tuple[str, ...], optional: tuple[str, ...],
            kinds: Collection[str]) -> dict[str, Any]:
    """One entry's fields, checked: known names, the required ones present, text values, a Measure kind, ISO dates."""
    if not isinstance(raw, dict):
        raise DataError(f"{path}: {where} must be a mapping of named fields, not {brief(raw)}")
    unknown = sorted(str(name) for name in set(raw) - set(required) - set(optional))
    if unknown:
        raise DataError(f"{path}: {where}: unknown field(s) {', '.join(unknown)} (known: {', '.join((*required, *optional))})")
    missing = [name for name in required if raw.get(name) in (None, "", [])]
    if missing:
        raise DataError(f"{path}: {where}: missing required field(s) {', '.join(missing)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None:
            continue
        if name == "sources":
            if not isinstance(value, list) or not all(isinstance(url, str) and url.startswith("https://") for url in value):
                raise DataError(f"{path}: {where}: sources must be a list of https:// addresses, not {brief(value)}")
            value = tuple(value)
        elif name in ("announced", "effective"):
            value = _iso_date(value, f"{path}: {where}: {name}")
        elif not isinstance(value, str) or not value.strip():
            raise DataError(f"{path}: {where}: {name} must be non-empty text, not {brief(value)}")
        elif name in ("id", "issuer", "part_of") and not ID_PATTERN.fullmatch(value):
            raise DataError(f"{path}: {where}: {name} {brief(value)} is not a node id (lowercase letters, digits, hyphens)")
        elif name == "list" and value not in OFAC_LISTS:
            raise DataError(f"{path}: {where}: list {brief(value)} is not one of OFAC's lists ({', '.join(OFAC_LISTS)})")
        values[name] = value
    if values["kind"] not in kinds:
        raise DataError(f"{path}: {where}: kind {brief(values['kind'])} is not a Measure kind of the schema")
    return values


def _iso_date(value: Any, where: str) -> str:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise DataError(f"{where} must be a date (YYYY-MM-DD), not {brief(value)}")


def load_catalogue(path: Path | str | None = None, kinds: Collection[str] | None = None,
                   effects: Collection[str] | None = None) -> Catalogue:
    """Read and check a programme catalogue (by default the shipped ``programs.yaml``).

    ``kinds`` are the Measure kinds an entry may have and ``effects`` the effects a list's
    listing may have; by default those the shipped schema (``data/schema.yaml``) allows. Raises :class:`DataError`, one
    line naming the file and the entry, for a catalogue that is not as declared.

    >>> load_catalogue().csl_lists["MEU"].announced
    '2020-12-23'
    """
    path = Path(path) if path else CATALOGUE_PATH
    if kinds is None:
        kinds = load_schema().nodes["Measure"].properties["kind"].enum
    if effects is None:
        effects = load_schema().nodes["Measure"].properties["effect"].enum
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read the programme catalogue: {str(exc).splitlines()[0]}") from None
    raw = _mapping(raw, "the catalogue", path)
    unknown = sorted(set(raw) - {"urls", "ofac", "csl_lists"})
    if unknown:
        raise DataError(f"{path}: unknown section(s) {', '.join(map(str, unknown))} (known: urls, ofac, csl_lists)")

    urls = _mapping(raw.get("urls"), "urls", path)
    if set(urls) != set(_URL_CONSTANTS.values()):
        raise DataError(f"{path}: urls must have exactly the addresses {', '.join(_URL_CONSTANTS.values())}")
    for constant, key in _URL_CONSTANTS.items():
        value = urls.get(key)
        if not isinstance(value, str) or not value.startswith("https://"):
            raise DataError(f"{path}: urls.{key} ({constant}) must be an https:// address, not {brief(value)}")

    ofac_raw = _mapping(raw.get("ofac"), "ofac", path)
    if set(ofac_raw) != {"issuer", "effects", "non_sdn_prefix", "programmes"}:
        raise DataError(f"{path}: ofac must have exactly the fields issuer, effects, non_sdn_prefix and programmes")
    ofac_issuer = ofac_raw["issuer"]
    if not isinstance(ofac_issuer, str) or not ID_PATTERN.fullmatch(ofac_issuer):
        raise DataError(f"{path}: ofac.issuer {brief(ofac_issuer)} is not a node id")
    ofac_effects = _mapping(ofac_raw["effects"], "ofac.effects", path)
    if set(ofac_effects) != set(OFAC_LISTS) or not all(value in effects for value in ofac_effects.values()):
        raise DataError(f"{path}: ofac.effects must give each of OFAC's lists ({', '.join(OFAC_LISTS)}) "
                        f"a Measure effect of the schema ({', '.join(effects)}), not {brief(ofac_effects)}")
    prefix = ofac_raw["non_sdn_prefix"]
    if not isinstance(prefix, str) or not prefix.strip():
        raise DataError(f"{path}: ofac.non_sdn_prefix must be non-empty text, not {brief(prefix)}")
    ofac: dict[str, OfacProgramme] = {}
    ids: dict[str, str] = {}
    for tag, entry in _mapping(ofac_raw["programmes"], "ofac.programmes", path).items():
        where = f"ofac.programmes.{tag}"
        if not tag or tag != tag.strip().strip("[]").strip() or not slug(tag):
            raise DataError(f"{path}: {where}: a programme tag is written bare, as the lists write it inside brackets")
        ofac[tag] = OfacProgramme(**_fields(entry, where, path, _OFAC_REQUIRED, _OFAC_OPTIONAL, kinds))
        if f"ofac-{slug(tag)}" in ids:
            raise DataError(f"{path}: {where}: tag {tag!r} gives the same Measure id as {ids[f'ofac-{slug(tag)}']}")
        ids[f"ofac-{slug(tag)}"] = where

    csl_lists: dict[str, Program] = {}
    for code, entry in _mapping(raw.get("csl_lists"), "csl_lists", path).items():
        where = f"csl_lists.{code}"
        program = Program(**_fields(entry, where, path, _LIST_REQUIRED, _LIST_OPTIONAL, kinds))
        if program.id in ids:
            raise DataError(f"{path}: {where}: id {program.id!r} is already the Measure of {ids[program.id]}")
        ids[program.id] = where
        csl_lists[code] = program
    return Catalogue(path, dict(urls), ofac_issuer, ofac, csl_lists, dict(ofac_effects), prefix)


_CATALOGUE: Catalogue | None = None


def catalogue() -> Catalogue:
    """The shipped catalogue, read and checked on first use."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = load_catalogue()
    return _CATALOGUE


def __getattr__(name: str) -> str:
    """OFAC_SDN_URL, OFAC_CONSOLIDATED_URL, CSL_URL and BIS_LISTS_URL: where the lists are published, from the catalogue."""
    if name in _URL_CONSTANTS:
        return catalogue().urls[_URL_CONSTANTS[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def slug(text: str) -> str:
    """A node-id slug: lowercase ASCII letters and digits joined by single hyphens.

    >>> slug("HK-EO13936"), slug("Co., Ltd. (HK)")
    ('hk-eo13936', 'co-ltd-hk')
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def ofac_program(code: str, sources: tuple[str, ...] | None = None) -> Program:
    """The Measure of an OFAC programme tag as the SDN and consolidated lists write it (``[SDGT]`` or ``SDGT``).

    ``sources`` are the address of the list read (:data:`OFAC_SDN_URL` or
    :data:`OFAC_CONSOLIDATED_URL`); by default the list the programme designates onto
    (:meth:`Catalogue.ofac_list`). The Measure's ``effect`` is the catalogue's for the list the
    programme designates onto (``blocking`` for the SDN list); an SDN programme's tag read from the
    non-SDN lists is a Measure of its own, with their effect:

    >>> sdn, ssi = (ofac_program("UKRAINE-EO13662", (catalogue().urls[key],)) for key in ("ofac_sdn", "ofac_consolidated"))
    >>> (sdn.id, sdn.effect), (ssi.id, ssi.effect)
    (('ofac-ukraine-eo13662', 'blocking'), ('ofac-ukraine-eo13662-non-sdn', 'restricting'))
    """
    found = catalogue()
    code = code.strip().strip("[]").strip()
    entry = found.ofac.get(code)
    home = found.ofac_list(code)
    # An SDN programme's listings on the non-SDN lists (UKRAINE-EO13662's SSI entries) are a line of their own.
    line = "non-sdn" if home == "sdn" and sources is not None and found.urls["ofac_consolidated"] in sources else home
    return Program(
        id=f"ofac-{slug(code)}" + ("-non-sdn" if line != home else ""),
        name=f"OFAC {code} designations" + (" (non-SDN lists)" if line != home else ""),
        kind=entry.kind if entry else "designation",
        effect=found.ofac_effects[line],
        issuer=found.ofac_issuer,
        sources=sources if sources is not None else (found.urls["ofac_sdn" if home == "sdn" else "ofac_consolidated"],),
        legal_basis=entry.legal_basis if entry else None,
        citation=entry.citation if entry else None,
        announced=entry.announced if entry else None,
        effective=entry.effective if entry else None,
        part_of=entry.part_of if entry else None,
        summary=entry.summary if entry else f"Persons OFAC lists under its {code} programme.",
    )


def csl_list_code(source: str) -> str:
    """The abbreviation of a CSL source list, from its ``source`` text.

    >>> csl_list_code("Military End User (MEU) List - Bureau of Industry and Security")
    'MEU'
    """
    match = re.search(r"\(([^)]+)\)", source)
    return match.group(1).strip() if match else source.split(" - ")[0].strip()


def csl_programs(source: str, programs: Sequence[str]) -> list[Program]:
    """The Measures of one CSL row: per OFAC programme tag for Treasury lists, else the list's own.

    Treasury rows get exactly the Program the OFAC importers give (SDN rows carry
    the SDN list URL, the non-SDN lists the consolidated list URL), so the same
    designation read from sdn.csv and from the CSL lands on one Measure. A
    Treasury row without programme tags is filed under its list (``ofac-sdn``).
    Raises :class:`DataError` for a source list this module does not know.
    """
    found = catalogue()
    code = csl_list_code(source)
    if code in found.csl_lists:
        return [found.csl_lists[code]]
    if source.rstrip().endswith("Treasury Department"):
        list_url = found.urls["ofac_sdn" if code == "SDN" else "ofac_consolidated"]
        return [ofac_program(tag, (list_url,)) for tag in (programs or [code])]
    raise DataError(f"unknown screening list {source!r}")
