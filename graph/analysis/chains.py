"""Retaliation chains: the rows of the ``retaliation-chains`` query, each step with its delay.

>>> rows = [{"chain": [{"id": "b", "name": "B", "announced": "2020-08-10"}, {"id": "a", "name": "A", "announced": "2020-08-07"}]}]
>>> chains(rows, lambda measure: [])[0]["total_days"]
3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graph.model.dates import days_between


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
