"""The one place where Neo4j-dialect Cypher is adapted to LadybugDB's dialect.

Stored queries are written in Neo4j's dialect. LadybugDB differs in a few
spellings, which :func:`to_ladybug` rewrites in the statement's code tokens,
never inside a string literal or a backquoted name (:mod:`graph.cypher.lexer`,
LadybugDB's own lexical rules); comments are dropped:

- ``labels(x)[0]`` becomes ``label(x)`` (LadybugDB's ``labels`` is not a list);
- ``type(r)`` becomes ``label(r)``;
- ``shortestPath((a)-[:T*..6]-(b))`` becomes ``(a)-[:T* SHORTEST 1..6]-(b)``;
- ``toFloat(x)`` becomes ``CAST(x AS DOUBLE)``, ``toInteger(x)`` ``CAST(x AS INT64)``,
  ``toStringList(x)`` ``CAST(x AS STRING[])``.

>>> to_ladybug("MATCH (n)-[r]->() RETURN labels(n)[0] AS l, type(r) AS t, 'type(x)' AS s")
"MATCH (n)-[r]->() RETURN label(n) AS l, label(r) AS t, 'type(x)' AS s"
>>> to_ladybug("MATCH p = shortestPath((a)-[*..6]-(b)) RETURN p")
'MATCH p = (a)-[* SHORTEST 1..6]-(b) RETURN p'
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


def to_ladybug(text: str) -> str:
    """Rewrite a Neo4j-dialect statement into LadybugDB's dialect (the tokens re-emitted, comments dropped)."""
    tokens = tokenize(text)
    # Literals and backquoted names stand as numbered placeholders that no rewrite matches inside.
    opaque = {str(n): t.text for n, t in enumerate(tokens) if t.kind in ("string", "name")}
    code = emit([Token(t.kind, f"\0{n}\0" if str(n) in opaque else t.text, t.start, t.spaced) for n, t in enumerate(tokens)])
    code = _SHORTEST.sub(lambda m: f"{m.group(1)}* SHORTEST {m.group(2) or 1}..{m.group(3)}{m.group(4)}", code)
    code = _TYPE.sub(r"label(\1)", _LABELS_FIRST.sub(r"label(\1)", code))
    code = _CAST.sub(lambda m: f"CAST({m.group(2)} AS {CASTS[m.group(1)]})", code)
    return _PLACEHOLDER.sub(lambda m: opaque[m.group(1)], code)
