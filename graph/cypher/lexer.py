"""Cypher text as code and opaque pieces (string literals, backquoted names, comments).

Every rule that reads a statement's words (the read-only check, the dialect
rewrites, which parameters a statement names) looks only at its code.

>>> code_only("MATCH (n) RETURN 'SET' AS s // DELETE")
"MATCH (n) RETURN '' AS s  "
"""

from __future__ import annotations

import re

# String literals, backquoted names and comments: kept verbatim by every rewrite.
_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n\r]*|/\*.*?\*/", re.S)


def split(text: str) -> list[tuple[bool, str]]:
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
    return "".join(piece if is_code else ("''" if piece[0] in "'\"" else " ") for is_code, piece in split(text))
