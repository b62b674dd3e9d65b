"""OFAC's legacy SDN CSV (sdn.csv, with the optional alt.csv and add.csv): designated persons and companies.

sdn.csv has no header; its columns are ent_num, SDN_Name, SDN_Type, Program,
Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks, and
``-0-`` means null. Each person or company row yields an :class:`Entity`
(record = ent_num, identifier ``ofac:<ent_num>``), one :class:`Listing` per
programme tag (``DPRK3] [CYBER2`` gives two) and one :class:`Link` per
``Linked To:`` clause of the remarks. "Linked To" names an owner, a controller, a
person acting for the party or the programme entry it belongs to, without saying
which, so it is never read as ownership; no other remark of OFAC's states who owns
whom ("Owned or Controlled By U.S. Financial Institutions" is a prohibition, "does not
include its parent company" a scope). The linked party is looked up, once the file is
read, among the file's own records by exact name and alias
(:class:`~graph.lists.formats.base.FileParties`), so a listed owner is that record,
with its own type and country; a name no record bears keeps OFAC's form (``SURNAME,
Given``: a person) and no country. Vessel and aircraft rows are out of scope and yield nothing.

The remarks give aliases (``a.k.a.``, ``f.k.a.``, ``Issuer Name``), identifiers
(``uscc:``, ``lei:``), the CMIC listing date (``Listing.since``) and the
effective and divestment dates (``Listing.note``), nationality and birth data.
OFAC cuts the legacy Remarks column at 1,000 characters; the cut-off last clause
of such a field is used only for a complete USCC or LEI. A person's name keeps
OFAC's spelling (``TANG, Chris``); its reordered form is added to the aliases.

Example
-------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "sdn.csv").write_bytes(b'29242,"TANG, Chris","individual","HK-EO13936",'
...     b'"Commissioner of Police",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"POB Hong Kong; nationality Hong Kong."\\r\\n')
>>> entity, listing = read(folder / "sdn.csv")
>>> entity.name, entity.aliases, entity.country, entity.identifiers, entity.role, entity.where
('TANG, Chris', ['Chris TANG'], 'HK', ['ofac:29242'], 'Commissioner of Police', 'sdn.csv:1')
>>> listing.record, listing.program.id
('29242', 'ofac-hk-eo13936')
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import DataError
from graph.lists.formats.base import (
    BadRow,
    Entity,
    Item,
    ListFormat,
    Listing,
    OutOfScope,
    Program,
    clean_text,
    iso_date,
    linked_name,
    links_resolved_in_file,
    name_key,
)
from graph.lists.formats.programs import OFAC_SDN_URL, ofac_program
from graph.text import numbered_lines, shown

PERSON_ROLE = "Person designated by OFAC"
REMARKS_LIMIT = 1000  # OFAC truncates the legacy Remarks column at this many characters.

# Country names as OFAC and the CSL write them -> ISO 3166-1 alpha-2.
COUNTRY_CODES = {
    "china": "CN", "hong kong": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW", "united states": "US",
    "russia": "RU", "north korea": "KP", "korea, north": "KP", "south korea": "KR", "korea, south": "KR",
    "iran": "IR", "syria": "SY", "burma": "MM", "japan": "JP", "singapore": "SG", "malaysia": "MY",
    "india": "IN", "pakistan": "PK", "united kingdom": "GB", "germany": "DE", "france": "FR", "canada": "CA",
    "united arab emirates": "AE", "turkey": "TR", "belarus": "BY", "venezuela": "VE", "cuba": "CU",
    "nicaragua": "NI", "kazakhstan": "KZ", "kyrgyzstan": "KG", "uzbekistan": "UZ", "mongolia": "MN",
    "thailand": "TH", "vietnam": "VN", "cambodia": "KH", "laos": "LA", "cayman islands": "KY",
    "virgin islands, british": "VG", "british virgin islands": "VG",
}

_ALIAS = re.compile(r"^[afn]\.k\.a\. '(.+)'$")
_ISSUER_NAME = re.compile(r"^(?:alt\. )?Issuer Name (.+)$")
_USCC = re.compile(r"^Unified Social Credit Code \(USCC\) ([0-9A-Z]{18})\b")
_LEI = re.compile(r"^Legal Entity Number ([0-9A-Z]{20})\b")
_CMIC_DATE = re.compile(r"^(Listing Date|Effective Date|Purchase/Sales For Divestment Date) \(CMIC\) (.+)$")
_LINKED_TO = re.compile(r"^\(?Linked To: (.+)$")  # the CSL puts the clauses in parentheses: (Linked To: A; Linked To: B)
_NATIONALITY = re.compile(r"^(?:alt\. )?(?:nationality|citizen) (.+)$", re.IGNORECASE)
_PLACE_OF_BIRTH = re.compile(r"^POB (.+)$")
_REGISTRATION = re.compile(
    r"^(?:Unified Social Credit Code \(USCC\)|Company Number|Registration Number|Business Registration Number) \S+ \(([^)]+)\)$"
)
_SUMMARY_PREFIXES = ("Target Type ", "Organization Established Date ", "Organization Type: ")
# What a clause is, by how it starts (one match): each kind is then read by its patterns above, and a clause of none
# (gender, passport, vessel data ...) is passed over.
_CLAUSE_KIND = re.compile(
    r"(?P<uscc>Unified Social Credit Code \(USCC\) )|(?P<lei>Legal Entity Number )"
    r"|(?P<registration>Company Number |Registration Number |Business Registration Number )"
    r"|(?P<alias>[afn]\.k\.a\. |(?:alt\. )?Issuer Name )"
    r"|(?P<cmic_date>Listing Date |Effective Date |Purchase/Sales For Divestment Date )|(?P<linked>\(?Linked To: )"
    r"|(?P<nationality>(?i:(?:alt\. )?(?:nationality|citizen) ))"
    r"|(?P<summary>(?:alt\. )?(?:DOB|POB) |" + "|".join(map(re.escape, _SUMMARY_PREFIXES)) + ")"
)
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_HONG_KONG_OR_MACAU = re.compile(r"(Hong Kong|Macau|Macao)\b")


@functools.lru_cache(maxsize=1024)  # a list writes few distinct countries, in every row
def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name (or code) as the lists write it; None when unknown.

    >>> country_code("China"), country_code("Hong Kong."), country_code("KP"), country_code("Atlantis")
    ('CN', 'HK', 'KP', None)
    """
    text = " ".join((text or "").split()).rstrip(".")
    if _COUNTRY_CODE.fullmatch(text):
        return text
    return COUNTRY_CODES.get(text.lower())


def reordered_person_name(name: str) -> str | None:
    """``SURNAME, Given`` as ``Given SURNAME``; None for names not in that form.

    >>> reordered_person_name("LEE, John Ka-chiu"), reordered_person_name("XINJIANG PUBLIC SECURITY BUREAU")
    ('John Ka-chiu LEE', None)
    """
    surname, comma, given = name.partition(", ")
    if comma and surname and given and "," not in given:
        return f"{given} {surname}"
    return None


def other_names(name: str, candidates: Iterable[str], person: bool) -> list[str]:
    """The distinct aliases among ``candidates``, first spelling kept, ``name`` itself left out.

    Names that differ only in case, spacing or a final period count as one. For a
    person, ``name`` and each ``SURNAME, Given`` alias are followed by their reordered form.

    >>> other_names("TANG, Chris", ["chris tang.", "TANG, CHRIS", "TANG, Ping-keung"], person=True)
    ['Chris TANG', 'TANG, Ping-keung', 'Ping-keung TANG']
    """
    seen = {name_key(name)}
    aliases = []
    for candidate in [name, *candidates]:
        for form in (candidate, reordered_person_name(candidate)) if person else (candidate,):
            if form and (form := " ".join(form.split())):
                key = form.casefold().rstrip(".")  # name_key(form): its spacing is already normalised
                if key not in seen:
                    seen.add(key)
                    aliases.append(form)
    return aliases


@dataclass
class Remarks:
    """What an OFAC remarks field (or a CSL row's ids) says about the listed party."""

    aliases: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    cmic_dates: list[str] = field(default_factory=list)
    listed_since: str | None = None
    nationality: str | None = None
    registered_in: str | None = None
    born_in: str | None = None

    @property
    def note(self) -> str | None:
        """The CMIC effective and divestment dates, as the listing's note."""
        return "; ".join(self.cmic_dates) or None


def read_remarks(clauses: Iterable[str], where: str, truncated: bool = False) -> Remarks:
    """Interpret remark clauses (``a.k.a. 'AECC'``, ``Linked To: X``, ``Listing Date (CMIC) 03 Jun 2021`` ...).

    With ``truncated`` the last clause was cut off, and only a complete USCC or
    LEI is taken from it. Raises :class:`DataError` for a CMIC date that is not a date.

    >>> remarks = ["a.k.a. 'AECC'", "Listing Date (CMIC) 03 Jun 2021", "Linked To: CHINA TELECOMMUNICATIONS CORPORATION."]
    >>> r = read_remarks(remarks, "f:1")
    >>> r.aliases, r.listed_since, r.linked
    (['AECC'], '2021-06-03', ['CHINA TELECOMMUNICATIONS CORPORATION'])
    >>> read_remarks("All Offices Worldwide; (Linked To: MAHAN AIR; Linked To: IRGC (QODS FORCE))".split(";"), "f:2").linked
    ['MAHAN AIR', 'IRGC (QODS FORCE)']
    """
    remarks = Remarks()
    clauses = [" ".join(clause.split()) for clause in clauses]
    clauses = [clause for clause in clauses if clause]
    for number, clause in enumerate(clauses, 1):
        if (kind_match := _CLAUSE_KIND.match(clause)) is None:
            continue
        kind = kind_match.lastgroup
        if kind == "uscc" and (match := _USCC.match(clause)):
            remarks.identifiers.append(f"uscc:{match.group(1)}")
        elif kind == "lei" and (match := _LEI.match(clause)):
            remarks.identifiers.append(f"lei:{match.group(1)}")
        if truncated and number == len(clauses):  # only a complete identifier is read from a cut-off clause
            continue
        if kind in ("uscc", "registration") and (match := _REGISTRATION.match(clause)):
            remarks.registered_in = remarks.registered_in or country_code(match.group(1))
        elif kind == "alias" and (match := (_ALIAS.match(clause) or _ISSUER_NAME.match(clause))):
            remarks.aliases.append(match.group(1))
        elif kind == "cmic_date" and (match := _CMIC_DATE.match(clause)):
            day = iso_date(match.group(2), where)
            if match.group(1) == "Listing Date":
                remarks.listed_since = day
            else:
                remarks.cmic_dates.append(f"{match.group(1)} (CMIC) {day}")
        elif kind == "linked" and (match := _LINKED_TO.match(clause)):
            name = match.group(1).removesuffix(".")
            remarks.linked.append(name[:-1] if name.count(")") > name.count("(") else name)
        elif kind == "nationality" and (match := _NATIONALITY.match(clause)):
            remarks.nationality = remarks.nationality or country_code(match.group(1))
        elif kind == "summary":
            remarks.summary.append(clause)
            if match := _PLACE_OF_BIRTH.match(clause):
                remarks.born_in = remarks.born_in or place_country(match.group(1).split(",")[-1], match.group(1))
    return remarks


def csv_rows(path: Path) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Stream a CSV file as ``(first line number, row, None)`` or ``(line, None, reason)`` for an unreadable row.

    Lines are decoded one by one, so a row with invalid UTF-8 is reported and
    skipped; a file whose first line is not UTF-8 (or that cannot be opened)
    raises :class:`DataError`. Blank lines and DOS end-of-file marks are skipped.
    """
    bad_lines: dict[int, str] = {}  # line number -> why it is not text

    def bad(number: int, reason: str) -> None:
        if number == 1:
            raise DataError(f"{shown(path)}:1: {reason}")
        bad_lines[number] = reason

    reader = csv.reader(line for _, line in numbered_lines(path, text=True, bad=bad))
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield first_line, None, f"unreadable CSV: {exc}"
            continue
        bad_line = next((n for n in range(first_line, reader.line_num + 1) if n in bad_lines), None) if bad_lines else None
        if bad_line is not None:
            reason = bad_lines[bad_line]
            yield first_line, None, reason if bad_line == first_line else f"line {bad_line}: {reason}"
        elif row and row != ["\x1a"]:
            yield first_line, row, None


def null(value: str) -> str:
    """An OFAC field with ``-0-`` (null) as empty, cleaned by :func:`clean_text`."""
    value = clean_text(value)
    return "" if value == "-0-" else value


def _side_file(path: Path, columns: int, used: tuple[int, ...]) -> Iterator[BadRow | list[str]]:
    """The ``used`` fields of each row of alt.csv or add.csv (``-0-`` made empty; the first is ent_num, column 0),
    or a BadRow for each malformed one: only those are cleaned (alt.csv and add.csv hold 140k fields, of which the
    import reads 65k)."""
    name = path.name
    for line, row, problem in csv_rows(path):
        if row is None:
            yield BadRow(f"{name}:{line}", problem or "unreadable row")
        elif len(row) != columns:
            yield BadRow(f"{name}:{line}", f"expected {columns} columns, found {len(row)}")
        else:
            values = [null(row[i]) for i in used]
            yield values if values[0].isdigit() else BadRow(f"{name}:{line}", f"ent_num is not a number: {row[0]!r}")


def place_country(country: str, place: str) -> str | None:
    """The country of an address or birthplace; OFAC files places in Hong Kong and Macau under "China".

    >>> place_country("China", "Hong Kong"), place_country("China", "Macau, China"), place_country("China", "Beijing 100033")
    ('HK', 'MO', 'CN')
    """
    code = country_code(country)
    if code == "CN" and (region := _HONG_KONG_OR_MACAU.match(place)):
        return country_code(region.group(1))
    return code


def read_ofac_csv(path: Path, list_url: str, alt: Path | None = None, add: Path | None = None) -> Iterator[Item]:
    """The items of one file in OFAC's legacy CSV layout (SDN or consolidated non-SDN), listed at ``list_url``."""
    aliases: dict[str, list[str]] = {}
    countries: dict[str, str] = {}
    if alt:
        for row in _side_file(alt, 5, (0, 3)):  # ent_num, alt_name
            if isinstance(row, BadRow):
                yield row
            else:
                aliases.setdefault(row[0], []).append(row[1])
    if add:
        for row in _side_file(add, 6, (0, 3, 4)):  # ent_num, city and postal code, country
            if isinstance(row, BadRow):
                yield row
            elif row[0] not in countries and (code := place_country(row[2], row[1])):  # the first address's country
                countries[row[0]] = code
    yield from links_resolved_in_file(_rows(path, _MainFile(list_url, aliases, countries)))


@dataclass
class _MainFile:
    """What the rows of a main file are read with: its list's address, the side files' aliases and countries by
    ent_num, and the Measures of each distinct Program column met so far (made once per file)."""

    list_url: str
    aliases: dict[str, list[str]]
    countries: dict[str, str]
    measures: dict[str, list[Program]] = field(default_factory=dict)

    def programs(self, column: str) -> list[Program]:
        """The Measures of a Program column (``DPRK3] [CYBER2``), one per tag."""
        found = self.measures.get(column)
        if found is None:
            tags = [tag.strip() for tag in column.strip("[]").split("] [") if tag.strip()]
            found = self.measures[column] = [ofac_program(tag, (self.list_url,)) for tag in tags]
        return found


def _rows(path: Path, file: _MainFile) -> Iterator[tuple[list[Item], str]]:
    """The items of each main-file row (a BadRow for a malformed one), all in one group."""
    name = path.name
    for line, fields, problem in csv_rows(path):
        where = f"{name}:{line}"
        if fields is None:
            yield [BadRow(where, problem or "unreadable row")], ""
            continue
        try:
            yield _row_items(fields, where, file), ""
        except DataError as exc:
            yield [BadRow(where, str(exc).removeprefix(f"{where}: "))], ""


def _row_items(row: list[str], where: str, file: _MainFile) -> list[Item]:
    """The Entity, Listings and Links of one main-file row; DataError when it is malformed."""
    if len(row) != 12:
        raise DataError(f"{where}: expected 12 columns, found {len(row)}")
    ent_num, name, kind, programs_column, title = map(null, row[:5])
    raw_remarks = row[11].strip()
    remarks_text = null(raw_remarks)
    if not ent_num.isdigit():
        raise DataError(f"{where}: ent_num is not a number: {row[0]!r}")
    if not name:
        raise DataError(f"{where}: empty name")
    if kind.lower() in ("vessel", "aircraft"):
        return [OutOfScope(where, kind.lower())]
    programs = file.programs(programs_column)
    if not programs:
        raise DataError(f"{where}: no programme")
    truncated = len(raw_remarks) >= REMARKS_LIMIT and not raw_remarks.endswith(".")
    remarks = read_remarks(remarks_text.removesuffix(".").split(";"), where, truncated)
    person = kind.lower() == "individual"
    entity = Entity(
        record=ent_num,
        label="Official" if person else "Company",
        name=name,
        where=where,
        aliases=other_names(name, [*file.aliases.get(ent_num, ()), *remarks.aliases], person),
        country=remarks.nationality or file.countries.get(ent_num) or remarks.registered_in or remarks.born_in,
        identifiers=list(dict.fromkeys([f"ofac:{ent_num}", *remarks.identifiers])),
        role=(title or PERSON_ROLE) if person else None,
        summary="; ".join(remarks.summary) or None,
        sources=[file.list_url],
    )
    items: list[Item] = [entity]
    items += [
        Listing(ent_num, program, where, since=remarks.listed_since, note=remarks.note, sources=[file.list_url])
        for program in programs
    ]
    return items + [linked_name(ent_num, name, where, sources=[file.list_url]) for name in remarks.linked]


def read(path: Path, alt: Path | None = None, add: Path | None = None) -> Iterator[Item]:
    """The items of sdn.csv (with its alias and address files when given), in file order."""
    return read_ofac_csv(path, OFAC_SDN_URL, alt=alt, add=add)


FORMAT = ListFormat("ofac-sdn", OFAC_SDN_URL, read, extra_files={"alt": "alias file (alt.csv)", "add": "address file (add.csv)"})
