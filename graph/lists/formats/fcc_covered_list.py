"""The FCC Covered List, as OpenSanctions transcribes its table.

Each row describes covered equipment or services in prose; the listed company is
the one the equipment is "produced by", "provided by" or "supplied ... by"
("Telecommunications equipment produced by Huawei Technologies Company,
including ..."). A row may name a parent "and its wholly-owned subsidiary", which
gives both companies and an :class:`Ownership`. Rows that name no company (foreign-
produced drones, routers, inverters) are skipped. The date cell may hold several
dates ("December 22, 2025Updated:January 7, 2026"): the first is the listing date.

>>> covered_companies("Telecommunications equipment produced by Huawei Technologies Company, including ...")
['Huawei Technologies Company']
>>> covered_companies("International telecommunications services provided by Pacific Networks Corp "
...                   "and its wholly-owned subsidiary ComNet (USA) LLC subject to section 214 ...")
['Pacific Networks Corp', 'ComNet (USA) LLC']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from graph.errors import DataError
from graph.lists.formats._csv import read_rows
from graph.lists.formats.base import (
    BadRow,
    Entity,
    Item,
    ListFormat,
    Listing,
    OutOfScope,
    Ownership,
    Program,
    clean_text,
    iso_date,
)
from graph.lists.formats.programs import slug

COLUMNS = ("covered_equipment_or_services", "date_of_inclusion_on_covered_list")
COVERED_LIST_URL = "https://www.fcc.gov/supplychain/coveredlist"

# The shipped Measure (data/telecom.yaml); the pipeline only adds SANCTIONS to it.
PROGRAM = Program(
    id="fcc-covered-list",
    name="FCC Covered List of communications equipment and services that pose an unacceptable risk to national security",
    kind="designation",
    issuer="us-fcc",
    sources=(COVERED_LIST_URL,),
    legal_basis="Secure and Trusted Communications Networks Act of 2019, section 2; 47 CFR 1.50002",
    citation="Public Safety and Homeland Security Bureau Public Notice, WC Docket No. 18-89 (March 12, 2021)",
    announced="2021-03-12",
    effective="2021-03-12",
)

_MAKER = re.compile(
    r"\b(?:produced|provided|supplied|manufactured|offered)(?:,? directly or indirectly,?)? by (?P<rest>.+)", re.DOTALL
)
# Where the company's name ends: the clause after it.
_NAME_END = re.compile(
    r",? (?:including|subject to|to the extent|that|which|or any of its|or by any|and its subsidiaries|and any of its|or its)\b"
    r"|[;(]\s*(?:including|see)\b"
)
_SUBSIDIARY = re.compile(r" and its (?P<kind>wholly-owned )?subsidiar(?:y|ies) ")
_ABBREVIATION_END = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Jr|L\.L\.C|S\.A)\.$")
_DATE = re.compile(r"[A-Z][a-z]+\.? \d{1,2}, ?\d{4}")


def covered_companies(description: str) -> list[str]:
    """The companies a Covered List entry names: the maker or provider, then its named subsidiary if any."""
    maker = _MAKER.search(clean_text(description))
    if not maker:
        return []
    rest = maker.group("rest")
    end = _NAME_END.search(rest)
    names = rest[: end.start()] if end else rest
    if not _ABBREVIATION_END.search(names):
        names = names.rstrip(".")
    return [name.strip(" ,") for name in _SUBSIDIARY.split(names, maxsplit=1)[::2] if name and name.strip(" ,")]


def first_date(text: str, where: str) -> str | None:
    """The first "Month D, YYYY" date of a date cell as ISO, or None for an empty cell.

    >>> first_date("December 22, 2025Updated:January 7, 2026", "t.csv:2")
    '2025-12-22'
    """
    text = clean_text(text)
    if not text:
        return None
    found = _DATE.search(text)
    return iso_date(found.group() if found else text, where)


def read(path: Path, **extra: object) -> Iterator[Item]:
    """Stream the Covered List CSV at ``path``: per covered company an Entity and a Listing."""
    for row in read_rows(path, COLUMNS, "FCC Covered List CSV"):
        if isinstance(row, BadRow):
            yield row
            continue
        where, values = row
        description = clean_text(values["covered_equipment_or_services"])
        if not description:
            yield BadRow(where, "no covered equipment or services")
            continue
        try:
            since = first_date(values["date_of_inclusion_on_covered_list"], where)
        except DataError as exc:
            yield BadRow(where, str(exc).removeprefix(where + ": "))
            continue
        names = covered_companies(description)
        if not names:  # a kind of equipment from anywhere (foreign-produced routers), not a party
            yield OutOfScope(where, "covered equipment named by kind, not by maker")
        subsidiary = _SUBSIDIARY.search(description)
        for name in names:
            record = slug(name)
            yield Entity(record=record, label="Company", name=name, where=where, sources=[COVERED_LIST_URL])
            yield Listing(record=record, program=PROGRAM, where=where, since=since, note=description, sources=[COVERED_LIST_URL])
        if len(names) == 2 and subsidiary:
            yield Ownership(owned=slug(names[1]), owner=slug(names[0]), where=where,
                            share=100.0 if subsidiary.group("kind") else None, sources=[COVERED_LIST_URL])


# Records are slugs of names, not the list's own ids: two of them may still be one party (a renamed one).
FORMAT = ListFormat(
    "fcc-covered-list",
    "https://github.com/opensanctions/opensanctions/blob/main/datasets/us/fcc_covered_list/table.csv",
    read,
    distinct_records=False,
)
