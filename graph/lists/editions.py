"""Import a published list into the graph: one edition at a time, history kept, on either backend.

``import_list("ofac-sdn", "sdn.csv", alt="alt.csv")`` streams the file through
its importer (:mod:`graph.lists.formats`) and applies every item to the graph
(:mod:`graph.lists.contribution`: parties resolved to nodes, listings as
SANCTIONS relations from their programme's Measure, OWNS relations, every merge
recorded with its reason).

An import is taken as an edition of the whole list: a listing of an earlier
edition that is missing from it gets ``until`` (the edition's date), and history
is never deleted. Re-importing the same file changes nothing; an edition older
than the newest imported is refused (:mod:`graph.lists.listings`). ``partial=True``
(an extract of a list) skips the delisting step.

Embedded: the list's contribution is one JSON-lines data file in the
database's ``imports/`` folder, part of every rebuild; the file is replaced and
the database swapped in atomically only when the whole import succeeded.
Neo4j: the same resolution runs against the graph Neo4j holds and the nodes
and relations the import touched are MERGEd into it. With ``skip_bad`` the
skipped rows go to ``imports/FORMAT.skipped.tsv`` of the (default) embedded
database folder, on either backend (:attr:`ImportReport.skipped_file`).

Example
-------
>>> sorted(FORMATS)[:3]
['cn-countermeasures', 'csl', 'dod-1260h']
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph.dataset.derived import derive
from graph.dataset.network import load_graph
from graph.errors import DatabaseError, DataError, QueryError
from graph.lists.contribution import Contribution, Importer, ImportReport
from graph.lists.formats import FORMATS, list_format
from graph.lists.formats.base import BadRow, ListFormat
from graph.lists.listings import check_edition_order, newest_edition, record_edition, recorded_edition
from graph.model.schema import Schema, load_schema
from graph.text import shown

__all__ = ["FORMATS", "ImportReport", "apply_list", "import_list", "list_format"]


def _files(path: Path, extra: dict[str, Any], declared: ListFormat) -> tuple[Path, dict[str, Path]]:
    unknown = set(extra) - set(declared.extra_files)
    if unknown:
        raise QueryError(f"{declared.name} takes no {', '.join(sorted(unknown))} file")
    files = {"": Path(path), **{k: Path(v) for k, v in extra.items() if v}}
    for file in files.values():
        if not file.is_file():
            raise DataError(f"{shown(file)}: no such file")
    return Path(path), {k: v for k, v in files.items() if k}


def apply_list(
    fmt: str,
    path: Path | str,
    g,
    *,
    previous: Path | None = None,
    edition: str | None = None,
    partial: bool = False,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
    **extra: Path | str | None,
) -> tuple[ImportReport, Contribution]:
    """Apply one edition of a list to the graph ``g`` in memory: parse, resolve, list, own, end dropped listings.

    ``g`` is changed and nothing is written; ``previous`` is the list's data
    file from an earlier import, already part of ``g``. :func:`import_list` is
    this plus writing the result. Arguments as for :func:`import_list`.

    >>> from graph.dataset.network import load_graph
    >>> g = load_graph()
    >>> table = Path(__import__("tempfile").mkdtemp()) / "covered.csv"
    >>> _ = table.write_text('covered_equipment_or_services,date_of_inclusion_on_covered_list\\n'
    ...     '"Video surveillance equipment produced by Example Vision Co., Ltd.","March 12, 2021"\\n')
    >>> report, _ = apply_list("fcc-covered-list", table, g, edition="2022-09-20")
    >>> report.new_nodes, g.has_edge("fcc-covered-list", "example-vision-co-ltd")
    (1, True)
    """
    from graph.model.dates import check_day

    declared = list_format(fmt)
    path, extra_files = _files(Path(path), extra, declared)
    edition = check_day(edition) if edition else datetime.date.today().isoformat()
    schema = load_schema()
    report = ImportReport(declared.name, edition)
    contribution = Contribution.read(previous, g, schema) if previous else Contribution(g, schema)
    check_edition_order(declared.name, edition, newest_edition(g, declared.name, recorded_edition(previous)))
    run = Importer(contribution, declared.name, edition, report, skip_bad, rows_of=path.name)
    for item in declared.read(path, **extra_files):
        if run.take(item) and progress:
            progress(1)
    run.finish(partial)
    return report, contribution


def import_list(
    fmt: str,
    path: Path | str,
    *,
    db: Path | str | None = None,
    edition: str | None = None,
    partial: bool = False,
    skip_bad: bool = False,
    neo4j=None,
    progress: Callable[[int], None] | None = None,
    **extra: Path | str | None,
) -> ImportReport:
    """Import one edition of a published list into the embedded database (or Neo4j).

    Parameters
    ----------
    fmt : str
        The list's format: one of :data:`FORMATS`.
    path : path-like
        The list file; ``extra`` names side files (``alt=``, ``add=`` for OFAC).
    db : path-like, optional
        Embedded database folder (default ``$TECHGRAPH_DB`` or ``~/.cache/techgraph/db``).
    edition : str, optional
        The edition's date (YYYY-MM-DD), used as ``until`` of listings it drops; default today.
    partial : bool
        The file is an extract: do not close listings it lacks.
    skip_bad : bool
        Skip malformed rows (listed in the report) instead of stopping at the first.
    neo4j : Neo4jSettings, optional
        Import into this Neo4j database instead of the embedded one.
    progress : callable, optional
        Called with 1 for every row read.

    Raises
    ------
    DataError
        On the first malformed row (``file:line: reason``) unless ``skip_bad``;
        nothing is changed then.

    Examples
    --------
    >>> import tempfile
    >>> table = Path(tempfile.mkdtemp()) / "covered.csv"
    >>> _ = table.write_text('covered_equipment_or_services,date_of_inclusion_on_covered_list\\n'
    ...     '"Telecommunications equipment produced by ZTE Corporation, including ...","March 12, 2021"\\n')
    >>> report = import_list("fcc-covered-list", table, db=tempfile.mkdtemp(), edition="2022-09-20")
    >>> report.entities, report.merged, report.new_nodes
    (1, 1, 0)
    """
    from graph.backends.ladybug.folder import build_folders, imports_dir, read_manifest, unwritable
    from graph.paths import default_db_dir

    started = time.perf_counter()
    db_dir = Path(db) if db else default_db_dir()
    target_file = imports_dir(db_dir) / f"{list_format(fmt).name}.jsonl"
    if (neo4j is None or skip_bad) and db_dir.is_dir():
        for folder in (db_dir, imports_dir(db_dir)):
            reason = unwritable(folder) if folder.is_dir() else None
            if reason is not None:  # refused before the list is read
                raise DatabaseError(f"{shown(folder)}: cannot write the database folder ({reason}); nothing was imported")
    engine = None
    try:
        if neo4j is not None:
            from graph.backends.base import graph_from_engine
            from graph.backends.neo4j.engine import Neo4jEngine

            engine = Neo4jEngine(neo4j)
            g, previous = graph_from_engine(engine), None
        else:
            manifest = read_manifest(db_dir)
            folders = build_folders(db_dir, [Path(f) for f in manifest["folders"] if Path(f).is_dir()] if manifest else None)
            g, previous = load_graph(folders), target_file
        report, contribution = apply_list(
            fmt, path, g, previous=previous, edition=edition, partial=partial, skip_bad=skip_bad, progress=progress, **extra
        )
        if skip_bad:  # a local file on either backend (Neo4j's target is a URI): the default database's imports/
            report.skipped_file = str(_write_skipped(imports_dir(db_dir) / f"{fmt}.skipped.tsv", report.skipped))
        if engine is not None:
            contribution.touched_nodes |= derive(g)  # companies above a new listing rank anew
            report.changed = bool(contribution.touched_nodes or contribution.touched_edges)
            report.target = neo4j.shown_uri
            _push_touched(contribution, engine, contribution.schema)
        else:
            report.target = str(target_file)
            text = "".join(line + "\n" for line in contribution.lines())
            old = target_file.read_text(encoding="utf-8") if target_file.is_file() else None
            report.changed = text != old
            if report.changed:
                _install(db_dir, target_file, text, old, contribution.g, folders)
            if report.changed or recorded_edition(target_file):  # a file that changed nothing records nothing new
                record_edition(target_file, report.edition)
    finally:
        if engine is not None:
            engine.close()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _write_skipped(path: Path, skipped: list[BadRow]) -> Path:
    """Write the skipped rows (``where<TAB>reason`` lines) to ``path``; return it, absolute."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{row.where}\t{row.reason}\n" for row in skipped), encoding="utf-8")
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise DatabaseError(f"{shown(path)}: cannot write the skipped rows ({exc.strerror}); nothing was imported") from None
    return path.resolve()


def _install(db_dir: Path, target_file: Path, text: str, old: str | None, g, folders: list[Path]) -> None:
    """Replace the list's data file and swap in a database built from ``g``; on failure restore the file.

    The old file is kept under a second name (a hard link: no space needed) until the build is in,
    so that restoring it writes nothing: a full disk fails the import, never the restore.
    """
    from graph.backends.ladybug.build import install_build
    from graph.backends.ladybug.folder import build_folders
    from graph.dataset.files import fingerprint
    from graph.dataset.network import graph_rows

    temporary = target_file.with_name(f".{target_file.name}.{os.getpid()}.tmp")
    kept = target_file.with_name(f".{target_file.name}.{os.getpid()}.tmp.old")
    try:
        target_file.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        if old is not None:
            kept.unlink(missing_ok=True)
            try:
                os.link(target_file, kept)
            except OSError:  # no hard links here: restored from the text kept in memory
                pass
        os.replace(temporary, target_file)
    except OSError as exc:
        for leftover in (temporary, kept):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:  # no folder to hold it: nothing was written
                pass
        raise DatabaseError(
            f"{shown(target_file)}: cannot write the imported list ({exc.strerror}); nothing was changed"
        ) from None
    try:
        folders = build_folders(db_dir, folders)
        install_build(db_dir, graph_rows(g), fingerprint(folders), {"folders": [str(f) for f in folders]})
    except BaseException:
        if old is None:
            target_file.unlink(missing_ok=True)
        elif kept.is_file():
            os.replace(kept, target_file)
        else:
            temporary.write_text(old, encoding="utf-8")
            os.replace(temporary, target_file)
        raise
    finally:
        kept.unlink(missing_ok=True)


def _push_touched(contribution: Contribution, engine, schema: Schema) -> None:
    """MERGE the nodes and relations an import touched into Neo4j."""
    import networkx as nx

    from graph.backends.neo4j.push import push

    g = contribution.g
    touched: nx.MultiDiGraph = nx.MultiDiGraph()
    ends = {end for key in contribution.touched_edges for end in contribution.edge_ends[key]}
    for node in contribution.touched_nodes | ends:
        touched.add_node(node, **g.nodes[node])
    for key in contribution.touched_edges:
        source, target = contribution.edge_ends[key]
        touched.add_edge(source, target, key=key, **g.edges[source, target, key])
    push(touched, engine, schema)
