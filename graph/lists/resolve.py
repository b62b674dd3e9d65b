"""Entity resolution: which node of the graph an imported list record is.

A record is merged into an existing node when an identifier agrees
(``ofac:30882`` on both) or when a normalised name agrees: case, accents,
punctuation, ``&``/``and`` and legal-form suffixes (``Co., Ltd.``,
``Corporation Limited``, ``有限公司``) do not count, and for people neither does
the order of the name's parts (OFAC's ``TANG, Chris`` is ``Chris Tang``).
Nothing fuzzier: "Huawei Technologies" and "Huawei Cloud" share a word and stay
two nodes. Names are tried strongest first (the record's name against node
names, then against aliases, then the record's aliases); an alias counts only
when it is distinctive (two words or more, or one of five letters or more, or
two or more Chinese characters, three for people, whose Chinese names are often
transliterations shared by others: 罗斯 is both Ross and Roth): acronyms such as
"CAC" name many bodies. A node whose country differs from the record's is never
a match, nor one that already holds another record of the same list (a list
names each party once: OFAC's CNOOC Limited and its parent, a.k.a. "CNOOC",
are two records). A step that
finds more than one node is ambiguous and the record becomes a node of its
own, so a wrong merge is never made silently. Every decision comes with its
reason.

Example
-------
>>> name_key("HUAWEI TECHNOLOGIES CO., LTD."), name_key("华为技术有限公司")
('huawei technologies', '华为技术')
>>> name_key("TANG, Chris", person=True) == name_key("Chris Tang", person=True)
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

# Legal forms, as token sequences, stripped from the end of organisation names (longest first).
_LEGAL_FORMS = frozenset(
    tuple(form.split())
    for form in [
        "co ltd", "co limited", "company limited", "company ltd", "corporation limited", "corp ltd",
        "co inc", "limited", "ltd", "inc", "incorporated", "corporation", "corp", "company", "co", "llc",
        "plc", "gmbh", "ag", "sa", "s a", "bv", "nv", "pte", "pty", "lp", "llp", "jsc", "ojsc", "pjsc",
        "ooo", "zao", "kk", "sarl", "srl", "spa", "oy", "ab", "as",
    ]
)  # fmt: skip
_LEGAL_FORM_SIZES = sorted({len(form) for form in _LEGAL_FORMS}, reverse=True)
_CJK_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司")
_WORD = re.compile(r"[^\W_]+")

# Countries not told apart when matching: lists file Hong Kong and Macao seats under China and vice versa.
_SAME_JURISDICTION: dict[str | None, str | None] = {"HK": "CN", "MO": "CN"}  # looked up with a country or None

# Which node labels a record of a label may merge into.
COMPATIBLE = {
    "Official": ("Official",),
    "Company": ("Company", "Government"),
    "Government": ("Government", "Company"),
    "App": ("App",),
}


@functools.lru_cache(maxsize=1 << 17)
def name_key(name: str, person: bool = False) -> str:
    """The normalised form names are compared by (empty when nothing is left)."""
    if name.isascii():
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
    tokens = _WORD.findall(text.replace("&", " and "))
    if person:
        return " ".join(sorted(tokens))
    stripped = True
    while stripped and len(tokens) > 1:
        stripped = False
        for size in _LEGAL_FORM_SIZES:
            if len(tokens) > size and tuple(tokens[-size:]) in _LEGAL_FORMS:
                tokens, stripped = tokens[:-size], True
                break
    if tokens:
        for form in _CJK_LEGAL_FORMS:
            if tokens[-1].endswith(form) and len(tokens[-1]) > len(form):
                tokens[-1] = tokens[-1][: -len(form)]
                break
    return " ".join(tokens)


@dataclass(frozen=True)
class Decision:
    """Where a record goes: an existing node (``node``) or a new one (None), and why."""

    node: str | None
    reason: str


class Resolver:
    """An index of a graph's nodes by identifier and normalised name; nodes can be added as they are made.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("huawei", label="Company", name="Huawei Technologies Co., Ltd.", aliases=["华为"])
    >>> r = Resolver(g)
    >>> r.resolve("Company", "HUAWEI TECHNOLOGIES CO., LTD.", [], []).node
    'huawei'
    >>> r.resolve("Company", "Huawei Cloud Computing Technologies Co., Ltd.", [], []).node is None
    True
    """

    def __init__(self, g):
        self._by_identifier: dict[str, str] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._by_alias: dict[str, set[str]] = defaultdict(set)
        self._labels: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._countries: dict[str, str | None] = {}
        self._identifiers: dict[str, set[str]] = defaultdict(set)
        for node, data in g.nodes(data=True):
            self.add(node, data)

    def add(self, node: str, data: dict[str, Any]) -> None:
        """Index a node (again) under its name, aliases and identifiers (``data`` as the graph holds it)."""
        label, name, aliases, identifiers = data["label"], data["name"], data.get("aliases") or [], data.get("identifiers") or []
        person = label == "Official"
        self._labels[node], self._names[node], self._countries[node] = label, name, data.get("country")
        for identifier in identifiers:
            self._by_identifier.setdefault(identifier, node)
            self._identifiers[node].add(identifier)
        if key := name_key(name, person):
            self._by_name[key].add(node)
        for alias in aliases:
            if (key := name_key(alias, person)) and distinctive(key, person):
                self._by_alias[key].add(node)

    def resolve(
        self, label: str, name: str, aliases: list[str], identifiers: list[str],
        country: str | None = None, record: str | None = None,
    ) -> Decision:
        """Decide which node a record with this label, name, aliases, identifiers and country is.

        ``record`` (``list:record-id``) keeps the record off nodes holding another record of its list.
        """
        allowed = COMPATIBLE.get(label, (label,))
        same_list = record.rsplit(":", 1)[0] + ":" if record else None

        def fits(node: str) -> bool:
            ours, theirs = _SAME_JURISDICTION.get(country, country), self._countries.get(node)
            theirs = _SAME_JURISDICTION.get(theirs, theirs)
            if same_list and any(i.startswith(same_list) and i != record for i in self._identifiers[node]):
                return False
            return self._labels[node] in allowed and not (ours and theirs and ours != theirs)

        for identifier in identifiers:
            node = self._by_identifier.get(identifier)
            if node is not None and fits(node):
                return Decision(node, f"same identifier {identifier}")
        person = label == "Official"
        own = name_key(name, person)
        alias_keys = [key for key in (name_key(a, person) for a in aliases) if distinctive(key, person)]
        steps = [
            ("name", own, self._by_name),
            ("name", own, self._by_alias),
            *(("alias", key, index) for key in alias_keys for index in (self._by_name, self._by_alias)),
        ]
        for what, key, index in steps:
            if not key:
                continue
            found = sorted(n for n in index.get(key, ()) if fits(n))
            if len(found) == 1:
                return Decision(found[0], f"same normalised {what} as {self._names[found[0]]!r} ({key!r})")
            if len(found) > 1:
                return Decision(None, f"new node: normalised {what} {key!r} matches {', '.join(found)} (ambiguous, kept apart)")
        return Decision(None, "new node: no identifier or normalised name matched")


def distinctive(key: str, person: bool = False) -> bool:
    """Whether a normalised alias says enough to merge on: not a short acronym or transliteration.

    >>> distinctive("cac"), distinctive("tiktok"), distinctive("华为"), distinctive("罗斯", person=True)
    (False, True, True, False)
    """
    cjk = sum(1 for c in key if "\u3400" <= c <= "\u9fff")
    if cjk:
        return cjk >= (3 if person else 2)
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
