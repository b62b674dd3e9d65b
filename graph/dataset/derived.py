"""Derived node properties: computed once per build from the relations, stored like any other.

A ranking such as "companies by the measures hitting them or anything they own"
walks up to six ownership steps from every company: seconds per query at a
million relations on any engine. The build computes it once instead, and every
engine (embedded, networkx, Neo4j through ``push``) stores the same values, so
the stored query reads a property and stays one file for all of them.

The schema declares these properties with ``derived: true``; :data:`PROPERTIES`
says which this module computes, and a test holds the two equal.

Example
-------
>>> derivation = Derivation()
>>> rows = [
...     (("OWNS", "Company", "Company"), {"from": "parent", "to": "child"}),
...     (("SANCTIONS", "Measure", "Company"), {"from": "ban-1", "to": "child"}),
...     (("SANCTIONS", "Measure", "Company"), {"from": "ban-2", "to": "parent"}),
... ]
>>> for kind, row in [("Company", {"id": "parent"}), ("Company", {"id": "child"}), *rows]:
...     derivation.see(kind, row)
>>> derivation.values()["parent"]
{'group_measures': 2, 'group_targets': 2}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import repeat
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.model.lifecycle import Act
from graph.model.schema import Schema, load_schema

if TYPE_CHECKING:
    from graph.dataset.asof import AsOfValues

# Label -> the derived properties this module computes for it (a measure's from its lifecycle).
PROPERTIES = {
    "Company": ("group_measures", "group_targets"),
    "Measure": ("status", "lifecycle", "in_force", "restricts", "retaliation"),
}
Dates = tuple[str | None, str | None]  # a relation's since and until
RETALIATION = "RETALIATES_AGAINST"  # the relation whose chains retaliation_roles places measures on
CHAIN = "RETALIATION_CHAIN"  # the derived relation of those chains, last answer -> first measure (Derivation.chains)
MAX_STEPS = 8  # the longest chain it holds, in RETALIATES_AGAINST (as the retaliation-chains query walked them)


class Derivation:
    """Collects, from rows streaming past (:func:`graph.dataset.validate.dataset_rows`' shape), what the
    derived properties need (company ids, OWNS and SANCTIONS ends), then computes them."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.schema = schema = schema or load_schema()
        self.ownership, self.lifecycle = schema.ownership, schema.lifecycle
        self.extent = schema.nodes["Measure"].extent
        self.companies: list[str] = []
        self.owned: dict[str, list[tuple[str, Dates]]] = defaultdict(list)  # owner -> (controlled, relation)
        self.hit_by: dict[str, list[tuple[str, Dates]]] = defaultdict(list)  # target -> (measure, relation)
        self.retaliations: list[tuple[str, str, Dates]] = []
        self.extents: dict[str, tuple[str, dict[str, Any]]] = {}  # node of another label with an extent -> its dates
        self.measures: dict[str, dict[str, Any]] = {}  # what a measure's lifecycle needs of it
        self.acts: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
        self.answers: set[str] = set()  # measures that retaliate against one
        self.answered: set[str] = set()  # measures retaliated against
        self.retaliation_sources: dict[tuple[str, str], set[str]] = defaultdict(set)  # (answer, answered) -> sources

    def see(self, kind: Any, row: dict[str, Any]) -> None:
        """Note one row."""
        if isinstance(kind, str):
            self.node(kind, row["id"], row)
        else:
            self.relation(kind[0], row["from"], row["to"], row)

    def node(self, label: str | None, node_id: str, data: dict[str, Any] | None = None) -> None:
        """Note one node (``label`` None: a graph's node without one)."""
        if label == "Company":
            self.companies.append(node_id)
        elif self.lifecycle and label == self.lifecycle.label:
            keep = ("kind", "effect", "announced", "effective", "ended", self.lifecycle.history)
            self.measures[node_id] = {name: (data or {}).get(name) for name in keep}
        elif label in self.schema.nodes:
            extent = self.schema.nodes[label].extent
            if extent.start or extent.end:
                names = {*extent.start, *extent.in_force, *([extent.end] if extent.end else [])}
                self.extents[node_id] = (label, {name: (data or {}).get(name) for name in names})

    @classmethod
    def of_graph(cls, g: nx.MultiDiGraph, schema: Schema | None = None) -> Derivation:
        """A derivation that has seen every node and relation of ``g`` (shaped like
        :func:`graph.dataset.network.load_graph`'s).

        >>> from graph.dataset.network import load_graph
        >>> Derivation.of_graph(load_graph()).values()["tencent"]["group_measures"]
        5
        """
        derivation = cls(schema)
        for node, data in g.nodes(data=True):
            derivation.node(data.get("label"), node, data)
        for source, target, edge in g.edges(data=True):
            derivation.relation(edge.get("type"), source, target, edge)
        return derivation

    def relation(self, rel_type: str | None, source: str, target: str, data: dict[str, Any] | None = None) -> None:
        """Note one relation (``rel_type`` None: a graph's edge without one)."""
        if rel_type == self.ownership.relation:
            if self.ownership.controls((data or {}).get(self.ownership.share)):  # a stake is not a subsidiary
                self.owned[source].append((target, _dates(data)))
        elif rel_type == "SANCTIONS":
            self.hit_by[target].append((source, _dates(data)))
        elif rel_type == RETALIATION:
            self.answers.add(source)
            self.answered.add(target)
            self.retaliations.append((source, target, _dates(data)))
            self.retaliation_sources[source, target].update((data or {}).get("sources") or ())
        elif self.lifecycle and rel_type in self.lifecycle.acts:
            self.acts[target].append((rel_type, source, data or {}))

    def _acts_on(self, measure: str) -> list[Act]:
        """The relations acting on a measure, each dated by its ``since``, else by its source's taking effect."""
        acts = []
        for rel_type, source, data in self.acts.get(measure, ()):
            since = data.get("since") or self.extent.takes_effect(self.measures.get(source, {}))
            if since:
                acts.append(Act(rel_type, since, data.get("until"), tuple(data.get("sources") or ())))
        return acts

    def values(self) -> dict[str, dict[str, Any]]:
        """Node id -> derived property -> value, for every company and measure.

        A measure's ``status``, ``lifecycle``, ``in_force`` and ``restricts``: :meth:`graph.model.lifecycle.Lifecycle.derive`
        of it and the relations acting on it.

        ``group_measures``: distinct measures hitting the company or anything it controls
        (holdings of the schema's control share or more, or of unknown share) within the
        schema's ownership depth; ``group_targets``: how many of those
        (the company included) they hit.
        """
        values: dict[str, dict[str, Any]] = {}
        if self.lifecycle:
            roles = retaliation_roles(self.answers, self.answered)
            for measure, data in self.measures.items():
                values[measure] = self.lifecycle.derive(data, self._acts_on(measure))
                if measure in roles:  # off the chains: no value, as for any property a node lacks
                    values[measure]["retaliation"] = roles[measure]
        for company in self.companies:
            reached, frontier = {company}, [company]
            for _ in range(self.ownership.depth):
                frontier = [child for node in frontier for child, _ in self.owned.get(node, ()) if child not in reached]
                reached.update(frontier)
                if not frontier:
                    break
            hit = [node for node in reached if node in self.hit_by]
            measures = {measure for node in hit for measure, _ in self.hit_by[node]}
            values[company] = {"group_measures": len(measures), "group_targets": len(hit)}
        return values

    def chains(self) -> list[dict[str, Any]]:
        """The derived ``RETALIATION_CHAIN`` relations, as rows (``from`` the last answer, ``to`` the first
        measure, ``key``, ``steps``, ``chain``, ``sources``): every walk the ``retaliation-chains`` query
        finds (:func:`walks`), one relation a walk.

        >>> d = Derivation()
        >>> for answer, answered in [("b", "a"), ("c", "b")]:
        ...     d.relation(RETALIATION, answer, answered, {"sources": [f"{answer}.md"]})
        >>> [(r["from"], r["to"], r["steps"], r["chain"], r["sources"]) for r in d.chains()]
        [('c', 'a', 2, ['c', 'b', 'a'], ['b.md', 'c.md'])]
        """
        answers: dict[str, list[str]] = defaultdict(list)
        for source, target, _ in self.retaliations:
            answers[source].append(target)
        return chain_relations(walks(answers, retaliation_roles(self.answers, self.answered)), self)

    def as_of(self, values: dict[str, dict[str, Any]]) -> AsOfValues:
        """The as-of columns (:mod:`graph.dataset.asof`) of the nodes and relations seen, given :meth:`values`."""
        from graph.dataset.asof import AsOfValues

        return AsOfValues(self, values)


def _dates(data: dict[str, Any] | None) -> Dates:
    """What the as-of columns need of a relation: when it holds (``since``, ``until``)."""
    return (data or {}).get("since"), (data or {}).get("until")


def retaliation_roles(answers: set[str], answered: set[str]) -> dict[str, str]:
    """Each measure's place on the retaliation chains: ``first`` (answered, answering none), ``last``
    (answering one, answered by none) or ``middle``; measures on no chain are left out.

    The retaliation-chains query walks from the ``last`` measures to the ``first`` ones: walking from
    every measure to find the chain ends took 0.9 s at 1M relations.

    >>> sorted(retaliation_roles({"b", "c"}, {"a", "b"}).items())
    [('a', 'first'), ('b', 'middle'), ('c', 'last')]
    """
    roles = {measure: "middle" if measure in answered else "last" for measure in answers}
    return {**roles, **{measure: "first" for measure in answered - answers}}


def chain_relations(
    found: Iterable[list[str]], derivation: Derivation, dates: Iterable[Dates] | None = None
) -> list[dict[str, Any]]:
    """The ``RETALIATION_CHAIN`` rows of walks (each from the last answer back), ``since`` and ``until`` from
    ``dates`` when given; the key is the relation's (type and ends) with the chain's ids, and a count for a
    walk found again (two relations between the same measures give two walks with the same ids)."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = defaultdict(int)
    for chain, (since, until) in zip(found, repeat((None, None)) if dates is None else dates, strict=False):
        key = derivation.schema.relation_key(CHAIN, chain[0], chain[-1], {}) + "|" + ",".join(chain)
        seen[key] += 1
        sources = set().union(*(derivation.retaliation_sources.get(pair, ()) for pair in zip(chain, chain[1:], strict=False)))
        row = {"from": chain[0], "to": chain[-1], "key": key + (f"~{seen[key]}" if seen[key] > 1 else ""),
               "steps": len(chain) - 1, "chain": chain, "sources": sorted(sources)}  # fmt: skip
        rows.append(row | ({"since": since, "until": until} if dates is not None else {}))
    return rows


def walks(answers: Mapping[str, list[str]], place: Mapping[str, str | None]) -> list[list[str]]:
    """Every walk of at most :data:`MAX_STEPS` answers from a ``last`` measure to a ``first`` one, each from the
    last answer back, given what each measure answers (one item a relation) and each measure's place.

    >>> walks({"c": ["b"], "b": ["a"], "a": []}, {"a": "first", "b": "middle", "c": "last"})
    [['c', 'b', 'a']]
    """

    def longer(chain: list[str]) -> Iterator[list[str]]:
        for answered in answers.get(chain[-1], ()):
            step = [*chain, answered]
            if place.get(answered) == "first":
                yield step
            elif len(step) <= MAX_STEPS:
                yield from longer(step)

    return [chain for last, where in place.items() if where == "last" for chain in longer([last])]


def derive(g: nx.MultiDiGraph) -> set[str]:
    """Set the derived properties on a graph shaped like :func:`graph.dataset.network.load_graph`'s.

    Returns the ids of the nodes whose derived values changed.

    >>> from graph.dataset.network import load_graph
    >>> g = load_graph()  # derives already: a second derivation changes nothing
    >>> g.nodes["tencent"]["group_measures"], g.nodes["tencent"]["group_targets"], derive(g)
    (5, 5, set())
    """
    changed = set()
    derivation = Derivation.of_graph(g)
    for node, values in derivation.values().items():
        data = g.nodes[node]
        if any(data.get(name) != value for name, value in values.items()):
            data.update(values)
            changed.add(node)
    old = {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True) if d.get("type") == CHAIN}
    new = {(row["from"], row["to"], row["key"]): row for row in derivation.chains()}
    for edge in old.keys() - new.keys():
        g.remove_edge(*edge)
    for (source, target, key), row in new.items():
        fields = {k: v for k, v in row.items() if k not in ("from", "to", "key")}
        if old.get((source, target, key)) != {"type": CHAIN, **fields}:
            g.add_edge(source, target, key=key, type=CHAIN, **fields)
    return changed
