"""trade.gov's Consolidated Screening List (CSL), as CSV or JSON: one row per party and source list.

CSV: the current layout (``_id`` first, 29 columns) and the old 28-column one
without ``_id`` are both read by their header. JSON: the download/API document
``{"results": [...]}``, a bare list of rows, or JSON lines (one row per line,
streamed); list fields are arrays there (``addresses`` of dicts, ``ids`` of
type/number/country dicts).

Each person or company row yields an :class:`Entity`, one :class:`Listing` per
Measure and a :class:`Link` per ``Linked To:`` clause of the remarks (in parentheses
here: ``(Linked To: A; Linked To: B)``), resolved first against the file's rows of the
same source list, then its other rows (:func:`~graph.lists.formats.base.links_resolved_in_file`);
vessels and aircraft yield nothing. A row's ``type`` says whether it is a person; the
BIS and State Department lists give none, and such a row is a person when it has what
only people have (a date or place of birth, a nationality) or a name that reads as a
person's (:func:`~graph.lists.formats.base.reads_as_person`), an organisation otherwise. The ``source`` column picks the Measure
(:func:`graph.lists.formats.programs.csl_programs`): OFAC rows get one Listing per
programme tag with the same Measure and identifier (``ofac:<entity_number>``) as
the OFAC importers; BIS and State Department rows get their list's Measure.
``start_date``/``end_date`` become ``since``/``until``, the Federal Register
citations the note and https://www.federalregister.gov/citation/ links.

The record is ``_id`` (``id`` in JSON), else the entity number, else — in the old
layout, whose BIS and State rows have neither — a hash of the source list and the
name: line numbers shift between editions, while a list keeps a party's name.

Example
-------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "csl.json").write_text('{"results": [{"id": "52291", "source": "Specially Designated Nationals (SDN)'
...     ' - Treasury Department", "entity_number": "52291", "type": "Individual", "programs": ["NPWMD"],'
...     ' "name": "RIM, Ryong Nam", "nationalities": ["KP"]}]}')
>>> entity, listing = read(folder / "csl.json")
>>> entity.record, entity.label, entity.aliases, entity.country, entity.identifiers, listing.program.id
('52291', 'Official', ['Ryong Nam RIM'], 'KP', ['ofac:52291'], 'ofac-npwmd')
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    reads_as_person,
    split_list,
)
from graph.lists.formats.ofac_sdn import (
    PERSON_ROLE,
    country_code,
    csv_rows,
    other_names,
    place_country,
    read_remarks,
)
from graph.lists.formats.programs import CSL_URL, csl_list_code, csl_programs
from graph.text import decode, not_utf8, numbered_lines, shown

_FR_CITATION = re.compile(r"\b(\d{1,3}) FR (\d+)\b")
_FIRST_ONLINE_FR_VOLUME = 59  # federalregister.gov holds the Federal Register from 1994 (volume 59) on.
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass
class Row:
    """One CSL row, CSV and JSON alike: list fields split, ids as ``type value`` clauses."""

    source: str
    name: str
    id: str = ""
    entity_number: str = ""
    type: str = ""
    title: str = ""
    federal_register_notice: str = ""
    start_date: str = ""
    end_date: str = ""
    remarks: str = ""
    programs: list[str] = field(default_factory=list)
    alt_names: list[str] = field(default_factory=list)
    address_countries: list[str | None] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    places_of_birth: list[str] = field(default_factory=list)
    dates_of_birth: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return clean_text(str(value)) if value is not None else ""


def _names(items: list[str]) -> list[str]:
    """Alias items as the CSL separates them (``A; B; and C``)."""
    return [item.removeprefix("and ") for item in items]


def _address_country(address: str) -> str | None:
    """The country of a CSV address: its trailing code (``..., Guangzhou, CN``) or country name."""
    return place_country(address.rpartition(",")[2].strip(), address.partition(",")[0].strip())


def row_from_csv(fields: dict[str, str]) -> Row:
    """A CSV row (header -> value) as a :class:`Row`; only the columns it reads are cleaned (a missing one is empty)."""

    def get(column: str) -> str:
        return clean_text(fields.get(column))

    return Row(
        source=get("source"),
        name=get("name"),
        id=get("_id"),
        entity_number=get("entity_number"),
        type=get("type"),
        title=get("title"),
        federal_register_notice=get("federal_register_notice"),
        start_date=get("start_date"),
        end_date=get("end_date"),
        remarks=get("remarks"),
        programs=split_list(get("programs")),
        alt_names=_names(split_list(get("alt_names"))),
        address_countries=[_address_country(address) for address in _names(split_list(get("addresses")))],
        nationalities=split_list(get("nationalities")) + split_list(get("citizenships")),
        places_of_birth=split_list(get("places_of_birth")),
        dates_of_birth=split_list(get("dates_of_birth")),
        ids=[" ".join([part.strip() for part in entry.split(",", 1)]) for entry in split_list(get("ids"))],
        urls=split_list(f"{get('source_list_url')};{get('source_information_url')}"),
    )


_JSON_TEXTS = ("id", "_id", "source", "name", "entity_number", "type", "title", "federal_register_notice", "start_date",
               "end_date", "remarks", "source_list_url", "source_information_url")
_JSON_TEXT_LISTS = ("programs", "alt_names", "nationalities", "citizenships", "places_of_birth", "dates_of_birth")
_JSON_OBJECT_LISTS = ("addresses", "ids")


def _json_type(value: Any) -> str:
    return {bool: "a boolean", dict: "an object", list: "an array", str: "a string"}.get(type(value), "a number")


def _is_text(value: Any) -> bool:
    return value is None or type(value) in (str, int, float)


def json_type_error(record: dict[str, Any]) -> str | None:
    """Why a JSON row's fields are not of the CSL's types (text; a list of texts or ``;``-separated text;
    a list of objects), or None."""
    for key in _JSON_TEXTS:
        if not _is_text(record.get(key)):
            return f"field {key!r} is {_json_type(record[key])}, not text"
    for key in _JSON_TEXT_LISTS:
        value = record.get(key)
        if not (value is None or type(value) is str or (type(value) is list and all(map(_is_text, value)))):
            return f"field {key!r} is {_json_type(value)}, not a list of texts"
    for key in _JSON_OBJECT_LISTS:
        value = record.get(key)
        if value is not None and type(value) not in (list, str):  # a string: as in the CSV, read for nothing
            return f"field {key!r} is {_json_type(value)}, not a list of objects"
        for item in value or ():
            if type(item) is dict and not all(_is_text(v) for k, v in item.items() if k in ("country", "city", "type", "number")):
                return f"field {key!r} holds an object whose values are not text"
    return None


def row_from_json(record: dict[str, Any]) -> Row:
    """A JSON row as a :class:`Row`; list fields may be arrays or ``;``-separated strings."""

    def texts(key: str) -> list[str]:
        value = record.get(key)
        return split_list(value) if isinstance(value, str) else [_text(item) for item in value or [] if _text(item)]

    def dicts(key: str) -> list[dict[str, Any]]:
        return [item for item in record.get(key) or [] if isinstance(item, dict)]

    return Row(
        source=_text(record.get("source")),
        name=_text(record.get("name")),
        id=_text(record.get("id") or record.get("_id")),
        entity_number=_text(record.get("entity_number")),
        type=_text(record.get("type")),
        title=_text(record.get("title")),
        federal_register_notice=_text(record.get("federal_register_notice")),
        start_date=_text(record.get("start_date")),
        end_date=_text(record.get("end_date")),
        remarks=_text(record.get("remarks")),
        programs=texts("programs"),
        alt_names=_names(texts("alt_names")),
        address_countries=[place_country(_text(a.get("country")), _text(a.get("city"))) for a in dicts("addresses")],
        nationalities=texts("nationalities") + texts("citizenships"),
        places_of_birth=texts("places_of_birth"),
        dates_of_birth=texts("dates_of_birth"),
        ids=[f"{_text(i.get('type'))} {_text(i.get('number'))}".strip() for i in dicts("ids")],
        urls=[url for url in (_text(record.get("source_list_url")), _text(record.get("source_information_url"))) if url],
    )


class FileMeasures:
    """:func:`~graph.lists.formats.programs.csl_programs` for the rows of one file: the Measures of each distinct
    source list and programme tags are made once."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, tuple[str, ...]], list[Program]] = {}

    def __call__(self, source: str, programs: Sequence[str]) -> list[Program]:
        key = (source, tuple(programs))
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = csl_programs(source, programs)
        return found


def row_items(row: Row, where: str, measures: Callable[[str, Sequence[str]], list[Program]] = csl_programs) -> list[Item]:
    """The Entity, Listings and Links of one CSL row, its Measures from ``measures``; DataError when it is malformed."""
    if not row.source:
        raise DataError(f"{where}: empty source")
    if not row.name:
        raise DataError(f"{where}: empty name")
    if row.type.lower() in ("vessel", "aircraft"):
        return [OutOfScope(where, row.type.lower())]
    programs = measures(row.source, row.programs)
    treasury = programs[0].issuer == "us-ofac"
    record = row.id or row.entity_number or hashlib.sha256(f"{row.source}\n{row.name}".encode()).hexdigest()[:16]
    remarks = read_remarks([*row.ids, *row.remarks.removesuffix(".").split(";")], where)
    since = iso_date(row.start_date, where) if row.start_date else remarks.listed_since
    until = iso_date(row.end_date, where) if row.end_date else None
    person = is_person(row)
    identifiers = [f"ofac:{row.entity_number}" if treasury and row.entity_number else f"csl:{row.id}" if row.id else ""]
    born_in = place_country(row.places_of_birth[0].split(",")[-1], row.places_of_birth[0]) if row.places_of_birth else None
    entity = Entity(
        record=record,
        label="Official" if person else "Company",
        name=row.name,
        where=where,
        aliases=other_names(row.name, [*row.alt_names, *remarks.aliases], person),
        country=next((code for code in map(country_code, row.nationalities) if code), None)
        or next((code for code in row.address_countries if code), None)
        or remarks.registered_in
        or born_in,
        identifiers=list(dict.fromkeys(identifier for identifier in [*identifiers, *remarks.identifiers] if identifier)),
        role=(row.title or (PERSON_ROLE if treasury else f"Person on the {csl_list_code(row.source)} list")) if person else None,
        summary="; ".join([*(f"DOB {day}" for day in row.dates_of_birth), *(f"POB {place}" for place in row.places_of_birth)])
        or None,
        sources=row.urls,
        scope="csl ofac" if treasury and row.entity_number else None,  # OFAC numbers each record once
    )
    parts = ("" if treasury else "; ".join(row.programs), row.federal_register_notice, remarks.note or "")
    note = "; ".join(part for part in parts if part)
    sources = row.urls[:1] + [
        f"https://www.federalregister.gov/citation/{volume}-FR-{page}"
        for volume, page in _FR_CITATION.findall(row.federal_register_notice)
        if int(volume) >= _FIRST_ONLINE_FR_VOLUME
    ]
    items: list[Item] = [entity]
    items += [
        Listing(record, program, where, since=since, until=until, note=note or None, sources=sources) for program in programs
    ]
    return items + [linked_name(record, name, where, sources=row.urls[:1]) for name in remarks.linked]


# Lists that name organisations only: the Unverified List (foreign end users BIS could not check) and the
# Military End User List. On the other untyped lists (Entity List, DPL, ITAR debarred, ISN) people are common.
_ORGANISATION_LISTS = ("UVL", "MEU")


def is_person(row: Row) -> bool:
    """Whether a row is an individual: its type says so, or, untyped, it has what only people have (a date
    or place of birth, a nationality), or a person's name (:func:`~graph.lists.formats.base.reads_as_person`)
    on a list that names people.

    >>> is_person(Row("Entity List (EL)", "Artur Solomonyan")), is_person(Row("Entity List (EL)", "Rosneft", type="Entity"))
    (True, False)
    >>> is_person(Row("Entity List (EL)", "Nilco Group")), is_person(Row("Entity List (EL)", "X", dates_of_birth=["1970"]))
    (False, True)
    >>> is_person(Row("Unverified List (UVL) - Bureau of Industry and Security", "Alfa Photonics"))
    False
    """
    if row.type:
        return row.type.lower() == "individual"
    if row.dates_of_birth or row.places_of_birth or row.nationalities:
        return True
    return csl_list_code(row.source) not in _ORGANISATION_LISTS and reads_as_person(row.name)


def _items(row: Row, where: str, measures: FileMeasures) -> tuple[list[Item], str]:
    """:func:`row_items`, with a malformed row as a BadRow, and the row's source list."""
    try:
        return row_items(row, where, measures), row.source
    except DataError as exc:
        return [BadRow(where, str(exc).removeprefix(f"{where}: "))], row.source


def read_csv(path: Path) -> Iterator[Item]:
    """The items of a CSL CSV file, either layout, streamed row by row."""
    return links_resolved_in_file(_csv_rows(path))


def _csv_rows(path: Path) -> Iterator[tuple[list[Item], str]]:
    rows = csv_rows(path)
    header: list[str] | None = None
    for line, row, problem in rows:
        if row is None:
            raise DataError(f"{shown(path)}:{line}: {problem}")
        header = [column.strip() for column in row]
        break
    if header is None or not {"source", "name"} <= set(header):
        raise DataError(f"{shown(path)}: not a Consolidated Screening List CSV (no source and name columns in the header)")
    name, measures = path.name, FileMeasures()
    for line, row, problem in rows:
        where = f"{name}:{line}"
        if row is None:
            yield [BadRow(where, problem or "unreadable row")], ""
        elif len(row) != len(header):
            yield [BadRow(where, f"expected {len(header)} columns, found {len(row)}")], ""
        else:
            yield _items(row_from_csv(dict(zip(header, row, strict=True))), where, measures)


def _is_json_line(text: str) -> bool:
    """Whether a file's first line is a whole row, that is, the file is JSON lines."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, dict) and "results" not in value


def _json_line(raw: bytes, where: str) -> Any:
    """One row of a JSON-lines file, or a BadRow."""
    try:
        return json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        return BadRow(where, not_utf8(raw, exc.start))
    except json.JSONDecodeError as exc:
        return BadRow(where, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return BadRow(where, "invalid JSON: nested too deeply")


def _json_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line, row)`` of a CSL JSON file: JSON lines streamed, a document walked element by element."""
    lines = numbered_lines(path)
    _, first = next(lines, (1, b""))
    first_text = decode(first, shown(path))
    if _is_json_line(first_text):
        for number, raw in itertools.chain([(1, first)], lines):
            if raw.strip():
                yield number, _json_line(raw, f"{path.name}:{number}")
        return
    text = first_text + decode(b"".join(raw for _, raw in lines), shown(path), line=2)
    try:
        yield from _document_rows(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{shown(path)}:{exc.lineno}: invalid JSON: {exc.msg}") from None


def _document_rows(text: str) -> Iterator[tuple[int, Any]]:
    """``(line, element)`` of the ``results`` array of a JSON document, or of a bare array."""
    decoder = json.JSONDecoder()

    def decode(position: int) -> tuple[Any, int]:
        """The JSON value at ``position`` and where it ends; too deep a nesting is a JSONDecodeError there."""
        try:
            return decoder.raw_decode(text, position)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", text, position) from None

    def skip(position: int) -> int:
        return _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]

    def expect(position: int, characters: str) -> int:
        """The position of the next non-blank character, which must be one of ``characters``."""
        position = skip(position)
        if position >= len(text) or text[position] not in characters:
            raise json.JSONDecodeError(f"expected {' or '.join(characters)}", text, position)
        return position

    position = expect(0, "[{")
    if text[position] == "{":
        while True:
            key, position = decode(expect(position + 1, '"'))
            position = skip(expect(position, ":") + 1)
            if key == "results":
                break
            _, position = decode(position)
            position = expect(position, ",}")
            if text[position] == "}":
                raise json.JSONDecodeError("no results array", text, position)
        position = expect(position, "[")
    position = skip(position + 1)
    if text.startswith("]", position):
        return
    line, counted = 1, 0
    while True:
        element, end = decode(position)
        line, counted = line + text.count("\n", counted, position), position
        yield line, element
        position = expect(end, ",]")
        if text[position] == "]":
            return
        position = skip(position + 1)


def read_json(path: Path) -> Iterator[Item]:
    """The items of a CSL JSON document or JSON-lines file."""
    return links_resolved_in_file(_json_items(path))


def _json_items(path: Path) -> Iterator[tuple[list[Item], str]]:
    name, measures = path.name, FileMeasures()
    for line, row in _json_rows(path):
        where = f"{name}:{line}"
        if isinstance(row, BadRow):
            yield [row], ""
        elif not isinstance(row, dict):
            yield [BadRow(where, "not a JSON object")], ""
        elif problem := json_type_error(row):
            yield [BadRow(where, problem)], ""
        else:
            yield _items(row_from_json(row), where, measures)


def read(path: Path) -> Iterator[Item]:
    """The items of a CSL file: JSON when its name ends in .json or .jsonl, else CSV."""
    return read_json(path) if path.suffix.lower() in (".json", ".jsonl", ".ndjson") else read_csv(path)


# A compilation: one party listed by several agencies is several rows, each with its own id.
FORMAT = ListFormat("csl", CSL_URL, read, distinct_records=False)
