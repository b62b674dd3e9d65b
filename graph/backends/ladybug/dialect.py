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
- a relationship of no type, ``-[r]-`` or a walk ``-[*..8]-``, is given every type of the data (derived types, such as
  ``RETALIATION_CHAIN``, are read by their type: a shortest path through a chain's shortcut is not a path of the data;
  the embedded build's tables of their days are not the graph's);
- a start node looked up by a list of ids, ``(n) WHERE n.id IN $p``, becomes a primary-key lookup
  ``(n:Label) WHERE n.id = $p__start`` when the engine knows the one node ``$p`` names and its label
  (``starts``): a label-less list match scans every node table (8-45 ms at 100k-1M relations against
  0.1 ms) and makes the planner hash-join full scans of the relation tables it meets.

>>> to_ladybug("MATCH (n)-[r:OWNS]->() RETURN labels(n)[0] AS l, type(r) AS t, 'type(x)' AS s")
"MATCH (n)-[r:OWNS]->() RETURN label(n) AS l, label(r) AS t, 'type(x)' AS s"
>>> to_ladybug("MATCH p = shortestPath((a)-[:OWNS*..6]-(b)) RETURN p")
'MATCH p = (a)-[:OWNS* SHORTEST 1..6]-(b) RETURN p'
>>> to_ladybug("MATCH (n)-[r]->() RETURN r").split("|")[:2]
['MATCH (n)-[r:ADDRESSED_TO', 'AMENDS']
>>> to_ladybug("MATCH w = (a)-[:OWNS*0..6]->(b) WHERE all(r IN relationships(w) WHERE coalesce(r.share, 100.0) >= 50) RETURN b")
'MATCH w = (a)-[:OWNS*0..6 (r, _ | WHERE coalesce(r.share, 100.0) >= 50)]->(b) WHERE true RETURN b'
>>> to_ladybug("MATCH (n) WHERE n.id IN $entity RETURN n.name", starts={"entity": "Company"})
'MATCH (n:Company) WHERE n.id = $entity__start RETURN n.name'
"""

from __future__ import annotations

import re

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
# A relationship pattern of no type: a variable alone, a walk's range, or nothing.
_ANY_TYPE = re.compile(r"(-\s*)\[\s*(\w*)\s*(\*[\s\d.]*)?\]")
_ALL_RELATIONSHIPS = re.compile(r"\ball\s*\(\s*(\w+)\s+IN\s+relationships\s*\(\s*(\w+)\s*\)\s+WHERE\s+", re.I)


def start_parameters(text: str) -> set[str]:
    """The list parameters the statement looks label-less start nodes up by (``(n) WHERE n.id IN $p``).

    >>> sorted(start_parameters("MATCH (a) WHERE a.id IN $from MATCH (b) WHERE b.id IN $to AND b.id <> a.id RETURN a"))
    ['from', 'to']
    """
    return {m.group(4) for m in _BY_IDS.finditer(text)}


def _data_types() -> str:
    """The data's relationship types as a pattern's disjunction (the schema is read only by a statement that needs it)."""
    from graph.model.schema import load_schema

    return load_schema().data_types


def to_ladybug(text: str, starts: dict[str, str] | None = None, as_of_starts: frozenset[str] | None = None) -> str:
    """Rewrite a Neo4j-dialect statement into LadybugDB's dialect (the tokens re-emitted, comments dropped).

    ``starts`` maps a list parameter of ids to the label of the one node it holds: the start nodes
    looked up by it become primary-key lookups by the parameter :data:`START` names. ``as_of_starts``
    (None: the whole graph) makes it the statement as of a day (:func:`graph.backends.ladybug.as_of.as_of`), the start parameters
    it names holding only ids of nodes that exist that day.
    """
    tokens = tokenize(text)
    # Literals and backquoted names stand as numbered placeholders that no rewrite matches inside.
    opaque = {str(n): t.text for n, t in enumerate(tokens) if t.kind in ("string", "name")}
    code = emit([Token(t.kind, f"\0{n}\0" if str(n) in opaque else t.text, t.start, t.spaced) for n, t in enumerate(tokens)])
    code = _ANY_TYPE.sub(lambda m: f"{m.group(1)}[{m.group(2)}:{_data_types()}{m.group(3) or ''}]", code)
    code = _SHORTEST.sub(lambda m: f"{m.group(1)}* SHORTEST {m.group(2) or 1}..{m.group(3)}{m.group(4)}", code)
    code = _TYPE.sub(r"label(\1)", _LABELS_FIRST.sub(r"label(\1)", code))
    code = _CAST.sub(lambda m: f"CAST({m.group(2)} AS {CASTS[m.group(1)]})", code)
    code = _filter_walks(code)
    if as_of_starts is not None:
        from graph.backends.ladybug.as_of import as_of

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
