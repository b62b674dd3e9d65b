"""Reusable fuzzing of file readers: malformed files must end in one DataError line naming file and line.

Use it for any reader that takes a path and raises :class:`graph.errors.DataError`
(the loader, each importer)::

    from tests.fuzzing import assert_one_line_errors, examples, malformed_lines

    def test_my_importer_survives_malformed_files():
        assert_one_line_errors(my_importer.read, malformed_lines(VALID_LINES), suffix=".csv")

The number of examples is ``TECHGRAPH_FUZZ_EXAMPLES`` (default 200); the ``slow``
tests ask for 10,000 with ``examples(10_000)``. Every case gets a fresh file in a
fresh folder; a reader that raises anything but DataError, or a DataError whose
message spans lines or names neither the file nor (when ``line`` is set) a line,
fails the test with the shrunk case.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import DataError

DEFAULT_EXAMPLES = 200


def examples(default: int = DEFAULT_EXAMPLES) -> int:
    """How many cases a fuzz test runs: ``$TECHGRAPH_FUZZ_EXAMPLES`` when set, else ``default``."""
    return int(os.environ.get("TECHGRAPH_FUZZ_EXAMPLES") or default)


def check_message(error: DataError, path: Path, line: bool = True) -> str:
    """The error's message, after checking it is one line naming the file (and ``file:N`` when ``line``)."""
    message = str(error)
    assert message and "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert path.name in message, f"does not name {path.name}: {message!r}"
    if line:
        assert re.search(re.escape(path.name) + r":\d+", message), f"names no line of {path.name}: {message!r}"
    assert "Traceback" not in message, message
    return message


def run_one(read: Callable[[Path], Any], content: bytes, name: str, line: bool = True) -> str | None:
    """Write ``content`` to a fresh ``name`` and call ``read``; the checked message, or None if it was accepted."""
    with tempfile.TemporaryDirectory(prefix="techgraph-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            read(path)
        except DataError as error:
            return check_message(error, path, line)
    return None


def assert_one_line_errors(
    read: Callable[[Path], Any],
    contents: st.SearchStrategy[bytes],
    *,
    name: str = "fuzz.jsonl",
    line: bool = True,
    max_examples: int | None = None,
    must_fail: bool = False,
) -> None:
    """Feed ``read`` every file ``contents`` draws; each must load or raise one DataError line.

    Parameters
    ----------
    read : callable
        Takes the path of the file to read (in a folder of its own); raises DataError on bad input.
    contents : hypothesis strategy of bytes
        Malformed file contents (see :func:`malformed_lines`).
    name : str
        The file's name: its suffix chooses the reader in the loader.
    line : bool
        Whether every message must name a line (``file:N``); readers of whole-file formats may not.
    max_examples : int, optional
        Cases to run; default :func:`examples`.
    must_fail : bool
        Whether every drawn file is bad (an accepted file then fails the test).
    """

    @settings(
        max_examples=max_examples or examples(),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(content=contents)
    def case(content: bytes) -> None:
        message = run_one(read, content, name, line)
        if must_fail:
            assert message is not None, "a malformed file was accepted"

    case()


def _mutate(lines: list[bytes], how: str, at: int, cut: int, junk: bytes) -> bytes:
    index = at % len(lines)
    line = lines[index]
    if how == "truncate":
        lines = lines[:index] + [line[: cut % (len(line) + 1)]]
    elif how == "insert":
        position = cut % (len(line) + 1)
        lines = lines[:index] + [line[:position] + junk + line[position:]] + lines[index + 1 :]
    elif how == "replace":
        lines = lines[:index] + [junk] + lines[index + 1 :]
    elif how == "drop":
        lines = lines[:index] + lines[index + 1 :]
    elif how == "duplicate":
        lines = lines[: index + 1] + [line] + lines[index + 1 :]
    return b"\n".join(lines) + b"\n"


def malformed_lines(valid: list[bytes], junk: st.SearchStrategy[bytes] | None = None) -> st.SearchStrategy[bytes]:
    """Files made from valid lines by truncating, dropping, duplicating a line, or splicing junk into one.

    ``junk`` defaults to short binary strings, invalid UTF-8 included.
    """
    junk = junk if junk is not None else st.one_of(st.binary(max_size=16), st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]))
    return st.builds(
        _mutate,
        st.just(list(valid)),
        st.sampled_from(["truncate", "insert", "replace", "drop", "duplicate"]),
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=0, max_value=100_000),
        junk,
    )
