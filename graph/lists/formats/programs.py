"""The Measures that imported listings hang from: one per sanctions programme or list.

The same programme reached through two lists (an SDN row of trade.gov's
Consolidated Screening List and the same row of OFAC's sdn.csv) must become the
same Measure node, so every importer takes its :class:`Program` from here.
Issuers and parents are nodes of the shipped data.

>>> p = ofac_program("HK-EO13936")
>>> p.id, p.name, p.part_of
('ofac-hk-eo13936', 'OFAC HK-EO13936 designations', 'eo-13936')
>>> ofac_program("SDGT").legal_basis
'EO 13224; IEEPA'

trade.gov's Consolidated Screening List names its source list on every row;
:func:`csl_programs` maps that to the same Measures (OFAC lists) or to one
Measure per BIS or State Department list:

>>> [p.id for p in csl_programs("Specially Designated Nationals (SDN) - Treasury Department", ["HK-EO13936"])]
['ofac-hk-eo13936']
>>> [(p.id, p.issuer, p.kind) for p in csl_programs("Entity List (EL) - Bureau of Industry and Security", [])]
[('bis-entity-list', 'us-bis', 'entity-listing')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from graph.errors import DataError
from graph.lists.formats.base import Program

OFAC_SDN_URL = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
OFAC_CONSOLIDATED_URL = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"
CSL_URL = "https://www.trade.gov/consolidated-screening-list"
BIS_LISTS_URL = "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern"

# Programme tag -> (legal basis, citation, shipped parent measure, kind, summary).
_OFAC = {
    "HK-EO13936": ("EO 13936; Hong Kong Autonomy Act; IEEPA", "EO 13936; 85 FR 43413", "eo-13936", "designation",
                   "Blocking sanctions on persons undermining Hong Kong's autonomy."),
    "GLOMAG": ("EO 13818; Global Magnitsky Human Rights Accountability Act; IEEPA", "EO 13818; 82 FR 60839", "eo-13818", "designation",
               "Blocking sanctions on perpetrators of serious human rights abuse or corruption."),
    "CMIC-EO13959": ("EO 13959 as amended by EO 14032; 31 CFR part 586", "EO 14032; 86 FR 30145", "ns-cmic-list", "investment-ban",
                     "Ban on US persons buying or selling publicly traded securities of listed Chinese military-industrial complex companies."),
    "CYBER2": ("EO 13694 as amended by EO 13757; IEEPA", "EO 13694; 80 FR 18077", None, "designation",
               "Blocking sanctions on persons engaged in significant malicious cyber-enabled activities."),
    "SDGT": ("EO 13224; IEEPA", "EO 13224; 66 FR 49079", None, "designation", "Blocking sanctions on specially designated global terrorists."),
    "NPWMD": ("EO 13382; IEEPA", "EO 13382; 70 FR 38567", None, "designation",
              "Blocking sanctions on proliferators of weapons of mass destruction and their supporters."),
    "IRAN": ("Iranian Transactions and Sanctions Regulations, 31 CFR part 560", None, None, "designation", "Iran sanctions."),
    "DPRK": ("North Korea Sanctions Regulations, 31 CFR part 510", None, None, "designation", "North Korea sanctions."),
}


def slug(text: str) -> str:
    """A node-id slug: lowercase ASCII letters and digits joined by single hyphens.

    >>> slug("HK-EO13936"), slug("Co., Ltd. (HK)")
    ('hk-eo13936', 'co-ltd-hk')
    """
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def ofac_program(code: str, sources: tuple[str, ...] = (OFAC_SDN_URL,)) -> Program:
    """The Measure of an OFAC programme tag as the SDN and consolidated lists write it (``[SDGT]`` or ``SDGT``)."""
    code = code.strip().strip("[]").strip()
    legal_basis, citation, part_of, kind, summary = _OFAC.get(code, (None, None, None, "designation", None))
    return Program(
        id=f"ofac-{slug(code)}",
        name=f"OFAC {code} designations",
        kind=kind,
        issuer="us-ofac",
        sources=sources,
        legal_basis=legal_basis,
        citation=citation,
        part_of=part_of,
        summary=summary or f"Persons OFAC lists under its {code} programme.",
    )


# The non-OFAC lists of the CSL, by the abbreviation the CSL gives in its ``source`` column.
_CSL_LISTS = {
    "EL": Program(
        id="bis-entity-list",
        name="BIS Entity List (Supplement No. 4 to Part 744)",
        kind="entity-listing",
        issuer="us-bis",
        sources=(f"{BIS_LISTS_URL}/entity-list",),
        legal_basis="Export Administration Regulations, 15 CFR 744.11",
        citation="15 CFR part 744, supplement no. 4",
        summary="Foreign parties to which exports, reexports and in-country transfers of items subject to the EAR need a BIS licence.",
    ),
    "MEU": Program(
        id="bis-meu-list",
        name="BIS Military End-User List (Supplement No. 7 to Part 744)",
        kind="entity-listing",
        issuer="us-bis",
        sources=(BIS_LISTS_URL,),
        legal_basis="Export Administration Regulations, 15 CFR 744.21",
        citation="15 CFR part 744, supplement no. 7",
        announced="2020-12-23",
        summary="Parties BIS has determined to be 'military end users' for the EAR's military end-user licence requirement.",
    ),
    "UVL": Program(
        id="bis-unverified-list",
        name="BIS Unverified List (Supplement No. 6 to Part 744)",
        kind="entity-listing",
        issuer="us-bis",
        sources=(BIS_LISTS_URL,),
        legal_basis="Export Administration Regulations, 15 CFR 744.15",
        citation="15 CFR part 744, supplement no. 6",
        summary="Foreign parties whose bona fides BIS could not verify (e.g. in an end-use check).",
    ),
    "DPL": Program(
        id="bis-denied-persons-list",
        name="BIS Denied Persons List",
        kind="denial-order",
        issuer="us-bis",
        sources=(BIS_LISTS_URL,),
        legal_basis="Export Administration Regulations, 15 CFR parts 764 and 766",
        summary="Persons whose export privileges BIS has denied by order.",
    ),
    "ISN": Program(
        id="state-isn-nonproliferation-sanctions",
        name="State Department nonproliferation sanctions (ISN)",
        kind="designation",
        issuer="us-state",
        sources=(CSL_URL,),
        summary="Parties sanctioned by the State Department's Bureau of International Security and Nonproliferation.",
    ),
    "DTC": Program(
        id="state-itar-debarred",
        name="State Department ITAR debarred parties (DDTC)",
        kind="denial-order",
        issuer="us-state",
        sources=(CSL_URL,),
        legal_basis="Arms Export Control Act section 38 (22 U.S.C. 2778); ITAR, 22 CFR 127.7",
        summary="Persons statutorily or administratively debarred from participating in defence-article exports.",
    ),
}


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
    code = csl_list_code(source)
    if code in _CSL_LISTS:
        return [_CSL_LISTS[code]]
    if source.rstrip().endswith("Treasury Department"):
        list_url = OFAC_SDN_URL if code == "SDN" else OFAC_CONSOLIDATED_URL
        return [ofac_program(tag, (list_url,)) for tag in (programs or [code])]
    raise DataError(f"unknown screening list {source!r}")
