"""The read-only rule for ad-hoc Cypher: a statement with a writing clause is refused.

>>> check_read_only("MATCH (n) RETURN n.name AS name")
"""

from __future__ import annotations

import re

from graph.cypher.lexer import code_only
from graph.errors import ReadOnlyError

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
