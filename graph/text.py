"""Text helpers every layer shares: how errors show a path, "did you mean" hints, numbered lines of a file,
the YAML loader.

Every reader of a text file that is not UTF-8 says so the same way, naming
file, line and the offending byte with its column (1-based, in bytes)::

    sdn.csv:7: not UTF-8 text (byte 0xff at column 12)

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfName\\r\\nZTE\\r\\nGui\\xe9an\\n")
>>> list(numbered_lines(path))
[(1, b'Name\\r\\n'), (2, b'ZTE\\r\\n'), (3, b'Gui\\xe9an\\n')]
>>> list(numbered_lines(path, "list.csv", text=True))
Traceback (most recent call last):
graph.errors.DataError: list.csv:3: not UTF-8 text (byte 0xe9 at column 4)
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal, overload

import yaml

from graph.errors import DataError

BOM = b"\xef\xbb\xbf"
# libyaml's loader where PyYAML was built with it (data files, the schema, query headers, catalogues).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shown(path: Path | str) -> str:
    """A path as errors show it: relative to the working directory when inside it.

    >>> shown(Path.cwd() / "data" / "apps.yaml"), shown("/nowhere/x.yaml")
    ('data/apps.yaml', '/nowhere/x.yaml')
    """
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def suggest(
    word: str,
    candidates: Iterable[str],
    *,
    cutoff: float = 0.6,
    containing: bool = False,
    show: Callable[[str], str] | None = None,
    quote: bool = True,
    otherwise: str = "",
) -> str:
    """`` (did you mean 'a', 'b'?)`` naming up to three candidates close to ``word``, or ``otherwise``.

    The closest come first (:func:`difflib.get_close_matches`, ``cutoff``), then,
    with ``containing``, every candidate that contains ``word``. ``show`` gives
    how a candidate is named (several candidates named alike count once);
    ``quote=False`` names them without quotes.

    >>> suggest("Compnay", ["Company", "App"])
    " (did you mean 'Company'?)"
    >>> suggest("measures-hiting", ["measures-hitting"], cutoff=0.5, quote=False, otherwise=" (see the list)")
    ' (did you mean measures-hitting?)'
    >>> suggest("zzz", ["Company"], otherwise=" (see the list)")
    ' (see the list)'
    >>> names = {"tencent holdings limited": "Tencent Holdings Limited", "tencent": "Tencent Holdings Limited"}
    >>> suggest("tencnt", names, containing=True, show=names.get)
    " (did you mean 'Tencent Holdings Limited'?)"
    """
    candidates = list(candidates)
    hits = difflib.get_close_matches(word, candidates, n=5, cutoff=cutoff)
    if containing:
        hits += [candidate for candidate in candidates if word in candidate]
    names = list(dict.fromkeys(map(show, hits) if show else hits))[:3]
    if not names:
        return otherwise
    return f" (did you mean {', '.join(repr(n) if quote else n for n in names)}?)"


def close_names(name: str, nodes: Iterable[dict]) -> str:
    """The hint of an unknown entity: names, ids and aliases close to ``name`` or containing it (any case), as node names.

    >>> close_names("tencnt", [{"id": "tencent", "name": "Tencent Holdings Limited", "aliases": None}])
    " (did you mean 'Tencent Holdings Limited'?)"
    """
    lowered: dict[str, str] = {}
    for node in nodes:
        for candidate in [node["name"], node["id"], *(node["aliases"] or [])]:
            lowered.setdefault(candidate.lower(), node["name"])
    return suggest(name.lower(), lowered, containing=True, show=lowered.__getitem__)


def not_utf8(data: bytes, position: int) -> str:
    """Why ``data`` is not text: the byte at ``position`` and its column in its line.

    >>> not_utf8(b"ok\\nGui\\xe9an\\n", 6)
    'not UTF-8 text (byte 0xe9 at column 4)'
    """
    column = position - data.rfind(b"\n", 0, position)
    return f"not UTF-8 text (byte {data[position]:#04x} at column {column})"


def decode(data: bytes, name: str, line: int = 1) -> str:
    """``data``, the text of file ``name`` from line ``line`` on, decoded as UTF-8, or a DataError naming file, line and byte.

    >>> decode(b"a\\nb\\xff\\n", "x.yaml")
    Traceback (most recent call last):
    graph.errors.DataError: x.yaml:2: not UTF-8 text (byte 0xff at column 2)
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line += data.count(b"\n", 0, exc.start)
        raise DataError(f"{name}:{line}: {not_utf8(data, exc.start)}") from None


@overload
def numbered_lines(path: Path, name: str | None = ..., *, text: Literal[False] = ...) -> Iterator[tuple[int, bytes]]: ...
@overload
def numbered_lines(
    path: Path, name: str | None = ..., *, text: Literal[True], bad: Callable[[int, str], None] | None = ...
) -> Iterator[tuple[int, str]]: ...
def numbered_lines(path, name=None, *, text=False, bad=None):
    """``(line number, line)`` for each physical line of a file, from 1, a leading UTF-8 BOM dropped.

    Lines are bytes, line ends kept; with ``text`` they are decoded as UTF-8,
    and a line that is not UTF-8 is a :class:`DataError` (``name:line: not UTF-8
    text (byte 0xff at column 12)``), unless ``bad`` is given: then
    ``bad(number, reason)`` is called and the line comes out with its bad bytes
    replaced by U+FFFD, so a caller can skip the row and read on. ``name`` is how
    those errors name the file (default :func:`shown`); a file that cannot be
    opened or read is a DataError ``file: cannot read: reason``.
    """
    name = shown(path) if name is None else name
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
            if not first:
                return
            lines = itertools.chain([first.removeprefix(BOM)], handle)
            if not text:
                yield from enumerate(lines, 1)
                return
            for number, raw in enumerate(lines, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    reason = not_utf8(raw, exc.start)
                    if bad is None:
                        raise DataError(f"{name}:{number}: {reason}") from None
                    bad(number, reason)
                    line = raw.decode("utf-8", errors="replace")
                yield number, line
    except OSError as exc:
        raise DataError(f"{shown(path)}: cannot read: {exc.strerror or exc}") from None
