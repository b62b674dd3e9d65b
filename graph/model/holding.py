"""What exists on a day, by the one temporal rule: a node by its label's extent and, for a measure, its
lifecycle; a measure as it was known that day. :func:`graph.analysis.snapshot.snapshot` cuts a graph by
these, and the build (:mod:`graph.dataset.asof`) derives from them when each node exists, once.

>>> bill = {"label": "Measure", "kind": "legislation", "announced": "2020-08-06",
...         "history": ["2020-03-12 proposed https://x.org", "2021-01-03 failed https://x.org"]}
>>> node_holds(bill, "2020-04-01"), node_holds(bill, "2021-01-03")
(True, False)
>>> known_on(bill, "2020-04-01")["history"]
['2020-03-12 proposed https://x.org']
"""

from __future__ import annotations

from typing import Any

from graph.model.dates import holds
from graph.model.lifecycle import full_day
from graph.model.schema import Schema, load_schema


def node_holds(data: dict[str, Any], day: str, schema: Schema | None = None) -> bool:
    """Whether a node existed on ``day``: its label's temporal extent (measures and deals from
    their announcement, else effective date, until they ended), and for measures the lifecycle
    too (from their first status until they ended for good: revoked, expired, failed);
    other labels always."""
    schema = schema or load_schema()
    node_type = schema.nodes.get(data["label"])
    if node_type is None:
        return True
    life = schema.lifecycle
    if life is None or data["label"] != life.label:
        return node_type.extent.holds(data, day)
    begun = life.status_on(data, day) is not None or node_type.extent.holds(data, day)
    return begun and not life.ended_on(data, day) and holds(None, node_type.extent.ends(data), day)


def known_on(data: dict[str, Any], day: str, schema: Schema | None = None) -> dict[str, Any]:
    """A measure as it stood on ``day``: its history up to that day, no end yet if it ended later (its
    derived lifecycle is then computed again from these); other nodes unchanged."""
    schema = schema or load_schema()
    life = schema.lifecycle
    if life is None or data.get("label") != life.label:
        return data
    known = dict(data)
    if known.get(life.history):
        known[life.history] = [e for e in known[life.history] if full_day(life.parse(e).day) <= day] or None
    end = schema.nodes[life.label].extent.end
    if end and known.get(end) and full_day(known[end]) > day:
        known[end] = None
    return known
