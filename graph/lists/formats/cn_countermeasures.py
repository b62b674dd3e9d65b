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

ISSUERS = {"Ministry of Foreign Affairs": "cn-mfa", "Ministry of Commerce": "cn-mofcom"}
ISSUER_NAMES = {"cn-mfa": "MFA", "cn-mofcom": "MOFCOM"}
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


def announcement_program(list_name: str, issuer: str, date: str, url: str) -> Program:
    """The Measure of one announcement: an MFA countermeasure before the AFSL (blank list) or a named decision.

    >>> announcement_program("", "cn-mfa", "2020-08-10", "https://www.fmprc.gov.cn/x.html").id
    'cn-mfa-countermeasures-2020-08-10'
    """
    body = ISSUER_NAMES[issuer]
    if list_name:
        return Program(id=slug(f"{issuer} {list_name} {date}"), name=f"{body} {list_name} ({date})", kind="counter-sanction",
                       issuer=issuer, sources=(url,), legal_basis=AFSL, announced=date)
    return Program(id=f"{issuer}-countermeasures-{date}", name=f"{body} countermeasures announced on {date}",
                   kind="counter-sanction", issuer=issuer, sources=(url,), announced=date)


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
            issuer = ISSUERS.get(body)
            if issuer is None:
                yield BadRow(where, f"{name}: unknown Body {body!r} (expected {' or '.join(ISSUERS)})")
                continue
            if list_name in _AFSL_LISTS:
                program = programs.setdefault((list_name, issuer, ""), afsl_program(list_name, issuer))
            elif since is None:
                yield BadRow(where, f"{name}: no Date, so no telling which {body} announcement listed it")
                continue
            else:
                program = programs.setdefault((list_name, issuer, since),
                                              announcement_program(list_name, issuer, since, url or DATASET_URL))
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
