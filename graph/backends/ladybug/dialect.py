"""The one place where Neo4j-dialect Cypher is adapted to LadybugDB's dialect.

Stored queries are written in Neo4j's dialect. LadybugDB differs in a few
spellings, which :func:`to_ladybug` rewrites in the statement's code tokens,
never inside a string literal or a backquoted name (:mod:`graph.cypher.lexer`,
LadybugDB's own lexical rules); comments are dropped:

- ``labels(x)[0]`` becomes ``label(x)`` (LadybugDB's ``labels`` is not a list);
- ``type(r)`` becomes ``label(r)``;
- ``shortestPath((a)-[:T*..6]-(b))`` becomes ``(a)-[:T* SHORTEST 1..6]-(b)``;
- ``toFloat(x)`` becomes ``CAST(x AS DOUBLE)``, ``toInteger(x)`` ``CAST(x AS INT64)``,
  ``toStringList(x)`` ``CAST(x AS STRING[])``;
- ``all(r IN relationships(w) WHERE p)`` of a path ``w = (a)-[:T*1..6]->(b)`` becomes ``true``, its
  test moved into the walk as LadybugDB's recursive filter ``[:T*1..6 (r, _ | WHERE p)]`` (same rows;
  filtering finished paths took three times as long on a lattice of 2,048 holdings);
- a start node looked up by a list of ids, ``(n) WHERE n.id IN $p``, becomes a primary-key lookup
  ``(n:Label) WHERE n.id = $p__start`` when the engine knows the one node ``$p`` names and its label
  (``starts``): a label-less list match scans every node table (8-45 ms at 100k-1M relations against
  0.1 ms) and makes the planner hash-join full scans of the relation tables it meets.

>>> to_ladybug("MATCH (n)-[r]->() RETURN labels(n)[0] AS l, type(r) AS t, 'type(x)' AS s")
"MATCH (n)-[r]->() RETURN label(n) AS l, label(r) AS t, 'type(x)' AS s"
>>> to_ladybug("MATCH p = shortestPath((a)-[*..6]-(b)) RETURN p")
'MATCH p = (a)-[* SHORTEST 1..6]-(b) RETURN p'
>>> to_ladybug("MATCH w = (a)-[:OWNS*0..6]->(b) WHERE all(r IN relationships(w) WHERE coalesce(r.share, 100.0) >= 50) RETURN b")
'MATCH w = (a)-[:OWNS*0..6 (r, _ | WHERE coalesce(r.share, 100.0) >= 50)]->(b) WHERE true RETURN b'
>>> to_ladybug("MATCH (n) WHERE n.id IN $entity RETURN n.name", starts={"entity": "Company"})
'MATCH (n:Company) WHERE n.id = $entity__start RETURN n.name'
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from graph.cypher.lexer import Token, emit, tokenize

_LABELS_FIRST = re.compile(r"\blabels\s*\(\s*(\w+)\s*\)\s*\[\s*0\s*\]", re.I)
_TYPE = re.compile(r"\btype\s*\(\s*(\w+)\s*\)", re.I)
# Neo4j's conversion functions of one property or variable, and the LadybugDB type each casts to.
CASTS = {"toFloat": "DOUBLE", "toInteger": "INT64", "toStringList": "STRING[]"}
_CAST = re.compile(r"\b(" + "|".join(CASTS) + r")\s*\(\s*([\w.]+)\s*\)")
_SHORTEST = re.compile(
    r"\bshortestPath\s*\(\s*(\(.*?\)\s*<?-\[[^\]*]*)\*\s*(\d*)\s*\.\.\s*(\d+)\s*(\]->?\s*\(.*?\))\s*\)", re.I | re.S
)
_PLACEHOLDER = re.compile(r"\0(\d+)\0")
# A label-less node looked up by a list parameter of ids: (n) WHERE n.id IN $p
_BY_IDS = re.compile(r"\(\s*(\w+)\s*(?::\s*(\w+)\s*)?\)(\s*WHERE\s+\1\s*\.\s*id\s*)IN\s*\$(\w+)\b", re.I)
START = "{}__start"  # the parameter holding the one id of a list parameter bound by primary key
_ALL_RELATIONSHIPS = re.compile(r"\ball\s*\(\s*(\w+)\s+IN\s+relationships\s*\(\s*(\w+)\s*\)\s+WHERE\s+", re.I)


def start_parameters(text: str) -> set[str]:
    """The list parameters the statement looks label-less start nodes up by (``(n) WHERE n.id IN $p``).

    >>> sorted(start_parameters("MATCH (a) WHERE a.id IN $from MATCH (b) WHERE b.id IN $to AND b.id <> a.id RETURN a"))
    ['from', 'to']
    """
    return {m.group(4) for m in _BY_IDS.finditer(text)}


def to_ladybug(text: str, starts: dict[str, str] | None = None, as_of_starts: frozenset[str] | None = None) -> str:
    """Rewrite a Neo4j-dialect statement into LadybugDB's dialect (the tokens re-emitted, comments dropped).

    ``starts`` maps a list parameter of ids to the label of the one node it holds: the start nodes
    looked up by it become primary-key lookups by the parameter :data:`START` names. ``as_of_starts``
    (None: the whole graph) makes it the statement as of a day (:func:`as_of`), the start parameters
    it names holding only ids of nodes that exist that day.
    """
    tokens = tokenize(text)
    # Literals and backquoted names stand as numbered placeholders that no rewrite matches inside.
    opaque = {str(n): t.text for n, t in enumerate(tokens) if t.kind in ("string", "name")}
    code = emit([Token(t.kind, f"\0{n}\0" if str(n) in opaque else t.text, t.start, t.spaced) for n, t in enumerate(tokens)])
    code = _SHORTEST.sub(lambda m: f"{m.group(1)}* SHORTEST {m.group(2) or 1}..{m.group(3)}{m.group(4)}", code)
    code = _TYPE.sub(r"label(\1)", _LABELS_FIRST.sub(r"label(\1)", code))
    code = _CAST.sub(lambda m: f"CAST({m.group(2)} AS {CASTS[m.group(1)]})", code)
    code = _filter_walks(code)
    if as_of_starts is not None:
        code = as_of(code, as_of_starts)
    if starts:
        code = _BY_IDS.sub(lambda m: _bind(m, starts), code)
        code = _walk_from_starts(code)
    return _PLACEHOLDER.sub(lambda m: opaque[m.group(1)], code)


def _bind(match: re.Match[str], starts: dict[str, str]) -> str:
    """A start node by a list of ids as a primary-key lookup of its one id, when ``starts`` knows its label."""
    node, label, where, parameter = match.groups()
    if parameter not in starts:
        return match.group(0)
    return f"({node}:{label or starts[parameter]}){where}= ${START.format(parameter)}"


# A start bound by primary key, then a MATCH whose first pattern leaves from it.
_START_THEN_MATCH = re.compile(
    r"\bMATCH\s+\((\w+):(\w+)\)\s*WHERE\s+\1\s*\.\s*id\s*=\s*(\$\w+)\s+MATCH\s+((?:\w+\s*=\s*)?)\(\1\)"
)
_CLAUSE = re.compile(r"\b(?:OPTIONAL|MATCH|WITH|RETURN|UNWIND|UNION|CALL|ORDER)\b", re.I)
_OPEN, _CLOSE = "([{", ")]}"


def _closing(code: str, start: int) -> int:
    """The index just past the bracket that closes the one opened at ``start``."""
    depth, end = 0, start
    while end < len(code):
        depth += (code[end] in _OPEN) - (code[end] in _CLOSE)
        end += 1
        if not depth:
            break
    return end


def _clause_end(code: str, start: int) -> int:
    """Where the clause that starts at ``start`` ends: its next clause keyword outside brackets, or the end."""
    index = start
    while index < len(code):
        if code[index] in _OPEN:
            index = _closing(code, index)
            continue
        keyword = _CLAUSE.match(code, index)
        if keyword and index > start and not code[index - 1].isalnum() and code[index - 1] != "_":
            return index
        index += 1
    return len(code)


def _walk_from_starts(code: str) -> str:
    """Fold each start bound by primary key into the fixed-length MATCH that leaves from it.

    LadybugDB's planner otherwise may join the start to full scans of the relation and node tables it
    meets (entity-profile of Tencent at 1M relations: 14.5 ms p50, folded 6.5 ms). No join hint is
    added: LadybugDB 0.22 crashes (a segmentation fault) on a hinted pattern that no relation table
    matches, such as the relations out of an App. A variable-length walk is left alone: forced to
    start at the start, a walk on a dense lattice of cross-holdings enumerates every path
    (measures-hitting there: 0.06 s as planned, 25 s from the start).
    """
    done = 0
    while match := _START_THEN_MATCH.search(code, done):
        node, label, parameter, path = match.groups()
        end = _clause_end(code, match.end())
        if "*" in code[match.end():end].split("WHERE")[0]:  # a walk: left to the planner (it may start at the far end)
            done = match.end()
            continue
        clause = f"{path}({node}:{label})" + code[match.end():end]
        where = _clause_end(clause.replace("WHERE", "MATCH"), 0) if "WHERE" in clause else len(clause)
        pattern, rest = clause[:where], clause[where:].strip()
        condition = f"{node}.id = {parameter}" + (f" AND ({rest[len('WHERE'):].strip()})" if rest else "")
        code = f"{code[:match.start()]}MATCH {pattern.strip()} WHERE {condition} {code[end:]}".rstrip()
    return code


def _filter_walks(code: str) -> str:
    """Move each ``all(r IN relationships(w) WHERE p)`` into the variable-length walk ``w`` names."""
    while match := _ALL_RELATIONSHIPS.search(code):
        depth, end = 1, match.end()
        while depth and end < len(code):  # the test runs to the parenthesis that closes all(
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        rel, path, test = match.group(1), match.group(2), code[match.end():end - 1].strip()
        walk = re.search(rf"\b{path}\s*=\s*\([^()]*\)\s*<?-\[([^\]]*\*[^\]]*)\]", code)
        if walk is None or depth or walk.end(1) >= match.start():
            break  # not one walk bound before the test: left for the engine to judge as written
        filtered = f"{walk.group(1)} ({rel}, _ | WHERE {test})"
        code = code[: walk.start(1)] + filtered + code[walk.end(1) : match.start()] + "true" + code[end:]
    return code


# -- as of a day ------------------------------------------------------------------------------------
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
    """The test that ``node`` exists on the day, on its as-of columns (:mod:`graph.dataset.asof`).

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
                        types, left = pending
                        right = ">" in between
                        ends = (1, 0) if left and not right else (0, 1) if right and not left else (None, None)
                        self.adjacent.setdefault(last_node, []).append((types, ends[0]))
                        self.adjacent.setdefault(name, []).append((types, ends[1]))
                    last_node, pending = name, None
                else:
                    walk = "*" in inner.split("(")[0]
                    start = sum(len(part) for part in out) + 1
                    self.rels.append((name, words, walk, start, start + len(inner)))
                    pending = (words, "<" in between)
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
    within an OPTIONAL MATCH in its WHERE; a variable-length walk tests its relationships and intermediate
    nodes inside the walk, LadybugDB's recursive filter ``[:T*1..6 (r, n | WHERE ...)]``: a WHERE after
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
        for _, types, walk, begin, finish in reversed(elements.rels):
            if walk:
                text = text[:begin] + _walk_filter(schema, text[begin:finish], types, with_extent, fresh) + text[finish:]
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


def _walk_filter(schema, inner: str, types: tuple[str, ...], with_extent: frozenset[str], fresh: list[int]) -> str:
    """A walk's bracket with the day's tests in its recursive filter (merged into one it has)."""
    ends = _ends(schema, types, None)
    existing = re.search(r"\(\s*(\w+)\s*,\s*(\w+)\s*\|\s*WHERE\s+(.*)\)\s*$", inner, re.S)
    if existing:
        rel, node, test = existing.groups()
        inner = inner[:existing.start()]
    else:
        rel, node, test = "", "_", ""
    fresh[0] += 1
    rel = rel or f"_w{fresh[0]}"
    tests = [f"({test})"] if test else []
    tests.append(relation_holds_cypher(rel))
    if ends & with_extent:
        node = node if node != "_" else f"_v{fresh[0]}"
        tests.append(node_holds_cypher(node))
    return f"{inner.rstrip()} ({rel}, {node} | WHERE {' AND '.join(tests)})"


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
