"""The one rewrite of techgraph's Cypher for Neo4j's planner (LadybugDB's are in
:mod:`graph.backends.ladybug.dialect`).

A node looked up by id without a label, ``MATCH (n) WHERE n.id IN $ids``, makes Neo4j scan every
node (AllNodesScan): the uniqueness constraints on ``id`` are per label. :func:`to_neo4j` gives
such a node the schema's labels as a disjunction, ``(n:Company|App|...)``, and Neo4j seeks each
label's index instead. LadybugDB finds its primary keys either way, so the stored queries keep
the label-less text that both engines read. A relationship of no type is given the data's types
(derived ones are read by their type), as :func:`graph.backends.ladybug.dialect.to_ladybug` gives it.

>>> to_neo4j("MATCH (a) WHERE a.id IN $from MATCH (b) WHERE b.id = $to RETURN '(c) WHERE c.id = $x'", ["App", "Company"])
"MATCH (a:App|Company) WHERE a.id IN $from MATCH (b:App|Company) WHERE b.id = $to RETURN '(c) WHERE c.id = $x'"
>>> to_neo4j("MATCH p = shortestPath((a)-[*..8]-(b)) RETURN p", [], "OWNS|SANCTIONS")
'MATCH p = shortestPath((a)-[:OWNS|SANCTIONS*..8]-(b)) RETURN p'
"""

from __future__ import annotations

import re

from graph.cypher.lexer import Token, emit, tokenize
from graph.errors import QueryError

# A node pattern of a variable alone, then a WHERE comparing that variable's id with a parameter.
_BY_ID = re.compile(r"\(\s*(\w+)\s*\)(?=\s*WHERE\s+\1\s*\.\s*id\s*(?:IN|=)\s*\$)", re.I)
_PLACEHOLDER = re.compile(r"\0(\d+)\0")
# A relationship pattern of no type: a variable alone, a walk's range, or nothing.
_ANY_TYPE = re.compile(r"(-\s*)\[\s*(\w*)\s*(\*[\s\d.]*)?\]")


def to_neo4j(text: str, labels: list[str], types: str = "") -> str:
    """``text`` with each label-less node looked up by id given ``labels`` and each relationship of no type given
    ``types`` (a disjunction; empty: left as it is), its comments then dropped.

    The rewrite reads only code, never a string literal or a backquoted name; a text without such a
    node, or that LadybugDB's lexical rules cannot cut into tokens, is sent as it is.

    >>> to_neo4j("MATCH (n:App) WHERE n.id = $id RETURN n // a comment", ["App"])
    'MATCH (n:App) WHERE n.id = $id RETURN n // a comment'
    """
    if not _BY_ID.search(text) and not (types and _ANY_TYPE.search(text)):
        return text
    try:
        tokens = tokenize(text)
    except QueryError:  # not for this lexer: Neo4j itself says what is wrong with it
        return text
    opaque = {str(n): t.text for n, t in enumerate(tokens) if t.kind in ("string", "name")}
    code = emit([Token(t.kind, f"\0{n}\0" if str(n) in opaque else t.text, t.start, t.spaced) for n, t in enumerate(tokens)])
    code = _BY_ID.sub(lambda m: f"({m.group(1)}:{'|'.join(labels)})", code)
    if types:
        code = _ANY_TYPE.sub(lambda m: f"{m.group(1)}[{m.group(2)}:{types}{m.group(3) or ''}]", code)
    return _PLACEHOLDER.sub(lambda m: opaque[m.group(1)], code)
