"""Apply one list's records to a graph: parties resolved to nodes, listings, ownerships and links, dropped listings ended.

An :class:`Importer` takes the items a list's parser yields (:mod:`graph.lists.formats`) one at a
time and changes the graph through a :class:`~graph.lists.contribution.Contribution`, which keeps
what the list added; :meth:`Importer.finish` resolves the parties once the stream ends (so that a
node bearing the exact name of one of the file's distinct records is kept for it:
:meth:`~graph.lists.resolve.Resolver.reserve`), then hangs the listings, ownerships and links.

Example
-------
>>> from graph.dataset.network import load_graph
>>> from graph.model.schema import load_schema
>>> report = ImportReport("fcc-covered-list", "2022-09-20")
>>> run = Importer(Contribution(load_graph(), load_schema()), "fcc-covered-list", "2022-09-20", report, skip_bad=False)
>>> run.report.rows
0
"""

from __future__ import annotations

import itertools
from typing import Any

from graph.errors import DataError, brief
from graph.lists.contribution import Contribution, ImportReport
from graph.lists.formats import list_format
from graph.lists.formats.base import BadRow, Entity, Link, Listing, OutOfScope, Ownership, Program, clean_text
from graph.lists.formats.programs import slug
from graph.lists.listings import DATE_BASIS, FIRST_EDITION, FIRST_LISTING, earlier_start, held_listing, owned_by, placements
from graph.lists.names import name_key
from graph.lists.resolve import Resolver, merge_entry
from graph.model.types import text_problem


def new_id_candidates(list_name: str, name: str, record: str) -> tuple[str, str]:
    """The ids a new node of a list's record takes first: its name's slug, then that slug with list and record.

    >>> new_id_candidates("ofac-sdn", "ACME Co., Ltd.", "90010")
    ('acme-co-ltd', 'acme-co-ltd-ofac-sdn-90010')
    """
    base = slug(name)[:60].strip("-") or slug(f"{list_name}-{record}")
    return base, f"{base}-{slug(list_name)}-{slug(record)}"[:120].strip("-")


class Importer:
    """Applies one list's records to a graph through a :class:`Contribution`."""

    def __init__(self, contribution: Contribution, list_name: str, edition: str, report: ImportReport, skip_bad: bool,
                 rows_of: str = ""):
        self.c, self.list, self.edition, self.report, self.skip_bad = contribution, list_name, edition, report, skip_bad
        self.rows_of, self.rows_seen = f"{rows_of}:", set[str]()  # the main file (its rows are counted) and its rows read
        # A list names each party once, so two of its records are two parties; the CSL, a compilation, does not.
        self.distinct_records = list_format(list_name).distinct_records
        self.resolver = Resolver(contribution.g, exclusive=frozenset([list_name] if self.distinct_records else []))
        self.record_nodes: dict[str, str] = {}
        self.entities: list[Entity] = []
        self.listings: list[Listing] = []
        self.ownerships: list[Ownership] = []
        self.links: list[Link] = []
        self.seen_listings: set[str] = set()
        self.used_ids = set(contribution.g.nodes)
        self.placed = placements(contribution.g, list_name)  # record -> node, as earlier editions resolved it
        self.measures: dict[str, str] | None = None  # identifier -> Measure, built when a programme needs it

    def bad(self, where: str, reason: str) -> None:
        if not self.skip_bad:
            raise DataError(f"{where}: {reason}")
        self.report.skipped.append(BadRow(where, reason))

    def take(self, item) -> bool:
        """Apply one item of the list (listings and ownerships wait for :meth:`finish`); whether it began a row of the file."""
        new_row = item.where not in self.rows_seen and item.where.startswith(self.rows_of)
        if new_row:  # a row's listings, ownerships and links may come after other rows (the links last)
            self.rows_seen.add(item.where)
            self.report.rows += 1
        if isinstance(item, OutOfScope):
            self.report.out_of_scope += 1
        self._take(item)
        return new_row

    def _take(self, item) -> None:
        if isinstance(item, BadRow):
            self.bad(item.where, item.reason)
        elif isinstance(item, Entity):
            self.report.entities += 1
            # Names are shown and matched: control characters (NUL, ESC ...) and line breaks in them go;
            # bidirectional controls and names of invisible characters only are refused (spoofing).
            name, item.aliases = clean_text(item.name), [a for a in map(clean_text, item.aliases) if a]
            if not name:
                return self.bad(item.where, f"name {brief(item.name)} is empty once control characters are dropped")
            texts = [("name", name), *(("alias", a) for a in item.aliases), ("summary", item.summary), ("role", item.role)]
            for what, text in texts:
                if problem := text_problem(text):
                    return self.bad(item.where, f"{what} {problem}")
            item.name = name
            self.entities.append(item)  # resolved once the file is read: a node its name belongs to waits for it
            if scope := self._scope(item):
                self.resolver.reserve(scope, self._record_id(item.record), name)
        elif isinstance(item, Listing):
            self.listings.append(item)
        elif isinstance(item, Ownership):
            self.ownerships.append(item)
        elif isinstance(item, Link):
            self.links.append(item)

    def _place(self, entity: Entity) -> None:
        """Resolve a listed party's record to its node (a record id repeated must name the same party)."""
        if (first := self.record_nodes.get(entity.record)) is not None and not self._same_party(first, entity):
            data = self.c.g.nodes[first]
            return self.bad(entity.where, f"record {entity.record!r} is defined twice: {brief(data['name'])} before, "
                                          f"{brief(entity.name)} here, a different name (one of them is a different party)")
        self.entity(entity)

    def _scope(self, entity: Entity) -> str | None:
        """Where a listed party's record is one of distinct parties: its own scope (the CSL's OFAC rows), or the list."""
        return entity.scope or (self.list if self.distinct_records else None)

    def _same_party(self, node: str, entity: Entity) -> bool:
        """Whether a row repeating a record id names the party the record's node is (by normalised name)."""
        data, person = self.c.g.nodes[node], entity.label == "Official"
        known = {name_key(n, person) for n in [data["name"], *(data.get("aliases") or [])]}
        return any(name_key(n, person) in known for n in [entity.name, *entity.aliases])

    def _record_id(self, record: str) -> str:
        return f"{self.list}:{record}"

    def _new_id(self, name: str, record: str) -> str:
        """The name's slug; taken, the slug with list and record; taken too (records whose slugs collide), numbered."""
        base, qualified = new_id_candidates(self.list, name, record)
        numbered = (f"{qualified}-{n}" for n in itertools.count(2))  # lazily: one string per id tried, not per node
        node = next(c for c in itertools.chain((base, qualified), numbered) if c not in self.used_ids)
        self.used_ids.add(node)
        return node

    def entity(self, entity: Entity, reference: bool = False) -> str:
        """The node of a listed party (or, ``reference``, of a party the list only names, such as an owner)."""
        identifiers = [] if reference else [self._record_id(entity.record), *entity.identifiers]
        node = self.record_nodes.get(entity.record)
        decision_reason = None
        scope = None if reference else self._scope(entity)
        if node is None and self.placed.get(entity.record) in self.c.g:  # an earlier edition placed it: same node
            node = self.placed[entity.record]
        if node is None:
            decision = self.resolver.resolve(
                entity.label, entity.name, entity.aliases, identifiers, entity.country,
                record=identifiers[0] if scope else None, scope=scope, summary=entity.summary,
            )  # fmt: skip
            node, decision_reason = decision.node, decision.reason
        entry = merge_entry(self.list, entity.record, entity.name, decision_reason or "same record")
        if node is None:
            fields = {
                "id": self._new_id(entity.name, entity.record),
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
        self.resolver.add(node, self.c.g.nodes[node], scope=scope, record=identifiers[0] if scope else None)
        return node

    def _default_source(self) -> str:
        return list_format(self.list).published_at

    def _measure_named(self, identifiers: tuple[str, ...]) -> str | None:
        """The Measure holding one of ``identifiers`` (an announcement's address: its id may hold a re-written date)."""
        if self.measures is None:
            self.measures = {
                identifier: node
                for node, data in self.c.g.nodes(data=True) if data["label"] == "Measure"
                for identifier in data.get("identifiers") or ()
            }  # fmt: skip
        return next((self.measures[i] for i in identifiers if self.measures.get(i) in self.c.g), None)

    def program(self, program: Program, where: str) -> str:
        measure = program.id if program.id in self.c.g else self._measure_named(program.identifiers)
        if measure is not None:
            if measure in self.c.nodes and (program.announced or program.effective):
                # made by this list: its dates are the newest edition's (or catalogue's), no longer an edition's
                dates = {"announced": program.announced, "effective": program.effective, DATE_BASIS: None}
                self.c.set_node_fields(measure, {name: day for name, day in dates.items() if day or name == DATE_BASIS})
            self.held_from(measure, self.edition, FIRST_EDITION)
            return measure
        issuer = program.issuer or self._body(program, where)
        if issuer not in self.c.g:
            raise DataError(f"{where}: programme {program.id!r} names issuer {program.issuer!r}, which is not in the graph")
        fields = {
            "id": program.id, "name": program.name, "kind": program.kind, "legal_basis": program.legal_basis,
            "citation": program.citation, "announced": program.announced, "effective": program.effective,
            "summary": program.summary, "sources": list(program.sources), "identifiers": list(program.identifiers) or None,
            "effect": program.effect,
        }  # fmt: skip
        if not program.announced and not program.effective:  # dates unknown: held from this edition, marked
            fields.update(announced=self.edition, **{DATE_BASIS: FIRST_EDITION})
        measure = self.c.add_node("Measure", fields, where)
        if self.measures is not None:
            self.measures.update(dict.fromkeys(program.identifiers, measure))
        self.c.add_edge("ISSUED", issuer, measure, {"sources": list(program.sources)}, where)
        if program.part_of and program.part_of in self.c.g:
            self.c.add_edge("PART_OF", measure, program.part_of, {"sources": list(program.sources)}, where)
        return measure

    def held_from(self, measure: str, day: str | None, basis: str) -> None:
        """Move the start of a programme's Measure dated by an edition to ``day`` if that is earlier: this edition,
        or a listing's date (``basis`` says which); a Measure with dates of its own, or a later day, is left."""
        if day and earlier_start(self.c.g.nodes[measure], day):
            self.c.redate_node(measure, {"announced": day, DATE_BASIS: basis})

    def _body(self, program: Program, where: str) -> str:
        """The node of an issuing body the list names but the format knows no id for: found by name, or made."""
        name, state = program.issuer_name or "", program.issuer_state or ""
        if state not in self.c.g:
            raise DataError(f"{where}: programme {program.id!r} names no issuer, nor a state {state!r} of the graph")
        country = self.c.g.nodes[state].get("country")
        found = self.resolver.resolve("Government", name, [], [], country).node
        if found is not None and self.c.g.nodes[found]["label"] == "Government":
            return found
        fields = {"id": self._new_id(name, "issuer"), "name": name, "country": country, "kind": "agency",
                  "sources": list(program.sources), "summary": f"Issuing body named by the {self.list} list."}
        body = self.c.add_node("Government", fields, where)
        self.c.add_edge("PART_OF", body, state, {"sources": list(program.sources)}, where)
        self.resolver.add(body, self.c.g.nodes[body])
        return body

    def listing(self, listing: Listing) -> None:
        node = self.record_nodes.get(listing.record)
        if node is None:
            return self.bad(listing.where, f"listing of record {listing.record!r}, which the file does not define")
        if problem := text_problem(listing.note):
            return self.bad(listing.where, f"note {problem}")
        measure = self.program(listing.program, listing.where)
        fields: dict[str, Any] = {
            "sources": list(dict.fromkeys([*listing.program.sources, *listing.sources])),
            "since": listing.since, "until": listing.until, "note": listing.note,
            "records": [self._record_id(listing.record)],
        }  # fmt: skip
        self.report.listings += 1
        self.held_from(measure, listing.since, FIRST_LISTING)
        key = held_listing(self.c.g, measure, node, self.c.schema.relation_key("SANCTIONS", measure, node, fields))
        if key is None:  # a new listing: since is the list's date, else this edition's, marked as such
            if not listing.since:
                fields.update(since=self.edition, since_basis=FIRST_EDITION)
            key = self.c.add_edge("SANCTIONS", measure, node, fields, listing.where)
        elif listing.since and (held := self.c.edge(key) or {}).get("since") != listing.since and key in self.c.edges \
                and owned_by(self.list, held):  # the list re-dated its own listing: the newest edition's date holds
            key = self.c.redate_edge(key, listing.since, listing.where)
        self.seen_listings.add(key)
        self.c.extend_edge(key, until=listing.until, sources=fields["sources"], records=fields["records"])

    def ownership(self, ownership: Ownership) -> None:
        owned = self.record_nodes.get(ownership.owned)
        if owned is None:
            return self.bad(ownership.where, f"ownership of record {ownership.owned!r}, which the file does not define")
        if ownership.owner_is_name and not clean_text(ownership.owner):
            return self.bad(ownership.where, f"owner name {brief(ownership.owner)} is empty once control characters are dropped")
        owner: str | None
        if ownership.owner_is_name:  # resolved like a record of its own: "owner:<name>"
            ownership.owner = clean_text(ownership.owner)
            if problem := text_problem(ownership.owner):
                return self.bad(ownership.where, f"owner name {problem}")
            owner = self.entity(
                Entity(f"owner:{slug(ownership.owner)}", "Company", ownership.owner, ownership.where,
                       country=self.c.g.nodes[owned].get("country"), sources=ownership.sources),
                reference=True,
            )  # fmt: skip
        else:
            owner = self.record_nodes.get(ownership.owner)
            if owner is None:
                return self.bad(ownership.where, f"owner record {ownership.owner!r} is not in the file")
        if owner == owned:  # the list names the party by another name (a rename) or resolution cannot tell the
            return None  # two apart: no OWNS self-loop; the name is an alias of the node, and its merges say why
        pair = (self.c.g.nodes[owner]["label"], self.c.g.nodes[owned]["label"])
        if pair not in self.c.schema.relations["OWNS"].pairs:
            return self.bad(ownership.where, f"{owner} ({pair[0]}) cannot own {owned} ({pair[1]})")
        fields: dict[str, Any] = {
            "sources": list(dict.fromkeys(ownership.sources)) or [self._default_source()],
            "share": ownership.share, "since": ownership.since, "until": ownership.until,
            "records": [self._record_id(ownership.owned)],
        }  # fmt: skip
        key = self.c.schema.relation_key("OWNS", owner, owned, fields)
        self.report.ownerships += 1
        if self.c.edge(key) is None:
            self.c.add_edge("OWNS", owner, owned, fields, ownership.where)
        else:
            self.c.extend_edge(key, until=ownership.until, sources=fields["sources"], records=fields["records"])

    def link(self, link: Link) -> None:
        """A LINKED_TO relation from the record's node to the linked party's: the file's record, or the
        node a name resolves to as a reference of its own kind, with no country (not the naming record's)."""
        node = self.record_nodes.get(link.record)
        if node is None:
            return self.bad(link.where, f"link of record {link.record!r}, which the file does not define")
        other: str | None
        if link.party_is_name:
            name = clean_text(link.party)
            if problem := ("is empty once control characters are dropped" if not name else text_problem(name)):
                return self.bad(link.where, f"linked name {brief(link.party)} {problem}")
            party = Entity(f"linked:{slug(name)}", link.party_label, name, link.where, sources=link.sources)
            other = self.entity(party, reference=True)
        elif (other := self.record_nodes.get(link.party)) is None:
            return self.bad(link.where, f"linked record {link.party!r} is not in the file")
        if other == node:  # a name that resolves to the party itself says nothing
            return
        pair = (self.c.g.nodes[node]["label"], self.c.g.nodes[other]["label"])
        if pair not in self.c.schema.relations["LINKED_TO"].pairs:
            return self.bad(link.where, f"{node} ({pair[0]}) cannot be linked to {other} ({pair[1]})")
        sources = list(dict.fromkeys(link.sources)) or [self._default_source()]
        fields = {"sources": sources, "records": [self._record_id(link.record)]}
        key = self.c.schema.relation_key("LINKED_TO", node, other, fields)
        self.report.links += 1
        if self.c.edge(key) is None:
            self.c.add_edge("LINKED_TO", node, other, fields, link.where)
        else:
            self.c.extend_edge(key, sources=fields["sources"], records=fields["records"])

    def finish(self, partial: bool) -> None:
        for entity in self.entities:
            self._place(entity)
        for listing in self.listings:
            self.listing(listing)
        for ownership in self.ownerships:
            self.ownership(ownership)
        for link in self.links:
            self.link(link)
        if partial:
            return
        prefix = f"{self.list}:"
        for _, _, key, data in list(self.c.g.edges(keys=True, data=True)):
            if (
                data["type"] == "SANCTIONS"
                and not data.get("until")
                and key not in self.seen_listings
                and any(r.startswith(prefix) for r in data.get("records") or [])
            ):
                self.c.extend_edge(key, until=self.edition)
                self.report.delisted += 1
