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

# The chains as the retaliation-chains query orders them, and the measures on them (a place, derived at build).
_CHAINS = """
MATCH (last:Measure)-[c:RETALIATION_CHAIN]->(first:Measure)
RETURN c.chain AS chain ORDER BY first.announced, last.announced, last.id, first.id, c.steps
"""
_MEASURES = """
MATCH (m:Measure) WHERE m.retaliation IS NOT NULL
OPTIONAL MATCH (issuer)-[:ISSUED]->(m)
RETURN m.id AS id, m.name AS name, m.announced AS announced, collect(issuer.name) AS issuers
"""


def read_chains(engine: Engine) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, list[str]]]:
    """The chains an engine holds (rows with ``chain``, the ids from the last answer back), ordered as the
    ``retaliation-chains`` query orders them, the measures on them (``name``, ``announced``) and their
    issuers' names, sorted.

    >>> import graph
    >>> rows, measures, issuers = read_chains(graph.open().engine)
    >>> row = next(r for r in rows if r["chain"][0] == "cn-counter-sanctions-2020-08-10")
    >>> row["chain"], issuers["cn-counter-sanctions-2020-08-10"][0][:27]
    (['cn-counter-sanctions-2020-08-10', 'ofac-hk-designations-2020-08-07'], 'Ministry of Foreign Affairs')
    """
    measures, issuers = {}, {}
    for row in engine.run(_MEASURES)[1]:  # one scan for both (two took 213 ms at 1M relations, one 179)
        measures[row["id"]] = {"name": row["name"], "announced": row["announced"]}
        issuers[row["id"]] = sorted(row["issuers"])
    return [{"chain": row["chain"]} for row in engine.run(_CHAINS)[1]], measures, issuers


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
