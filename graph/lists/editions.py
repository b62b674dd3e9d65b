"""Import a published list into the graph: resolve its records, add its listings, keep its history.

``import_list("ofac-sdn", "sdn.csv", alt="alt.csv")`` streams the file through
its importer (:mod:`graph.lists.formats`), resolves every listed party to a node
(:mod:`graph.lists.resolve`: merged with the Huawei of the seed articles, or a new
node), hangs each listing from its programme's Measure as a SANCTIONS
relation carrying the listing's dates and record id, and adds OWNS relations
from the list's ownership information. Every merge is recorded on the node
(``merges``) with its reason.

An import is taken as an edition of the whole list: a listing of an earlier
edition that is missing from it gets ``until`` (the edition's date), and history
is never deleted. Re-importing the same file changes nothing. ``partial=True``
(an extract of a list) skips the delisting step.

Embedded: the list's contribution is one JSON-lines data file in the
database's ``imports/`` folder, part of every rebuild; the file is replaced and
the database swapped in atomically only when the whole import succeeded.
Neo4j: the same resolution runs against the graph Neo4j holds and the nodes
and relations the import touched are MERGEd into it.

Example
-------
>>> sorted(FORMATS)[:3]
['cn-countermeasures', 'csl', 'dod-1260h']
"""

from __future__ import annotations

import datetime
import importlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from graph.errors import DataError, QueryError, brief
from graph.lists.formats import FORMATS
from graph.lists.formats.base import BadRow, Entity, Listing, Ownership, Program, clean_text
from graph.lists.formats.programs import slug
from graph.dataset.derived import derive
from graph.dataset.loader import EXTEND, _first_error, load_graph, relation_key, shown
from graph.lists.resolve import Resolver, merge_entry
from graph.model.schema import Schema, load_schema



def importer(fmt: str):
    """The importer module of a format name (``ofac-sdn``, ``csl``, ``ftm`` ...)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown list format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    return importlib.import_module(FORMATS[fmt])


@dataclass
class ImportReport:
    """What an import did: counts, skipped rows, where the data went."""

    list: str
    edition: str
    rows: int = 0
    entities: int = 0
    new_nodes: int = 0
    merged: int = 0
    listings: int = 0
    delisted: int = 0
    ownerships: int = 0
    skipped: list[BadRow] = field(default_factory=list)
    changed: bool = False
    target: str = ""
    seconds: float = 0.0


class _Contribution:
    """The nodes and relations one list adds to a graph, and the graph they are applied to.

    Nodes and relations the list created are kept whole; additions to ones
    defined elsewhere are kept as Extend records.
    """

    def __init__(self, g, schema: Schema):
        self.g, self.schema = g, schema
        self.nodes: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (label, fields)
        self.edges: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (type, fields)
        self.node_extends: dict[str, dict[str, list]] = {}
        self.edge_extends: dict[str, dict[str, Any]] = {}
        self.touched_nodes: set[str] = set()
        self.touched_edges: set[str] = set()
        self.edge_ends: dict[str, tuple[str, str]] = {
            key: (a, b) for a, b, key in g.edges(keys=True)
        }

    @classmethod
    def read(cls, path: Path, g, schema: Schema) -> _Contribution:
        """The contribution recorded in a list's data file (already part of ``g``)."""
        contribution = cls(g, schema)
        if not path.is_file():
            return contribution
        for line in path.read_text(encoding="utf-8").splitlines():
            ((kind, record),) = json.loads(line).items()
            if kind == EXTEND and "id" in record:
                contribution.node_extends[record.pop("id")] = record
            elif kind == EXTEND:
                contribution.edge_extends[record.pop("key")] = record
            elif kind in schema.nodes:
                contribution.nodes[record["id"]] = (kind, record)
            else:
                contribution.edges[relation_key(kind, record["from"], record["to"], record)] = (kind, record)
        return contribution

    def _valid(self, kind: str, fields: dict[str, Any], where: str) -> dict[str, Any]:
        try:
            return self.schema.model(kind).model_validate(fields).model_dump(exclude_none=True)
        except ValidationError as exc:
            raise DataError(f"{where}: {kind} {fields.get('id') or fields.get('name')!r}: {_first_error(exc)}") from None

    def add_node(self, label: str, fields: dict[str, Any], where: str) -> str:
        values = self._valid(label, fields, where)
        node = values.pop("id")
        values.setdefault("aliases", [])
        self.g.add_node(node, label=label, **values)
        self.nodes[node] = (label, {"id": node, **values})
        self.touched_nodes.add(node)
        return node

    def extend_node(self, node: str, **additions: list[str]) -> None:
        data = self.g.nodes[node]
        for name, items in additions.items():
            new = [i for i in dict.fromkeys(items) if i not in (data.get(name) or [])]
            if not new:
                continue
            data[name] = (data.get(name) or []) + new
            self.touched_nodes.add(node)
            if node in self.nodes:
                self.nodes[node][1][name] = data[name]
            else:
                extend = self.node_extends.setdefault(node, {})
                extend[name] = extend.get(name, []) + new

    def add_edge(self, rel_type: str, source: str, target: str, fields: dict[str, Any], where: str) -> str:
        values = self._valid(rel_type, {"from": source, "to": target, **fields}, where)
        values.pop("from_", None), values.pop("to", None)
        key = relation_key(rel_type, source, target, values)
        self.g.add_edge(source, target, key=key, type=rel_type, **values)
        self.edges[key] = (rel_type, {"from": source, "to": target, **values})
        self.edge_ends[key] = (source, target)
        self.touched_edges.add(key)
        return key

    def edge(self, key: str) -> dict[str, Any] | None:
        ends = self.edge_ends.get(key)
        return None if ends is None else self.g.edges[ends[0], ends[1], key]

    def extend_edge(self, key: str, until: str | None = None, **additions: list[str]) -> None:
        data = self.edge(key)
        changed: dict[str, Any] = {}
        for name, items in additions.items():
            new = [i for i in dict.fromkeys(items) if i not in (data.get(name) or [])]
            if new:
                data[name] = (data.get(name) or []) + new
                changed[name] = new
        if until and not data.get("until"):
            data["until"] = changed["until"] = until
        if not changed:
            return
        self.touched_edges.add(key)
        if key in self.edges:
            self.edges[key][1].update({name: data[name] for name in changed})
        else:
            extend = self.edge_extends.setdefault(key, {})
            for name, value in changed.items():
                extend[name] = value if name == "until" else extend.get(name, []) + value

    def lines(self) -> list[str]:
        """The list's data file, one ``{kind: fields}`` record per line, in a stable order."""
        records = [*(self.nodes[k] for k in sorted(self.nodes)), *(self.edges[k] for k in sorted(self.edges))]
        records += [(EXTEND, {"id": k, **self.node_extends[k]}) for k in sorted(self.node_extends)]
        records += [(EXTEND, {"key": k, **self.edge_extends[k]}) for k in sorted(self.edge_extends)]
        return [json.dumps({kind: fields}, ensure_ascii=False, sort_keys=True) for kind, fields in records]


class _Importer:
    """Applies one list's records to a graph through a :class:`_Contribution`."""

    def __init__(self, contribution: _Contribution, list_name: str, edition: str, report: ImportReport, skip_bad: bool):
        self.c, self.list, self.edition, self.report, self.skip_bad = contribution, list_name, edition, report, skip_bad
        self.resolver = Resolver(contribution.g)
        self.record_nodes: dict[str, str] = {}
        self.listings: list[Listing] = []
        self.ownerships: list[Ownership] = []
        self.seen_listings: set[str] = set()
        self.used_ids = set(contribution.g.nodes)
        # A list names each party once, so two of its records are two parties; the CSL, a compilation, does not.
        self.distinct_records = getattr(importer(list_name), "DISTINCT_RECORDS", True)

    def bad(self, where: str, reason: str) -> None:
        if not self.skip_bad:
            raise DataError(f"{where}: {reason}")
        self.report.skipped.append(BadRow(where, reason))

    def take(self, item) -> None:
        if isinstance(item, BadRow):
            self.bad(item.where, item.reason)
        elif isinstance(item, Entity):
            self.report.entities += 1
            # Names are shown and matched: control characters (NUL, ESC ...) and line breaks in them go.
            name, item.aliases = clean_text(item.name), [a for a in map(clean_text, item.aliases) if a]
            if not name:
                return self.bad(item.where, f"name {brief(item.name)} is empty once control characters are dropped")
            item.name = name
            self.entity(item)
        elif isinstance(item, Listing):
            self.listings.append(item)
        elif isinstance(item, Ownership):
            self.ownerships.append(item)

    def _record_id(self, record: str) -> str:
        return f"{self.list}:{record}"

    def _new_id(self, name: str, record: str, where: str) -> str:
        base = slug(name)[:60].strip("-") or slug(f"{self.list}-{record}")
        for candidate in (base, f"{base}-{slug(self.list)}-{slug(record)}"[:120].strip("-")):
            if candidate and candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate
        raise DataError(f"{where}: cannot make a node id for {brief(name)} (record {brief(record)}): both candidates are taken")

    def entity(self, entity: Entity, reference: bool = False) -> str:
        """The node of a listed party (or, ``reference``, of a party the list only names, such as an owner)."""
        identifiers = [] if reference else [self._record_id(entity.record), *entity.identifiers]
        node = self.record_nodes.get(entity.record)
        decision_reason = None
        if node is None:
            decision = self.resolver.resolve(
                entity.label, entity.name, entity.aliases, identifiers, entity.country,
                record=identifiers[0] if self.distinct_records and not reference else None,
            )  # fmt: skip
            node, decision_reason = decision.node, decision.reason
        entry = merge_entry(self.list, entity.record, entity.name, decision_reason or "same record")
        if node is None:
            fields = {
                "id": self._new_id(entity.name, entity.record, entity.where),
                "name": entity.name,
                "aliases": [a for a in dict.fromkeys(entity.aliases) if a != entity.name] or None,
                "summary": entity.summary,
                "sources": list(dict.fromkeys(entity.sources)) or [self._default_source()],
                "identifiers": list(dict.fromkeys(identifiers)),
                "merges": [entry],
                "country": entity.country,
            }
            label = entity.label
            if label == "Government" and not entity.country:  # a state body needs its state; unknown: an organisation
                label = "Company"
            if label == "Government":
                fields["kind"] = "agency"
            if label == "Official":
                fields["role"] = entity.role or "Person on a published list"
            node = self.c.add_node(label, fields, entity.where)
            self.report.new_nodes += 1
        else:
            data = self.c.g.nodes[node]
            known = {m.split(" | ")[0] for m in data.get("merges") or []}
            aliases = [a for a in [entity.name, *entity.aliases] if a != data["name"]]
            self.c.extend_node(
                node,
                aliases=aliases,
                identifiers=identifiers,
                sources=entity.sources,
                merges=[] if self._record_id(entity.record) in known else [entry],
            )
            if self._record_id(entity.record) not in known and decision_reason and not reference:
                self.report.merged += 1
        self.record_nodes[entity.record] = node
        self.resolver.add(node, self.c.g.nodes[node])
        return node

    def _default_source(self) -> str:
        return importer(self.list).PUBLISHED_AT

    def program(self, program: Program, where: str) -> str:
        if program.id in self.c.g:
            return program.id
        if program.issuer not in self.c.g:
            raise DataError(f"{where}: programme {program.id!r} names issuer {program.issuer!r}, which is not in the graph")
        fields = {
            "id": program.id, "name": program.name, "kind": program.kind, "legal_basis": program.legal_basis,
            "citation": program.citation, "announced": program.announced, "effective": program.effective,
            "summary": program.summary, "sources": list(program.sources),
        }  # fmt: skip
        measure = self.c.add_node("Measure", fields, where)
        self.c.add_edge("ISSUED", program.issuer, measure, {"sources": list(program.sources)}, where)
        if program.part_of and program.part_of in self.c.g:
            self.c.add_edge("PART_OF", measure, program.part_of, {"sources": list(program.sources)}, where)
        return measure

    def listing(self, listing: Listing) -> None:
        node = self.record_nodes.get(listing.record)
        if node is None:
            return self.bad(listing.where, f"listing of record {listing.record!r}, which the file does not define")
        measure = self.program(listing.program, listing.where)
        fields = {
            "sources": list(dict.fromkeys([*listing.program.sources, *listing.sources])),
            "since": listing.since, "until": listing.until, "note": listing.note,
            "records": [self._record_id(listing.record)],
        }  # fmt: skip
        key = relation_key("SANCTIONS", measure, node, fields)
        self.report.listings += 1
        self.seen_listings.add(key)
        if self.c.edge(key) is None:
            self.c.add_edge("SANCTIONS", measure, node, fields, listing.where)
        else:
            self.c.extend_edge(key, until=listing.until, sources=fields["sources"], records=fields["records"])

    def ownership(self, ownership: Ownership) -> None:
        owned = self.record_nodes.get(ownership.owned)
        if owned is None:
            return self.bad(ownership.where, f"ownership of record {ownership.owned!r}, which the file does not define")
        if ownership.owner_is_name and not clean_text(ownership.owner):
            return self.bad(ownership.where, f"owner name {brief(ownership.owner)} is empty once control characters are dropped")
        if ownership.owner_is_name:  # resolved like a record of its own: "owner:<name>"
            ownership.owner = clean_text(ownership.owner)
            owner = self.entity(
                Entity(f"owner:{slug(ownership.owner)}", "Company", ownership.owner, ownership.where,
                       country=self.c.g.nodes[owned].get("country"), sources=ownership.sources),
                reference=True,
            )  # fmt: skip
        else:
            owner = self.record_nodes.get(ownership.owner)
            if owner is None:
                return self.bad(ownership.where, f"owner record {ownership.owner!r} is not in the file")
        pair = (self.c.g.nodes[owner]["label"], self.c.g.nodes[owned]["label"])
        if pair not in self.c.schema.relations["OWNS"].pairs:
            return self.bad(ownership.where, f"{owner} ({pair[0]}) cannot own {owned} ({pair[1]})")
        fields = {
            "sources": list(dict.fromkeys(ownership.sources)) or [self._default_source()],
            "share": ownership.share, "since": ownership.since, "until": ownership.until,
            "records": [self._record_id(ownership.owned)],
        }  # fmt: skip
        key = relation_key("OWNS", owner, owned, fields)
        self.report.ownerships += 1
        if self.c.edge(key) is None:
            self.c.add_edge("OWNS", owner, owned, fields, ownership.where)
        else:
            self.c.extend_edge(key, until=ownership.until, sources=fields["sources"], records=fields["records"])

    def finish(self, partial: bool) -> None:
        for listing in self.listings:
            self.listing(listing)
        for ownership in self.ownerships:
            self.ownership(ownership)
        if partial:
            return
        prefix = f"{self.list}:"
        for source, target, key, data in list(self.c.g.edges(keys=True, data=True)):
            if (
                data["type"] == "SANCTIONS"
                and not data.get("until")
                and key not in self.seen_listings
                and any(r.startswith(prefix) for r in data.get("records") or [])
            ):
                self.c.extend_edge(key, until=self.edition)
                self.report.delisted += 1


def _files(path: Path, extra: dict[str, Any], module) -> tuple[Path, dict[str, Path]]:
    unknown = set(extra) - set(module.EXTRA_FILES)
    if unknown:
        raise QueryError(f"{module.NAME} takes no {', '.join(sorted(unknown))} file")
    files = {"": Path(path), **{k: Path(v) for k, v in extra.items() if v}}
    for file in files.values():
        if not file.is_file():
            raise DataError(f"{shown(file)}: no such file")
    return Path(path), {k: v for k, v in files.items() if k}


def apply_list(
    fmt: str,
    path: Path | str,
    g,
    *,
    previous: Path | None = None,
    edition: str | None = None,
    partial: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
    **extra: Path | str | None,
) -> tuple[ImportReport, _Contribution]:
    """Apply one edition of a list to the graph ``g`` in memory: parse, resolve, list, own, end dropped listings.

    ``g`` is changed and nothing is written; ``previous`` is the list's data
    file from an earlier import, already part of ``g``. :func:`import_list` is
    this plus writing the result. Arguments as for :func:`import_list`.

    >>> from graph.dataset.loader import load_graph
    >>> g = load_graph()
    >>> table = Path(__import__("tempfile").mkdtemp()) / "covered.csv"
    >>> _ = table.write_text('covered_equipment_or_services,date_of_inclusion_on_covered_list\\n'
    ...     '"Video surveillance equipment produced by Example Vision Co., Ltd.","March 12, 2021"\\n')
    >>> report, _ = apply_list("fcc-covered-list", table, g, edition="2022-09-20")
    >>> report.new_nodes, g.has_edge("fcc-covered-list", "example-vision-co-ltd")
    (1, True)
    """
    from graph.model.dates import check_day

    module = importer(fmt)
    path, extra_files = _files(Path(path), extra, module)
    edition = check_day(edition) if edition else datetime.date.today().isoformat()
    schema = load_schema()
    report = ImportReport(module.NAME, edition)
    contribution = _Contribution.read(previous, g, schema) if previous else _Contribution(g, schema)
    run = _Importer(contribution, module.NAME, edition, report, skip_bad)
    for item in module.read(path, **extra_files):
        run.take(item)
        if not isinstance(item, (Listing, Ownership)):
            report.rows += 1
            if progress:
                progress(1)
    run.finish(partial)
    return report, contribution


def import_list(
    fmt: str,
    path: Path | str,
    *,
    db: Path | str | None = None,
    edition: str | None = None,
    partial: bool = False,
    skip_bad: bool = False,
    neo4j=None,
    progress: Callable[[int], None] | None = None,
    **extra: Path | str | None,
) -> ImportReport:
    """Import one edition of a published list into the embedded database (or Neo4j).

    Parameters
    ----------
    fmt : str
        The list's format: one of :data:`FORMATS`.
    path : path-like
        The list file; ``extra`` names side files (``alt=``, ``add=`` for OFAC).
    db : path-like, optional
        Embedded database folder (default ``$TECHGRAPH_DB`` or ``~/.cache/techgraph/db``).
    edition : str, optional
        The edition's date (YYYY-MM-DD), used as ``until`` of listings it drops; default today.
    partial : bool
        The file is an extract: do not close listings it lacks.
    skip_bad : bool
        Skip malformed rows (listed in the report) instead of stopping at the first.
    neo4j : Neo4jSettings, optional
        Import into this Neo4j database instead of the embedded one.
    progress : callable, optional
        Called with 1 for every row read.

    Raises
    ------
    DataError
        On the first malformed row (``file:line: reason``) unless ``skip_bad``;
        nothing is changed then.

    Examples
    --------
    >>> import tempfile
    >>> table = Path(tempfile.mkdtemp()) / "covered.csv"
    >>> _ = table.write_text('covered_equipment_or_services,date_of_inclusion_on_covered_list\\n'
    ...     '"Telecommunications equipment produced by ZTE Corporation, including ...","March 12, 2021"\\n')
    >>> report = import_list("fcc-covered-list", table, db=tempfile.mkdtemp(), edition="2022-09-20")
    >>> report.entities, report.merged, report.new_nodes
    (1, 1, 0)
    """
    from graph.paths import default_db_dir
    from graph.backends.ladybug.build import build_folders, imports_dir, read_manifest

    started = time.perf_counter()
    db_dir = Path(db) if db else default_db_dir()
    target_file = imports_dir(db_dir) / f"{importer(fmt).NAME}.jsonl"
    engine = None
    try:
        if neo4j is not None:
            from graph.backends.ladybug.engine import graph_from_engine
            from graph.backends.neo4j.engine import Neo4jEngine

            engine = Neo4jEngine(neo4j)
            g, previous = graph_from_engine(engine), None
        else:
            manifest = read_manifest(db_dir)
            folders = build_folders(db_dir, [Path(f) for f in manifest["folders"] if Path(f).is_dir()] if manifest else None)
            g, previous = load_graph(folders), target_file
        report, contribution = apply_list(
            fmt, path, g, previous=previous, edition=edition, partial=partial, skip_bad=skip_bad, progress=progress, **extra
        )
        if skip_bad:
            _write_skipped(imports_dir(db_dir) / f"{fmt}.skipped.tsv", report.skipped)
        if engine is not None:
            contribution.touched_nodes |= derive(g)  # companies above a new listing rank anew
            report.changed = bool(contribution.touched_nodes or contribution.touched_edges)
            report.target = neo4j.shown_uri
            _push_touched(contribution, engine, contribution.schema)
        else:
            report.target = str(target_file)
            text = "".join(line + "\n" for line in contribution.lines())
            old = target_file.read_text(encoding="utf-8") if target_file.is_file() else None
            report.changed = text != old
            if report.changed:
                _install(db_dir, target_file, text, old, contribution.g, folders)
    finally:
        if engine is not None:
            engine.close()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _write_skipped(path: Path, skipped: list[BadRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{row.where}\t{row.reason}\n" for row in skipped), encoding="utf-8")


def _install(db_dir: Path, target_file: Path, text: str, old: str | None, g, folders: list[Path]) -> None:
    """Replace the list's data file and swap in a database built from ``g``; on failure restore the file."""
    from graph.dataset.loader import fingerprint, graph_rows
    from graph.backends.ladybug.build import build_folders, install_build

    target_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = target_file.with_name(f".{target_file.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target_file)
    try:
        folders = build_folders(db_dir, folders)
        install_build(db_dir, graph_rows(g), fingerprint(folders), {"folders": [str(f) for f in folders]})
    except BaseException:
        if old is None:
            target_file.unlink(missing_ok=True)
        else:
            temporary.write_text(old, encoding="utf-8")
            os.replace(temporary, target_file)
        raise


def _push_touched(contribution: _Contribution, engine, schema: Schema) -> None:
    """MERGE the nodes and relations an import touched into Neo4j."""
    import networkx as nx

    from graph.backends.neo4j.engine import push

    g = contribution.g
    touched = nx.MultiDiGraph()
    ends = {end for key in contribution.touched_edges for end in contribution.edge_ends[key]}
    for node in contribution.touched_nodes | ends:
        touched.add_node(node, **g.nodes[node])
    for key in contribution.touched_edges:
        source, target = contribution.edge_ends[key]
        touched.add_edge(source, target, key=key, **g.edges[source, target, key])
    push(touched, engine, schema)
