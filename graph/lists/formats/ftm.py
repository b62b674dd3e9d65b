"""OpenSanctions FollowTheMoney entities, JSON lines (``entities.ftm.json``, ``targets.nested.json``).

One entity per line. Legal entities become :class:`Entity` (Company, Organization and
LegalEntity as Company, PublicBody as Government, Person as Official); a ``Sanction``
becomes a :class:`Listing` per programme and an ``Ownership`` an :class:`Ownership`.
Both reference record ids, which may come later in the file: they are yielded as
met, and the consumer resolves them when the stream ends. In the nested export a
property value may be the embedded entity itself rather than its id; embedded
entities are yielded too, and an embedded Sanction or Ownership that leaves out its
link back to the entity it is nested in gets that entity. Other FtM schemata
(Address, Identification, Directorship, ...) are skipped.

The file is read a line at a time as bytes, so a line that is not UTF-8 or not JSON is
a :class:`BadRow` and the rest still reads. The followthemoney package is not used.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "entities.ftm.json"
>>> _ = path.write_text(
...     '{"id": "ofac-30882", "schema": "Company", "properties": {"name": ["Huawei Technologies Co., Ltd."],'
...     ' "country": ["cn"], "sanctions": [{"id": "ofac-30882-s", "schema": "Sanction", "properties":'
...     ' {"authority": ["Office of Foreign Assets Control"], "program": ["CMIC-EO13959"], "listingDate": ["2021-06-03"]}}]}}\\n',
...     encoding="utf-8")
>>> company, listing = read(path)
>>> company.identifiers, company.country, listing.record, listing.program.id, listing.since
(['opensanctions:ofac-30882', 'ofac:30882'], 'CN', 'ofac-30882', 'ofac-cmic-eo13959', '2021-06-03')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
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
    Ownership,
    Program,
    iso_date,
)
from graph.lists.formats.programs import ofac_program, slug
from graph.text import not_utf8, numbered_lines

FALLBACK_SOURCE = "https://www.opensanctions.org/datasets/"

LABELS = {
    "Company": "Company", "Organization": "Company", "LegalEntity": "Company", "PublicBody": "Government", "Person": "Official",
}

# Every schema of FollowTheMoney 4: one not in here is a malformed entity; one that is, but has
# no label above and is neither Sanction nor Ownership, is skipped.
FTM_SCHEMATA = frozenset((
    "Address", "Airplane", "Analyzable", "Article", "Asset", "Associate", "Audio", "BankAccount",
    "Call", "CallForTenders", "Company", "Contract", "ContractAward", "Control", "CourtCase",
    "CourtCaseParty", "CryptoWallet", "Debt", "Directorship", "Document", "Documentation",
    "EconomicActivity", "Email", "Employment", "Event", "Family", "Folder", "HyperText",
    "Identification", "Image", "Interest", "Interval", "LegalEntity", "License", "Membership",
    "Mention", "Message", "Note", "Occupancy", "Organization", "Ownership", "Package", "Page",
    "Pages", "Passport", "Payment", "Person", "PlainText", "Position", "Project",
    "ProjectParticipant", "PublicBody", "RealEstate", "Representation", "Risk", "Sanction",
    "Security", "Similar", "Succession", "Table", "TaxRoll", "Territory", "Thing", "Trip",
    "UnknownLink", "UserAccount", "Value", "Vehicle", "Vessel", "Video", "Workbook",
))

# Authority (lower case) -> issuer node: the first rule whose words all occur in the authority wins.
_ISSUER_RULES = (
    (("office", "foreign", "assets", "control"), "us-ofac"), (("ofac",), "us-ofac"),
    (("bureau", "industry", "security"), "us-bis"), (("bis",), "us-bis"), (("department", "commerce"), "us-bis"),
    (("department", "defense"), "us-dod"), (("dod",), "us-dod"),
    (("federal", "communications", "commission"), "us-fcc"), (("fcc",), "us-fcc"),
    (("department", "state"), "us-state"), (("state", "department"), "us-state"),
    (("treasury",), "us-treasury"),
    (("ministry", "commerce"), "cn-mofcom"), (("mofcom",), "cn-mofcom"),
    (("ministry", "foreign", "affairs"), "cn-mfa"), (("mfa",), "cn-mfa"),
    (("state", "council"), "cn-state-council"),
)
_KINDS = {"us-bis": "entity-listing", "cn-mofcom": "counter-sanction", "cn-mfa": "counter-sanction",
          "cn-state-council": "counter-sanction"}
_WORDS = re.compile(r"[a-z]+")


def issuer_of(authority: str) -> str | None:
    """The issuer node of a Sanction's ``authority``, or None when it is none of the known ones.

    >>> issuer_of("Office of Foreign Assets Control"), issuer_of("Ministry of Commerce of the PRC"), issuer_of("HM Treasury")
    ('us-ofac', 'cn-mofcom', 'us-treasury')
    """
    words = set(_WORDS.findall(authority.lower()))
    for needed, issuer in _ISSUER_RULES:
        if words.issuperset(needed):
            return issuer
    return None


def _is_ofac_tag(program: str) -> bool:
    """``HK-EO13936``, ``SDGT``: an OFAC programme tag rather than a programme's name."""
    return " " not in program and program.upper() == program


# Properties whose values may be embedded entities (the nested form) as well as ids.
_ENTITY_PROPERTIES = frozenset(("entity", "owner", "asset"))
# Properties read as text: each value must be a string.
_TEXT_PROPERTIES = frozenset((
    "name", "alias", "previousName", "abbreviation", "country", "jurisdiction", "mainCountry", "nationality",
    "citizenship", "leiCode", "uscCode", "registrationNumber", "wikidataId", "summary", "description", "position",
    "sourceUrl", "authority", "program", "programUrl", "reason", "listingDate", "startDate", "endDate", "date",
    "percentage",
))


def _malformed(data: dict, properties: dict) -> str | None:
    """Why an entity's values are not of FtM's types (each property a list of strings), or None.

    A property may also hold embedded entities (objects), except those read as text.
    """
    if type(data.get("caption", "")) is not str:
        return "caption is not a string"
    referents = data.get("referents", [])
    if type(referents) is not list or any(type(referent) is not str for referent in referents):
        return "referents is not a list of strings"
    for prop, values in properties.items():
        if type(values) is not list:
            return f"property {prop!r} is not a list"
        for value in values:
            if type(value) is not str and not (
                type(value) is dict and (prop in _ENTITY_PROPERTIES or prop not in _TEXT_PROPERTIES)
            ):
                return f"property {prop!r} holds {type(value).__name__ if value is not None else 'null'}, not text"
    return None


class _Reader:
    """State of one file's read: the Programs made so far, so that each id is one object."""

    def __init__(self) -> None:
        self.programs: dict[tuple[str, str], Program | str] = {}
        self.dates: dict[str, str] = {}

    def program(self, authority: str, name: str, url: str | None) -> Program | str:
        """The Program of ``name`` by ``authority``, or the reason there is none."""
        key = (authority, name)
        found = self.programs.get(key)
        if found is None:
            found = self.programs[key] = self._make_program(authority, name, url)
        return found

    @staticmethod
    def _make_program(authority: str, name: str, url: str | None) -> Program | str:
        issuer = issuer_of(authority)
        if issuer is None:
            return f"unknown sanctioning authority {authority!r}"
        if issuer == "us-ofac" and name and _is_ofac_tag(name):
            return ofac_program(name)
        title = f"{authority}: {name}" if name else f"{authority} sanctions"
        return Program(id=slug(f"{authority}-{name}"), name=title, kind=_KINDS.get(issuer, "designation"),
                       issuer=issuer, sources=(url or FALLBACK_SOURCE,))

    def items(self, data: Any, where: str, nested: bool, parent: tuple[str, str] | None = None) -> Iterator[Item]:
        """The items of one FtM entity dict.

        ``nested`` says whether its properties may hold embedded entities; ``parent`` is
        (id, property) of the entity it is embedded in.
        """
        if type(data) is not dict:
            yield BadRow(where, "not a JSON object")
            return
        entity_id, schema, properties = data.get("id"), data.get("schema"), data.get("properties")
        if not entity_id or type(entity_id) is not str:
            yield BadRow(where, "entity without an id")
            return
        if not entity_id.isprintable():
            yield BadRow(where, f"entity id {entity_id!r} holds control characters or line breaks")
            return
        if not schema or type(schema) is not str:
            yield BadRow(where, f"{entity_id}: entity without a schema")
            return
        if properties is None:
            properties = {}
        elif type(properties) is not dict:
            yield BadRow(where, f"{entity_id}: properties is not an object")
            return
        if problem := _malformed(data, properties):
            yield BadRow(where, f"{entity_id}: {problem}")
            return
        label = LABELS.get(schema)
        if label is not None:
            yield from self._entity(entity_id, label, data, properties, where)
        elif schema == "Sanction":
            yield from self._sanction(entity_id, properties, where, parent)
            return
        elif schema == "Ownership":
            yield from self._ownership(entity_id, properties, where, parent)
            return
        elif schema not in FTM_SCHEMATA:
            yield BadRow(where, f"{entity_id}: unknown FtM schema {schema!r}")
            return
        elif parent is None:  # a schema the graph holds nothing of (an Address); embedded ones count with their line
            yield OutOfScope(where, schema)
        if nested:
            for prop, values in properties.items():
                for value in values if type(values) is list else ():
                    if type(value) is dict:
                        yield from self.items(value, where, True, (entity_id, prop))

    def _entity(self, entity_id: str, label: str, data: dict, properties: dict, where: str) -> Iterator[Item]:
        get = properties.get
        names = get("name") or ([data["caption"]] if data.get("caption") else [])
        if type(names) is not list or not names or type(names[0]) is not str or not names[0].strip():
            yield BadRow(where, f"{entity_id}: {data['schema']} without a name")
            return
        name = names[0].strip()
        others = [*names[1:], *get("alias", ()), *get("previousName", ()), *get("abbreviation", ())]
        aliases = [alias for alias in dict.fromkeys(others) if alias != name and type(alias) is str]
        identifiers = [f"opensanctions:{entity_id}"]
        for source_id in (entity_id, *data.get("referents", ())):
            if source_id.startswith("ofac-") and source_id[5:].isdigit():
                identifiers.append(f"ofac:{source_id[5:]}")
        countries = get("country") or get("jurisdiction") or get("mainCountry") or get("nationality") or get("citizenship") or ()
        country = next((code.upper() for code in countries if type(code) is str and len(code) == 2 and code.isalpha()), None)
        for code in get("leiCode", ()):
            identifiers.append(f"lei:{code}")
        for code in get("uscCode", ()):
            identifiers.append(f"uscc:{code}")
        if country == "CN":
            identifiers.extend(f"uscc:{code}" for code in get("registrationNumber", ()) if len(code) == 18 and code.isalnum())
        for code in get("wikidataId", ()):
            identifiers.append(f"wikidata:{code}")
        summary = (get("summary") or get("description") or (None,))[0]
        role = None
        if label == "Official":
            role = (get("position") or (summary or "Person listed by OpenSanctions",))[0]
        yield Entity(record=entity_id, label=label, name=name, where=where, aliases=aliases, country=country,
                     identifiers=list(dict.fromkeys(identifiers)), role=role, summary=summary,
                     sources=list(get("sourceUrl", ())))

    def _links(
        self, values: list, where: str, parent: tuple[str, str] | None, back_property: str
    ) -> tuple[list[str], list[Item]]:
        """Record ids of an entity-valued property, the embedded entities' items, or the parent's id."""
        ids: list[str] = []
        embedded: list[Item] = []
        for value in values:
            if type(value) is dict:
                embedded.extend(self.items(value, where, True))
                if type(value.get("id")) is str and value["id"]:
                    ids.append(value["id"])
            elif type(value) is str and value:
                ids.append(value)
        if not ids and parent is not None and parent[1] == back_property:
            ids.append(parent[0])
        return ids, embedded

    def _date(self, text: str | None, where: str) -> str | None:
        """``text`` as an ISO date, remembered: a file repeats few distinct dates."""
        if not text:
            return None
        found = self.dates.get(text)
        if found is None:
            found = self.dates[text] = iso_date(text, where)
        return found

    def _dates(self, properties: dict, since_properties: tuple[str, ...], where: str) -> tuple[str | None, str | None]:
        """ISO ``(since, until)``: the first of ``since_properties`` given, and ``endDate``."""
        since = next((properties[prop][0] for prop in since_properties if properties.get(prop)), None)
        return self._date(since, where), self._date((properties.get("endDate") or (None,))[0], where)

    def _sanction(self, sanction_id: str, properties: dict, where: str, parent: tuple[str, str] | None) -> Iterator[Item]:
        records, embedded = self._links(properties.get("entity", ()), where, parent, "sanctions")
        yield from embedded
        if not records:
            yield BadRow(where, f"{sanction_id}: Sanction without an entity")
            return
        authority = " ".join((properties.get("authority") or ("",))[0].split())
        if not authority:
            yield BadRow(where, f"{sanction_id}: Sanction without an authority")
            return
        try:
            since, until = self._dates(properties, ("listingDate", "startDate", "date"), where)
        except DataError as exc:
            yield BadRow(where, f"{sanction_id}: {str(exc).removeprefix(where + ': ')}")
            return
        sources = list(properties.get("sourceUrl", ()))
        url = (properties.get("programUrl") or sources or (None,))[0]
        note = (properties.get("reason") or (None,))[0]
        for program_name in properties.get("program") or ("",):
            program = self.program(authority, " ".join(program_name.split()), url)
            if isinstance(program, str):
                yield BadRow(where, f"{sanction_id}: {program}")
                continue
            for record in records:
                yield Listing(record=record, program=program, where=where, since=since, until=until, note=note,
                              sources=sources or list(program.sources))

    def _ownership(self, ownership_id: str, properties: dict, where: str, parent: tuple[str, str] | None) -> Iterator[Item]:
        owners, embedded_owners = self._links(properties.get("owner", ()), where, parent, "ownershipOwner")
        assets, embedded_assets = self._links(properties.get("asset", ()), where, parent, "ownershipAsset")
        yield from embedded_owners
        yield from embedded_assets
        if not owners or not assets:
            yield BadRow(where, f"{ownership_id}: Ownership without {'an owner' if not owners else 'an asset'}")
            return
        try:
            since, until = self._dates(properties, ("startDate", "date"), where)
        except DataError as exc:
            yield BadRow(where, f"{ownership_id}: {str(exc).removeprefix(where + ': ')}")
            return
        share = None
        for percentage in properties.get("percentage", ()):
            try:
                share = float(percentage.strip().rstrip("%"))
                break
            except ValueError:
                continue
        sources = list(properties.get("sourceUrl", ()))
        for owner in owners:
            for asset in assets:
                yield Ownership(owned=asset, owner=owner, where=where, share=share, since=since, until=until, sources=sources)


def read(path: Path, **extra: object) -> Iterator[Item]:
    """Stream the FtM JSON lines at ``path``, one line at a time, yielding each entity's items as met."""
    reader = _Reader()
    file_name = path.name
    decode = json.JSONDecoder().decode
    for number, line in numbered_lines(path):
        if line.isspace():
            continue
        where = f"{file_name}:{number}"
        try:
            data = decode(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield BadRow(where, not_utf8(line, exc.start))
            continue
        except ValueError as exc:
            yield BadRow(where, f"not JSON: {exc}")
            continue
        except RecursionError:
            yield BadRow(where, "not JSON: nested too deeply")
            continue
        # A line holding several entities is in the nested form: only then walk its properties.
        yield from reader.items(data, where, line.count(b'"schema"') > 1)


FORMAT = ListFormat("ftm", "https://www.opensanctions.org/docs/bulk/json/", read)
