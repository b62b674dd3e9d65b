"""China's countermeasure lists, as OpenSanctions' "China Sanctions Research" CSV records them.

One row per (target, act). ``List`` says which list the act adds to: ``UEL`` (MOFCOM's
Unreliable Entity List), ``AFSL`` and "List of Targets of Countermeasures" (countermeasures
under the Anti-Foreign Sanctions Law, by the MFA or MOFCOM), "List of Export Controls" and
"Export Control Watch List" (MOFCOM, Export Control Law). A blank ``List`` is an MFA
announcement from before the AFSL, and any other value names a single decision: each of
those is its own :class:`Program`, one per issuer and date. ``Date`` is day first
(``13.07.20``). Records are slugs of the name, so one target in several acts is one record;
the ``QID`` column gives a ``wikidata:`` identifier.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cn.csv"
>>> _ = path.write_text(
...     "Type,QID,Name,Alias,Chinese name,Country,Topics,Summary,Chinese summary,Body,List,Date,End date,Source URL,Address\\n"
...     "Person,Q324546,Marco Rubio,,鲁比欧,US,sanction.counter,US Senator,,Ministry of Foreign Affairs,,13.07.20,,"
...     "https://www.fmprc.gov.cn/web/wjdt_674879/zcjd/202007/t20200713_9712330.shtml,\\n", encoding="utf-8")
>>> person, listing = read(path)
>>> person.label, person.role, person.aliases, person.identifiers
('Official', 'US Senator', ['鲁比欧'], ['wikidata:Q324546'])
>>> listing.program.id, listing.program.issuer, listing.since
('cn-mfa-countermeasures-2020-07-13', 'cn-mfa', '2020-07-13')
"""

from __future__ import annotations

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
    Program,
    clean_text,
    iso_date,
    no_name,
    split_list,
)
from graph.lists.formats.programs import slug

COLUMNS = ("Type", "QID", "Name", "Alias", "Chinese name", "Country", "Summary", "Body", "List", "Date", "End date", "Source URL")

AFSL = "Anti-Foreign Sanctions Law of the PRC (2021)"
AFSL_URL = "https://www.emilyweilawfirm.com/laws_regulations/50"
EXPORT_CONTROL_LAW = "Export Control Law of the PRC (2020); Regulations on the Export Control of Dual-Use Items (2024)"
EXPORT_CONTROL_URL = "https://gaopenglaw.com/en/content/details24_4747.html"
DATASET_URL = "https://www.opensanctions.org/datasets/cn_sanctions/"

# The bodies the list names, by the shipped data's node ids; the Taiwan Affairs Office of the State Council and the
# Taiwan Work Office of the CPC Central Committee are one office under two names. A body not named here is found by
# name in the graph, or made, by the import (Program.issuer_name); a row naming none was issued by the state.
ISSUERS = {
    "Ministry of Foreign Affairs": "cn-mfa",
    "Ministry of Commerce": "cn-mofcom",
    "Taiwan Affairs Office of the State Council": "cn-taiwan-affairs-office",
    "Taiwan Work Office of the CPC Central Committee": "cn-taiwan-affairs-office",
    "": "prc",
}
ISSUER_NAMES = {"cn-mfa": "MFA", "cn-mofcom": "MOFCOM", "cn-taiwan-affairs-office": "TAO", "prc": "China"}
LABELS = {"Person": "Official", "Company": "Company", "Organization": "Company"}

UNRELIABLE_ENTITY_LIST = Program(
    id="cn-unreliable-entity-list",
    name="MOFCOM Unreliable Entity List",
    kind="counter-sanction",
    issuer="cn-mofcom",
    sources=("http://www.mofcom.gov.cn/article/zwgk/gkzcfb/202302/20230203391289.shtml",
             "http://en.commerce.shandong.gov.cn/art/2021/1/5/art_25363_10271579.html"),
    legal_basis="Provisions on the Unreliable Entity List (MOFCOM Order No. 4 of 2020)",
    part_of="mofcom-unreliable-entity-list-provisions",
    summary="Foreign entities MOFCOM's working mechanism lists for endangering China's sovereignty, security or "
    "development interests; listed entities may be barred from China-related trade and investment.",
)
EXPORT_CONTROL_LIST = Program(
    id="cn-mofcom-export-control-list",
    name="MOFCOM Export Control List (出口管制管控名单)",
    kind="entity-listing",
    issuer="cn-mofcom",
    sources=(EXPORT_CONTROL_URL, "https://geopolitechs.org/p/chinas-first-ever-use-of-export-control"),
    legal_basis=EXPORT_CONTROL_LAW,
    summary="Importers and end users to whom exports of Chinese dual-use items are prohibited or restricted.",
)
EXPORT_CONTROL_WATCH_LIST = Program(
    id="cn-mofcom-export-control-watch-list",
    name="MOFCOM Export Control Watch List (出口管制关注名单)",
    kind="entity-listing",
    issuer="cn-mofcom",
    sources=(EXPORT_CONTROL_URL,),
    legal_basis=EXPORT_CONTROL_LAW,
    summary="Importers and end users whose end use of Chinese dual-use items cannot be verified; exports to them need "
    "extra assurances.",
)
_FIXED = {"UEL": UNRELIABLE_ENTITY_LIST, "List of Export Controls": EXPORT_CONTROL_LIST,
          "Export Control Watch List": EXPORT_CONTROL_WATCH_LIST}
# AFSL lists, one Program per issuer: list name -> (id suffix, Measure name).
_AFSL_LISTS = {
    "AFSL": ("anti-foreign-sanctions-law-countermeasures", "Countermeasures under the Anti-Foreign Sanctions Law"),
    "List of Targets of Countermeasures": ("list-of-targets-of-countermeasures",
                                           "List of Targets of Countermeasures under the Anti-Foreign Sanctions Law"),
}


def afsl_program(list_name: str, issuer: str) -> Program:
    """The Measure of an AFSL list kept by ``issuer`` (cn-mfa or cn-mofcom).

    >>> afsl_program("AFSL", "cn-mfa").id
    'cn-mfa-anti-foreign-sanctions-law-countermeasures'
    """
    suffix, name = _AFSL_LISTS[list_name]
    return Program(id=f"{issuer}-{suffix}", name=f"{name} ({ISSUER_NAMES[issuer]})", kind="counter-sanction",
                   issuer=issuer, sources=(AFSL_URL,), legal_basis=AFSL)


def announcement_program(list_name: str, body: str, date: str | None, url: str | None) -> Program:
    """The Measure of one announcement: an MFA countermeasure before the AFSL (blank list) or a named decision.

    Its id holds its date (none: ``undated``), which a later edition may re-write; its body and
    address (``url``) are the identifier that finds it again, also when a later edition files
    its rows under a named list. A body this module does not know is the issuer by name
    (:attr:`Program.issuer_name`).

    >>> p = announcement_program("", "Ministry of Foreign Affairs", "2020-08-10", "https://www.fmprc.gov.cn/x.html")
    >>> p.id, p.identifiers
    ('cn-mfa-countermeasures-2020-08-10', ('announcement:cn-mfa:https://www.fmprc.gov.cn/x.html',))
    >>> p = announcement_program("", "State Council", None, None)
    >>> p.id, p.issuer, p.issuer_name, p.sources == (DATASET_URL,)
    ('state-council-countermeasures-undated', '', 'State Council', True)
    """
    issuer = ISSUERS.get(body, "")
    prefix, shown_body, day = issuer or slug(body), ISSUER_NAMES.get(issuer, body), date or "undated"
    if list_name:
        program_id, name = slug(f"{prefix} {list_name} {day}"), f"{shown_body} {list_name} ({day})"
    else:
        program_id = f"{prefix}-countermeasures-{day}"
        name = f"{shown_body} countermeasures " + (f"announced on {date}" if date else "(the list gives no date)")
    return Program(
        id=program_id, name=name, kind="counter-sanction", issuer=issuer, sources=(url or DATASET_URL,), announced=date,
        legal_basis=AFSL if list_name and issuer in ("cn-mfa", "cn-mofcom") else None,
        identifiers=(f"announcement:{prefix}:{url}",) if url else (),  # one announcement, whichever lists it files
        issuer_name=None if issuer else body, issuer_state=None if issuer else "prc",
    )


def read(path: Path, **extra: object) -> Iterator[Item]:
    """Stream the countermeasures CSV at ``path``: per row an Entity and a Listing."""
    programs: dict[tuple[str, str, str], Program] = {}
    for row in read_rows(path, COLUMNS, "China countermeasures (OpenSanctions cn_sanctions) CSV"):
        if isinstance(row, BadRow):
            yield row
            continue
        where, values = row
        name = clean_text(values["Name"])
        if not name:
            yield BadRow(where, no_name(values["Name"]))
            continue
        label = LABELS.get(values["Type"])
        if label is None:
            yield BadRow(where, f"{name}: unknown Type {values['Type']!r} (expected {', '.join(LABELS)})")
            continue
        try:
            since = iso_date(values["Date"], where) if values["Date"] else None
            until = iso_date(values["End date"], where) if values["End date"] else None
        except DataError as exc:
            yield BadRow(where, f"{name}: {str(exc).removeprefix(where + ': ')}")
            continue
        list_name, body, url = clean_text(values["List"]), clean_text(values["Body"]), values["Source URL"]
        program = _FIXED.get(list_name)
        if program is None:
            if list_name in _AFSL_LISTS and body in ISSUERS:
                program = programs.setdefault((list_name, body, ""), afsl_program(list_name, ISSUERS[body]))
            else:
                program = programs.setdefault((list_name, body, since or ""), announcement_program(list_name, body, since, url))
        qid = values["QID"]
        if qid and not (qid[:1] == "Q" and qid[1:].isdigit()):
            yield BadRow(where, f"{name}: QID {qid!r} is not a Wikidata item id")
            continue
        record = slug(name)
        summary = clean_text(values["Summary"]) or None
        chinese_summary = clean_text(values.get("Chinese summary")) or None
        sources = [url] if url else list(program.sources)
        aliases = [alias for alias in split_list(f"{values['Alias']};{values['Chinese name']}") if alias != name]
        yield Entity(
            record=record, label=label, name=name, where=where, aliases=aliases,
            country=clean_text(values["Country"]).upper() or None,
            identifiers=[f"wikidata:{qid}"] if qid else [],
            role=(summary or chinese_summary or "Person targeted by Chinese countermeasures") if label == "Official" else None,
            summary=summary if label != "Official" else None, sources=sources,
        )
        yield Listing(record=record, program=program, where=where, since=since, until=until, sources=sources)


# Records are slugs of names, not the list's own ids: two of them may still be one party (a renamed one).
FORMAT = ListFormat(
    "cn-countermeasures",
    "https://github.com/opensanctions/opensanctions/blob/main/datasets/cn/sanctions/sanctions.csv",
    read,
    distinct_records=False,
)
