"""The one place where Neo4j-dialect Cypher is adapted to other engines, and writes are detected.

Stored queries are written in Neo4j's dialect. LadybugDB differs in a few
spellings, which :func:`to_ladybug` rewrites outside string literals and
comments:

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

from graph.errors import ReadOnlyError

# String literals, backquoted names and comments: kept verbatim by every rewrite.
_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n\r]*|/\*.*?\*/", re.S)
_LABELS_FIRST = re.compile(r"\blabels\s*\(\s*(\w+)\s*\)\s*\[\s*0\s*\]", re.I)
_TYPE = re.compile(r"\btype\s*\(\s*(\w+)\s*\)", re.I)
# Neo4j's conversion functions of one property or variable, and the LadybugDB type each casts to.
CASTS = {"toFloat": "DOUBLE", "toInteger": "INT64", "toStringList": "STRING[]"}
_CAST = re.compile(r"\b(" + "|".join(CASTS) + r")\s*\(\s*([\w.]+)\s*\)")
_SHORTEST = re.compile(
    r"\bshortestPath\s*\(\s*(\(.*?\)\s*<?-\[[^\]*]*)\*\s*(\d*)\s*\.\.\s*(\d+)\s*(\]->?\s*\(.*?\))\s*\)", re.I | re.S
)
WRITING_CLAUSES = (
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD",
    "INSTALL", "ATTACH", "IMPORT", "EXPORT", "CALL", "FOREACH", "BEGIN", "COMMIT",
    "ROLLBACK", "CHECKPOINT", "USE",
)  # fmt: skip
# A clause keyword, not a property (`n.set`), parameter (`$create`) or part of a name.
_WRITING = re.compile(r"(?<![\w.$])(" + "|".join(WRITING_CLAUSES) + r")\b", re.I)
# Neo4j administration commands, which open a statement (their words are ordinary names elsewhere).
ADMIN_COMMANDS = ("TERMINATE", "STOP", "START", "GRANT", "REVOKE", "DENY", "RENAME", "ENABLE", "DISABLE", "SUSPEND")
_ADMIN = re.compile(r"^\s*(" + "|".join(ADMIN_COMMANDS) + r")\b", re.I)


def _split(text: str) -> list[tuple[bool, str]]:
    """Cut a statement into (is_code, piece) parts, literals and comments apart."""
    parts, last = [], 0
    for match in _OPAQUE.finditer(text):
        parts += [(True, text[last : match.start()]), (False, match.group())]
        last = match.end()
    return parts + [(True, text[last:])]


def code_only(text: str) -> str:
    """The statement with literals and comments blanked out (for inspection).

    >>> code_only("RETURN 'CREATE' // SET")
    "RETURN ''  "
    """
    return "".join(piece if is_code else ("''" if piece[0] in "'\"" else " ") for is_code, piece in _split(text))


def to_ladybug(text: str) -> str:
    """Rewrite a Neo4j-dialect statement into LadybugDB's dialect."""
    # shortestPath spans a whole pattern, which has no literals in our queries; rewrite it first.
    text = _SHORTEST.sub(lambda m: f"{m.group(1)}* SHORTEST {m.group(2) or 1}..{m.group(3)}{m.group(4)}", text)
    out = []
    for is_code, piece in _split(text):
        if is_code:
            piece = _TYPE.sub(r"label(\1)", _LABELS_FIRST.sub(r"label(\1)", piece))
            piece = _CAST.sub(lambda m: f"CAST({m.group(2)} AS {CASTS[m.group(1)]})", piece)
        out.append(piece)
    return "".join(out)


def check_read_only(text: str) -> None:
    """Raise :class:`ReadOnlyError` if the statement contains a writing clause.

    >>> check_read_only("MATCH (n) RETURN n.name AS created")
    >>> check_read_only("MATCH (n) DETACH DELETE n")
    Traceback (most recent call last):
    ...
    graph.errors.ReadOnlyError: refused: DETACH is a writing clause and this entry point is read-only
    """
    code = code_only(text)
    match = _WRITING.search(code) or _ADMIN.search(code)
    if match:
        raise ReadOnlyError(
            f"refused: {match.group(1).upper()} is a writing clause and this entry point is read-only"
        )
