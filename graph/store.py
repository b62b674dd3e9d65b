"""The embedded LadybugDB database: built from the networkx graph, swapped in atomically.

A database folder holds one file per build, named after the fingerprint of the
data it was built from, a JSON manifest beside each, and a ``current`` symlink.
A rebuild writes a new file under a temporary name and then replaces the
symlink in one ``rename``: readers see the old build or the new one, never a
half-written one, and a failed build leaves the old one in place.

Example
-------
>>> import tempfile
>>> manifest = ensure_database(Path(tempfile.mkdtemp()))
>>> manifest["nodes"] > 100
True
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from graph.errors import DatabaseError, TechgraphError
from graph.loader import fingerprint, row_batches
from graph.paths import data_folders
from graph.schema import LADYBUG_TYPES

# Rows per statement and the engine's page cache while building: memory stays bounded at any size
# (one UNWIND of every row and the default pool, 80% of RAM, took 12 GB at 1M edges).
BUILD_BATCH = 50_000
BUILD_BUFFER_POOL = 512 * 1024 * 1024
CURRENT = "current"
BUILD_SUFFIX = ".lbdb"
IMPORTS = "imports"


def imports_dir(db_dir: Path) -> Path:
    """The folder of imported lists (one ``<list>.jsonl`` each), part of every build of ``db_dir``."""
    return Path(db_dir) / IMPORTS


def build_folders(db_dir: Path, folders: list[Path] | None = None) -> list[Path]:
    """The data folders a build of ``db_dir`` reads: shipped data, extra folders, then imported lists."""
    folders = data_folders(folders)
    imported = imports_dir(db_dir).resolve()
    if imported.is_dir() and imported not in folders:
        folders.append(imported)
    return folders


def _manifest_path(build: Path) -> Path:
    return build.with_suffix(".json")


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
    path = _manifest_path(Path(build))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DatabaseError(f"{path}: cannot read the database manifest ({reason}); rebuild the database with `techgraph load`") from None
    try:
        manifest = json.loads(text)
    except ValueError:
        raise DatabaseError(f"{path}: the database manifest is not valid JSON; rebuild the database with `techgraph load`") from None
    valid = (
        isinstance(manifest, dict)
        and isinstance(manifest.get("fingerprint"), str)
        and all(type(manifest.get(count)) is int for count in ("nodes", "edges"))
        and (
            "folders" not in manifest
            or (isinstance(manifest["folders"], list) and all(isinstance(f, str) for f in manifest["folders"]))
        )
    )
    if not valid:
        raise DatabaseError(f"{path}: not a techgraph database manifest; rebuild the database with `techgraph load`")
    return manifest


def read_manifest(db_dir: Path) -> dict[str, Any] | None:
    """The manifest of the current build (folders, fingerprint, counts), or None when there is no build.

    A current build whose manifest is missing counts as none (the next use rebuilds);
    one whose manifest is broken raises DatabaseError (see :func:`build_manifest`).
    """
    build = current_build(db_dir)
    if build is None:
        return None
    manifest = build_manifest(build)
    if manifest is not None and "folders" not in manifest:
        raise DatabaseError(f"{_manifest_path(build)}: not a techgraph database manifest; rebuild the database with `techgraph load`")
    return manifest


def _assignments(properties) -> str:
    # Cast every column: a batch whose values are all null or empty lists has no type of its own.
    return ", ".join(f"{p.name}: CAST(r.{p.name} AS {LADYBUG_TYPES[p.type]})" for p in properties.values())


def write_database(g, path: Path, schema) -> None:
    """Create a LadybugDB file at ``path`` holding every node and edge of ``g``."""
    import ladybug

    db = ladybug.Database(str(path), buffer_pool_size=BUILD_BUFFER_POOL)
    conn = ladybug.Connection(db)
    try:
        for statement in schema.ladybug_ddl():
            conn.execute(statement)
        for kind, rows in row_batches(g, schema, BUILD_BATCH):
            if isinstance(kind, str):
                assignments = _assignments(schema.nodes[kind].properties)
                conn.execute(f"UNWIND $rows AS r CREATE (:{kind} {{{assignments}}})", {"rows": rows})
            else:
                rel_type, source_label, target_label = kind
                assignments = _assignments(schema.relations[rel_type].properties)
                conn.execute(
                    # Two MATCH clauses: each end is a key lookup. One comma-joined MATCH is planned as a
                    # cross product filtered row by row (20k rows: 33 s instead of 0.65 s; 1M never ends).
                    f"UNWIND $rows AS r MATCH (a:{source_label} {{id: r.from}}) MATCH (b:{target_label} {{id: r.to}}) "
                    f"CREATE (a)-[:{rel_type} {{{assignments}}}]->(b)",
                    {"rows": rows},
                )
    finally:
        conn.close()
        db.close()


def build_database(db_dir: Path, folders: list[Path] | None = None) -> dict[str, Any]:
    """Validate the data, build a new database and make it current, atomically.

    Parameters
    ----------
    db_dir : path-like
        The database folder (created if missing).
    folders : list of path-like, optional
        Data folders; the shipped ``data/`` is always first and the database's
        imported lists (:func:`imports_dir`) last.

    Returns
    -------
    dict
        The manifest of the new build: folders, fingerprint, node, edge and
        measure counts, build time.
    """
    from graph.loader import load_graph

    started = time.perf_counter()
    folders = build_folders(Path(db_dir), folders)
    g = load_graph(folders)  # raises before anything is written
    stamp = fingerprint(folders)
    manifest = install_build(Path(db_dir), g, stamp, {"folders": [str(f) for f in folders]}, started)
    for view in (Path(db_dir) / "as-of").glob("*"):  # as-of views of older data
        if not view.name.startswith(f"{stamp}-"):
            shutil.rmtree(view, ignore_errors=True)
    return manifest


def install_build(db_dir: Path, g, stamp: str, extra: dict[str, Any], started: float | None = None) -> dict[str, Any]:
    """Write ``g`` as the build named ``stamp`` in ``db_dir`` and make it current, atomically.

    ``extra`` goes into the manifest beside the fingerprint and the counts.
    """
    from graph.schema import load_schema

    started = started or time.perf_counter()
    try:
        db_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{db_dir}: cannot create the database folder: {exc.strerror}") from None
    build = db_dir / f"{stamp}{BUILD_SUFFIX}"
    temporary = db_dir / f".{stamp}.{os.getpid()}.tmp"
    manifest = {
        "fingerprint": stamp,
        **extra,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "measures": sum(1 for _, d in g.nodes(data=True) if d["label"] == "Measure"),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        write_database(g, temporary, load_schema())
        manifest["build_seconds"] = round(time.perf_counter() - started, 3)
        _manifest_path(temporary).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        os.replace(_manifest_path(temporary), _manifest_path(build))
        os.replace(temporary, build)
        link = db_dir / f".{CURRENT}.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(build.name)
        os.replace(link, db_dir / CURRENT)
    except TechgraphError:
        raise
    except Exception as exc:  # ladybug raises RuntimeError; the OS raises OSError
        raise DatabaseError(f"{db_dir}: build failed, previous database kept: {str(exc).splitlines()[0]}") from None
    finally:
        for leftover in (temporary, _manifest_path(temporary), Path(f"{temporary}.wal")):
            leftover.unlink(missing_ok=True)
    _remove_old_builds(db_dir, keep={build.name})
    return manifest


def _remove_old_builds(db_dir: Path, keep: set[str]) -> None:
    # Keep the newest previous build too: a reader may have resolved `current` just before the swap.
    builds = sorted(db_dir.glob(f"*{BUILD_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [b for b in builds if b.name not in keep][1:]:
        for path in (old, _manifest_path(old), Path(f"{old}.wal")):
            path.unlink(missing_ok=True)
    # Half-written files of builds whose process died (killed, power cut): `.<stamp>.<pid>.tmp...`.
    for leftover in db_dir.glob(".*.tmp*"):
        pid = leftover.name.split(".")[2]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_database(db_dir: Path, folders: list[Path] | None = None) -> dict[str, Any]:
    """Return the current build's manifest, rebuilding first when the data changed.

    Without ``folders`` the current build's own folders are checked, so a
    database loaded with extra folders stays that way.
    """
    db_dir = Path(db_dir)
    manifest = read_manifest(db_dir)
    if folders is None and manifest is not None:
        folders = [Path(f) for f in manifest["folders"] if Path(f).is_dir()]
    folders = build_folders(db_dir, folders)
    if manifest is None or manifest.get("fingerprint") != fingerprint(folders):
        return build_database(db_dir, folders)
    return manifest
