"""The embedded database's folder: one build file per data fingerprint, a manifest and a name
index beside each, a ``current`` symlink, and the imported lists.

Reading this layout never loads the build machinery: opening the database to
answer a query needs only the manifest and the fingerprint of the data files.

>>> import tempfile
>>> manifest = ensure_database(Path(tempfile.mkdtemp()))
>>> manifest["nodes"] > 100
True
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.dataset.files import file_stats, fingerprint
from graph.errors import DatabaseError
from graph.paths import data_folders, extra_folders

CURRENT = "current"
BUILD_SUFFIX = ".lbdb"
IMPORTS = "imports"
# Files and folders of one process's unfinished work in a database folder: a build under its
# temporary name (`.<stamp>.<pid>.tmp`, and the engine's `.wal`, `.shadow`, `.checkpoint...` files
# beside it), its CSV folder (`.tmp.csv`), name index (`.tmp.names`) and manifest (`.tmp.json`), the
# `current` link being swapped (`.current.<pid>.tmp`), an imported list being replaced
# (`imports/.<list>.jsonl.<pid>.tmp`) and a probe of whether the folder is writable.
_LEFTOVER = re.compile(r"^\.(.+?)\.(\d+)\.tmp(\..*)?$")
# Beside a build file, written by LadybugDB while a read-write connection is open or checkpointing.
ENGINE_SIDE_FILES = (".wal", ".shadow", ".wal.checkpoint", ".checkpoint.apply.lock", ".checkpoint.intent.lock")
_log = logging.getLogger("graph")
# Manifests of this format list only the user's extra folders under "folders"; older ones
# (no "manifest_format") list the shipped data folder of the install that built them first.
MANIFEST_FORMAT = 2


def imports_dir(db_dir: Path) -> Path:
    """The folder of imported lists (one ``<list>.jsonl`` each), part of every build of ``db_dir``."""
    return Path(db_dir) / IMPORTS


def build_folders(db_dir: Path, folders: list[Path] | None = None) -> list[Path]:
    """The data folders a build of ``db_dir`` reads: shipped data, extra folders, then imported lists.

    The shipped data is this install's, whatever ``folders`` holds: it is never an extra folder.
    """
    imported = imports_dir(db_dir).resolve()
    folders = [f for f in data_folders(folders) if f != imported]
    if imported.is_dir():
        folders.append(imported)
    return folders


def recorded_folders(db_dir: Path, folders) -> list[str]:
    """What a manifest records of the folders a build read: the user's extra folders only.

    Neither the shipped data folder (its place differs between installs sharing one
    database: a wheel, an editable checkout, another virtual environment) nor the
    database's own imported lists, both of which every build reads anyway.
    """
    imported = imports_dir(db_dir).resolve()
    return [str(f) for f in extra_folders(folders) if f != imported]


def with_folders_read(db_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """A manifest as read from disk, its ``folders`` those a build of it reads from this install.

    An old manifest (no ``manifest_format``) lists the shipped data folder of the install
    that built it first: that entry is dropped, this install's shipped folder takes its place.
    """
    if "folders" not in manifest:
        return manifest
    extra = list(manifest["folders"])
    if manifest.get("manifest_format") is None:
        extra = extra[1:]
    return {**manifest, "folders": [str(f) for f in build_folders(db_dir, [Path(f) for f in extra])]}


def manifest_path(build: Path) -> Path:
    return build.with_suffix(".json")


def names_path(build: Path) -> Path:
    """The name index beside a build file (:mod:`graph.backends.ladybug.names`)."""
    return Path(build).with_suffix(".names")


def current_build(db_dir: Path) -> Path | None:
    """The build file the ``current`` link points to, or None when there is none."""
    link = Path(db_dir) / CURRENT
    if not link.is_symlink():
        return None
    target = Path(db_dir) / os.readlink(link)
    return target if target.is_file() else None


def build_manifest(build: Path) -> dict[str, Any] | None:
    """The manifest beside a build file, or None when there is none.

    A manifest that cannot be read or is not a techgraph manifest (fingerprint,
    node and edge counts; folders, when given, a list of paths) raises
    DatabaseError naming it and the way out.

    >>> import tempfile
    >>> broken = Path(tempfile.mkdtemp()) / "x.json"; _ = broken.write_text("{")
    >>> build_manifest(broken.with_suffix(BUILD_SUFFIX))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.DatabaseError: .../x.json: the database manifest is not valid JSON; rebuild the database with `techgraph load`
    """
    path = manifest_path(Path(build))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DatabaseError(
            f"{path}: cannot read the database manifest ({reason}); rebuild the database with `techgraph load`"
        ) from None
    try:
        manifest = json.loads(text)
    except ValueError:
        raise DatabaseError(
            f"{path}: the database manifest is not valid JSON; rebuild the database with `techgraph load`"
        ) from None
    valid = (
        isinstance(manifest, dict)
        and isinstance(manifest.get("fingerprint"), str)
        and all(type(manifest.get(count)) is int for count in ("nodes", "edges"))
        and (
            "folders" not in manifest
            or (isinstance(manifest["folders"], list) and all(isinstance(f, str) for f in manifest["folders"]))
        )
        and type(manifest.get("manifest_format", MANIFEST_FORMAT)) is int
    )
    if not valid:
        raise DatabaseError(f"{path}: not a techgraph database manifest; rebuild the database with `techgraph load`")
    return manifest


def read_manifest(db_dir: Path) -> dict[str, Any] | None:
    """The manifest of the current build (folders, fingerprint, counts), or None when there is no build.

    Its ``folders`` are those a build reads from this install (:func:`build_folders`): this
    install's shipped data, the extra folders the manifest records, the imported lists.
    A current build whose manifest is missing counts as none (the next use rebuilds);
    one whose manifest is broken raises DatabaseError (see :func:`build_manifest`).
    """
    build = current_build(db_dir)
    if build is None:
        return None
    manifest = build_manifest(build)
    if manifest is not None and "folders" not in manifest:
        raise DatabaseError(
            f"{manifest_path(build)}: not a techgraph database manifest; rebuild the database with `techgraph load`"
        )
    return None if manifest is None else with_folders_read(Path(db_dir), manifest)


def file_identity(build: Path) -> dict[str, int]:
    """Size and modification time of a build file: the manifest records them when the build is made,
    so that opening the same file again can skip counting its contents
    (see :class:`graph.backends.ladybug.engine.EmbeddedEngine`)."""
    stat = Path(build).stat()
    return {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def unwritable(folder: Path) -> str | None:
    """Why this process cannot create files in ``folder`` (its OS reason), or None when it can.

    Tried, not inferred from the mode bits: root ignores them, a read-only mount or an
    immutable folder does not.
    """
    probe = Path(folder) / f".probe.{os.getpid()}.tmp"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        return exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
    probe.unlink(missing_ok=True)
    return None


def sweep_leftovers(db_dir: Path) -> None:
    """Remove what builds and imports whose process is gone (killed, power cut) left in ``db_dir``:
    temporary build files and their CSV folders, engine side files, half-replaced imported lists.

    Files of a live process (another build running now) are left alone; a folder this process
    cannot write is left as it is.
    """
    db_dir = Path(db_dir)
    for folder in (db_dir, imports_dir(db_dir)):
        try:
            entries = [p for p in folder.iterdir() if p.name.startswith(".")]
        except OSError:  # no such folder, or not readable
            continue
        for leftover in entries:
            found = _LEFTOVER.match(leftover.name)
            if found is None or _alive(int(found.group(2))):
                continue
            try:
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink(missing_ok=True)
            except OSError:
                pass


def remove_side_files(build: Path) -> None:
    """Remove the engine's files beside a build file (a WAL of an old connection replays into any
    file of that name: a stale one makes a new build of the same name unreadable)."""
    for suffix in ENGINE_SIDE_FILES:
        Path(f"{build}{suffix}").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


_held: dict[str, int] = {}  # database folder -> how deep this process holds its lock (a build inside an import)


@contextlib.contextmanager
def changing(db_dir: Path, what: str) -> Iterator[None]:
    """Hold the database folder's lock while ``what`` (an import, a build) changes it.

    Two processes changing one folder take turns: the second waits for the first, saying so
    once on stderr (logger ``graph``), then works on what the first left. The lock is the
    kernel's (``flock`` on the folder itself, so no file is left behind): a killed holder
    releases it.

    >>> import tempfile
    >>> with changing(Path(tempfile.mkdtemp()), "a test"):
    ...     pass
    """
    key = str(Path(db_dir).resolve())
    if _held.get(key):  # a build inside this process's import: the lock is ours already
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    try:
        Path(db_dir).mkdir(parents=True, exist_ok=True)
        handle = os.open(db_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise DatabaseError(f"{db_dir}: cannot open the database folder ({exc.strerror}); nothing was changed") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log.warning("waiting: %s is being changed by another import or build; %s starts when it is done", db_dir, what)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(handle)  # releases the lock


def ensure_database(db_dir: Path, folders: list[Path] | None = None) -> dict[str, Any]:
    """Return the current build's manifest, rebuilding first when the data changed.

    Without ``folders`` the current build's own folders are checked, so a
    database loaded with extra folders stays that way. The shipped data read is
    this install's, whichever install (wheel, checkout, other environment) built
    the current build: the same data serves as it is, other data is rebuilt.

    A database folder this process cannot write (one shared read-only, built by someone
    else) serves its current build even when the data changed since: one warning (logger
    ``graph``; on stderr when logging is not set up) says it is stale and cannot be rebuilt here,
    and the manifest returned has ``"stale": True`` (the graph is then the build's, not the files').
    Leftovers of killed builds are swept first (:func:`sweep_leftovers`).
    """
    db_dir = Path(db_dir)
    sweep_leftovers(db_dir)
    manifest = read_manifest(db_dir)
    if folders is None and manifest is not None:
        folders = [Path(f) for f in manifest["folders"] if Path(f).is_dir()]
    folders = build_folders(db_dir, folders)
    if manifest is not None and _untouched(manifest.get("files"), folders):
        return manifest
    if manifest is None or manifest.get("fingerprint") != fingerprint(folders):
        reason = unwritable(db_dir) if manifest is not None else None
        if manifest is not None and reason is not None:
            _log.warning(
                "warning: %s: the database is stale (the data changed since its build of %s) and cannot be "
                "rebuilt here (%s); answering from that build",
                db_dir, manifest.get("built_at", "unknown date"), reason,
            )
            return {**manifest, "stale": True}
        from graph.backends.ladybug.build import build_database, install_existing  # only when the data changed

        with changing(db_dir, "a rebuild"):
            # Another process may have built it (or an import stopped between its two renames): use that build.
            existing = install_existing(db_dir, fingerprint(folders))
            return existing if existing is not None else build_database(db_dir, folders)
    return manifest


# A file written within this long before its stats were taken may be rewritten later with the same
# size and the same coarse timestamp: such files are read again (git's "racy clean" rule).
RACY_NS = 2_000_000_000


def _untouched(recorded: Any, folders: list[Path]) -> bool:
    """Whether every data file has the size and modification time the build recorded (then the
    fingerprint is the same, and the files need not be read)."""
    if not isinstance(recorded, dict) or recorded.get("stats") != file_stats(folders):
        return False
    return all(int(mtime) < recorded["at_ns"] - RACY_NS for _, _, mtime in recorded["stats"])

