"""Cypher text cut into tokens by LadybugDB's own lexical rules (its grammar, ``src/antlr4/Cypher.g4``).

Every rule that reads a statement's words (the read-only check, the dialect
rewrites, which parameters a statement names) reads these tokens, so a comment
or a string ends exactly where the engine ends it:

- ``/* ... */`` ends at a ``*/`` whose ``*`` does not close a ``**`` pair (the
  grammar reads ``'*' ~'/'`` as one step, so ``**/`` does not end a comment);
  ``// ...`` ends at a line feed or the end of the text (a lone carriage return
  does not end it);
- strings in ``'...'`` or ``"..."`` know only the escapes ``\\\\ \\' \\" \\b \\f
  \\n \\r \\t \\xHH \\uHHHH \\uHHHHHHHH``; a backquoted name ends at a backquote
  not doubled;
- whitespace is the grammar's list (with its unicode spaces; not U+0085 or U+200B);
- names start with a letter (ID_Start) or a connector (``_``) and go on with
  ID_Continue or currency signs; numbers are ASCII digits.

An unterminated comment, string or name, an unknown escape, or any character
the grammar has no token for is refused (:class:`graph.errors.QueryError`).

>>> [t.text for t in tokenize("MATCH (n) /* **/ SET n.x = 1 */ RETURN n.set")]
['MATCH', '(', 'n', ')', 'RETURN', 'n', '.', 'set']
>>> code_only("MATCH (n) RETURN 'SET' AS s // DELETE")
"MATCH (n) RETURN '' AS s"
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from graph.errors import QueryError

WHITESPACE = frozenset(
    " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009"
    "\u200a\u2028\u2029\u205f\u3000\u00a0\u2007\u202f"
)
_ESCAPE = r"\\(?:[\\'\"bBfFnNrRtT]|[xX][0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4}(?:[0-9a-fA-F]{4})?)"
_STRING = re.compile(rf"'(?:[^'\\]|{_ESCAPE})*'|\"(?:[^\"\\]|{_ESCAPE})*\"")
_BACKQUOTED = re.compile(r"(?:`[^`]*`)+")
_NUMBERS = (
    re.compile(r"(?:[0-9]+\.[0-9]+|[0-9]+|\.[0-9]+)[eE]-?[0-9]+"),
    re.compile(r"[0-9]*\.[0-9]+"),
    re.compile(r"0|[1-9][0-9]*"),
)
# The grammar's operator tokens of two characters; every other symbol is one character.
_PAIRS = ("<>", "<=", ">=", ">>", "<<", "=~", "!=", "..")
_SYMBOLS = frozenset(
    "();,=[]{}:.*-><|&+/%^$!"
    "\u27e8\u3008\ufe64\uff1c\u27e9\u3009\ufe65\uff1e"  # the grammar's arrow heads
    "\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # and dashes
)


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is word, name (backquoted), string, number, parameter or symbol."""

    kind: str
    text: str
    start: int
    spaced: bool  # whitespace or a comment stood before it

    @property
    def upper(self) -> str:
        """The word as a keyword: ASCII letters only (the engine's keywords are ASCII), else ''."""
        return self.text.upper() if self.kind == "word" and self.text.isascii() else ""


def _name_start(char: str) -> bool:
    return char.isidentifier() or unicodedata.category(char) == "Pc"


def _name_part(char: str) -> bool:
    return ("a" + char).isidentifier() or unicodedata.category(char) in ("Pc", "Sc")


def _refuse(text: str, at: int, what: str) -> QueryError:
    line = text.count("\n", 0, at) + 1
    return QueryError(f"refused: {what} at line {line}, character {at - text.rfind(chr(10), 0, at)}")


def _skip_comment(text: str, i: int) -> int:
    """The end of the comment starting at ``i`` (``/*`` or ``//``)."""
    if text.startswith("//", i):
        end = i + 2
        while end < len(text) and text[end] not in "\n\r":
            end += 1
        if text.startswith("\r", end):
            end += 1
            if end < len(text) and text[end] != "\n":
                raise _refuse(text, i, "a // comment ended by a lone carriage return")
        return end
    end = i + 2
    while end < len(text):
        if text[end] != "*":
            end += 1
        elif text.startswith("*/", end):
            return end + 2
        else:
            end += 2  # '*' and the character after it, which is not '/'
    raise _refuse(text, i, "an unterminated /* comment")


def tokenize(text: str) -> list[Token]:
    """The statement's tokens, comments and whitespace dropped (each token knows if space preceded it)."""
    tokens: list[Token] = []
    i, spaced = 0, False
    while i < len(text):
        char = text[i]
        if char in WHITESPACE:
            i, spaced = i + 1, True
            continue
        if text.startswith(("/*", "//"), i):
            i, spaced = _skip_comment(text, i), True
            continue
        kind, end = _token_at(text, i)
        tokens.append(Token(kind, text[i:end], i, spaced))
        i, spaced = end, False
    return tokens


def _token_at(text: str, i: int) -> tuple[str, int]:
    """The kind and end of the token at ``i``."""
    char = text[i]
    if char in "'\"":
        match = _STRING.match(text, i)
        if not match:
            raise _refuse(text, i, "an unterminated string or an escape LadybugDB does not know")
        return "string", match.end()
    if char == "`":
        match = _BACKQUOTED.match(text, i)
        if not match:
            raise _refuse(text, i, "an unterminated `name`")
        return "name", match.end()
    numbers = [m.end() for m in (p.match(text, i) for p in _NUMBERS) if m]
    if numbers:
        return "number", max(numbers)
    if _name_start(char):
        end = i + 1
        while end < len(text) and _name_part(text[end]):
            end += 1
        return "word", end
    if char == "$":
        if i + 1 < len(text) and _name_start(text[i + 1]):
            end = i + 2
            while end < len(text) and _name_part(text[end]):
                end += 1
            return "parameter", end
        number = _NUMBERS[2].match(text, i + 1)
        if not number:
            raise _refuse(text, i, "a $ without a parameter name")
        return "parameter", number.end()
    if text.startswith(_PAIRS, i):
        return "symbol", i + 2
    if char in _SYMBOLS:
        return "symbol", i + 1
    raise _refuse(text, i, f"character {char!r} (U+{ord(char):04X}), which LadybugDB's grammar does not accept")


def emit(tokens: list[Token]) -> str:
    """The tokens as text, one space where whitespace or a comment stood."""
    return "".join((" " if t.spaced and n else "") + t.text for n, t in enumerate(tokens))


def code_only(text: str) -> str:
    """The statement with string literals blanked, names in backquotes and comments dropped (for inspection).

    >>> code_only("RETURN 'CREATE' // SET")
    "RETURN ''"
    """
    blank = {"string": "''", "name": " "}
    return emit([Token(t.kind, blank.get(t.kind, t.text), t.start, t.spaced) for t in tokenize(text)])


def parameter_names(text: str) -> set[str]:
    """The names of the ``$parameters`` the statement uses.

    >>> sorted(parameter_names("MATCH (n {id: $id}) WHERE n.x = '$no' RETURN $k2"))
    ['id', 'k2']
    """
    return {t.text[1:] for t in tokenize(text) if t.kind == "parameter"}
