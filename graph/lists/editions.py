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

import contextlib
import datetime
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from graph.dataset.derived import derive
from graph.dataset.network import collection_paused, load_graph
from graph.errors import DatabaseError, DataError, QueryError
from graph.lists.contribution import Contribution, ImportReport
from graph.lists.formats import FORMATS, list_format
from graph.lists.formats.base import ListFormat
from graph.lists.importer import Importer
from graph.lists.listings import check_edition_order, newest_edition, record_edition, recorded_edition
from graph.lists.unchanged import input_digest, record_import, recorded_report
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
    items: list | None = None,
    **extra: Path | str | None,
) -> tuple[ImportReport, Contribution]:
    """Apply one edition of a list to the graph ``g`` in memory: parse, resolve, list, own, end dropped listings.

    ``g`` is changed and nothing is written; ``previous`` is the list's data
    file from an earlier import, already part of ``g``. :func:`import_list` is
    this plus writing the result. Arguments as for :func:`import_list`; ``items``, when given, are
    the file's items as its parser yields them (read already).

    >>> from graph.dataset.network import collection_paused, load_graph
    >>> g = load_graph()
    >>> table = Path(__import__("tempfile").mkdtemp()) / "covered.csv"
    >>> _ = table.write_text('covered_equipment_or_services,date_of_inclusion_on_covered_list\\n'
    ...     '"Video surveillance equipment produced by Example Vision Co., Ltd.","March 12, 2021"\\n')
    >>> report, _ = apply_list("fcc-covered-list", table, g, edition="2022-09-20")
    >>> report.new_nodes, g.has_edge("fcc-covered-list", "example-vision-co-ltd")
    (1, True)
    """
    declared = list_format(fmt)
    path, extra_files = _files(Path(path), extra, declared)
    edition = _edition(edition)
    schema = load_schema()
    report = ImportReport(declared.name, edition)
    contribution = Contribution.read(previous, g, schema) if previous else Contribution(g, schema)
    check_edition_order(declared.name, edition, newest_edition(g, declared.name, recorded_edition(previous)))
    run = Importer(contribution, declared.name, edition, report, skip_bad, rows_of=path.name)
    for item in declared.read(path, **extra_files) if items is None else items:
        if run.take(item) and progress:
            progress(1)
    run.finish(partial)
    return report, contribution


def _edition(edition: str | None) -> str:
    """The edition's date as given (checked), or today's."""
    from graph.model.dates import check_day

    return check_day(edition) if edition else datetime.date.today().isoformat()


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
    from graph.backends.ladybug.folder import changing, imports_dir, unwritable
    from graph.paths import default_db_dir

    started = time.perf_counter()
    name = list_format(fmt).name
    db_dir = Path(db) if db else default_db_dir()
    if (neo4j is None or skip_bad) and db_dir.is_dir():
        for folder in (db_dir, imports_dir(db_dir)):
            reason = unwritable(folder) if folder.is_dir() else None
            if reason is not None:  # refused before the list is read
                raise DatabaseError(f"{shown(folder)}: cannot write the database folder ({reason}); nothing was imported")
    arguments = dict(edition=edition, partial=partial, skip_bad=skip_bad, progress=progress, **extra)
    lock = changing(db_dir, f"an import of {name}") if neo4j is None else contextlib.nullcontext()
    with lock, collection_paused():  # a second import waits (both land); a large graph is built, no garbage cycle
        report = (_import_embedded(fmt, path, db_dir, arguments) if neo4j is None
                  else _import_into_neo4j(fmt, path, neo4j, arguments))  # fmt: skip
    if skip_bad:  # a local file on either backend (Neo4j's target is a URI), once the import is in
        report.write_skipped(imports_dir(db_dir) / f"{name}.skipped.tsv")
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _import_into_neo4j(fmt: str, path: Path | str, neo4j, arguments: dict[str, Any]) -> ImportReport:
    """Resolve against what Neo4j holds and MERGE what the import touched into it."""
    from graph.backends.base import graph_from_engine
    from graph.backends.neo4j.engine import Neo4jEngine

    engine = Neo4jEngine(neo4j)
    try:
        g = graph_from_engine(engine)
        report, contribution = apply_list(fmt, path, g, **arguments)
        contribution.touched_nodes |= derive(g)  # companies above a new listing rank anew
        report.changed = bool(contribution.touched_nodes or contribution.touched_edges)
        report.target = neo4j.shown_uri
        _push_touched(contribution, engine, contribution.schema)
    finally:
        engine.close()
    return report


def _import_embedded(fmt: str, path: Path | str, db_dir: Path, arguments: dict[str, Any]) -> ImportReport:
    """Apply the list to the database's graph; write its data file and the build that holds it.

    Called with the folder's lock held. The data file is renamed into place only once the new build
    is complete (:func:`graph.backends.ladybug.build.install_build`'s ``commit``): an import killed
    before that leaves the files and the current build as they were, and the next command sweeps
    what it left. When the current build is the files' (the usual case) the import reads only the
    part of the graph it needs (:mod:`graph.lists.neighbourhood`) and writes its rows into a copy of
    that build (:func:`graph.backends.ladybug.build.update_build`); otherwise it reads the files
    whole and builds the whole graph.
    """
    from graph.backends.ladybug.folder import (
        BUILD_SUFFIX,
        build_folders,
        current_build,
        imports_dir,
        read_manifest,
        sweep_leftovers,
    )
    from graph.dataset.files import fingerprint
    from graph.lists.neighbourhood import GraphStore, as_of_rows, fold, graph_of, neighbourhood, place, rederive, store_path

    sweep_leftovers(db_dir)  # what a killed import left: its data file under a temporary name, its build
    declared = list_format(fmt)
    target_file = imports_dir(db_dir) / f"{declared.name}.jsonl"
    manifest = read_manifest(db_dir)
    extra_folders = [Path(f) for f in manifest["folders"] if Path(f).is_dir()] if manifest else None
    folders = build_folders(db_dir, extra_folders)
    base = current_build(db_dir) if manifest is not None and manifest["fingerprint"] == fingerprint(folders) else None
    sides = {k: v for k, v in arguments.items() if k not in ("edition", "partial", "skip_bad", "progress")}
    source, extra_files = _files(Path(path), sides, declared)
    digest = input_digest(declared.name, {"": source, **extra_files}, _edition(arguments["edition"]),
                          arguments["partial"], arguments["skip_bad"])  # fmt: skip
    if base is not None and manifest is not None and (again := recorded_report(target_file, digest, manifest["fingerprint"])):
        again.target = str(target_file)  # the same input into the same data: nothing would change
        return again
    store = GraphStore.open(base, manifest["fingerprint"]) if base is not None and manifest is not None else None
    try:
        report, contribution, g, rebuild = None, None, None, False  # rebuild: a build of the whole graph g, not base's
        items = list(declared.read(source, **extra_files))  # a malformed file fails here, before the graph is read
        if store is not None:
            schema = load_schema()
            g = neighbourhood(store, items, declared.name, _previous_targets(target_file, schema))
            nodes_before, edges_before = set(g.nodes), {key for _, _, key in g.edges(keys=True)}
            report, contribution = apply_list(fmt, path, g, previous=target_file, items=items, **arguments)
            touched_nodes = contribution.touched_nodes
            stored_nodes = set(store.node_data(touched_nodes - nodes_before))
            stored_edges = store.edge_ends(contribution.touched_edges - edges_before)
            # a node or relation the subgraph lacked was made again, or a measure on the chains moved (its days): read it all
            if stored_nodes or stored_edges or any(g.nodes[n].get("retaliation") for n in touched_nodes if n in g):
                report = contribution = g = None
            else:
                created = touched_nodes - nodes_before
                touched_nodes |= rederive(store, g, touched_nodes, schema)  # loads the ownership chains it reaches
                nodes_before = set(g.nodes) - created
        read = None  # (folders, the parts of every record) when the files are read whole
        if g is None or contribution is None or report is None:
            if base is not None:  # the build is the files' (checked then): read them once, for the graph and the store
                read = (folders, _file_parts(folders, load_schema()))
                g = graph_of(read[1], load_schema())
            else:
                g = load_graph(folders)
            nodes_before, edges_before = set(g.nodes), {key for _, _, key in g.edges(keys=True)}
            report, contribution = apply_list(fmt, path, g, previous=target_file, items=items, **arguments)
            touched_nodes = contribution.touched_nodes | derive(g)  # companies above a new listing rank anew
            rebuild = base is not None and any(g.nodes[n].get("retaliation") for n in touched_nodes)  # chains anew
        report.target = str(target_file)
        text = "".join(line + "\n" for line in contribution.lines())
        report.changed = not target_file.is_file() or text != target_file.read_text(encoding="utf-8")
        if not report.changed:
            if recorded_edition(target_file):  # the same list again, as of a later edition
                record_edition(target_file, report.edition)
            if base is not None and manifest is not None:
                record_import(target_file, digest, manifest["fingerprint"], report)
            return report
        temporary = target_file.with_name(f".{target_file.name}.{os.getpid()}.tmp")
        try:
            target_file.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(text, encoding="utf-8")
        except OSError as exc:
            with contextlib.suppress(OSError):  # no folder to hold it: nothing was written
                temporary.unlink(missing_ok=True)
            raise DatabaseError(
                f"{shown(target_file)}: cannot write the imported list ({exc.strerror}); nothing was changed"
            ) from None
        try:
            folders = build_folders(db_dir, extra_folders)  # the imports folder, made now if this is the first list
            stamp = fingerprint(folders, {target_file: text.encode("utf-8")})
            schema = load_schema()
            here = place(folders.index(target_file.parent.resolve()), target_file)
            own = _own_parts(text, here, schema)
            targets = {f"n:{n}" for n in touched_nodes} | {f"e:{k}" for k in contribution.touched_edges}
            if store is not None:
                found = store.parts(targets, but=here)
                every = None
            else:
                same = read is not None and read[0] == folders[:len(read[0])]  # the places read hold (no folder came first)
                others = [p for p in read[1] if not p[1].startswith(here + "#")] if read and same else None
                every = [*(_file_parts(folders, schema, but=target_file) if others is None else others), *own]
                found = {}
                for part in every:
                    if part[0] in targets:
                        found.setdefault(part[0], []).append(part)
            for part in own:
                if part[0] in targets and store is not None:
                    found.setdefault(part[0], []).append(part)
            fold(g, found, schema)  # list items in the order a rebuild from the files gives them
            changes = None
            if base is not None and not rebuild:  # the as-of columns of what the changes reach, computed anew
                ends = {end for key in contribution.touched_edges for end in contribution.edge_ends[key]}
                held = set(g.nodes)
                days, relation_days = as_of_rows(store, g, touched_nodes | ends, schema)
                nodes_before = nodes_before | (set(g.nodes) - held)  # read from the store: in the build already
                changes = _changes(g, touched_nodes | set(days), contribution, nodes_before, edges_before, days, relation_days)
            base = None if rebuild else base
            whole = lambda: graph_of(every or [*_file_parts(folders, schema, but=target_file), *own], schema)  # noqa: E731
            _install(db_dir, g, changes, base, stamp, folders, commit=lambda: os.replace(temporary, target_file), whole=whole)
            record_edition(target_file, report.edition)
            record_import(target_file, digest, stamp, report)
        finally:
            temporary.unlink(missing_ok=True)
        # The next import's store (a cache: killed before it is written, that import reads the files once).
        new_store = store_path(db_dir / f"{stamp}{BUILD_SUFFIX}")
        if store is not None:
            store.amended(new_store, g, touched_nodes, contribution.touched_edges, stamp, here, own)
        else:
            GraphStore.write(new_store, g, stamp, every or [])
    finally:
        if store is not None:
            store.close()
    for old in db_dir.glob("*.graph"):  # stores of builds that are gone
        if not old.with_suffix(BUILD_SUFFIX).is_file():
            old.unlink(missing_ok=True)
    return report


def _own_parts(text: str, here: str, schema: Schema) -> list:
    """The parts (:data:`graph.lists.neighbourhood.Part`) of the records of a list's new data file."""
    parts = []
    for number, line in enumerate(text.splitlines(), 1):
        ((kind, values),) = orjson.loads(line).items()
        if kind == "Extend":
            target = f"n:{values.pop('id')}" if "id" in values else f"e:{values.pop('key')}"
        elif kind in schema.nodes:
            target = f"n:{values['id']}"
        else:
            target = f"e:{schema.relation_key(kind, values['from'], values['to'], values)}"
        parts.append((target, f"{here}#{number:09d}", kind, values))
    return parts


def _file_parts(folders: list[Path], schema: Schema, but: Path | None = None) -> list:
    """The parts of every record of the data files of ``folders`` (read whole), those of ``but`` left out."""
    from graph.dataset.files import data_files
    from graph.lists.neighbourhood import file_parts, place

    index = {folder: i for i, folder in enumerate(folders)}
    files = [f for f in data_files(folders) if but is None or f.resolve() != but.resolve()]
    return file_parts(files, [place(index[f.parent], f) for f in files], schema)


def _previous_targets(path: Path, schema: Schema) -> dict[str, set[str]]:
    """The node ids and relation keys a list's data file defines or extends (empty when there is none)."""
    found: dict[str, set[str]] = {"nodes": set(), "edges": set()}
    if not path.is_file():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        ((kind, record),) = orjson.loads(line).items()
        if "id" in record:
            found["nodes"].add(record["id"])
        elif "key" in record and kind == "Extend":
            found["edges"].add(record["key"])
        else:
            found["nodes"] |= {record["from"], record["to"]}
            found["edges"].add(schema.relation_key(kind, record["from"], record["to"], record))
    return found


def _changes(g, nodes: set[str], contribution: Contribution, nodes_before: set[str], edges_before: set[str], days, rel_days):
    """The rows of the nodes and relations an import changed (:class:`graph.backends.ladybug.changes.BuildChanges`) and of
    the relations whose as-of columns may have moved, each with its columns from ``days`` and ``rel_days`` (``as_of_rows``)."""
    from graph.backends.ladybug.changes import BuildChanges

    changes = BuildChanges()
    for node in sorted(nodes):
        data = g.nodes[node]
        row = {k: v for k, v in data.items() if k != "label"} | days.get(node, {}) | {"id": node}
        changes.add(data["label"], row, new=node not in nodes_before)
    ends = {key: (a, b) for a, b, key in g.edges(keys=True) if key in rel_days}
    for key in sorted(set(contribution.touched_edges) | rel_days.keys()):
        source, target = contribution.edge_ends[key] if key in contribution.touched_edges else ends[key]
        data = g.edges[source, target, key]
        row = {k: v for k, v in data.items() if k != "type"} | rel_days.get(key, {}) | {"from": source, "to": target, "key": key}
        kind = (data["type"], g.nodes[source]["label"], g.nodes[target]["label"])
        changes.add(kind, row, new=key in contribution.touched_edges and key not in edges_before)  # others: read from the store
    return changes


def _install(
    db_dir: Path, g, changes, base: Path | None, stamp: str, folders: list[Path], commit: Callable[[], None], whole: Callable
) -> None:
    """Make the build of the graph ``g`` current: ``base`` with the ``changes`` written in, or (no base) a
    build of the whole graph; ``commit`` renames the data file in just before it becomes current. ``whole()``
    gives the whole graph when ``g`` is a part of it, for a build of it whole should the engine misread the changes."""
    from graph.backends.ladybug.build import install_build, update_build
    from graph.dataset.network import graph_rows

    extra = {"folders": [str(f) for f in folders]}
    if base is None:
        install_build(db_dir, graph_rows(g), stamp, extra, commit=commit)
    else:
        update_build(db_dir, base, changes, stamp, extra, commit=commit, whole=lambda: graph_rows(whole()))


def _push_touched(contribution: Contribution, engine, schema: Schema) -> None:
    """MERGE the nodes and relations an import touched into Neo4j."""
    import networkx as nx

    from graph.backends.neo4j.push import push
    from graph.backends.neo4j.settings import PUSH_BATCH_SIZE
    from graph.dataset.network import graph_rows, row_batches

    g = contribution.g
    touched: nx.MultiDiGraph = nx.MultiDiGraph()
    ends = {end for key in contribution.touched_edges for end in contribution.edge_ends[key]}
    for node in contribution.touched_nodes | ends:
        touched.add_node(node, **g.nodes[node])
    for key in contribution.touched_edges:
        source, target = contribution.edge_ends[key]
        touched.add_edge(source, target, key=key, **g.edges[source, target, key])
    push(row_batches(graph_rows(touched), schema, PUSH_BATCH_SIZE), engine, schema)
