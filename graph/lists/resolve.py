"""Entity resolution: which node of the graph an imported list record is.

Identifiers first, and they decide: a record whose identifier (``ofac:30882``,
``uscc:…``, the list's own record id) a node holds is that node, whatever the
countries say. Identifiers also forbid: a party has one OFAC entity number, one
USCC, one LEI, one Wikidata item and one record in a list that names each party
once (:data:`EXCLUSIVE_SCHEMES`, the lists' own record ids), so a node holding
``ofac:1`` never takes a record of ``ofac:2``, by identifier or by name, and two
records of one such list (or of one OFAC list inside the CSL: its ``scope``)
never share a node, directly or through aliases another list brought.

Without an identifier, a normalised name (:func:`graph.lists.names.name_key`:
case, accents, punctuation, Traditional or Simplified script, legal forms and,
for people, word order do not count) must agree, tried strongest first: the
record's name against node names, then against aliases, then the record's
aliases. Nothing fuzzier: "Huawei Technologies" and "Huawei Cloud" stay two
nodes. A person's name of one word never matches ("khalid" is many people, and
so is "Abd al-Aziz": particles and connectors are not words here), nor
does an alias that is not distinctive (:func:`distinctive`). Countries: a node
in another country is never a match (Hong Kong and Macao count as China); when
either side has no country, only the record's own name may match, and a
person's name needs three words or more then; aliases match only when both
countries are known and agree. A step that finds more than one node is
ambiguous and the record becomes a node of its own, so a wrong merge is never
made silently. A node named exactly as one of a file's distinct records is kept
for it (:meth:`Resolver.reserve`). Every decision comes with its reason.

Example
-------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("huawei", label="Company", name="Huawei Technologies Co., Ltd.", aliases=["華為技術"], country="CN")
>>> r = Resolver(g)
>>> r.resolve("Company", "华为技术有限公司", [], [], "CN").reason
"same normalised name as 'Huawei Technologies Co., Ltd.' ('华为技术'), countries agree (CN)"
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rigour.territories import get_territory

from graph.lists.formats.base import name_key as exact_key
from graph.lists.names import cjk_count, name_key, name_parts

# Which node labels a record of a label may merge into by name; an identifier merges into any party.
COMPATIBLE = {
    "Official": ("Official",),
    "Company": ("Company", "Government"),
    "Government": ("Government", "Company"),
    "App": ("App",),
}
PARTIES = frozenset(COMPATIBLE)
# Schemes of which a party has one value at most: two values on one node are two parties.
EXCLUSIVE_SCHEMES = frozenset({"ofac", "uscc", "lei", "wikidata"})
# Lists that share one numbering: OFAC numbers each party once, across the SDN and the non-SDN lists (a party
# on both has one number), so their records are compared by number.
SHARED_SCOPES = {"ofac-sdn": "ofac", "ofac-consolidated": "ofac"}


_BIRTH = re.compile(r"\bDOB ([^;]+)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@functools.lru_cache(maxsize=1 << 16)
def birth_years(summary: str | None) -> frozenset[str]:
    """The years of birth a person's summary gives (the lists' ``DOB ...``), to tell namesakes apart.

    >>> sorted(birth_years("DOB 10 Dec 1948; alt. DOB 1949; POB Riyadh")), birth_years(None)
    (['1948', '1949'], frozenset())
    """
    return frozenset(year for dates in _BIRTH.findall(summary or "") for year in _YEAR.findall(dates))


@functools.lru_cache(maxsize=1024)
def jurisdiction(country: str | None) -> str | None:
    """The country a code is compared as: a territory's parent (rigour), so Hong Kong and Macao are China.

    >>> jurisdiction("HK"), jurisdiction("cn"), jurisdiction(None), jurisdiction("US")
    ('CN', 'CN', None, 'US')
    """
    if not country:
        return None
    territory = get_territory(country.lower())
    while territory is not None and territory.parent is not None and not territory.is_country:
        territory = territory.parent
    return territory.code.upper() if territory is not None else country.upper()


@dataclass(frozen=True)
class Decision:
    """Where a record goes: an existing node (``node``) or a new one (None), and why."""

    node: str | None
    reason: str


def _scheme(identifier: str) -> str:
    return identifier.rsplit(":", 1)[0] if ":" in identifier else ""


def _scope_key(scope: str) -> str:
    return f"scope {SHARED_SCOPES.get(scope, scope)}"


def _value(identifier: str) -> str:
    return identifier.rsplit(":", 1)[-1]


class Resolver:
    """An index of a graph's nodes by identifier and normalised name; nodes can be added as they are made.

    ``exclusive`` adds schemes of one value per party to :data:`EXCLUSIVE_SCHEMES`: the
    record ids of lists that name each party once (``ofac-sdn``).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("huawei", label="Company", name="Huawei Technologies Co., Ltd.", aliases=["华为"])
    >>> r = Resolver(g)
    >>> r.resolve("Company", "HUAWEI TECHNOLOGIES CO., LTD.", [], []).node
    'huawei'
    >>> r.resolve("Company", "Huawei Cloud Computing Technologies Co., Ltd.", [], []).node is None
    True
    """

    def __init__(self, g, exclusive: frozenset[str] = frozenset()):
        self.exclusive = EXCLUSIVE_SCHEMES | exclusive
        self._by_identifier: dict[str, str] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._by_alias: dict[str, set[str]] = defaultdict(set)
        self._labels: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._countries: dict[str, str | None] = {}
        self._keys: dict[str, set[str]] = defaultdict(set)  # node -> its name's key and its distinctive aliases'
        self._born: dict[str, frozenset[str]] = {}
        self._held: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # node -> scheme -> values
        self._reserved: dict[tuple[str, str], set[str]] = defaultdict(set)  # (scope, exact name) -> records bearing it
        for node, data in g.nodes(data=True):
            self.add(node, data)

    def add(self, node: str, data: dict[str, Any], scope: str | None = None, record: str | None = None) -> None:
        """Index a node (again) under its name, aliases and identifiers (``data`` as the graph holds it).

        ``scope`` and ``record``: the node now holds this record of a scope whose records are distinct parties.
        """
        label, name = data["label"], data["name"]
        person = label == "Official"
        self._labels[node], self._names[node], self._countries[node] = label, name, jurisdiction(data.get("country"))
        self._born[node] = birth_years(data.get("summary")) if person else frozenset()
        for identifier in data.get("identifiers") or []:
            self._by_identifier.setdefault(identifier, node)
            if (scheme := _scheme(identifier)) in self.exclusive:
                self._held[node][scheme].add(identifier)
            if scheme in SHARED_SCOPES:
                self._held[node][f"scope {SHARED_SCOPES[scheme]}"].add(_value(identifier))
        if scope and record:
            self._held[node][_scope_key(scope)].add(_value(record))
        if key := name_key(name, person):
            self._by_name[key].add(node)
            self._keys[node].add(key)
        for alias in data.get("aliases") or []:
            if (key := name_key(alias, person)) and distinctive(key, person):
                self._by_alias[key].add(node)
                self._keys[node].add(key)

    def reserve(self, scope: str, record: str, name: str) -> None:
        """Keep the nodes named exactly ``name`` (case, spacing and a final period aside) for ``record``, one of
        the distinct parties of ``scope`` about to be resolved: another record of the scope, by another name,
        does not merge into them by name (it may be the same list's other party: SberTech's two OFAC numbers).

        >>> import networkx as nx
        >>> g = nx.MultiDiGraph()
        >>> g.add_node("sbertech", label="Company", name="SBERBANK TECHNOLOGIES CLOSED JOINT STOCK COMPANY", country="RU")
        >>> r = Resolver(g)
        >>> r.reserve("csl ofac", "csl:18746", "SBERBANK TECHNOLOGIES CLOSED JOINT STOCK COMPANY")
        >>> r.resolve("Company", "JOINT STOCK COMPANY SBERBANK TECHNOLOGIES", [], [], "RU", "csl:36410", "csl ofac").reason
        "new node: normalised name 'sberbank technologies' is sbertech's, but its name is csl:18746's (two parties)"
        """
        self._reserved[(_scope_key(scope), exact_key(name))].add(record)

    def _claimed(self, node: str, scope: str | None, record: str | None) -> str | None:
        """Why ``node`` cannot be the record by name: its name is another record's of the scope (:meth:`reserve`)."""
        claims = self._reserved.get((_scope_key(scope), exact_key(self._names[node])), set()) if scope and record else ()
        return f"its name is {sorted(claims)[0]}'s" if claims and record not in claims else None

    def _conflict(self, node: str, identifiers: list[str], scope: str | None, record: str | None) -> str | None:
        """Why ``node`` cannot be the record: it holds another value of an exclusive scheme or scope."""
        held = self._held.get(node)
        if not held:
            return None
        ours: dict[str, set[str]] = defaultdict(set)
        for identifier in identifiers:
            if (scheme := _scheme(identifier)) in self.exclusive:
                ours[scheme].add(identifier)
        if scope and record:
            ours[_scope_key(scope)].add(_value(record))
        for scheme, values in ours.items():
            if held.get(scheme) and not held[scheme] & values:
                return f"{node} holds {sorted(held[scheme])[0]}"
        return None

    def resolve(
        self, label: str, name: str, aliases: list[str], identifiers: list[str],
        country: str | None = None, record: str | None = None, scope: str | None = None, summary: str | None = None,
    ) -> Decision:
        """Decide which node a record with this label, name, aliases, identifiers and country is.

        ``record`` (``list:record-id``) is the record's own id; ``scope`` (default: the list) is where
        records are distinct parties: a node holding another record of the scope is never the record.
        A person's years of birth in ``summary`` (``DOB 1948``) that a node's do not share rule it out;
        shared, they count as a name in common.
        """
        if record and scope is None:
            scope = record.rsplit(":", 1)[0]
        refused = []
        for identifier in identifiers:
            node = self._by_identifier.get(identifier)
            if node is None or self._labels[node] not in PARTIES:
                continue
            if why := self._conflict(node, identifiers, scope, record):
                refused.append(f"{identifier} is on {node}, but {why}")
                continue
            ours, theirs = jurisdiction(country), self._countries.get(node)
            note = f", countries differ ({ours}, {theirs}): the identifier decides" if ours and theirs and ours != theirs else ""
            return Decision(node, f"same identifier {identifier}{note}")
        person = label == "Official"
        allowed = COMPATIBLE.get(label, (label,))
        ours = jurisdiction(country)
        own = name_key(name, person)
        alias_keys = [key for key in dict.fromkeys(name_key(a, person) for a in aliases) if distinctive(key, person)]
        keys = {own, *alias_keys} - {""}
        born = birth_years(summary) if person else frozenset()
        steps = [
            ("name", own, self._by_name, True),
            ("name", own, self._by_alias, True),
            *(("alias", key, index, False) for key in alias_keys for index in (self._by_name, self._by_alias)),
        ]
        for what, key, index, own_name in steps:
            if not key or (person and name_parts(key) < 2 and not cjk_count(key)):
                continue  # one word names many people
            found = {}
            for n in sorted(index.get(key, ())):  # in a stable order: reasons are the same in every process
                if self._labels[n] not in allowed or not (evidence := self._evidence(ours, n, key, keys, born, own_name)):
                    continue
                if why := self._conflict(n, identifiers, scope, record) or self._claimed(n, scope, record):
                    refused.append(f"normalised {what} {key!r} is {n}'s, but {why}")
                else:
                    found[n] = evidence
            if not found:
                continue
            best = max(found.values())
            top = sorted(n for n, evidence in found.items() if evidence == best)
            if len(top) > 1:
                return Decision(None, f"new node: normalised {what} {key!r} matches {', '.join(top)} (ambiguous, kept apart)")
            node, others = top[0], sorted(set(found) - {top[0]})
            note = self._countries_note(country, node) + (f", {best[1]} names or birth years agree" if best[1] > 1 else "")
            if others:
                note += f" (preferred to {', '.join(others)}: more names or the country agree)"
            return Decision(node, f"same normalised {what} as {self._names[node]!r} ({key!r}){note}")
        if refused:
            return Decision(None, f"new node: {'; '.join(dict.fromkeys(refused))} (two parties)")
        return Decision(None, "new node: no identifier or normalised name matched")

    def _evidence(
        self, ours: str | None, node: str, key: str, keys: set[str], born: frozenset[str], own_name: bool
    ) -> tuple[bool, int] | None:
        """The country rule, and how strong a match is (countries agree, facts shared), or None when it is none.

        Countries that differ need two names (or a name and a year of birth) in common; a missing country
        needs the record's own name (of three words or more for a person) or two in common; aliases alone
        need the country to agree. Years of birth that differ rule a person out.
        """
        person = self._labels[node] == "Official"
        theirs, shared = self._countries.get(node), len(keys & self._keys[node])
        if born and self._born.get(node):
            if not born & self._born[node]:
                return None
            shared += 1
        if ours and theirs:
            return (ours == theirs, shared) if ours == theirs or shared >= 2 else None
        if shared >= 2 or (own_name and (not person or name_parts(key) >= 3 or cjk_count(key) >= 3)):
            return (False, shared)
        return None

    def _countries_note(self, country: str | None, node: str) -> str:
        ours, theirs = jurisdiction(country), self._countries.get(node)
        if ours and theirs:
            return f", countries agree ({ours})" if ours == theirs else f", countries differ ({ours}, {theirs})"
        return f", country unknown ({ours or '-'}, {theirs or '-'})"


@functools.lru_cache(maxsize=1 << 17)
def distinctive(key: str, person: bool = False) -> bool:
    """Whether a normalised alias says enough to merge on: not one word of a person, a short acronym or
    a short transliteration.

    >>> distinctive("cac"), distinctive("tiktok"), distinctive("华为"), distinctive("罗斯", person=True)
    (False, True, True, False)
    >>> distinctive("khalid", person=True), distinctive("khalid bin salman", person=True), distinctive("abd al aziz", True)
    (False, True, False)
    """
    cjk = cjk_count(key)
    if cjk:
        return cjk >= (3 if person else 2)
    if person:
        return name_parts(key) >= 2
    return " " in key or len(key) >= 5


def merge_entry(list_name: str, record: str, listed_name: str, reason: str) -> str:
    """One line of a node's ``merges``: ``list:record | name as listed | reason``."""
    return f"{list_name}:{record} | {listed_name} | {reason}"


def parse_merge_entry(entry: str) -> dict[str, Any]:
    """A ``merges`` line as a dict with record, listed name and reason.

    >>> parse_merge_entry("ofac-sdn:29242 | TANG, Chris | same identifier ofac:29242")["record"]
    'ofac-sdn:29242'
    """
    record, _, rest = entry.partition(" | ")
    listed, _, reason = rest.partition(" | ")
    return {"record": record, "listed_as": listed, "reason": reason}
