"""A measure's lifecycle and the one temporal rule that says what holds on a day.

``data/schema.yaml`` declares it (``lifecycle:``): the statuses a measure passes
through, what each means (pending, in force, suspended, ended), which relations act
on the measure they point at (``SUSPENDS``: enjoined while it holds; ``REVOKES``:
revoked from its date) and what a measure of each kind does while in force
(``effects``: blocking, restricting, binding, none). A measure's ``history`` gives
dated statuses with their sources, ``"2020-08-06 passed-one-chamber https://..."``;
a measure without one is in effect from its ``effective`` (else ``announced``) date
until its ``ended``, as it always was.

:meth:`Lifecycle.derive` turns a measure, and the relations acting on it, into
its whole status history (``lifecycle``), its last status (``status``) and the
periods it was in force (``in_force``: ``"START/END"``, ``END`` exclusive, or
``"START/.."`` while it holds), once per build, for every engine. Whether a
measure is in force on a day is then one test, the same in Python
(:meth:`Lifecycle.in_force_on`) and in Cypher (:data:`IN_FORCE_CYPHER`).

>>> from graph.model.schema import load_schema
>>> life = load_schema().lifecycle
>>> bill = {"kind": "legislation", "announced": "2020-08-06", "history": [
...     "2020-03-12 proposed https://www.congress.gov/bill/116th-congress/senate-bill/3455",
...     "2020-08-06 passed-one-chamber https://www.congress.gov/bill/116th-congress/senate-bill/3455",
...     "2021-01-03 failed https://www.congress.gov/bill/116th-congress/senate-bill/3455"]}
>>> values = life.derive(bill)
>>> values["status"], values["in_force"]
('failed', [])
>>> order = {"kind": "transaction-prohibition", "announced": "2020-09-18", "effective": "2020-09-20"}
>>> life.derive(order)["in_force"]
['2020-09-20/..']
>>> stay = Act("SUSPENDS", "2020-09-19", None, ("https://example.org/order",))
>>> enjoined = life.derive(order, [stay])
>>> enjoined["in_force"], enjoined["lifecycle"][-1]
([], '2020-09-19 enjoined https://example.org/order')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph.errors import SchemaError, brief
from graph.model.dates import check_date

if TYPE_CHECKING:
    from graph.model.schema import Extent

# What a status means for the measure: not yet law, law in force, stopped for now, over for good.
MEANINGS = ("pending", "in-force", "suspended", "ended")
# What a measure of a kind does to its targets while in force.
EFFECTS = ("blocking", "restricting", "binding", "none")
DEFAULT_EFFECT = "restricting"  # of a kind the declaration does not list
OPEN = ".."  # ISO 8601-2's open end of an interval
# The Measure property saying how its ``announced`` was set when its programme's date is not known (a list's
# first edition holding it, or an earlier listing date; graph.lists.listings): held by then, not begun then.
DATE_BASIS = "announced_basis"
# The in-force test in Cypher, for a measure `m` and a day `day` (YYYY-MM-DD): every stored query that
# asks what was in force writes exactly this (a test holds them to it).
IN_FORCE_CYPHER = "any(p IN m.in_force WHERE left(p, 10) <= day AND (right(p, 2) = '..' OR right(p, 10) > day))"


def full_day(value: str) -> str:
    """A stored date as the day it compares as (``2021-06`` and ``2021`` count from their first day).

    >>> full_day("2021-06"), full_day("2021"), full_day("2021-06-09")
    ('2021-06-01', '2021-01-01', '2021-06-09')
    """
    return value + "-01" * ((10 - len(value)) // 3)


@dataclass(frozen=True)
class Act:
    """A relation acting on a measure's lifecycle: its type, the day it starts and ends, its sources."""

    type: str
    since: str
    until: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One dated status of a measure, with its sources."""

    day: str
    status: str
    sources: tuple[str, ...] = ()

    def text(self) -> str:
        """As stored: ``DATE STATUS [SOURCE ...]``."""
        return " ".join((self.day, self.status, *self.sources))


@dataclass(frozen=True)
class Lifecycle:
    """The declared lifecycle: statuses and their meaning, acting relations, effects by kind."""

    label: str
    history: str
    statuses: dict[str, str]  # status -> meaning (MEANINGS)
    descriptions: dict[str, str]
    acts: dict[str, str]  # relation type -> status it imposes
    effects: dict[str, str]  # measure kind -> effect (EFFECTS)
    extent: Extent  # the label's temporal extent: what its dates say without a history
    derived: tuple[str, ...] = ("status", "lifecycle", "in_force", "restricts")

    def parse(self, text: str) -> Entry:
        """One history entry, or ValueError naming what is wrong.

        >>> from graph.model.schema import load_schema
        >>> load_schema().lifecycle.parse("2020-09-19 enjoyed https://example.org")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: history entry '2020-09-19 enjoyed https://example.org': status 'enjoyed' is not one of proposed, ...
        """
        parts = text.split()
        if len(parts) < 3:
            raise ValueError(f"history entry {brief(text)} is not 'DATE STATUS SOURCE [SOURCE ...]'")
        day, status, *sources = parts
        try:
            check_date(day)
        except ValueError as exc:
            raise ValueError(f"history entry {brief(text)}: {exc}") from None
        if status not in self.statuses:
            raise ValueError(f"history entry {brief(text)}: status {brief(status)} is not one of {', '.join(self.statuses)}")
        return Entry(day, status, tuple(sources))

    def check_history(self, entries: list[str] | None) -> list[str] | None:
        """A ``history`` value: every entry well formed, dates in order."""
        parsed = [self.parse(text) for text in entries or ()]
        for earlier, later in zip(parsed, parsed[1:], strict=False):
            if full_day(later.day) < full_day(earlier.day):
                raise ValueError(f"history entries out of order: {later.day} after {earlier.day}")
        return entries

    def effect(self, data: dict[str, Any]) -> str:
        """What the measure does to its targets while in force: its own ``effect``, else its kind's.

        >>> from graph.model.schema import load_schema
        >>> life = load_schema().lifecycle
        >>> life.effect({"kind": "designation"}), life.effect({"kind": "designation", "effect": "blocking"})
        ('restricting', 'blocking')
        """
        return data.get("effect") or self.effects.get(data.get("kind") or "", DEFAULT_EFFECT)

    def _recorded(self, data: dict[str, Any]) -> list[Entry]:
        """The measure's own statuses: its history, else what its dates say."""
        if data.get(self.history):
            return [self.parse(text) for text in data[self.history]]
        begins, takes_effect, ends = self.extent.begins(data), self.extent.takes_effect(data), self.extent.ends(data)
        entries = []
        if begins and takes_effect and full_day(takes_effect) > full_day(begins):
            entries.append(Entry(begins, "enacted"))
        if takes_effect:
            entries.append(Entry(takes_effect, "in-effect"))
        if ends:
            entries.append(Entry(ends, "ended"))
        return entries

    def derive(self, data: dict[str, Any], acts: Iterable[Act] = ()) -> dict[str, Any]:
        """The derived properties of one measure: ``lifecycle``, ``status``, ``in_force`` and ``restricts``
        (its effect when it restricts its targets, blocking or restricting; else ``no``).

        Its recorded statuses (each holds until the next), overlaid by the acting relations:
        a revocation ends it for good from its day; a suspension holds it ``enjoined`` from
        ``since`` until ``until`` (exclusive), whether or not it had taken effect. A measure of a
        kind with effect ``none`` (a campaign, an investigation) is never in force.
        """
        recorded = self._recorded(data)
        acts = list(acts)
        meaning = {a: self.statuses[self.acts[a.type]] for a in acts if a.type in self.acts}
        revocations = sorted(((full_day(a.since), a) for a, m in meaning.items() if m == "ended"), key=lambda r: r[0])
        stays = [a for a, m in meaning.items() if m == "suspended"]
        days = sorted(
            {full_day(e.day) for e in recorded}
            | {full_day(a.since) for a in stays}
            | {full_day(a.until) for a in stays if a.until}
            | {day for day, _ in revocations[:1]}
        )
        entries: list[Entry] = []
        for day in days:
            entry = self._status_on(day, recorded, stays, revocations)
            if entry and (not entries or entries[-1].status != entry.status):
                entries.append(entry)
        effect = self.effect(data)
        periods = [
            f"{full_day(entry.day)}/{full_day(following.day) if following else OPEN}"
            for entry, following in zip(entries, [*entries[1:], None], strict=False)
            if effect != "none" and self.statuses[entry.status] == "in-force"
        ]
        return {
            "lifecycle": [e.text() for e in entries],
            "status": entries[-1].status if entries else None,
            "in_force": periods,
            "restricts": effect if effect in ("blocking", "restricting") else "no",
        }

    def _status_on(self, day: str, recorded: list[Entry], stays: list[Act], revocations: list[tuple[str, Act]]) -> Entry | None:
        """The status on ``day``: revoked from the first revocation; else the last recorded status, held
        enjoined while a stay holds (unless it had ended), and back to it on the day the stay lifts."""
        if revocations and revocations[0][0] <= day:
            first, act = revocations[0]
            return Entry(first, self.acts[act.type], act.sources)
        current = next((e for e in reversed(recorded) if full_day(e.day) <= day), None)
        if current is None or self.statuses[current.status] == "ended":
            return current
        stay = next((a for a in stays if full_day(a.since) <= day and (a.until is None or full_day(a.until) > day)), None)
        if stay:
            return Entry(day, self.acts[stay.type], stay.sources)
        if current.day != day and any(full_day(a.until) == day for a in stays if a.until):
            return Entry(day, current.status, current.sources)  # back to what it was when the stay lifted
        return current

    def markdown(self) -> list[str]:
        """The lifecycle as Markdown lines: statuses with their meaning, acting relations, effects by kind."""
        lines = ["| status | means | what it is |", "|---|---|---|"]
        lines += [f"| `{name}` | {means} | {self.descriptions[name]} |" for name, means in self.statuses.items()]
        acts = ", ".join(f"`{rel}` holds its target `{status}`" for rel, status in self.acts.items())
        lines += ["", f"Relations acting on a {self.label}: {acts}.", "", "| effect | kinds |", "|---|---|"]
        for effect in EFFECTS:
            kinds = [f"`{kind}`" for kind, value in self.effects.items() if value == effect]
            lines.append(f"| `{effect}` | {', '.join(kinds) or f'(by `effect` on the {self.label.lower()})'} |")
        return lines

    def values(self, data: dict[str, Any]) -> dict[str, Any]:
        """The derived properties as stored on the node, or derived from its own fields when absent."""
        if all(name in data for name in self.derived):
            return {name: data[name] for name in self.derived}
        return self.derive(data)

    def in_force_on(self, data: dict[str, Any], day: str) -> bool:
        """Whether the measure was in force on ``day``: the one rule (:data:`IN_FORCE_CYPHER` in Cypher).

        >>> from graph.model.schema import load_schema
        >>> life = load_schema().lifecycle
        >>> data = {"kind": "app-ban", "in_force": ["2020-09-20/2021-06-09"], "status": "revoked", "lifecycle": [],
        ...         "restricts": "restricting"}
        >>> life.in_force_on(data, "2021-06-08"), life.in_force_on(data, "2021-06-09")
        (True, False)
        """
        periods = self.values(data)["in_force"] or ()
        return any(p[:10] <= day and (p.endswith(OPEN) or p[-10:] > day) for p in periods)

    def status_on(self, data: dict[str, Any], day: str) -> str | None:
        """The measure's status on ``day`` (None before its first)."""
        dated = [text.split()[:2] for text in self.values(data)["lifecycle"] or ()]
        return next((status for when, status in reversed(dated) if full_day(when) <= day), None)

    def ended_on(self, data: dict[str, Any], day: str) -> bool:
        """Whether the measure had ended for good by ``day`` (revoked, expired, failed, ended)."""
        status = self.status_on(data, day)
        return status is not None and self.statuses[status] == "ended"


def load_lifecycle(raw: Any, nodes: dict[str, Any], relations: dict[str, Any], where: str) -> Lifecycle | None:  # noqa: C901
    """The ``lifecycle:`` declaration checked against the labels, relations and kinds it names."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"label", "history", "statuses", "acts", "effects"}:
        raise SchemaError(f"{where}: must map label, history, statuses, acts and effects")
    label, history = raw.get("label"), raw.get("history")
    if not isinstance(label, str) or label not in nodes or not isinstance(history, str) or history not in nodes[label].properties:
        raise SchemaError(f"{where}: label {label!r} with history property {history!r} is not declared")
    statuses, descriptions = {}, {}
    for name, spec in (raw.get("statuses") or {}).items():
        if not isinstance(spec, dict) or spec.get("means") not in MEANINGS:
            raise SchemaError(f"{where}.statuses.{name}: 'means' must be one of {', '.join(MEANINGS)}")
        statuses[name], descriptions[name] = spec["means"], spec.get("description", "")
    if "in-effect" not in statuses or "enacted" not in statuses or "ended" not in statuses:
        raise SchemaError(f"{where}: statuses must include enacted, in-effect and ended (a measure's dates say those)")
    acts = raw.get("acts") or {}
    for rel_type, status in acts.items():
        if rel_type not in relations or status not in statuses:
            raise SchemaError(f"{where}.acts: {rel_type!r} -> {status!r} names an undeclared relation or status")
    kinds = nodes[label].properties["kind"].enum
    effects = {}
    for effect, listed in (raw.get("effects") or {}).items():
        if effect not in EFFECTS:
            raise SchemaError(f"{where}.effects: {effect!r} is not one of {', '.join(EFFECTS)}")
        for kind in listed:
            if kind not in kinds or kind in effects:
                raise SchemaError(f"{where}.effects.{effect}: kind {kind!r} is undeclared or listed twice")
            effects[kind] = effect
    return Lifecycle(label, history, statuses, descriptions, dict(acts), effects, nodes[label].extent)
