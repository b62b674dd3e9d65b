"""Where techgraph finds its shipped data and queries, and keeps its database.

In a source checkout (or an editable install) ``data/`` and ``queries/`` sit
beside the ``graph`` package; a wheel carries them inside the package.

>>> (data_dir() / "schema.yaml").is_file()
True
"""

from __future__ import annotations

import os
from pathlib import Path

from graph.errors import DataError, QueryError
from graph.text import shown

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def data_dir() -> Path:
    """The shipped dataset folder (schema, documents and data files)."""
    return _shipped("data")


def extra_folders(folders=None) -> list[Path]:
    """The user's extra data folders among ``folders``: resolved, no repeats, never the shipped one.

    The shipped data folder is always read first (:func:`data_folders`), so it is
    never an extra folder; this is what a database's manifest records, since the
    shipped folder's place differs between installs that may share one database.

    >>> extra_folders([data_dir(), "/tmp/x", "/tmp/x/../x"]) == [Path("/tmp/x").resolve()]
    True
    """
    shipped = data_dir().resolve()
    extra: list[Path] = []
    for folder in folders or []:
        resolved = Path(folder).resolve()
        if resolved != shipped and resolved not in extra:
            extra.append(resolved)
    return extra


def data_folders(extra=None) -> list[Path]:
    """The shipped data folder followed by any extra folders (resolved, no repeats).

    >>> data_folders() == [data_dir().resolve()]
    True
    """
    return [data_dir().resolve(), *extra_folders(extra)]


def queries_dir() -> Path:
    """The folder of stored ``.cypher`` queries."""
    return _shipped("queries")


def default_db_dir() -> Path:
    """The embedded database folder: ``$TECHGRAPH_DB``, else ``$XDG_CACHE_HOME/techgraph/db``; a
    leading ``~`` is the user's home, as a shell would expand it.

    >>> saved = os.environ.get("TECHGRAPH_DB")
    >>> os.environ["TECHGRAPH_DB"] = "/tmp/x"; str(default_db_dir())
    '/tmp/x'
    >>> os.environ["TECHGRAPH_DB"] = "~/x"; default_db_dir() == Path.home() / "x"
    True
    >>> _ = os.environ.pop("TECHGRAPH_DB") if saved is None else os.environ.update(TECHGRAPH_DB=saved)
    """
    if os.environ.get("TECHGRAPH_DB"):
        return Path(os.environ["TECHGRAPH_DB"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache).expanduser() / "techgraph" / "db"


def out_folder(out_dir: Path | str) -> Path:
    """``out_dir``, created if missing and checked writable, for a command's output files.

    A path that cannot be a folder (it, or a folder above it, is a file) is a QueryError; a
    folder that cannot be created or written to is a DataError: each one line naming the path.

    >>> out_folder(os.path.join(__file__, "sub"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: .../paths.py/sub: not a folder: .../paths.py is a file
    """
    out = Path(out_dir)
    blocking = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise QueryError(f"{shown(out)}: not a folder: {shown(blocking)} is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".techgraph-probe.{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise DataError(f"{shown(out)}: cannot write: {exc.strerror}") from None
    return out
