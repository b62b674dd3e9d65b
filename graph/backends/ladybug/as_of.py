"""The statement as of a day: the view over the one build that ``--as-of`` reads (:func:`as_of`).

Every node and relationship a statement's MATCH clauses bind must hold on the day, by the columns the
build derived from the one temporal rule (:mod:`graph.dataset.asof`), and every value a view holds day
by day reads that day's version. The day is a parameter (:func:`as_of_parameters`), so the rewritten
text is the same for every day. :func:`graph.backends.ladybug.dialect.to_ladybug` applies it after its
own rewrites, before the start fold.

>>> as_of_parameters("2020-09-01")["asof__day"]
'2020-09-01'
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from graph.backends.ladybug.dialect import _BY_IDS, _CLAUSE, _CLOSE, _OPEN, _clause_end, _closing
from graph.dataset.asof import days_table

# The as-of parameters a rewritten statement reads: the day, and the day followed by a character after every
# digit (a list sorted with it in puts it after every day on or before the day: its position counts them).
DAY, KEY = "asof__day", "asof__key"
_MATCH = re.compile(r"\b(?:OPTIONAL\s+)?MATCH\b", re.I)
_WHERE = re.compile(r"\bWHERE\b", re.I)
_UNION = re.compile(r"\bUNION(?:\s+ALL)?\b", re.I)


def as_of_parameters(day: str) -> dict[str, str]:
    """The parameters a statement rewritten by :func:`as_of` needs for ``day``.

    >>> as_of_parameters("2020-09-01")
    {'asof__day': '2020-09-01', 'asof__key': '2020-09-01~'}
    """
    return {DAY: day, KEY: day + "~"}


def _count_on_or_before(days: str) -> str:
    """How many items of the sorted list ``days`` are on or before the day (no list lambda: LadybugDB 0.22 gave
    wrong values with two in one query)."""
    return f"(list_position(list_sort(list_append({days}, ${KEY})), ${KEY}) - 1)"


def node_holds_cypher(node: str) -> str:
    """The test that ``node`` exists on the day, on its as-of columns (:mod:`graph.dataset.asof`); of a
    relation, that it holds with both its ends existing (a relation without those columns: always).

    >>> node_holds_cypher("m").split(" AND ")[0]
    '(m._holds_from IS NULL OR m._holds_from <= $asof__day)'
    """
    return (
        f"({node}._holds_from IS NULL OR {node}._holds_from <= ${DAY}) AND ({node}._holds_until IS NULL OR "
        f"{node}._holds_until > ${DAY}) AND ({node}._holds_gaps IS NULL OR {_count_on_or_before(f'{node}._holds_gaps')} % 2 = 0)"
    )


def relation_holds_cypher(rel: str) -> str:
    """The test that relation ``rel`` holds on the day: from its ``since`` until its ``until`` (its ends are tested as nodes)."""
    return f"({rel}.since IS NULL OR {rel}.since <= ${DAY}) AND ({rel}.until IS NULL OR {rel}.until > ${DAY})"


def _day_value(var: str, prop: str, kind: str) -> str:
    """``var.prop`` as it stood on the day: its version in ``_asof_<prop>`` (decoded), or the whole graph's value."""
    from graph.dataset.asof import DAYS, ITEM, NONE

    item = f"{var}._asof_{prop}[{_count_on_or_before(f'{var}.{DAYS}')}]"
    if kind == "string-list":
        decoded = (
            f"CASE WHEN {item} = '{NONE}' THEN NULL WHEN {item} = '{ITEM}' THEN CAST([] AS STRING[]) "
            f"ELSE string_split({item}, '{ITEM}') END"
        )
    elif kind == "integer":
        decoded = f"CAST({item} AS INT64)"
    else:
        decoded = f"CASE WHEN {item} = '{NONE}' THEN NULL ELSE {item} END"
    return f"(CASE WHEN {var}.{DAYS} IS NULL THEN {var}.{prop} ELSE {decoded} END)"


class _Elements:
    """The nodes and relationships of one MATCH clause's pattern, every one named."""

    def __init__(self, pattern: str, fresh: list[int]):
        self.nodes: list[tuple[str, tuple[str, ...]]] = []  # (name, labels)
        self.rels: list[tuple[str, tuple[str, ...], bool, int, int]] = []  # (name, types, walk, start, end) in text
        self.adjacent: dict[str, list[tuple[tuple[str, ...], int | None]]] = {}  # node -> (types, end it is: 0, 1, None)
        self.joins: dict[str, tuple[str, str]] = {}  # relationship -> the nodes before and after it in the text
        out: list[str] = []
        index, last_node, pending, since = 0, None, None, 0
        while index < len(pattern):
            char = pattern[index]
            if char in "([" and not re.search(r"\w\s*$", pattern[:index]):
                end = _closing(pattern, index)
                inner = pattern[index + 1:end - 1]
                name = re.match(r"\s*(\w*)", inner).group(1)  # type: ignore[union-attr]
                if not name:
                    fresh[0] += 1
                    name = f"_a{fresh[0]}"
                    inner = name + inner
                head = re.match(r"\s*\w+\s*((?::\s*\w+\s*(?:\|\s*:?\s*\w+\s*)*)*)", inner).group(1)  # type: ignore[union-attr]
                words = tuple(re.findall(r"\w+", head))
                between = pattern[since:index]
                if char == "(":
                    self.nodes.append((name, words))
                    if pending is not None and last_node is not None:
                        types, left, rel = pending
                        self.joins[rel] = (last_node, name)
                        right = ">" in between
                        ends = (1, 0) if left and not right else (0, 1) if right and not left else (None, None)
                        self.adjacent.setdefault(last_node, []).append((types, ends[0]))
                        self.adjacent.setdefault(name, []).append((types, ends[1]))
                    last_node, pending = name, None
                else:
                    walk = "*" in inner.split("(")[0]
                    start = sum(len(part) for part in out) + 1
                    self.rels.append((name, words, walk, start, start + len(inner)))
                    pending = (words, "<" in between, name)
                out.append(char + inner + pattern[end - 1])
                index = since = end
                continue
            if char == ",":
                last_node, pending = None, None
            out.append(char)
            index += 1
        self.text = "".join(out)


def _ends(schema, types: tuple[str, ...], end: int | None) -> set[str]:
    """The labels at one end (0: from, 1: to, None: either) of relationships of ``types`` (none: any)."""
    relations = [schema.relations[t] for t in types if t in schema.relations] if types else list(schema.relations.values())
    return {pair[i] for rel in relations for pair in rel.pairs for i in ((0, 1) if end is None else (end,))}


def _possible(schema, labels: tuple[str, ...], adjacent: list[tuple[tuple[str, ...], int | None]]) -> set[str]:
    """The labels a node may have: those written, else those at its end of every relationship touching it."""
    if labels:
        return set(labels)
    found = set(schema.nodes)
    for types, end in adjacent:
        found &= _ends(schema, types, end)
    return found


def as_of(code: str, checked: frozenset[str] = frozenset()) -> str:
    """The statement as of a day (:func:`as_of_parameters`): every node and relationship its MATCH clauses
    bind must hold that day, and every property a view holds day by day reads that day's value.

    A fixed relationship and the nodes are tested after the clause, in ``WITH ... WHERE`` carrying on the
    variables the rest reads (:func:`_projection`; in the clause's
    WHERE, the planner chose other joins: measures-hitting at 10k relations took 3 s instead of 10 ms),
    within an OPTIONAL MATCH in its WHERE; a variable-length walk tests its relationships inside the walk
    (their stored days include their ends', :func:`_walk_filter`), LadybugDB's recursive filter
    ``[:T*1..6 (r, _ | WHERE ...)]``: a WHERE after
    the walk made walks 60-250 times slower. A start node
    looked up by a list parameter in ``checked`` (``(n) WHERE n.id IN $p``, its ids already those that exist
    that day) is left as written, so that it stays a primary-key lookup.

    >>> print(as_of("MATCH (c:Company)-[o:OWNS]->(a:App) RETURN a.id"))
    MATCH (c:Company)-[o:OWNS]->(a:App) WITH a, o WHERE (o.since IS NULL OR o.since <= $asof__day) AND \
(o.until IS NULL OR o.until > $asof__day) RETURN a.id
    """
    parts = _UNION.split(code)
    unions = _UNION.findall(code)
    fresh = [0]
    done = [_as_of_part(part, checked, fresh) for part in parts]
    return "".join(part + (f" {unions[i]} " if i < len(unions) else "") for i, part in enumerate(done)).replace("  ", " ")


def _as_of_part(code: str, checked_starts: frozenset[str], fresh: list[int]) -> str:
    """:func:`as_of` of one part of a UNION."""
    schema, with_extent, kinds = _model()
    checked: set[str] = set()
    labels: dict[str, set[str]] = {}
    clauses: list[tuple[int, int, str]] = []  # (start, end, rewritten clause)
    done = 0
    scope: set[str] | None = set()  # the variables in scope (None: not known)
    paths: set[str] = set()  # the path variables among them
    while match := _MATCH.search(code, done):
        depth = sum((c in _OPEN) - (c in _CLOSE) for c in code[:match.start()])
        end = _clause_end(code, match.end())
        scope = _scope_after(code[done:match.start()], scope)
        done = end
        if depth:  # inside a subquery's braces: left as written
            continue
        body = code[match.end():end]
        split = _WHERE.search(body)
        while split and sum((c in _OPEN) - (c in _CLOSE) for c in body[:split.start()]):
            split = _WHERE.search(body, split.end())
        pattern, where = (body[:split.start()], body[split.end():]) if split else (body, "")
        elements = _Elements(pattern, fresh)
        tests: list[str] = []
        alone = len(elements.nodes) == 1 and not elements.rels
        start = _BY_IDS.match(f"({elements.nodes[0][0]}) WHERE {where.strip()}") if alone else None
        if start and start.group(4) in checked_starts:
            checked.add(elements.nodes[0][0])
        text = elements.text
        given = dict(elements.nodes)
        for rel, types, walk, begin, finish in reversed(elements.rels):
            inner = text[begin:finish]
            if walk:
                ends = [_possible(schema, given[n], elements.adjacent.get(n, [])) for n in elements.joins.get(rel, ())]
                inner = _walk_filter(schema, inner, types, ends, fresh)
            text = text[:begin] + _days_tables(schema, inner) + text[finish:]
        for name, _, walk, _, _ in elements.rels:
            if not walk:
                tests.append(relation_holds_cypher(name))
        for name, written in elements.nodes:
            possible = _possible(schema, written, elements.adjacent.get(name, []))
            labels.setdefault(name, possible)
            if name not in checked and possible & with_extent:
                tests.insert(0, node_holds_cypher(name))
            checked.add(name)
        condition = " AND ".join(dict.fromkeys(tests))
        if scope is not None:
            scope |= {name for name, _ in elements.nodes} | {rel[0] for rel in elements.rels}
            paths |= {m.group(1) for m in _PATH_NAME.finditer(pattern) if not _depth(pattern, m.start())}
            scope |= paths
        keyword = code[match.start():match.end()]
        if condition and keyword.upper().startswith("OPTIONAL"):  # inside: a row without the optional part stays
            where = f" ({where.strip()}) AND {condition} " if where.strip() else f" {condition} "
        clause = f"{keyword} {text.strip()}" + (f" WHERE{where}" if where.strip() else " ")
        if condition and not keyword.upper().startswith("OPTIONAL"):  # after: the clause is planned as written
            clause += f"WITH {_projection(scope, paths, condition + ' ' + code[end:])} WHERE {condition} "
        clauses.append((match.start(), end, clause))
    for begin, end, clause in reversed(clauses):
        code = code[:begin] + clause + code[end:]
    return _day_values(code, labels, kinds).strip()


_PATH_NAME = re.compile(r"(?:^|,)\s*(\w+)\s*=")
_ITEMS_END = re.compile(r"\b(?:WHERE|ORDER|SKIP|LIMIT)\b", re.I)
_ALL = re.compile(r"\b(?:RETURN|WITH)\s+(?:DISTINCT\s+)?\*", re.I)


def _depth(code: str, index: int) -> int:
    """How many brackets are open at ``index``."""
    return sum((c in _OPEN) - (c in _CLOSE) for c in code[:index])


def _top_level(code: str) -> list[str]:
    """``code`` cut at its commas outside brackets."""
    items, start = [], 0
    for index, char in enumerate(code):
        if char == "," and not _depth(code, index):
            items.append(code[start:index])
            start = index + 1
    return [*items, code[start:]]


def _scope_after(between: str, scope: set[str] | None) -> set[str] | None:
    """The variables in scope after the clauses ``between`` (those between two MATCH clauses) given those
    before; None when a clause's projection is not a list of names and aliases (then ``WITH *`` is kept).

    >>> sorted(_scope_after(" WITH m, count(t) AS hits ORDER BY hits UNWIND m.sources AS s ", {"m", "t"}))
    ['hits', 'm', 's']
    """
    if scope is None:
        return None
    clauses = [m for m in _CLAUSE.finditer(between) if not _depth(between, m.start())]
    for here, after in zip(clauses, [*clauses[1:], None], strict=False):
        text = between[here.end():after.start() if after else len(between)]
        word = here.group(0).upper()
        if word == "UNWIND":
            alias = re.search(r"\bAS\s+(\w+)\s*$", text, re.I)
            if alias is None:
                return None
            scope = scope | {alias.group(1)}
        elif word == "WITH":
            stop = next((m.start() for m in _ITEMS_END.finditer(text) if not _depth(text, m.start())), len(text))
            items = re.sub(r"^\s*DISTINCT\b", "", text[:stop], flags=re.I)
            found = set(scope) if items.strip().startswith("*") else set()
            for item in _top_level(items):
                named = re.search(r"\bAS\s+(\w+)\s*$", item, re.I) or re.fullmatch(r"\s*(\w+)\s*", item)
                if named is None and item.strip() != "*":
                    return None
                found |= {named.group(1)} if named else set()
            scope = found
        elif word != "ORDER":  # CALL, or a RETURN: not known
            return None
    return scope


def _projection(scope: set[str] | None, paths: set[str], later: str) -> str:
    """What a day's ``WITH`` after a MATCH carries on: the variables in scope that ``later`` (its test and the
    rest of the statement) names; all (``*``) when not known, or when a path read later is among them
    (LadybugDB 0.22 projects a path only with its relationships: "Cannot evaluate expression with type
    PROPERTY"). Carrying a walk's path that nothing reads made measures-hitting at 100k relations five
    times slower (41 ms against 7.5 ms).

    >>> _projection({"m", "w", "t"}, {"w"}, "RETURN m.id"), _projection({"m", "w"}, {"w"}, "RETURN length(w)")
    ('m', '*')
    """
    named = set(re.findall(r"\b\w+\b", later))
    if scope is None or _ALL.search(later) or paths & named:
        return "*"
    return ", ".join(sorted(scope & named)) or "*"


@cache
def _model() -> tuple[Any, frozenset[str], dict[str, dict[str, str]]]:
    """The schema, the labels whose nodes exist only on some days, and the type of each property a view holds
    day by day, by label (read once: every statement of a view is rewritten)."""
    from graph.dataset.asof import has_extent, versioned
    from graph.model.schema import load_schema

    schema = load_schema()
    with_extent = frozenset(label for label in schema.nodes if has_extent(schema, label))
    kinds = {label: {p: schema.nodes[label].properties[p].type for p in names} for label, names in versioned(schema).items()}
    return schema, with_extent, kinds


def _days_tables(schema, bracket: str) -> str:
    """A relationship's bracket reading each derived type's table of days instead (:func:`graph.dataset.asof.days_table`):
    a day's chains are not the whole graph's.

    >>> from graph.model.schema import load_schema
    >>> _days_tables(load_schema(), "c:RETALIATION_CHAIN")
    'c:_RETALIATION_CHAIN_DAYS'
    """
    head, open_, rest = bracket.partition("(")  # a walk's recursive filter after it is left alone
    derived = [rel_type for rel_type, rel in schema.relations.items() if rel.derived]
    for rel_type in derived:
        head = re.sub(rf"(:\s*|\|\s*:?\s*){rel_type}\b", rf"\g<1>{days_table(rel_type)}", head)
    return head + open_ + rest


def _walk_filter(schema, inner: str, types: tuple[str, ...], ends: list[set[str]], fresh: list[int]) -> str:
    """A walk's bracket with the day's tests in its recursive filter (merged into one it has), for a walk between
    nodes of ``ends`` (the labels each may have). The tests are on its relationships only: a node test there
    made walks 20-35 times slower (counter-measures-to at 1M relations: 8.5-10.7 s against ~10 ms without a
    view). A walk that may pass a node existing only on some days tests its relations' stored days, which
    include their ends' (:func:`node_holds_cypher`); one that cannot (``(issuer)-[:PART_OF*0..5]->(:Government)``
    joins governments only), their ``since`` and ``until``, two columns, not three with a list (1.1 s against
    2.4 s for measures-by-issuer-and-year at 1M); both for a walk over types of which only some store days
    (any type: ``[*..8]``).

    >>> _walk_filter(_model()[0], ":PART_OF*0..5", ("PART_OF",), [{"Government"}], [0]).split(" AND ")[0]
    ':PART_OF*0..5 (_w1, _ | WHERE (_w1.since IS NULL OR _w1.since <= $asof__day)'
    >>> _walk_filter(_model()[0], ":RETALIATES_AGAINST*1..8", ("RETALIATES_AGAINST",), [], [0]).split(" AND ")[0]
    ':RETALIATES_AGAINST*1..8 (_w1, _ | WHERE (_w1._holds_from IS NULL OR _w1._holds_from <= $asof__day)'
    """
    from graph.dataset.asof import relation_types

    walked = set(types) & set(schema.relations) if types else set(schema.relations)
    pairs = [(t, a, b) for t in walked for a, b in schema.relations[t].pairs]
    within = set(schema.nodes)
    for labels in ends:  # the labels a node of the walk may have: those reached from each end over its pairs
        within &= _reached(pairs, labels)
    used = [(t, a, b) for t, a, b in pairs if a in within and b in within]
    with_extent = _model()[1]
    dated = {t for t, a, b in used if {a, b} & with_extent}
    existing = re.search(r"\(\s*(\w+)\s*,\s*(\w+)\s*\|\s*WHERE\s+(.*)\)\s*$", inner, re.S)
    if existing:
        rel, node, test = existing.groups()
        inner = inner[:existing.start()]
    else:
        rel, node, test = "", "_", ""
    fresh[0] += 1
    rel = rel or f"_w{fresh[0]}"
    tests = [f"({test})"] if test else []
    if not dated or {t for t, _, _ in used} - relation_types(schema):
        tests.append(relation_holds_cypher(rel))
    if dated:
        tests.append(node_holds_cypher(rel))
    return f"{inner.rstrip()} ({rel}, {node} | WHERE {' AND '.join(tests)})"


def _reached(pairs: list[tuple[str, str, str]], labels: set[str]) -> set[str]:
    """The labels reached from ``labels`` over relationships of ``pairs`` (type, from, to), either way, any steps."""
    found = set(labels)
    while more := {x for _, a, b in pairs if a in found or b in found for x in (a, b)} - found:
        found |= more
    return found


def _day_values(code: str, labels: dict[str, set[str]], kinds: dict[str, dict[str, str]]) -> str:
    """Every ``var.prop`` that a view holds day by day, for a variable that may have a label that does, as that day's value."""

    def replace(match: re.Match[str]) -> str:
        var, prop = match.groups()
        for label in labels.get(var, ()):
            if prop in kinds.get(label, {}):
                return _day_value(var, prop, kinds[label][prop])
        return match.group(0)

    props = {p for found in kinds.values() for p in found}
    return re.sub(rf"\b(\w+)\s*\.\s*({'|'.join(sorted(props))})\b", replace, code)
