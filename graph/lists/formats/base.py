"""What every list importer yields: entities, listings, ownerships and links, in list terms.

An importer reads one published file (OFAC CSV, CSL, OpenSanctions CSV, FtM
JSON lines ...) row by row and yields these records, in file order. It does not
know the graph: :mod:`graph.lists.editions` resolves each :class:`Entity` to a node
(merging or creating), turns each :class:`Listing` into a SANCTIONS relation
from its :class:`Program`'s Measure, each :class:`Ownership` (a stated holding or control)
into OWNS and each :class:`Link` (a tie the list names without saying what it is) into LINKED_TO.

A malformed row is yielded as a :class:`BadRow` (not raised), so that
``--skip-bad`` can carry on; without it the import stops at the first one.

Example
-------
>>> iso_date("03 Jun 2021", "f.csv:3"), iso_date("March 12, 2021", "f.csv:4"), iso_date("13.07.20", "f.csv:5")
('2021-06-03', '2021-03-12', '2020-07-13')
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rigour.names import NameTypeTag, analyze_names, extract_org_types

from graph.errors import DataError, brief


@dataclass(frozen=True)
class Program:
    """The Measure a list's records belong to: one per programme or list edition.

    ``id`` is a node id (slug); the same programme read from two lists (an SDN
    row of the CSL and of sdn.csv) must get the same id, so ids come from
    :mod:`graph.lists.formats.programs`. ``issuer`` and ``part_of`` name nodes of
    the shipped data (``us-ofac``, ``eo-13936``). ``effect``, when given, is the Measure's own
    effect (data/schema.yaml lifecycle: ``blocking`` for an SDN designation), else its kind's. ``identifiers`` name the programme
    whatever date its id holds (an announcement's address: a later edition may re-write
    the date), so that the Measure an earlier edition made is found again. A list may name
    an issuing body no node id is known for: then ``issuer`` is empty, ``issuer_name`` is
    the body as the list names it and ``issuer_state`` the node id of its state; the import
    finds the body by name, or makes it a body of that state.
    """

    id: str
    name: str
    kind: str
    issuer: str
    sources: tuple[str, ...]
    legal_basis: str | None = None
    citation: str | None = None
    announced: str | None = None
    effective: str | None = None
    part_of: str | None = None
    summary: str | None = None
    effect: str | None = None
    identifiers: tuple[str, ...] = ()
    issuer_name: str | None = None
    issuer_state: str | None = None


@dataclass
class Entity:
    """One listed party as the list gives it.

    ``record`` is the row's identity within the list (OFAC ent_num, CSL _id,
    FtM id). ``label`` is a node label: Company, Official, Government or App.
    ``identifiers`` are ``scheme:value`` strings (``ofac:30882``,
    ``uscc:9111000071093019X7``); ``where`` is ``file:line``. ``scope`` names the part of a
    compilation whose records are distinct parties (the CSL's OFAC lists), when the whole list is not.
    """

    record: str
    label: str
    name: str
    where: str
    aliases: list[str] = field(default_factory=list)
    country: str | None = None
    identifiers: list[str] = field(default_factory=list)
    role: str | None = None
    summary: str | None = None
    sources: list[str] = field(default_factory=list)
    scope: str | None = None


@dataclass
class Listing:
    """The entity with record ``record`` is listed under ``program``, with the list's own dates."""

    record: str
    program: Program
    where: str
    since: str | None = None
    until: str | None = None
    note: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class Ownership:
    """``owner`` holds ``owned`` (both record ids, or ``owner`` a name when ``owner_is_name``)."""

    owned: str
    owner: str
    where: str
    owner_is_name: bool = False
    share: float | None = None
    since: str | None = None
    until: str | None = None
    sources: list[str] = field(default_factory=list)


@dataclass
class Link:
    """The entity with record ``record`` is tied to ``party`` (OFAC's ``Linked To:``), which is not ownership.

    ``party`` is a record id of the same file, or a name when ``party_is_name``;
    ``party_label`` is then what the name reads as (Company or Official).
    """

    record: str
    party: str
    where: str
    party_is_name: bool = False
    party_label: str = "Company"
    sources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ListFormat:
    """One published list's format: its CLI name, where it is published, its reader, the side
    files the reader takes (option name -> what it is), and whether two records of it are
    always two parties (``distinct_records``: a list's own ids; not a compilation's rows or
    records made from names)."""

    name: str
    published_at: str
    read: Callable[..., Iterator[Any]]
    extra_files: dict[str, str] = field(default_factory=dict)
    distinct_records: bool = True


@dataclass
class OutOfScope:
    """A row the format allows that names no party the graph holds (an OFAC vessel, an FCC entry for a kind of
    equipment, an FtM Address): read and counted, nothing imported."""

    where: str
    what: str


@dataclass
class BadRow:
    """A row that cannot be read: where it is and why."""

    where: str
    reason: str


Item = Entity | Listing | Ownership | Link | OutOfScope | BadRow

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[a-z]*\.?[ -](\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")


def iso_date(text: str, where: str) -> str:
    """A list's date as ISO ``YYYY-MM-DD`` (or ``YYYY-MM``/``YYYY`` when that is all it gives).

    Accepts ``2021-06-03`` (time part dropped), ``03 Jun 2021``, ``March 12, 2021``,
    ``Jun 2021``, ``13.07.20`` and ``13.07.2020`` (day first). Raises :class:`DataError`
    naming ``where`` otherwise, or when the day does not exist.
    """
    text = " ".join(text.split())
    parts: tuple[int, ...] = ()
    if m := _ISO.match(text):
        parts = tuple(int(g) for g in m.groups() if g)
    elif m := _DAY_MONTH_YEAR.match(text):
        parts = (int(m.group(3)), _MONTHS.get(m.group(2).lower(), 0), int(m.group(1)))
    elif m := _MONTH_DAY_YEAR.match(text):
        parts = (int(m.group(3)), _MONTHS.get(m.group(1).lower(), 0), int(m.group(2)))
    elif m := _MONTH_YEAR.match(text):
        parts = (int(m.group(2)), _MONTHS.get(m.group(1).lower(), 0))
    elif m := _DOTTED.match(text):
        year = int(m.group(3))
        parts = (year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
    try:
        if len(parts) == 3:
            return datetime.date(*parts).isoformat()
        if len(parts) == 2 and 1 <= parts[1] <= 12:
            return f"{parts[0]:04d}-{parts[1]:02d}"
        if len(parts) == 1:
            return f"{parts[0]:04d}"
    except ValueError:
        pass
    raise DataError(f"{where}: not a date: {text!r}")


def no_name(raw: str) -> str:
    r"""Why a row whose name cleans to nothing is bad: it had none, or only control characters.

    >>> no_name("")
    'no name'
    >>> print(no_name("\x1b"))
    name '\x1b' is empty once control characters are dropped
    """
    return f"name {brief(raw)} is empty once control characters are dropped" if raw.strip() and not clean_text(raw) else "no name"


def clean_text(text: str | None) -> str:
    """Whitespace normalised, control characters dropped, and C1 controls (Windows-1252 punctuation
    decoded as Latin-1 upstream, as in ``Gui\\x92an``) turned back into the character meant (the
    five C1 codes cp1252 leaves undefined are dropped). Bidirectional controls and names of invisible
    characters only are kept, for the import to refuse as a bad row (:func:`graph.model.types.text_problem`).

    >>> clean_text(" Gui\\x92an\\n New\\x00 District ")
    'Gui’an New District'
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():  # most fields: no control character, spaces the only whitespace
        if text[0] != " " and text[-1] != " " and "  " not in text:
            return text
    elif _CONTROL_OR_C1.search(text):
        text = _CONTROL.sub("", _C1.sub(_meant, text))
    return " ".join(text.split())


_C1 = re.compile(r"[\x80-\x9f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_C1 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _meant(match: re.Match[str]) -> str:
    """The character a C1 control stands for in Windows-1252, or nothing (the five codes it leaves undefined)."""
    try:
        return match.group().encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:
        return ""


def split_list(text: str | None, separator: str = ";") -> list[str]:
    """The non-empty, stripped, de-duplicated items of a separated field, in order.

    >>> split_list("A; B;; a ;B")
    ['A', 'B', 'a']
    """
    if not text:
        return []
    seen: dict[str, None] = {}
    for item in text.split(separator):
        item = " ".join(item.split())
        if item:
            seen.setdefault(item)
    return list(seen)


_ACRONYM = re.compile(r"\([A-Z]{2,}\)")
_PLAIN_WORD = re.compile(r"[^\W\d_][\w.'-]*")
_OFAC_PERSON = re.compile(r"^[^,a-z]+, [^,]*[a-z][^,]*$")


def ofac_person_name(name: str) -> bool:
    """Whether a name has OFAC's form for individuals: ``SURNAME, Given`` (surname in capitals, given names not),
    and no legal form (``ACME, Inc.``).

    >>> ofac_person_name("CHEN, Quanguo"), ofac_person_name("HUAWEI TECHNOLOGIES CO., LTD."), ofac_person_name("ZAO, Ltd.")
    (True, False, False)
    """
    return bool(_OFAC_PERSON.match(name)) and not extract_org_types(name)


def reads_as_person(name: str) -> bool:
    """Whether a name given without a type reads as a person's: OFAC's ``SURNAME, Given`` form, or two to
    five plain words (letters, ``.``, ``'``, ``-``) with no legal form and no word rigour's organisation
    tagger knows (``Group``, ``Technology``, ``Airlines`` ...), digit or acronym in parentheses
    (``Asa'ib Ahl al-Haq (AAH)``). rigour's person-name tagger would add little here and costs seconds
    and hundreds of MB to load.

    >>> [reads_as_person(n) for n in ("Artur Solomonyan", "YAVUZ CIZMECI", "JIN, ZHONGDA", "Gustavo Gonzalez, Jr.")]
    [True, True, True, True]
    >>> [reads_as_person(n) for n in ("Nilco Group", "Rosneft", "Al-Faris", "Tongfang NucTech Ltd.", "Asa'ib Ahl al-Haq (AAH)")]
    [False, False, False, False, False]
    """
    if ofac_person_name(name):
        return True
    words = name.replace(",", " ").split()  # the cheap tests first: rigour's taggers take most of the time
    if not (2 <= len(words) <= 5 and all(_PLAIN_WORD.fullmatch(word) for word in words)):
        return False
    if any(character.isdigit() for character in name) or _ACRONYM.search(name) or extract_org_types(name):
        return False
    return not any(n.symbols for n in analyze_names(NameTypeTag.ORG, [name], phonetics=False, numerics=False))


def name_key(name: str) -> str:
    """A name as a file's records are matched by it: case, spacing and a final period ignored.

    >>> name_key(" Huawei  Technologies Co., Ltd. ")
    'huawei technologies co., ltd'
    """
    return " ".join(name.casefold().split()).rstrip(".")


class FileParties:
    """The names of a file's records, so that the parties its remarks name resolve first against the
    file itself: by exact name (:func:`name_key`), then by exact alias, preferring records of the
    naming record's ``group`` (the CSL's source list); a name no record or several records bear stays a name.

    >>> parties = FileParties()
    >>> parties.add(Entity("1", "Official", "CHEN, Quanguo", "f:1", aliases=["Quanguo CHEN"]))
    >>> parties.add(Entity("2", "Company", "XINJIANG PRODUCTION AND CONSTRUCTION CORPS", "f:2"))
    >>> [parties.resolve(linked_name("2", name, "f:2")).party for name in ("CHEN, Quanguo", "Quanguo Chen.")]
    ['1', '1']
    >>> link = parties.resolve(linked_name("1", "NOBODY, Such", "f:1"))
    >>> link.party_is_name, link.party_label
    (True, 'Official')
    """

    def __init__(self) -> None:
        self.names: dict[str, dict[str, list[str]]] = {}  # name key -> group -> records named so
        self.aliases: dict[str, dict[str, list[str]]] = {}

    def add(self, entity: Entity, group: str = "") -> None:
        """Index a record's name and aliases."""
        self.names.setdefault(name_key(entity.name), {}).setdefault(group, []).append(entity.record)
        for alias in entity.aliases:
            self.aliases.setdefault(name_key(alias), {}).setdefault(group, []).append(entity.record)

    def record(self, name: str, group: str = "", other_than: str = "") -> str | None:
        """The one record that bears ``name`` (name before alias, ``group`` before the others), or None."""
        key = name_key(name)
        for index in (self.names, self.aliases):
            groups = index.get(key, {})
            for records in (groups.get(group, []), [r for g, rs in groups.items() if g != group for r in rs]):
                distinct = set(records) - {other_than}
                if len(distinct) == 1:
                    return distinct.pop()
                if distinct:
                    return None
        return None

    def resolve(self, link: Link, group: str = "") -> Link:
        """``link`` to the file's record that bears its party's name, or unchanged."""
        party = self.record(link.party, group, other_than=link.record)
        if party is None:
            return link
        return Link(link.record, party, link.where, sources=link.sources)


def linked_name(record: str, name: str, where: str, sources: list[str] | None = None) -> Link:
    """A :class:`Link` from ``record`` to a party the list only names: a person when the name has
    OFAC's form for individuals (:func:`ofac_person_name`), else an organisation.

    >>> linked_name("7", "LIU, Emily", "f:3").party_label, linked_name("7", "MAHAN AIR", "f:3").party_label
    ('Official', 'Company')
    """
    label = "Official" if ofac_person_name(name) else "Company"
    return Link(record, name, where, party_is_name=True, party_label=label, sources=list(sources or []))


def links_resolved_in_file(rows: Iterable[tuple[list[Item], str]]) -> Iterator[Item]:
    """The items of a file's rows (each with its record's group), the links to named parties held until
    the file is read and then resolved against its records (:class:`FileParties`)."""
    parties, held = FileParties(), []
    for items, group in rows:
        for item in items:
            if isinstance(item, Link) and item.party_is_name:
                held.append((item, group))
                continue
            if isinstance(item, Entity):
                parties.add(item, group)
            yield item
    for link, group in held:
        yield parties.resolve(link, group)
