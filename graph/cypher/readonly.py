"""The read-only rule for ad-hoc Cypher, over the tokens LadybugDB's own lexer would see.

A statement is accepted only if it is one statement (a trailing ``;`` at most)
that starts with a read clause (``MATCH``, ``OPTIONAL MATCH``, ``UNWIND``,
``WITH``, ``RETURN`` or an allowed ``CALL``; ``EXPLAIN`` or ``PROFILE`` before
it) and has no writing or administrative word where the grammar could read it
as a keyword. Such a word is a name only where the grammar allows nothing but a
name: after ``.`` (``n.set``), after ``:`` (a label, a map value), after an
operator, a comma or a bracket, after the keyword ``AS`` (``AS use``) or another
that an expression must follow (``WHERE``, ``ORDER BY``, ...), as a map key
(``{delete: 1}``), or where no clause keyword can be followed by what follows it
(``install * 2``, ``set,``); a parameter (``$create``) and a backquoted name
are single tokens. Everywhere else it is refused, even where a parser might
have found a variable (``WITH 1 AS set MATCH (set)`` is refused: write ```set```). ``CALL`` runs only a
function of the engine's allow-list (on Neo4j, whose read transactions refuse
writes, any procedure).

:func:`read_only_statement` returns the canonical text of what it checked (the
tokens, comments dropped): the embedded engine runs that, never the caller's text.

>>> read_only_statement("MATCH (n) /* **/ SET n.x = 1 */ RETURN n.kind AS use;", frozenset())
'MATCH (n) RETURN n.kind AS use'
>>> check_read_only("MATCH (n) RETURN n.name AS created")
"""

from __future__ import annotations

from collections.abc import Collection

from graph.cypher.lexer import Token, emit, tokenize
from graph.errors import QueryError, ReadOnlyError

READ_CLAUSES = frozenset({"MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CALL"})
WRITING_CLAUSES = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "FOREACH"})
# Words that open a statement or a clause that is neither a read of the graph nor a writing clause:
# files, extensions, databases, transactions, settings, statistics, Neo4j administration.
OTHER_CLAUSES = frozenset({
    "COPY", "LOAD", "INSTALL", "FORCE", "UNINSTALL", "UPDATE", "ATTACH", "USE", "IMPORT", "EXPORT",
    "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "COMMIT_SKIP_CHECKPOINT", "ROLLBACK_SKIP_CHECKPOINT",
    "TRANSACTION", "COMMENT", "MACRO", "ANALYZE", "VACUUM", "PRAGMA",
    "TERMINATE", "STOP", "START", "GRANT", "REVOKE", "DENY", "RENAME", "ENABLE", "DISABLE", "SUSPEND", "SHOW",
})  # fmt: skip
REFUSED = WRITING_CLAUSES | OTHER_CLAUSES
# Keywords that end an expression, so an AS after them is the keyword AS.
_ENDS_EXPRESSION = frozenset({"NULL", "TRUE", "FALSE", "END"})
# Every keyword of LadybugDB's grammar (and Neo4j's clauses): a word that may not be a plain name.
KEYWORDS = REFUSED | READ_CLAUSES | frozenset(
    "ACYCLIC ANY ADD ALL AND AS ASC ASCENDING BY CASE CAST COLUMN CONTAINS COUNT CYCLE DATABASE DBTYPE "
    "DEFAULT DESC DESCENDING DISTINCT ELSE END ENDS EXISTS EXPLAIN EXTENSION FALSE FROM GLOB GRAPH GROUP "
    "HEADERS HINT IF IN INCREMENT IS JOIN KEY LIMIT LOGICAL MAXVALUE MINVALUE MULTI_JOIN NO NODE NOT NONE "
    "NULL ON ONLY OR ORDER PRIMARY PROFILE PROJECT READ REL SEQUENCE SHORTEST SKIP STARTS STRUCT TABLE "
    "THEN TO TRAIL TRUE TYPE UNION WHEN WHERE WRITE WSHORTEST XOR SINGLE YIELD USER PASSWORD ROLE MAP".split()
)


def _ends_expression(tokens: list[Token], k: int, names: set[int]) -> bool:
    token = tokens[k]
    if token.kind in ("string", "number", "parameter", "name") or token.text in (")", "]", "}") or k in names:
        return True
    return token.kind == "word" and (token.upper not in KEYWORDS or token.upper in _ENDS_EXPRESSION)


# After these the grammar wants an operand, a name or an item, never a clause.
_BEFORE_OPERAND = frozenset(". : , ( [ = <> < > <= >= + - / % ^ | & =~ .. !=".split())
# Reserved words (never a name) after which an expression follows.
_OPENERS = frozenset("WITH UNWIND WHERE WHEN THEN ELSE AND OR XOR NOT IN DISTINCT CASE".split())
# Non-reserved words after which an expression or a name follows when they follow an expression.
_AFTER_EXPRESSION = frozenset({"AS", "RETURN", "LIMIT", "SKIP"})
# What no writing or administrative clause keyword can be followed by.
_AFTER_NAME = frozenset(", ) ] } . : = <> < > <= >= + * / % ^ | & =~ ..".split())
_RESERVED_AFTER_NAME = frozenset(
    "AND OR XOR IN ORDER WHERE UNION UNWIND OPTIONAL THEN ELSE END WHEN ASC DESC ASCENDING DESCENDING STARTS ENDS".split()
)


def _is_name(tokens: list[Token], k: int, names: set[int]) -> bool:
    """Whether the word at ``k`` stands where the grammar allows no clause, only a name or an operand."""
    if k == 0:
        return False
    before, after = tokens[k - 1], tokens[k + 1] if k + 1 < len(tokens) else None
    genuine = k - 1 not in names  # the word before is a keyword, not a name spelled like one
    if before.kind == "symbol" and before.text in _BEFORE_OPERAND:
        return True
    if before.text == "{" and after is not None and after.text == ":":
        return True
    if genuine and before.upper in _OPENERS:
        return True
    if genuine and before.upper in _AFTER_EXPRESSION and k >= 2 and _ends_expression(tokens, k - 2, names):
        return True
    if genuine and before.upper == "BY" and k >= 2 and tokens[k - 2].upper == "ORDER":
        return True
    return after is None or after.text in _AFTER_NAME or after.upper in _RESERVED_AFTER_NAME


def _refusal(word: str) -> ReadOnlyError:
    kind = "a writing clause" if word in WRITING_CLAUSES else "not a read clause"
    return ReadOnlyError(f"refused: {word} is {kind} and this entry point is read-only")


def _check_call(tokens: list[Token], k: int, functions: Collection[str] | None) -> None:
    """Refuse a CALL unless it calls an allowed function (any procedure when ``functions`` is None)."""
    name = tokens[k + 1] if k + 1 < len(tokens) else None
    if functions is None:
        return
    if (
        name is None or name.kind != "word" or name.text.lower() not in functions
        or k + 2 >= len(tokens) or tokens[k + 2].text != "("
    ):  # fmt: skip
        shown = name.text if name is not None else ""
        raise ReadOnlyError(
            f"refused: CALL {shown} is not a read-only function here (allowed: {', '.join(sorted(functions))})"
        )


def read_only_statement(text: str, functions: Collection[str] | None = None) -> str:
    """The canonical text of a read-only statement, or :class:`ReadOnlyError`.

    ``functions`` are the (lowercase) names ``CALL`` may run; None allows any
    procedure (Neo4j, whose read transaction refuses writes).

    >>> read_only_statement("MATCH (n) RETURN n;  ", ())
    'MATCH (n) RETURN n'
    >>> read_only_statement("MATCH (n) RETURN n; RETURN 2", ())
    Traceback (most recent call last):
    ...
    graph.errors.ReadOnlyError: refused: one statement at a time (a second statement follows the ; at character 19)
    """
    try:
        tokens = tokenize(text)
    except QueryError as exc:
        raise ReadOnlyError(str(exc)) from None
    if tokens and tokens[-1].text == ";":
        tokens = tokens[:-1]
    for token in tokens:
        if token.text == ";":
            raise ReadOnlyError(
                f"refused: one statement at a time (a second statement follows the ; at character {token.start + 1})"
            )
    if not tokens:
        raise ReadOnlyError("refused: an empty statement")
    first = 0
    if tokens[0].upper in ("EXPLAIN", "PROFILE"):
        first = 2 if len(tokens) > 1 and tokens[0].upper == "EXPLAIN" and tokens[1].upper == "LOGICAL" else 1
    if first >= len(tokens) or tokens[first].upper not in READ_CLAUSES:
        word = tokens[min(first, len(tokens) - 1)]
        raise _refusal(word.upper or word.text)
    names: set[int] = set()
    for k, token in enumerate(tokens):
        if token.kind != "word":
            continue
        if _is_name(tokens, k, names):
            names.add(k)
        elif token.upper in REFUSED:
            raise _refusal(token.upper)
        elif token.upper == "CALL":
            _check_call(tokens, k, functions)
    return emit(tokens)


def check_read_only(text: str, functions: Collection[str] | None = None) -> None:
    """Raise :class:`ReadOnlyError` unless the statement is a read (see :func:`read_only_statement`).

    >>> check_read_only("MATCH (n) RETURN n.name AS created")
    >>> check_read_only("MATCH (n) DETACH DELETE n")
    Traceback (most recent call last):
    ...
    graph.errors.ReadOnlyError: refused: DETACH is a writing clause and this entry point is read-only
    """
    read_only_statement(text, functions)
