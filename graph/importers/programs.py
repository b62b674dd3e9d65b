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
"""

from __future__ import annotations

import re

from graph.importers.base import Program

OFAC_SDN_URL = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
OFAC_CONSOLIDATED_URL = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"

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
