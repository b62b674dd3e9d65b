"""Retaliation chains: maximal sequences of measures linked by ``RETALIATES_AGAINST``, each step with its delay.

Every build derives the chains (:func:`graph.dataset.derived.walks`, the ``RETALIATION_CHAIN`` relations of
:meth:`graph.dataset.derived.Derivation.chains`, a table of days for the as-of views). :func:`read_chains`
fetches them from an engine with the names, days and issuers of the measures on them, thin, and
:func:`chains` adds issuers and delays.

>>> rows = [{"chain": ["b", "a"]}]
>>> measures = {"b": {"name": "B", "announced": "2020-08-10"}, "a": {"name": "A", "announced": "2020-08-07"}}
>>> chains(rows, measures, lambda measure: [])[0]["total_days"]
3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from graph.model.dates import days_between

if TYPE_CHECKING:
    from graph.backends.base import Engine

_CHAINS = "MATCH (last:Measure)-[c:RETALIATION_CHAIN]->(first:Measure) RETURN c.chain AS chain"
# The measures on the chains (a place on them, derived at build), then their issuers.
_MEASURES = "MATCH (m:Measure) WHERE m.retaliation IS NOT NULL RETURN m.id AS id, m.name AS name, m.announced AS announced"
_ISSUERS = "MATCH (issuer)-[:ISSUED]->(m:Measure) WHERE m.retaliation IS NOT NULL RETURN m.id AS measure, issuer.name AS issuer"


def read_chains(engine: Engine) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, list[str]]]:
    """The chains an engine holds (rows with ``chain``, the ids from the last answer back), ordered as the
    ``retaliation-chains`` query orders them (first's announcement, last's, last's id, first's id, steps; a
    missing day last), the measures on them (``name``, ``announced``) and their issuers' names, sorted.

    >>> import graph
    >>> rows, measures, issuers = read_chains(graph.open().engine)
    >>> row = next(r for r in rows if r["chain"][0] == "cn-counter-sanctions-2020-08-10")
    >>> row["chain"], issuers["cn-counter-sanctions-2020-08-10"][0][:27]
    (['cn-counter-sanctions-2020-08-10', 'ofac-hk-designations-2020-08-07'], 'Ministry of Foreign Affairs')
    """
    measures = {row["id"]: {"name": row["name"], "announced": row["announced"]} for row in engine.run(_MEASURES)[1]}
    issuers: dict[str, list[str]] = {}
    for row in engine.run(_ISSUERS)[1]:
        issuers.setdefault(row["measure"], []).append(row["issuer"])

    def day(measure: str) -> tuple[bool, str]:
        announced = measures[measure]["announced"]
        return announced is None, announced or ""

    found = [row["chain"] for row in engine.run(_CHAINS)[1]]
    found.sort(key=lambda c: (day(c[-1]), day(c[0]), c[0], c[-1], len(c)))
    return [{"chain": chain} for chain in found], measures, {m: sorted(names) for m, names in issuers.items()}


def chains(
    rows: Iterable[dict[str, Any]], measures: dict[str, dict[str, Any]], issuers: Callable[[str], list[str]]
) -> list[dict[str, Any]]:
    """Each row's chain (its measures' ids, from the last answer back) from first measure to last answer, with
    names, days and issuers (``measures``: id -> ``name``, ``announced``) and the days between steps."""
    result = []
    for row in rows:
        steps: list[dict[str, Any]] = []
        for index, measure in enumerate(reversed(row["chain"])):
            announced = measures[measure].get("announced")
            steps.append(
                {
                    "id": measure,
                    "name": measures[measure]["name"],
                    "issuers": issuers(measure),
                    "announced": announced,
                    "delay_days": days_between(steps[-1]["announced"], announced) if index else None,
                }
            )
        result.append({"steps": steps, "total_days": days_between(steps[0]["announced"], steps[-1]["announced"])})
    return result
