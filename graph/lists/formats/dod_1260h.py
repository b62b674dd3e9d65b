"""The DoD Section 1260H list of Chinese military companies, as OpenSanctions transcribes it.

OpenSanctions keeps the list as a CSV (``datasets/us/dod_chinese_milcorps/sanctions.csv``)
with one row per company and list edition: ``Start date`` is the edition, ``End date``
the edition that removed it. Each edition is its own :class:`Program`; the record id is
the slug of the clean name, so a company's rows in several editions are one record.
``Parent Name`` gives an :class:`Ownership` by name; a parent that is the company itself
(by its name or an alias) is a :class:`BadRow`, never an OWNS self-loop.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "1260h.csv"
>>> _ = path.write_text(
...     "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\\n"
...     "\\"Huawei Technologies Co., Ltd. (Huawei)*\\",\\"Huawei Technologies Co., Ltd.\\",Huawei,,"
...     "\\"Huawei Investment & Holding Co., Ltd.\\",,2021-06-03,,\\n", encoding="utf-8")
>>> entity, listing, ownership = read(path)
>>> entity.record, entity.aliases, listing.program.id, listing.since, ownership.owner  # doctest: +NORMALIZE_WHITESPACE
('huawei-technologies-co-ltd', ['Huawei Technologies Co., Ltd. (Huawei)', 'Huawei'], 'dod-1260h-2021-06-03', '2021-06-03',
 'Huawei Investment & Holding Co., Ltd.')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from graph.errors import DataError, brief
from graph.lists.formats._csv import read_rows
from graph.lists.formats.base import (
    BadRow,
    Entity,
    Item,
    ListFormat,
    Listing,
    Ownership,
    Program,
    clean_text,
    iso_date,
    no_name,
    split_list,
)
from graph.lists.formats.programs import slug

COLUMNS = ("Name", "Clean Name", "Alias", "Previous Name", "Parent Name", "Note", "Start date", "End date", "Source Url")
LEGAL_BASIS = (
    "Section 1260H of the William M. (Mac) Thornberry National Defense Authorization Act for Fiscal Year 2021 (Pub. L. 116-283)"
)

# Public records of each edition; an edition not listed here falls back to the overview page.
OVERVIEW_URL = "https://www.jdsupra.com/legalnews/dod-s-list-of-chinese-military-4693501/"
EDITION_SOURCES = {
    "2021-06-03": (OVERVIEW_URL,),
    "2022-10-05": ("https://insidedefense.com/insider/dod-names-chinese-military-companies-connected-us",),
    "2024-01-31": ("https://www.akingump.com/en/insights/alerts/dod-updates-section-1260h-list-of-chinese-military-companies-operating-directly-or-indirectly-in-the-united-states",),
    "2025-01-07": ("https://media.defense.gov/2025/Jan/07/2003625471/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES.PDF",),
    "2026-06-08": ("https://media.defense.gov/2026/Jun/08/2003945537/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF",),
}

# "Knownsec,Beijing Kownsec" is two aliases, "China Avionics Systems Co., Ltd." one: a comma
# separates names unless what follows is a legal form.
_NAME_COMMA = re.compile(r",(?!\s*(?:co|ltd|inc|llc|limited|corp|corporation|plc|s\.?a|gmbh|l\.?p)\b)\s*", re.IGNORECASE)


def edition_program(edition: str) -> Program:
    """The Measure of the list edition published on ``edition`` (ISO date).

    >>> edition_program("2024-01-31").name
    'DoD Section 1260H list of Chinese military companies (2024-01-31 edition)'
    """
    return Program(
        id=f"dod-1260h-{edition}",
        name=f"DoD Section 1260H list of Chinese military companies ({edition} edition)",
        kind="designation",
        issuer="us-dod",
        sources=EDITION_SOURCES.get(edition, (OVERVIEW_URL,)),
        legal_basis=LEGAL_BASIS,
        announced=edition,
        summary="Entities the Secretary of Defense identified as Chinese military companies operating directly "
        "or indirectly in the United States.",
    )


def split_names(text: str) -> list[str]:
    """The names in an alias cell, separated by ``;`` or by commas not followed by a legal form.

    >>> split_names("Knownsec,Beijing Kownsec; China Avionics Systems Co., Ltd.")
    ['Knownsec', 'Beijing Kownsec', 'China Avionics Systems Co., Ltd.']
    """
    return [name for part in split_list(text) for name in split_list(_NAME_COMMA.sub(";", part))]


def read(path: Path, **extra: object) -> Iterator[Item]:
    """Stream the 1260H CSV at ``path``: per row an Entity, a Listing and, with a parent, an Ownership."""
    programs: dict[str, Program] = {}
    for row in read_rows(path, COLUMNS, "DoD 1260H list CSV"):
        if isinstance(row, BadRow):
            yield row
            continue
        where, values = row
        listed_name = clean_text(values["Name"]).rstrip("*").strip()
        name = clean_text(values["Clean Name"]).rstrip("*").strip() or listed_name
        if not name:
            yield BadRow(where, no_name(values["Clean Name"] or values["Name"]))
            continue
        if not values["Start date"]:
            yield BadRow(where, f"{name}: no Start date (the list edition)")
            continue
        try:
            edition = iso_date(values["Start date"], where)
            until = iso_date(values["End date"], where) if values["End date"] else None
        except DataError as exc:
            yield BadRow(where, f"{name}: {str(exc).removeprefix(where + ': ')}")
            continue
        if edition not in programs:
            programs[edition] = edition_program(edition)
        program = programs[edition]
        record = slug(name)
        names = [listed_name, *split_names(values["Alias"]), *split_names(values["Previous Name"])]
        aliases = list(dict.fromkeys(alias for alias in names if alias and alias != name))
        sources = [values["Source Url"]] if values["Source Url"] else list(program.sources)
        yield Entity(record=record, label="Company", name=name, where=where, aliases=aliases, country="CN", sources=sources)
        yield Listing(record=record, program=program, where=where, since=edition, until=until,
                      note=clean_text(values["Note"]) or None, sources=sources)
        parent = clean_text(values["Parent Name"])
        itself = parent.rstrip("*").strip()
        if parent and (slug(itself) == record or itself.lower() in {n.lower() for n in [name, *aliases]}):
            yield BadRow(where, f"{name}: Parent Name {brief(parent)} is the company itself (no company owns itself)")
        elif parent:
            yield Ownership(owned=record, owner=parent, where=where, owner_is_name=True, sources=sources)


# Records are slugs of names, not the list's own ids: two of them may still be one party (a renamed one).
FORMAT = ListFormat(
    "dod-1260h",
    "https://github.com/opensanctions/opensanctions/blob/main/datasets/us/dod_chinese_milcorps/sanctions.csv",
    read,
    distinct_records=False,
)
