"""The part of the graph an import reads, from a store kept beside each embedded build.

Importing k rows into a graph of n nodes must not read the n: an import needs only the
nodes its records could resolve to (same identifier, same normalised name or alias), the
nodes and relations its list made or extended before, the programmes' Measures and
issuers, the nodes whose ids a new node might take, and, for the derived ranking
properties, the ownership chains above what it touched. A :class:`GraphStore` (SQLite,
``<build>.graph``) holds every node and relation of one build with those lookup keys;
:func:`neighbourhood` assembles from it the subgraph an import runs on, and
:meth:`GraphStore.amended` writes the next build's store from the previous one and the
import's rows. Lookup keys are a superset of the resolver's (:func:`lookup_keys`): every
identifier, every name and alias in the form the resolver compares it in (a person's for an
Official, an organisation's otherwise, a node by its label and a record by its own), so the
resolver sees in the subgraph every node it would see in the whole graph.

Example
-------
>>> sorted(lookup_keys(["ofac:1"], ["TANG, Chris"], person=True)), sorted(lookup_keys([], ["TANG, Chris"], person=False))
(['i:ofac:1', 'n:chris tang'], ['n:tang chris'])
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from graph.dataset.derived import PROPERTIES, Derivation, derive
from graph.dataset.files import EXTEND
from graph.dataset.validate import extend_values, record_parts
from graph.lists import names, resolve
from graph.lists.formats.base import Entity, Listing, Ownership, clean_text
from graph.lists.formats.programs import slug
from graph.lists.importer import new_id_candidates
from graph.lists.names import name_key
from graph.model.schema import Schema

# A store made by another version of the resolver's normalisation has other keys: it is made again.
# The keys come from names.name_key (resolve.py's normalisation) and this module's lookup_keys.
_KEY_SOURCES = (names.__file__, resolve.__file__, __file__)
KEYS_VERSION = hashlib.sha256(b"".join(Path(m).read_bytes() for m in _KEY_SOURCES)).hexdigest()[:16]
_CHUNK = 500  # ids per SQL IN (...)


def lookup_keys(identifiers: Iterable[str], names: Iterable[str], person: bool) -> set[str]:
    """The keys a node is stored under, and a record looks candidates up by: identifiers, and each
    name's normalised form as a person's (``person``: any order of its parts) or an organisation's.

    The resolver compares a record's name, in its label's form, with a node's, in the node's label's
    (:meth:`graph.lists.resolve.Resolver.add`): one form each is every match it can make.
    """
    keys = {f"i:{identifier}" for identifier in identifiers}
    keys |= {f"n:{key}" for name in names if (key := name_key(name, person))}
    return keys


def store_path(build: Path) -> Path:
    """The graph store beside a build file."""
    return Path(build).with_suffix(".graph")


def _node_keys(data: dict[str, Any]) -> set[str]:
    names = [data["name"], *(data.get("aliases") or ())]
    return lookup_keys(data.get("identifiers") or (), names, person=data["label"] == "Official")


class GraphStore:
    """Every node and relation of one build, by id, key, ends and lookup keys (read-only once made)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)

    @classmethod
    def open(cls, build: Path, stamp: str) -> GraphStore | None:
        """The store of the build ``stamp``, or None when there is none of this version for it."""
        path = store_path(build)
        if not path.is_file():
            return None
        try:
            store = cls(path)
            meta = dict(store.conn.execute("SELECT name, value FROM meta").fetchall())
        except sqlite3.Error:
            return None
        if meta != {"stamp": stamp, "keys": KEYS_VERSION}:
            store.close()
            return None
        return store

    @staticmethod
    def write(path: Path, g: nx.MultiDiGraph, stamp: str, parts: list[Part]) -> None:
        """Write the store of the whole graph ``g`` (the build ``stamp``'s) and the ``parts`` of its records
        to ``path``, whole or not at all."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
        conn = _unjournaled(temporary)
        try:
            conn.executescript(
                "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE nodes (id TEXT PRIMARY KEY, data TEXT NOT NULL);"
                "CREATE TABLE edges (key TEXT PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL, data TEXT NOT NULL);"
                "CREATE TABLE keys (key TEXT NOT NULL, id TEXT NOT NULL);"
                "CREATE TABLE parts (target TEXT NOT NULL, place TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);"
            )
            _upsert(conn, g, list(g.nodes), [key for _, _, key in g.edges(keys=True)], stamp)
            _add_parts(conn, parts)
            conn.executescript(
                "CREATE INDEX edges_by_source ON edges (source); CREATE INDEX edges_by_target ON edges (target);"
                "CREATE INDEX keys_by_key ON keys (key); CREATE INDEX keys_by_id ON keys (id);"
                "CREATE INDEX parts_by_target ON parts (target); CREATE INDEX parts_by_place ON parts (place);"
            )
            conn.commit()
        finally:
            conn.close()
        os.replace(temporary, path)

    def amended(
        self, path: Path, g: nx.MultiDiGraph, nodes: Iterable[str], edges: Iterable[str], stamp: str, file: str, parts: list[Part]
    ) -> None:
        """Write to ``path`` this store with the nodes and relations of ``g`` named here replaced or added,
        and the parts of the data file ``file`` (its place, see :func:`place`) replaced by ``parts``.

        The store moves (it is closed, renamed and amended), not copied: its build is no longer current, and
        the copy cost what the graph costs (60 MB with every real list). A store that is missing is made again
        by the next import (a cache), as after a kill.
        """
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.close()
        os.replace(self.path, temporary)
        conn = _unjournaled(temporary)
        try:
            _upsert(conn, g, list(nodes), list(edges), stamp)
            conn.execute("DELETE FROM parts WHERE place >= ? AND place < ?", (file + "#", file + "$"))
            _add_parts(conn, parts)
            conn.commit()
        finally:
            conn.close()
        os.replace(temporary, path)

    def _chunks(self, query: str, values: Iterable[str]) -> list[tuple]:
        values, rows = sorted(set(values)), []
        for start in range(0, len(values), _CHUNK):
            part = values[start:start + _CHUNK]
            rows += self.conn.execute(query.format(",".join("?" * len(part))), part).fetchall()
        return rows

    def node_data(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored nodes of these ids (those that exist), by id."""
        return {node: orjson.loads(data) for node, data in self._chunks("SELECT id, data FROM nodes WHERE id IN ({})", ids)}

    def candidates(self, keys: Iterable[str]) -> set[str]:
        """The nodes stored under any of these lookup keys."""
        return {node for (node,) in self._chunks("SELECT DISTINCT id FROM keys WHERE key IN ({})", keys)}

    def edges(self, column: str, ids: Iterable[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(source, target, key, data)`` of the relations whose ``column`` (source or target) is one of ``ids``."""
        assert column in ("source", "target"), column
        query = f"SELECT source, target, key, data FROM edges WHERE {column} IN ({{}})"
        return [(a, b, key, orjson.loads(data)) for a, b, key, data in self._chunks(query, ids)]

    def edge_ends(self, keys: Iterable[str]) -> set[str]:
        """The end nodes of the relations of these keys."""
        rows = self._chunks("SELECT source, target FROM edges WHERE key IN ({})", keys)
        return {node for pair in rows for node in pair}

    def parts(self, targets: Iterable[str], but: str) -> dict[str, list[Part]]:
        """The stored parts of these targets (``n:<id>``, ``e:<key>``), those of the data file ``but`` left out."""
        found: dict[str, list[Part]] = {}
        query = "SELECT target, place, kind, data FROM parts WHERE target IN ({})"
        for target, where, kind, data in self._chunks(query, targets):
            if not where.startswith(but + "#"):
                found.setdefault(target, []).append((target, where, kind, orjson.loads(data)))
        return found

    def close(self) -> None:
        self.conn.close()


Part = tuple[str, str, str, dict[str, Any]]  # target, place (file and line, sortable), kind, values


def place(folder: int, file: Path, line: int = 0) -> str:
    """Where a record is, as a string that sorts as the dataset reads its files (folders in order, YAML
    before JSON lines, by name) and lines; ``line`` 0: the file's prefix (``<file>#<line>``).

    >>> place(2, Path("csl.jsonl"), 7) < place(2, Path("ftm.jsonl"), 1)
    True
    """
    prefix = f"{folder:04d}/{int(file.suffix == '.jsonl')}/{file.name}"
    return f"{prefix}#{line:09d}" if line else prefix


def file_parts(files: list[Path], places: list[str], schema: Schema) -> list[Part]:
    """The parts of every record of ``files`` (read as they are; ``places`` gives each file's :func:`place`)."""
    return [(target, f"{places[i]}#{line:09d}", kind, values) for target, i, line, kind, values in record_parts(files, schema)]


def fold(g: nx.MultiDiGraph, parts: dict[str, list[Part]], schema: Schema) -> None:
    """Set each target's row in ``g`` to its parts folded in file order (the row a rebuild from the files
    reads), derived properties kept: list items an import added go where the rebuild puts them."""
    for target, found in parts.items():
        found = sorted(found, key=lambda part: part[1])
        ((_, _, kind, base),) = [part for part in found if part[2] != EXTEND]  # the record, in any file
        values = {k: list(v) if isinstance(v, list) else v for k, v in base.items()}  # a copy: the parts stay as read
        if kind in schema.nodes:
            values.setdefault("aliases", [])
        for _, _, extension_kind, extension in found:  # the Extend records, in file order
            if extension_kind == EXTEND:
                extend_values(values, dict(extension))
        if target.startswith("n:"):
            data = g.nodes[values.pop("id")]
            derived = {k: data[k] for k in PROPERTIES.get(kind, ()) if k in data}
            data.clear()
            data.update(label=kind, **values, **derived)
        else:
            source, end, key = values.pop("from"), values.pop("to"), target[2:]
            data = g.edges[source, end, key]
            data.clear()
            data.update(type=kind, **values)


def graph_of(parts: list[Part], schema: Schema) -> nx.MultiDiGraph:
    """The graph the parts of every data file of a build give, derived properties set: the build's graph from
    one reading of its files (checked when it was made), as :func:`graph.dataset.network.load_graph` gives it."""
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    grouped: dict[str, list[Part]] = {}
    for part in parts:
        target, _, kind, values = part
        grouped.setdefault(target, []).append(part)
        if kind in schema.nodes:
            g.add_node(values["id"])
        elif kind != EXTEND:
            g.add_edge(values["from"], values["to"], key=target[2:])
    fold(g, grouped, schema)
    derive(g)
    return g


def _unjournaled(temporary: Path) -> sqlite3.Connection:
    """A connection to a store being written under a temporary name: no rollback journal (a failed write
    is thrown away whole, and only the rename makes it the store)."""
    conn = sqlite3.connect(temporary)
    conn.execute("PRAGMA journal_mode = OFF")
    return conn


def _json(values: dict[str, Any]) -> str:
    """A stored value as JSON text (orjson: the store of every real list holds 60k of them)."""
    return orjson.dumps(values).decode()


def _add_parts(conn: sqlite3.Connection, parts: list[Part]) -> None:
    rows = [(target, where, kind, _json(values)) for target, where, kind, values in parts]
    conn.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)", rows)


def _upsert(conn: sqlite3.Connection, g: nx.MultiDiGraph, nodes: list[str], edges: list[str], stamp: str) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("stamp", stamp), ("keys", KEYS_VERSION)])
    rows = [(n, _json(g.nodes[n])) for n in nodes]
    conn.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?)", rows)
    conn.executemany("DELETE FROM keys WHERE id = ?", [(n,) for n in nodes])
    conn.executemany("INSERT INTO keys VALUES (?, ?)", [(key, n) for n in nodes for key in _node_keys(g.nodes[n])])
    ends = {key: (a, b) for a, b, key in g.edges(keys=True)} if edges else {}
    conn.executemany(
        "INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?)",
        [(key, a, b, _json(g.edges[a, b, key])) for key in edges for a, b in [ends[key]]],
    )


def neighbourhood(store: GraphStore, items: list, list_name: str, previous: dict[str, set[str]]) -> nx.MultiDiGraph:
    """The subgraph of the store's graph an import of ``items`` (a parser's output) reads.

    ``previous`` gives what the list's earlier data file holds: ``nodes`` (ids it defines or
    extends) and ``edges`` (keys it defines or extends). The subgraph holds those, every node a
    record could resolve to or whose id a new node could take, every programme's Measure,
    issuer and parent, and every relation between two of its nodes.
    """
    seeds = set(previous["nodes"]) | store.edge_ends(previous["edges"])
    keys: set[str] = set()
    for item in items:
        if isinstance(item, Entity):
            names = [clean_text(item.name), *(clean_text(a) for a in item.aliases)]
            identifiers = [f"{list_name}:{item.record}", *item.identifiers]
            keys |= lookup_keys(identifiers, [n for n in names if n], person=item.label == "Official")
            seeds.update(new_id_candidates(list_name, clean_text(item.name), item.record))
        elif isinstance(item, Listing):
            program = item.program
            seeds.update(n for n in (program.id, program.issuer, program.part_of) if n)
        elif isinstance(item, Ownership) and item.owner_is_name and (owner := clean_text(item.owner)):
            keys |= lookup_keys([], [owner], person=False)  # resolved as a Company (Importer.ownership)
            seeds.update(new_id_candidates(list_name, owner, f"owner:{slug(owner)}"))
    seeds |= store.candidates(keys)
    g: nx.MultiDiGraph = nx.MultiDiGraph()
    for node, data in store.node_data(seeds).items():
        g.add_node(node, **data)
    for source, target, key, data in store.edges("source", g.nodes):
        if target in g:
            g.add_edge(source, target, key=key, **data)
    return g


def _load(store: GraphStore, g: nx.MultiDiGraph, edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add stored relations (and their end nodes) that ``g`` lacks."""
    missing = {n for a, b, _, _ in edges for n in (a, b) if n not in g}
    for node, data in store.node_data(missing).items():
        g.add_node(node, **data)
    for source, target, key, data in edges:
        if not g.has_edge(source, target, key):
            g.add_edge(source, target, key=key, **data)


def rederive(store: GraphStore, g: nx.MultiDiGraph, touched: set[str], schema: Schema) -> set[str]:
    """Set the derived properties of the companies an import's changes reach, and of the measures it
    touched (their lifecycle), in the subgraph ``g``.

    Those are the touched nodes and their owners up the ownership chain (the schema's depth);
    each one's holdings down to that depth, the listings hitting them and the relations acting on
    a touched measure (SUSPENDS, REVOKES, with their sources) are loaded from the store first, so its
    values are those of the whole graph. Returns the nodes whose values changed.
    """
    ownership = schema.ownership
    above, frontier = set(touched), set(touched)
    for _ in range(ownership.depth):
        _load(store, g, [e for e in store.edges("target", frontier) if e[3].get("type") == ownership.relation])
        frontier = {a for n in frontier for a, _, d in g.in_edges(n, data=True) if d.get("type") == ownership.relation} - above
        above |= frontier
    reached, frontier = set(above), set(above)
    for _ in range(ownership.depth):
        _load(store, g, [e for e in store.edges("source", frontier) if e[3].get("type") == ownership.relation])
        frontier = {b for n in frontier for _, b, d in g.out_edges(n, data=True) if d.get("type") == ownership.relation} - reached
        reached |= frontier
    _load(store, g, [e for e in store.edges("target", reached) if e[3].get("type") == "SANCTIONS"])
    acts = set(schema.lifecycle.acts) if schema.lifecycle else set()  # a touched measure's lifecycle needs what acts on it
    _load(store, g, [e for e in store.edges("target", touched) if e[3].get("type") in acts])
    derivation = Derivation.of_graph(g, schema)
    changed = set()
    for node, values in derivation.values().items():
        if node in above and any(g.nodes[node].get(name) != value for name, value in values.items()):
            g.nodes[node].update(values)
            changed.add(node)
    return changed


def as_of_rows(
    store: GraphStore | None, g: nx.MultiDiGraph, touched: set[str], schema: Schema
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The as-of columns (:mod:`graph.dataset.asof`) of every node and relation whose columns an import's
    changes may move, by node id and by relation key, computed in the subgraph ``g`` (after :func:`rederive`
    and :func:`fold`), each with every column its label or type has (None where it has no value).

    The nodes: the touched ones; the measures a touched measure acts on or shares a retaliation with (their
    days follow its); and the companies above a touched node or above what a touched measure hits, up the
    ownership chain (their group counts day by day). The relations: those of a type that stores its days
    (:func:`graph.dataset.asof.relation_types`) at one of those nodes, every one at a node whose days of
    existence may move (one of a label with an extent). What those depend on is loaded from the store first
    (None: ``g`` is the whole graph); every other node and relation keeps its stored values.
    """
    from graph.dataset.asof import AsOfValues, columns, has_extent, relation_types
    from graph.dataset.derived import RETALIATION

    wanted = columns(schema)
    ownership, life = schema.ownership, schema.lifecycle
    acts = set(life.acts) if life else set()
    label = lambda node: str(g.nodes[node].get("label"))  # noqa: E731

    def along(nodes: set[str], column: str, types: set[str]) -> set[str]:
        """The other ends of the relations of ``types`` at ``column`` (source, target) of ``nodes``, loaded."""
        if store is not None:
            _load(store, g, [e for e in store.edges(column, nodes) if e[3].get("type") in types])
        edges = g.out_edges(nodes, data=True) if column == "source" else g.in_edges(nodes, data=True)
        return {b if column == "source" else a for a, b, d in edges if d.get("type") in types}

    measures = {n for n in touched if n in g and life and label(n) == life.label}
    near = measures | along(measures, "source", acts | {RETALIATION}) | along(measures, "target", {RETALIATION})
    along(near, "target", acts | {RETALIATION})  # what a near measure's days depend on
    along(near, "source", {RETALIATION})
    above = set(touched) | along(measures, "source", {"SANCTIONS"})
    frontier = set(above)
    for _ in range(ownership.depth):
        frontier = along(frontier, "target", {ownership.relation}) - above
        above |= frontier
    reached, frontier = set(above), set(above)
    for _ in range(ownership.depth):
        frontier = along(frontier, "source", {ownership.relation}) - reached
        reached |= frontier
    along(reached, "target", {"SANCTIONS"})
    redone = near | above
    nodes = {node for node in redone | touched if node in g}
    stored = relation_types(schema)
    moving = {node for node in nodes if has_extent(schema, label(node))}
    along(moving, "source", set(stored))  # every relation at a node whose existence may move, and its other end
    along(moving, "target", set(stored))
    derivation = Derivation.of_graph(g, schema)
    whole = {  # the values derived in g for what g holds all of, else those stored
        node: values if node in redone else {k: g.nodes[node].get(k) for k in values}
        for node, values in derivation.values().items()
    }
    days = AsOfValues(derivation, whole)
    found = days.values()
    relations = {
        key: days.relation(a, b, (d.get("since"), d.get("until")))
        for a, b, key, d in [*g.out_edges(nodes, keys=True, data=True), *g.in_edges(nodes, keys=True, data=True)]
        if d.get("type") in stored
    }
    node_rows = {
        node: {column: found.get(node, {}).get(column) for column in wanted[label(node)]}
        for node in sorted(nodes) if label(node) in wanted
    }
    return node_rows, relations
