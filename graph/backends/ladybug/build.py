"""Building the embedded LadybugDB database: the data files streamed in, the build swapped in atomically.

The folder's layout (builds, manifests, name indexes, the ``current`` symlink) is
:mod:`graph.backends.ladybug.folder`'s. A rebuild writes a new file under a temporary name and then replaces the
symlink in one ``rename``: readers see the old build or the new one, never a
half-written one, and a failed build leaves the old one in place.

Example
-------
>>> import tempfile
>>> manifest = build_database(Path(tempfile.mkdtemp()))
>>> manifest["nodes"] > 100
True
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends.ladybug.folder import (
    BUILD_SUFFIX,
    CURRENT,
    MANIFEST_FORMAT,
    build_folders,
    build_manifest,
    changing,
    file_identity,
    manifest_path,
    names_path,
    recorded_folders,
    remove_side_files,
    sweep_leftovers,
    unwritable,
    with_folders_read,
)
from graph.backends.ladybug.names import NameIndexWriter
from graph.dataset.asof import AsOfValues, days_table, days_tables
from graph.dataset.asof import columns as as_of_columns
from graph.dataset.derived import CHAIN, PROPERTIES, Derivation
from graph.dataset.files import file_stats, fingerprint
from graph.dataset.validate import Row, dataset_rows
from graph.errors import DatabaseError, TechgraphError
from graph.model.types import PROPERTY_TYPES

if TYPE_CHECKING:
    from graph.backends.ladybug.changes import BuildChanges
    from graph.dataset.asof import AsOfValues

_log = logging.getLogger("graph")

# The schema forbids control characters in values: U+001F can join a list's items in a CSV field.
LIST_SEPARATOR = "\x1f"
# LadybugDB's page cache while building: the COPY of one relation table holds its rows in it
# (1M relation rows needed between 512 and 700 MB), plus a base for the node tables' indexes.
BUILD_POOL_BASE = 256 * 1024 * 1024
BUILD_POOL_PER_ROW = 768
BUILD_POOL_ATTEMPTS = 4  # the estimate doubled up to three times before the build gives up


def cypher_string(text: str) -> str:
    """A Cypher string literal (LadybugDB takes a file to LOAD FROM as a literal only, never a parameter)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _CsvTables:
    """Rows written to one CSV file per node label and per (type, from label, to label), for COPY.

    A list property is one field, its items joined by :data:`LIST_SEPARATOR`
    (a lone separator is the empty list); an empty field is null.
    """

    def __init__(self, folder: Path, schema):
        self.folder, self.schema = folder, schema
        self.as_of = as_of_columns(schema)  # label -> the as-of columns the build adds, with their types
        self.days = days_tables(schema)  # the as-of tables of derived relations -> the type each copies
        # kind -> file, writer, columns, their LadybugDB types, the positions of list columns
        self.files: dict[Any, tuple[Any, Any, list[str], list[str], list[int]]] = {}
        self.rows: dict[Any, int] = {}

    def columns(self, kind) -> list[str]:
        """The columns of the file of ``kind``: a node's properties and as-of columns; a relation's ends, then its properties."""
        return self._columns(kind)[0]

    def _columns(self, kind) -> tuple[list[str], dict[str, str]]:
        properties = self.schema.properties_of(kind if isinstance(kind, str) else (self.days.get(kind[0], kind[0]), *kind[1:]))
        kinds = {name: p.type for name, p in properties.items()} | self.as_of.get(kind if isinstance(kind, str) else kind[0], {})
        return (list(kinds) if isinstance(kind, str) else ["from", "to", *kinds]), kinds

    def _open(self, kind):
        columns, kinds = self._columns(kind)
        types = [PROPERTY_TYPES[kinds[c]].ladybug if c in kinds else "STRING" for c in columns]
        lists = [i for i, c in enumerate(columns) if kinds.get(c) == "string-list"]
        handle = open(self.folder / f"{len(self.files)}.csv", "w", encoding="utf-8", newline="")
        self.files[kind] = (handle, csv.writer(handle), columns, types, lists)
        self.rows[kind] = 0
        return self.files[kind]

    def add(self, kind, row: dict[str, Any]) -> None:
        _, writer, columns, _, lists = self.files.get(kind) or self._open(kind)
        fields = list(map(row.get, columns))
        for i in lists:
            value = fields[i]
            if value is not None:
                fields[i] = LIST_SEPARATOR.join(value) or LIST_SEPARATOR
        writer.writerow(fields)
        self.rows[kind] += 1

    def fill(self, derived: dict[str, dict[str, Any]], as_of: AsOfValues) -> None:
        """Rewrite each node file with derived properties (:mod:`graph.dataset.derived`) and as-of columns
        (:mod:`graph.dataset.asof`) in their columns, and each relation file whose type has as-of columns
        with the days each relation holds (:meth:`graph.dataset.asof.AsOfValues.relation`)."""
        def node(key: int) -> Callable[[list[str]], dict[str, Any]]:
            return lambda fields: derived.get(fields[key], {})

        def relation(since: int, until: int) -> Callable[[list[str]], dict[str, Any]]:  # its ends: its first two fields
            return lambda f: as_of.relation(f[0], f[1], (f[since] or None, f[until] or None))

        for kind, (_, _, columns, _, _) in list(self.files.items()):
            if isinstance(kind, str) and (kind in PROPERTIES or kind in self.as_of):
                self._rewrite(kind, node(columns.index("id")))
            elif not isinstance(kind, str) and kind[0] in self.as_of:
                self._rewrite(kind, relation(columns.index("since"), columns.index("until")))

    def _rewrite(self, kind, values: Callable[[list[str]], dict[str, Any]]) -> None:
        """Rewrite the file of ``kind`` with the ``values`` of each row (read as add() wrote it) in their columns."""
        handle, _, columns, _, _ = self.files[kind]
        handle.close()
        path = Path(handle.name)
        filled = path.with_name(f"filled-{path.name}")
        at = {name: i for i, name in enumerate(columns)}
        # Values are as long as the data makes them: csv's default of 131,072 characters a field would refuse some.
        csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
        with open(path, encoding="utf-8", newline="") as rows, open(filled, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for fields in csv.reader(rows):
                for name, value in values(fields).items():
                    if isinstance(value, list):  # a list column, as add() writes one
                        value = LIST_SEPARATOR.join(value) or LIST_SEPARATOR
                    fields[at[name]] = value
                writer.writerow(fields)
        os.replace(filled, path)

    def load(self, kind) -> tuple[str, dict[str, str]]:
        """The ``LOAD ... FROM`` clause reading the file of ``kind`` (closed now), and each column's value as an expression."""
        handle, _, columns, types, lists = self.files[kind]
        handle.close()
        header = ", ".join(f"c{i} {'STRING' if i in lists else t}" for i, t in enumerate(types))
        split = f"CASE WHEN c{{}} = '{LIST_SEPARATOR}' THEN CAST([] AS STRING[]) ELSE string_split(c{{}}, '{LIST_SEPARATOR}') END"
        values = {column: split.format(i, i) if i in lists else f"c{i}" for i, column in enumerate(columns)}
        source = cypher_string(str(Path(handle.name).resolve()))
        return f"LOAD WITH HEADERS ({header}) FROM {source} (header=false, parallel=false)", values

    def copy_statements(self) -> list[str]:
        """One COPY per file: node tables first, as relation tables need their ends."""
        statements = []
        for kind in sorted(self.files, key=lambda k: not isinstance(k, str)):
            load, values = self.load(kind)
            table, ends = (kind, "") if isinstance(kind, str) else (kind[0], f" (from='{kind[1]}', to='{kind[2]}')")
            statements.append(f"COPY {table} FROM ({load} RETURN {', '.join(values.values())}){ends}")
        return statements

    def close(self) -> None:
        for handle, *_ in self.files.values():
            handle.close()


def _execute_all(path: Path, statements: list[str], pool: int) -> None:
    import ladybug

    # One checkpoint at the end, not one per COPY: a build of the shipped data in half the time, 100k in 0.8x.
    db = ladybug.Database(str(path), buffer_pool_size=pool, auto_checkpoint=False)
    conn = ladybug.Connection(db)
    try:
        for statement in [*statements, "CHECKPOINT"]:
            conn.execute(statement)
    finally:
        conn.close()
        db.close()


def write_database(rows, path: Path, schema) -> dict[str, int]:
    """Create a LadybugDB file at ``path`` holding ``rows`` (see :func:`graph.dataset.validate.dataset_rows`).

    The rows stream to CSV files beside ``path`` (removed afterwards), which
    LadybugDB's bulk COPY then reads: nothing of the graph is held in memory.
    The name index goes to ``<path>.names``. Returns the counts of nodes, edges
    and measures written.
    """
    folder = Path(f"{path}.csv")
    folder.mkdir()
    tables = _CsvTables(folder, schema)
    derivation = Derivation()
    derived = {rel_type for rel_type, rel in schema.relations.items() if rel.derived}
    try:
        with NameIndexWriter(Path(f"{path}.names")) as names:
            for kind, row in rows:
                if not isinstance(kind, str) and kind[0] in derived:
                    continue  # a graph's derived relations (graph_rows): derived again below
                tables.add(kind, row)
                derivation.see(kind, row)
                if isinstance(kind, str):
                    names.add(kind, row)
        values = derivation.values()
        as_of = derivation.as_of(values)
        days = as_of.values()
        tables.fill({node: {**values.get(node, {}), **days.get(node, {})} for node in values.keys() | days.keys()}, as_of)
        for row in derivation.chains():
            tables.add((CHAIN, "Measure", "Measure"), row)
        for row in as_of.chains():
            tables.add((days_table(CHAIN), "Measure", "Measure"), row)
        # In the files now: freed before the engine takes its page cache (peak RSS at 1M relations 1.50 -> 1.01 GB).
        del derivation, values, as_of, days
        statements = tables.copy_statements()
        largest = max([n for kind, n in tables.rows.items() if not isinstance(kind, str)], default=0)
        pool = BUILD_POOL_BASE + BUILD_POOL_PER_ROW * largest
        for attempt in range(1, BUILD_POOL_ATTEMPTS + 1):
            try:
                _execute_all(path, [*schema.ladybug_ddl(tables.as_of, tables.days), *statements], pool)
                break
            except RuntimeError as exc:
                if "buffer pool is full" not in str(exc):
                    raise
                path.unlink(missing_ok=True)
                remove_side_files(path)
                if attempt == BUILD_POOL_ATTEMPTS:
                    raise DatabaseError(
                        f"{path.parent}: build failed, previous database kept: LadybugDB's page cache of "
                        f"{pool // 2**20} MB was too small for {largest} relations of one table"
                    ) from None
                pool *= 2  # rows wider than the estimate (long notes, many sources): try again with more
    finally:
        tables.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "nodes": sum(n for kind, n in tables.rows.items() if isinstance(kind, str)),
        "edges": sum(n for kind, n in tables.rows.items() if not isinstance(kind, str) and kind[0] not in tables.days),
        "measures": tables.rows.get("Measure", 0),
    }


def build_database(db_dir: Path, folders: list[Path] | None = None) -> dict[str, Any]:
    """Validate the data, build a new database and make it current, atomically.

    Parameters
    ----------
    db_dir : path-like
        The database folder (created if missing).
    folders : list of path-like, optional
        Data folders; the shipped ``data/`` is always first and the database's
        imported lists (:func:`graph.backends.ladybug.folder.imports_dir`) last.

    Returns
    -------
    dict
        The manifest of the new build: folders, fingerprint, node, edge and
        measure counts, build time.
    """
    started = time.perf_counter()
    folders = build_folders(Path(db_dir), folders)
    with changing(Path(db_dir), "a build"):  # an import running now finishes first: its file is then read too
        files = {"at_ns": time.time_ns(), "stats": file_stats(folders)}  # taken before the files are read
        stamp = fingerprint(folders)
        # A bad record raises while the new build is still a temporary file: the current one stays.
        manifest = install_build(Path(db_dir), dataset_rows(folders), stamp, {"folders": folders, "files": files}, started)
    return manifest


def install_build(
    db_dir: Path, rows, stamp: str, extra: dict[str, Any], started: float | None = None, commit: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Write ``rows`` as the build named ``stamp`` in ``db_dir`` and make it current, atomically.

    ``rows`` are :func:`graph.dataset.validate.dataset_rows`' (or :func:`graph.dataset.network.graph_rows`' of a
    networkx graph); ``extra`` goes into the manifest beside the fingerprint and the counts. Of its
    ``folders`` (those the rows were read from) the manifest records only the user's extra folders
    (:func:`graph.backends.ladybug.folder.recorded_folders`); the manifest returned lists them as
    :func:`graph.backends.ladybug.folder.read_manifest` does. ``commit``, when given, is called once the
    new build is complete under its final name and before it is made current: an import renames its data
    file into place there, so that a kill before that point leaves no trace and one after it leaves the
    files and a build that matches them (:func:`install_existing` makes it current).
    """
    from graph.model.schema import load_schema

    started = started or time.perf_counter()
    temporary = _prepare(db_dir, stamp)
    manifest = _manifest(db_dir, stamp, extra)
    with _build_errors(db_dir, temporary):
        manifest.update(write_database(rows, temporary, load_schema()))
        return _install(db_dir, temporary, manifest, started, commit)


def update_build(
    db_dir: Path,
    base: Path,
    changes: BuildChanges,
    stamp: str,
    extra: dict[str, Any],
    commit: Callable[[], None] | None = None,
    whole: Callable[[], Iterable[Row]] | None = None,
) -> dict[str, Any]:
    """Make a build named ``stamp`` from the build ``base`` with ``changes`` applied in place, and make it current.

    The work grows with the changes, not with the graph: ``base`` is copied (a file copy), the changes are
    written into the copy in one transaction (new rows bulk-loaded with ``COPY``, changed rows updated
    with ``SET``) and the name index is copied and amended for the changed nodes only. Atomic as
    :func:`install_build`, with the same ``commit``. When the engine then reads a relation it was given
    wrongly (:class:`graph.backends.ladybug.changes.MisreadUpdate`), the build is made from ``whole()``, the
    rows of the whole graph, instead, with a warning (without ``whole``, the error is raised).
    """
    from graph.backends.ladybug.changes import MisreadUpdate
    from graph.model.schema import load_schema

    started = time.perf_counter()
    temporary = _prepare(db_dir, stamp)
    manifest = _manifest(db_dir, stamp, extra)
    with _build_errors(db_dir, temporary):
        shutil.copyfile(base, temporary)
        shutil.copyfile(names_path(base), f"{temporary}.names")
        old = build_manifest(base) or {}
        try:
            manifest.update(changes.write(temporary, load_schema(), old))
        except MisreadUpdate as misread:
            if whole is None:
                raise DatabaseError(f"{db_dir}: build failed, previous database kept: LadybugDB misread {misread}") from None
            _log.warning("%s: LadybugDB misread an update (%s); building the database whole instead", db_dir, misread)
            _remove_temporary(temporary)
            manifest.update(write_database(whole(), temporary, load_schema()))
        return _install(db_dir, temporary, manifest, started, commit)


def install_existing(db_dir: Path, stamp: str) -> dict[str, Any] | None:
    """Make the complete build named ``stamp`` current, if there is one (else None): the data went back to
    what it was, or an import stopped after renaming its data file in and before making its build current."""
    build = Path(db_dir) / f"{stamp}{BUILD_SUFFIX}"
    try:
        manifest = build_manifest(build) if build.is_file() and names_path(build).is_file() else None
    except DatabaseError:
        return None
    if manifest is None or manifest.get("fingerprint") != stamp or "folders" not in manifest:
        return None
    _make_current(Path(db_dir), build)
    return with_folders_read(Path(db_dir), manifest)


def _prepare(db_dir: Path, stamp: str) -> Path:
    """The temporary name of a new build in ``db_dir``, after checking the folder can be written."""
    try:
        db_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"{db_dir}: cannot create the database folder: {exc.strerror}") from None
    reason = unwritable(db_dir)
    if reason is not None:
        raise DatabaseError(f"{db_dir}: cannot write the database folder ({reason}); nothing was changed")
    sweep_leftovers(db_dir)  # of builds killed before they could clean up
    temporary = db_dir / f".{stamp}.{os.getpid()}.tmp"
    _remove_temporary(temporary)  # a dead process's of the same pid
    return temporary


def _manifest(db_dir: Path, stamp: str, extra: dict[str, Any]) -> dict[str, Any]:
    manifest: dict[str, Any] = {"fingerprint": stamp, **extra}
    if "folders" in extra:
        manifest.update(folders=recorded_folders(db_dir, extra["folders"]), manifest_format=MANIFEST_FORMAT)
    return manifest


@contextlib.contextmanager
def _build_errors(db_dir: Path, temporary: Path) -> Iterator[None]:
    """Engine and OS errors of a build as one-line DatabaseErrors; the temporary build removed in any case."""
    try:
        yield
    except TechgraphError:
        raise
    except Exception as exc:  # ladybug raises RuntimeError; the OS raises OSError
        reason = str(exc).splitlines()[0]
        if "IO exception" in reason:  # the engine's own write failed, most often a full disk: say how full
            free = shutil.disk_usage(db_dir).free // 2**20
            reason = f"the engine could not write ({free} MB free there): {reason[reason.index('IO exception'):]}"
        raise DatabaseError(f"{db_dir}: build failed, previous database kept: {reason}") from None
    finally:
        _remove_temporary(temporary)


def _install(
    db_dir: Path, temporary: Path, manifest: dict[str, Any], started: float, commit: Callable[[], None] | None
) -> dict[str, Any]:
    """Rename a finished temporary build (with its name index) to its stamp's name, commit, make it current."""
    build = db_dir / f"{manifest['fingerprint']}{BUILD_SUFFIX}"
    manifest["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest["file"] = file_identity(temporary)  # the rename keeps it
    manifest["build_seconds"] = round(time.perf_counter() - started, 3)
    manifest_path(temporary).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(manifest_path(temporary), manifest_path(build))
    os.replace(f"{temporary}.names", names_path(build))
    remove_side_files(build)  # a WAL left beside an older build of this name would replay into this one
    os.replace(temporary, build)
    if commit is not None:
        commit()
    _make_current(db_dir, build)
    _remove_old_builds(db_dir, keep={build.name})
    return with_folders_read(db_dir, manifest)


def _make_current(db_dir: Path, build: Path) -> None:
    link = db_dir / f".{CURRENT}.{os.getpid()}.tmp"
    link.unlink(missing_ok=True)
    link.symlink_to(build.name)
    os.replace(link, db_dir / CURRENT)


def _remove_temporary(temporary: Path) -> None:
    """Remove a temporary build and everything named after it: manifest, name index, CSV folder,
    the engine's WAL, shadow and checkpoint files (a full disk leaves them all)."""
    for leftover in temporary.parent.glob(f"{temporary.name}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _remove_old_builds(db_dir: Path, keep: set[str]) -> None:
    # Keep the newest previous build too: a reader may have resolved `current` just before the swap.
    builds = sorted(db_dir.glob(f"*{BUILD_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [b for b in builds if b.name not in keep][1:]:
        for path in (old, manifest_path(old), names_path(old)):
            path.unlink(missing_ok=True)
        remove_side_files(old)
