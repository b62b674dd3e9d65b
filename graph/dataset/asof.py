"""The graph as of any day, derived once per build from the one temporal rule: no copy of it per day.

An as-of view (:meth:`graph.TechGraph.as_of`) answers from the one built database. A
node exists while :func:`graph.model.holding.node_holds` says so, stored as ``_holds_from`` and
``_holds_until`` (None: unbounded) and, for a node that exists over several intervals,
``_holds_gaps``: the days between them flattened (``[end1, start2, end2, start3, ...]``: a day
lies in a gap when an odd number of them are on or before it). A relation holds from its ``since``
until its ``until`` while both its ends exist; a relation of a type with an end that exists only on
some days (:func:`relation_types`) stores those days the same way, so that a walk tests its
relations only (a node test inside LadybugDB's recursive filter made walks 20-35 times slower).
The values a view's own build would hold differently (a measure's history and end as known that
day, status, lifecycle, periods in force, place on the retaliation chains; a company's
group_measures and group_targets) are stored day by day: ``_asof_days``, the days each version
begins (the first :data:`FIRST`, so that one always holds), and ``_asof_<property>``, each
version's value (:func:`encode`). Each version is the rule evaluated on its first day, so a view
answers what :func:`graph.analysis.snapshot.snapshot`'s graph, built, would answer. Values that
are the same on every day as in the whole graph are not stored (no ``_asof_days``).

>>> spans([("2020-01-01", "2020-06-01"), ("2021-01-01", None)])
[('2020-01-01', '2020-06-01'), ('2021-01-01', '~')]
>>> holds_columns([("2020-01-01", "2020-06-01"), ("2021-01-01", "~")])
{'_holds_from': '2020-01-01', '_holds_until': None, '_holds_gaps': ['2020-06-01', '2021-01-01']}
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from graph.model.holding import known_on, node_holds
from graph.model.lifecycle import Act, full_day
from graph.model.schema import load_schema

if TYPE_CHECKING:
    from graph.dataset.derived import Derivation
    from graph.model.schema import Schema

NEG, POS = "", "~"  # before and after every day (as strings: "" sorts first, "~" after every digit)
FIRST = "0000-00-00"  # the first version's day: before every day asked
HOLDS = ("_holds_from", "_holds_until", "_holds_gaps")
DAYS = "_asof_days"
NONE, ITEM = "\x1d", "\x1e"  # a version's None, and what joins the items of a list value (control characters: never in data)
ALL = [(NEG, POS)]

Intervals = list[tuple[str, str]]  # sorted, disjoint, [start, end): a set of days


def spans(pairs: Iterable[tuple[str | None, str | None]]) -> Intervals:
    """Days from each start (None: always) until each end (exclusive; None: for ever), partial dates as their first day."""
    found = [(full_day(a) if a else NEG, full_day(b) if b else POS) for a, b in pairs]
    return union(*([(a, b)] for a, b in found if a < b))


def union(*sets: Intervals) -> Intervals:
    """The days in any of ``sets``."""
    merged: Intervals = []
    for start, end in sorted(pair for s in sets for pair in s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def intersect(a: Intervals, b: Intervals) -> Intervals:
    """The days in both."""
    if a is ALL or a == ALL:
        return b
    if b is ALL or b == ALL:
        return a
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Intervals, b: Intervals) -> Intervals:
    """The days in ``a`` and not in ``b``."""
    gaps = [(e1, s2) for (_, e1), (s2, _) in zip([(NEG, NEG), *b], [*b, (POS, POS)], strict=False) if e1 < s2]
    return intersect(a, gaps)


def where(test: Callable[[str], bool], days: Iterable[str]) -> Intervals:
    """The days ``test`` holds, for a test that changes only on ``days``."""
    points = sorted({NEG, *days})
    return union(*([(p, q)] for p, q in zip(points, [*points[1:], POS], strict=False) if test(p)))


def holds_columns(intervals: Intervals) -> dict[str, Any]:
    """The stored form of a node's days of existence (see the module's text)."""
    if not intervals:
        return {"_holds_from": FIRST, "_holds_until": FIRST, "_holds_gaps": None}
    gaps = [day for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False) for day in (end, start)]
    first, last = intervals[0][0], intervals[-1][1]
    return {"_holds_from": first or None, "_holds_until": None if last == POS else last, "_holds_gaps": gaps or None}


def encode(value: Any) -> str:
    """One version's value as stored in an ``_asof_`` list: None, a list (items joined), a number or a text.

    >>> encode(None) == NONE, encode(["a", "b"]) == "a" + ITEM + "b", encode([]) == ITEM, encode(3)
    (True, True, True, '3')
    """
    if value is None:
        return NONE
    if isinstance(value, list):
        return ITEM.join(value) or ITEM
    return str(value)


def versioned(schema: Schema) -> dict[str, tuple[str, ...]]:
    """The properties whose value an as-of view holds day by day, by label: every derived property
    that depends on the day, and a measure's history and end (as known that day)."""
    from graph.dataset.derived import PROPERTIES

    found = {label: tuple(p for p in names if p != "restricts") for label, names in PROPERTIES.items()}
    life = schema.lifecycle
    if life is not None:
        end = schema.nodes[life.label].extent.end
        found[life.label] = (life.history, *([end] if end else []), *found.get(life.label, ()))
    return found


def days_table(rel_type: str) -> str:
    """The embedded build's table of a derived relation's versions by day (:meth:`AsOfValues.chains`), which an
    as-of view reads in place of the type (:func:`graph.backends.ladybug.as_of.as_of`).

    >>> days_table("RETALIATION_CHAIN")
    '_RETALIATION_CHAIN_DAYS'
    """
    return f"_{rel_type}_DAYS"


def days_tables(schema: Schema) -> dict[str, str]:
    """Table name -> derived relation type, for every derived relation of the schema."""
    return {days_table(rel_type): rel_type for rel_type, rel in schema.relations.items() if rel.derived}


def has_extent(schema: Schema, label: str) -> bool:
    """Whether a label's nodes exist only on some days (a temporal extent, or the measure lifecycle)."""
    extent = schema.nodes[label].extent
    return bool(extent.start or extent.end) or (schema.lifecycle is not None and schema.lifecycle.label == label)


def relation_types(schema: Schema) -> frozenset[str]:
    """The relation types of the data with an end whose nodes exist only on some days: those that store the days
    they hold (a derived type's days are its own table's, :func:`days_table`).

    >>> sorted(relation_types(load_schema()))[:3]
    ['ADDRESSED_TO', 'AMENDS', 'IMPLEMENTS']
    """
    ends = {t: {end for pair in rel.pairs for end in pair} for t, rel in schema.relations.items() if not rel.derived}
    return frozenset(t for t, labels in ends.items() if any(has_extent(schema, label) for label in labels))


def columns(schema: Schema) -> dict[str, dict[str, str]]:
    """The as-of columns of each label and relation type, with their property types (the build adds them to its tables)."""
    holds = {"_holds_from": "string", "_holds_until": "string", "_holds_gaps": "string-list"}
    found: dict[str, dict[str, str]] = {rel_type: dict(holds) for rel_type in relation_types(schema)}
    for label in schema.nodes:
        if has_extent(schema, label):
            found[label] = dict(holds)
    for label, names in versioned(schema).items():
        found.setdefault(label, {}).update({DAYS: "string-list", **{f"_asof_{p}": "string-list" for p in names}})
    return found


def values_on(node: dict[str, Any], day: str) -> dict[str, Any]:
    """The values a node's as-of columns give it on ``day`` (as the engine returns a node: its columns by name).

    >>> values_on({"_asof_days": [FIRST, "2020-09-19"], "_asof_status": ["enacted", "enjoined"],
    ...            "_asof_in_force": [ITEM, ITEM], "_asof_ended": [NONE, NONE]}, "2020-09-25")
    {'status': 'enjoined', 'in_force': [], 'ended': None}
    """
    at = bisect_right(node[DAYS], day) - 1
    found = {}
    for column, versions in node.items():
        if column.startswith("_asof_") and column != DAYS and versions is not None:
            item = versions[at]
            name = column[len("_asof_"):]
            found[name] = decode(item, _types()[name])
    return found


def decode(item: str, kind: str) -> Any:
    """A version's value as :func:`encode` stored it, for a property of type ``kind``.

    >>> decode(encode(["a", "b"]), "string-list"), decode(encode([]), "string-list"), decode("3", "integer")
    (['a', 'b'], [], 3)
    """
    if item == NONE:
        return None
    if kind == "string-list":
        return item.split(ITEM) if item != ITEM else []
    return int(item) if kind == "integer" else item


@cache
def _types() -> dict[str, str]:
    """The type of every property a view holds day by day."""
    schema = load_schema()
    return {name: schema.nodes[label].properties[name].type for label, names in versioned(schema).items() for name in names}


def _versions(points: list[str], value: Callable[[str], tuple[Any, ...]]) -> tuple[list[str], list[tuple[Any, ...]]]:  # noqa: E501
    """The days each distinct value begins (the first :data:`FIRST`) and the values, evaluated on ``points``."""
    days: list[str] = []
    values: list[tuple[Any, ...]] = []
    for point in points:
        current = value(point)
        if not values or current != values[-1]:
            days.append(point if days else FIRST)  # the first from before any day asked: a version always holds
            values.append(current)
    return days, values


def _stored(names: tuple[str, ...], days: list[str], values: list[tuple[Any, ...]], whole: dict[str, Any]) -> dict[str, Any]:
    """The ``_asof_`` columns of versions, or nothing when one version holds the whole graph's values."""
    if len(values) == 1 and all(whole.get(n) == v for n, v in zip(names, values[0], strict=True)):
        return {}
    return {DAYS: days, **{f"_asof_{n}": [encode(v[i]) for v in values] for i, n in enumerate(names)}}


class AsOfValues:
    """Computes the as-of columns from what a :class:`graph.dataset.derived.Derivation` collected and its values."""

    def __init__(self, derivation: Derivation, whole: dict[str, dict[str, Any]]):
        self.d, self.whole, self.schema = derivation, whole, derivation.schema
        self.exists: dict[str, Intervals] = {}  # node -> days it exists (absent: always)
        self.measure_data: dict[str, dict[str, Any]] = {}
        life = self.schema.lifecycle
        for node, data in derivation.measures.items():
            assert life is not None, "measures are collected only with a lifecycle"
            full = {**data, **whole.get(node, {}), "label": life.label}
            self.measure_data[node] = full
            marks = [full_day(e.split()[0]) for e in full.get("lifecycle") or ()]
            marks += [full_day(v) for v in (data.get(n) for n in ("announced", "effective", "ended")) if v]
            self.exists[node] = where(self._holds(full), marks)
        for node, (label, data) in derivation.extents.items():
            self.exists[node] = where(self._holds({**data, "label": label}), [full_day(v) for v in data.values() if v])

    def _holds(self, data: dict[str, Any]) -> Callable[[str], bool]:
        """Whether the node ``data`` describes exists on a day: the one rule."""
        return lambda day: node_holds(data, day, self.schema)

    def existence(self, node: str) -> Intervals:
        return self.exists.get(node, ALL)

    def edge(self, source: str, target: str, dates: tuple[str | None, str | None]) -> Intervals:
        """The days a relation holds: from its ``since`` until its ``until`` while both its ends exist."""
        own = spans([dates])
        return intersect(intersect(own, self.existence(source)), self.existence(target))

    def relation(self, source: str, target: str, dates: tuple[str | None, str | None]) -> dict[str, Any]:
        """The as-of columns of a relation of a type in :func:`relation_types`: the days :meth:`edge` gives."""
        return holds_columns(self.edge(source, target, dates))

    def values(self) -> dict[str, dict[str, Any]]:
        """Node id -> as-of column -> value, for every node that has any."""
        found: dict[str, dict[str, Any]] = {node: holds_columns(days) for node, days in self.exists.items()}
        names = versioned(self.schema)
        life = self.schema.lifecycle
        if life is not None:
            out_ra, in_ra = self._retaliation_edges()
            for measure in self.d.measures:
                found[measure].update(self._measure(measure, names[life.label], out_ra, in_ra))
        for company in self.d.companies:
            if self.whole.get(company, {}).get("group_measures"):
                found.setdefault(company, {}).update(self._company(company, names["Company"]))
        return found

    def _retaliation_edges(self) -> tuple[dict[str, list[Intervals]], dict[str, list[Intervals]]]:
        out_ra: dict[str, list[Intervals]] = {}
        in_ra: dict[str, list[Intervals]] = {}
        for source, target, data in self.d.retaliations:
            days = self.edge(source, target, data)
            out_ra.setdefault(source, []).append(days)
            in_ra.setdefault(target, []).append(days)
        return out_ra, in_ra

    def _measure(self, measure: str, names: tuple[str, ...], out_ra, in_ra) -> dict[str, Any]:
        """A measure's versions: evaluated on every day anything they depend on changes, while it exists."""
        from graph.dataset.derived import retaliation_roles

        life = self.schema.lifecycle
        assert life is not None
        data = self.measure_data[measure]
        takes_effect = self.schema.nodes[life.label].extent.takes_effect
        acts = []  # each relation acting on it, dated as the lifecycle dates it, with the days it holds
        for rel_type, source, rel in self.d.acts.get(measure, ()):
            since = rel.get("since") or takes_effect(self.measure_data.get(source, {}))
            if since:
                act = Act(rel_type, since, rel.get("until"), tuple(rel.get("sources") or ()))
                acts.append((act, self.edge(source, measure, (rel.get("since"), rel.get("until")))))
        answers, answered = out_ra.get(measure, []), in_ra.get(measure, [])
        lists = [self.existence(measure), *(days for _, days in acts), *answers, *answered]
        marks = {day for days in lists for pair in days for day in pair}
        marks |= {full_day(e.split()[0]) for e in data.get(life.history) or ()}
        marks |= {full_day(data["ended"])} if data.get("ended") else set()
        alive = self.existence(measure)
        points = [p for p in sorted({NEG, *marks} - {POS}) if _within(alive, p)]

        def value(day: str) -> tuple[Any, ...]:
            known = known_on(data, day, self.schema)
            derived = life.derive(known, [act for act, days in acts if _within(days, day)])
            roles = retaliation_roles(
                {measure} if any(_within(d, day) for d in answers) else set(),
                {measure} if any(_within(d, day) for d in answered) else set(),
            )
            current = {**known, **derived, "retaliation": roles.get(measure)}
            return tuple(current.get(n) for n in names)

        days, values = _versions(points, value)
        return _stored(names, days, values, self.measure_data[measure])

    def _company(self, company: str, names: tuple[str, ...]) -> dict[str, Any]:
        """A company's group counts day by day: what it controls on each day (every step a holding that
        holds that day), and the measures hitting it or those then."""
        member: dict[str, Intervals] = {company: self.existence(company)}
        frontier = dict(member)
        for _ in range(self.d.ownership.depth):
            reached: dict[str, Intervals] = {}
            for node, days in frontier.items():
                for child, rel in self.d.owned.get(node, ()):
                    add = intersect(days, self.edge(node, child, rel))
                    if add:
                        reached[child] = union(reached.get(child, []), add)
            frontier = {}
            for child, days in reached.items():
                new = subtract(days, member.get(child, []))
                if new:
                    frontier[child] = new
                    member[child] = union(member.get(child, []), new)
            if not frontier:
                break
        by_measure: dict[str, list[Intervals]] = {}
        by_target: dict[str, list[Intervals]] = {}
        for target, days in member.items():
            for measure, rel in self.d.hit_by.get(target, ()):
                hit = intersect(days, self.edge(measure, target, rel))
                if hit:
                    by_measure.setdefault(measure, []).append(hit)
                    by_target.setdefault(target, []).append(hit)
        counts = [_count([union(*s) for s in by_measure.values()]), _count([union(*s) for s in by_target.values()])]
        points = sorted({NEG, *(day for count in counts for day in count)} - {POS})

        def value(day: str) -> tuple[Any, ...]:
            return tuple(_at(count, day) for count in counts)

        starts, values = _versions(points, value)
        return _stored(names, starts, values, self.whole[company])


    def chains(self) -> list[dict[str, Any]]:
        """Every retaliation chain that is one on some day (the walks :meth:`Derivation.chains` finds in the
        graph of that day: the RETALIATES_AGAINST relations that hold, ends placed on them that day), one
        row an interval of days it is one (``since``, ``until``; None: unbounded). Evaluated per connected
        part of the retaliation graph, on the days one of its relations begins or ends to hold.

        >>> from graph.dataset.derived import RETALIATION, Derivation
        >>> d = Derivation()
        >>> d.relation(RETALIATION, "b", "a", {"since": "2020-01-01"})
        >>> d.relation(RETALIATION, "c", "b", {"since": "2020-03-01", "until": "2020-06-01"})
        >>> for row in AsOfValues(d, {}).chains():
        ...     print(row["chain"], row["since"], row["until"])
        ['b', 'a'] 2020-01-01 2020-03-01
        ['c', 'b', 'a'] 2020-03-01 2020-06-01
        ['b', 'a'] 2020-06-01 None
        """
        from graph.dataset.derived import chain_relations, retaliation_roles, walks

        held = [(source, target, self.edge(source, target, dates)) for source, target, dates in self.d.retaliations]
        part: dict[str, str] = {}  # each measure's representative in its connected part (union-find)

        def find(node: str) -> str:
            while part.setdefault(node, node) != node:
                part[node] = node = part[part[node]]
            return node

        for source, target, _ in held:
            part[find(source)] = find(target)
        edges: dict[str, list[tuple[str, str, Intervals]]] = {}
        for edge in held:
            if edge[2]:
                edges.setdefault(find(edge[0]), []).append(edge)
        found: list[list[str]] = []
        dates: list[tuple[str | None, str | None]] = []
        for index in sorted(edges):
            open_since: dict[tuple[str, ...], list[str]] = {}  # chain -> the days each of its walks began
            points = sorted({NEG, *(day for _, _, days in edges[index] for pair in days for day in pair)} - {POS})
            for point in [*points, POS]:
                now: dict[tuple[str, ...], int] = {}
                if point != POS:
                    answers: dict[str, list[str]] = {}
                    for source, target, days in edges[index]:
                        if _within(days, point):
                            answers.setdefault(source, []).append(target)
                    answered = {target for targets in answers.values() for target in targets}
                    for walk in walks(answers, retaliation_roles(set(answers), answered)):
                        now[tuple(walk)] = now.get(tuple(walk), 0) + 1
                for chain, begun in open_since.items():
                    while len(begun) > now.get(chain, 0):  # walks of it no longer found end
                        found.append(list(chain))
                        dates.append((begun.pop() or None, None if point == POS else point))
                for chain, count in now.items():
                    begun = open_since.setdefault(chain, [])
                    begun += [point] * (count - len(begun))
                open_since = {chain: begun for chain, begun in open_since.items() if begun}
        return chain_relations(found, self.d, dates)


def _within(days: Intervals, day: str) -> bool:
    return any(start <= day < end for start, end in days)


def _count(sets: list[Intervals]) -> dict[str, int]:
    """How many of ``sets`` hold from each day on which that number changes (and on :data:`NEG`)."""
    change: dict[str, int] = {}
    for days in sets:
        for start, end in days:
            change[start] = change.get(start, 0) + 1
            change[end] = change.get(end, 0) - 1
    counts, running = {NEG: 0}, 0
    for day in sorted(change):
        running += change[day]
        counts[day] = running
    return counts


def _at(count: dict[str, int], day: str) -> int:
    """The number ``count`` gives on ``day``: that of its last day on or before it."""
    keys = list(count)
    return count[keys[bisect_right(keys, day) - 1]]
