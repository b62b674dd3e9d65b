"""Retaliation chains: maximal sequences of measures linked by ``RETALIATES_AGAINST``, each step with its delay.

The measures on the chains are those the build gave a ``retaliation`` place (first, middle,
last: :func:`graph.dataset.derived.retaliation_roles`). :func:`retaliation_graph` fetches only
them from an engine, with their answers and issuers, :func:`chain_rows` walks them as the
``retaliation-chains`` stored query does, and :func:`chains` adds issuers and delays.

>>> rows = [{"chain": [{"id": "b", "name": "B", "announced": "2020-08-10"}, {"id": "a", "name": "A", "announced": "2020-08-07"}]}]
>>> chains(rows, lambda measure: [])[0]["total_days"]
3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.model.dates import days_between

if TYPE_CHECKING:
    from graph.backends.base import Engine

MAX_STEPS = 8  # the longest chain the retaliation-chains query walks (RETALIATES_AGAINST*1..8)
# Each answer on the chains with what it answers (their ends are every measure on the chains), then the issuers.
_ANSWERS = """
MATCH (answer:Measure)-[:RETALIATES_AGAINST]->(answered:Measure)
RETURN answer.id AS answer, answer.name AS answer_name, answer.announced AS answer_announced,
       answer.retaliation AS answer_place, answered.id AS answered, answered.name AS answered_name,
       answered.announced AS answered_announced, answered.retaliation AS answered_place
"""
_ISSUERS = "MATCH (issuer)-[:ISSUED]->(m:Measure) WHERE m.retaliation IS NOT NULL RETURN m.id AS measure, issuer.name AS issuer"


def retaliation_graph(engine: Engine) -> nx.MultiDiGraph:
    """The measures on the retaliation chains (``name``, ``announced``, ``place``, ``issuers``: one name
    an ISSUED relation) and one edge a ``RETALIATES_AGAINST`` between them, answer to answered; two
    scans of thin columns (converting whole measures cost more than the walk).

    >>> import graph
    >>> g = retaliation_graph(graph.open().engine)
    >>> g.nodes["cn-counter-sanctions-2020-08-10"]["place"], list(g.successors("cn-counter-sanctions-2020-08-10"))
    ('last', ['ofac-hk-designations-2020-08-07'])
    """
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for row in engine.run(_ANSWERS)[1]:
        for end in ("answer", "answered"):
            if row[end] not in g:
                g.add_node(row[end], name=row[f"{end}_name"], announced=row[f"{end}_announced"],
                           place=row[f"{end}_place"], issuers=[])  # fmt: skip
        g.add_edge(row["answer"], row["answered"])
    for row in engine.run(_ISSUERS)[1]:
        g.nodes[row["measure"]]["issuers"].append(row["issuer"])
    return g


def chain_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The chains of :func:`retaliation_graph`'s graph as the ``retaliation-chains`` query finds them: every
    walk of at most :data:`MAX_STEPS` answers from a ``last`` measure to a ``first`` one (a walk may pass a
    cycle again, as LadybugDB's does), each row's ``chain`` from the last answer back, ordered as the query
    orders them (first's announcement, last's, last's id, first's id, steps; a missing day last)."""

    node = dict(g.nodes(data=True))  # plain dicts: networkx's views cost microseconds a lookup, and walks are many
    answers = {measure: [a for a, keys in answered.items() for _ in keys] for measure, answered in g.adjacency()}

    def walks(chain: list[str]) -> Iterator[list[str]]:
        for answered in answers[chain[-1]]:
            longer = [*chain, answered]
            if node[answered]["place"] == "first":
                yield longer
            elif len(longer) <= MAX_STEPS:
                yield from walks(longer)

    found = [chain for last, data in node.items() if data["place"] == "last" for chain in walks([last])]

    def day(measure: str) -> tuple[bool, str]:
        announced = node[measure]["announced"]
        return announced is None, announced or ""

    found.sort(key=lambda c: (day(c[-1]), day(c[0]), c[0], c[-1], len(c)))
    return [{"chain": [{"id": m, "name": node[m]["name"], "announced": node[m]["announced"]} for m in chain]}
            for chain in found]  # fmt: skip


def chains(rows: Iterable[dict[str, Any]], issuers: Callable[[str], list[str]]) -> list[dict[str, Any]]:
    """Each row's chain from first measure to last answer, with issuers and days between steps."""
    result = []
    for row in rows:
        measures = list(reversed(row["chain"]))  # the query walks from the last answer back
        steps = []
        for index, measure in enumerate(measures):
            previous = measures[index - 1].get("announced") if index else None
            steps.append(
                {
                    "id": measure["id"],
                    "name": measure["name"],
                    "issuers": issuers(measure["id"]),
                    "announced": measure.get("announced"),
                    "delay_days": days_between(previous, measure.get("announced")) if index else None,
                }
            )
        result.append({"steps": steps, "total_days": days_between(steps[0]["announced"], steps[-1]["announced"])})
    return result
