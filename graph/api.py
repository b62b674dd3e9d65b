"""The library: open the graph, ask stored questions, run Cypher, profile an entity.

>>> import graph
>>> g = graph.open()
>>> rows = g.query("measures-hitting", entity="WeChat")
>>> any(r["measure_id"] == "eo-13943" for r in rows)
True
"""

from __future__ import annotations

import shutil
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.backends.neo4j.settings import Neo4jSettings
from graph.cypher.readonly import check_read_only
from graph.cypher.stored import StoredQuery, get_query, load_queries
from graph.errors import UnknownEntityError
from graph.paths import data_folders, default_db_dir
from graph.text import close_names

if TYPE_CHECKING:
    from graph.backends.base import Engine
    from graph.model.schema import Schema

_ALL_NAMES = "MATCH (n) RETURN n.id AS id, n.name AS name, n.aliases AS aliases"
_NODE = "MATCH (n) WHERE n.id = $id RETURN n AS node"
# A profile's statements start from the node by the list of its one id, with its label: a primary-key lookup.
_PROFILE_NODE = "MATCH (n) WHERE n.id IN $entity RETURN n AS node"
_OUTGOING = """
MATCH (n) WHERE n.id IN $entity
MATCH (n)-[r]->(other)
RETURN type(r) AS relation, r AS properties, labels(other)[0] AS label, other.id AS id, other.name AS name
ORDER BY relation, name
"""
_INCOMING = """
MATCH (n) WHERE n.id IN $entity
MATCH (n)<-[r]-(other)
RETURN type(r) AS relation, r AS properties, labels(other)[0] AS label, other.id AS id, other.name AS name
ORDER BY relation, name
"""
_COUNTS_NODES = "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS count ORDER BY label"
_COUNTS_RELS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type"


class Rows(list):
    """Query result: a list of row dicts that also knows its column order."""

    def __init__(self, columns: list[str], rows: list[dict[str, Any]]):
        super().__init__(rows)
        self.columns = columns


class TechGraph:
    """An opened techgraph: one engine plus the stored queries.

    Use :func:`graph.open` rather than building it directly.
    """

    def __init__(self, engine: Engine, db_dir: Path | None = None, manifest: dict[str, Any] | None = None):
        self.engine = engine
        self.db_dir = db_dir
        self.manifest = manifest or {}
        self.as_of_day: str | None = None
        self._whole: TechGraph | None = None  # of an as-of view: the whole graph it views
        self._temporary: Path | None = None  # of an as-of view of Neo4j: its own database folder, removed on close

    @cached_property
    def stored_queries(self) -> dict[str, StoredQuery]:
        """The stored queries, by name."""
        return load_queries()

    @cached_property
    def _schema(self) -> Schema:
        """The schema, read once (its YAML takes tens of ms to read: more than a question on it)."""
        from graph.model.schema import load_schema

        return load_schema()

    def queries(self) -> list[StoredQuery]:
        """The canned questions, sorted by name.

        >>> [q.name for q in open().queries()][:2]
        ['apps-banned-and-owners', 'counter-measures-to']
        """
        return list(self.stored_queries.values())

    def query(self, name: str, *, timeout: float | None = None, **params: Any) -> Rows:
        """Run a stored query by name.

        Parameters are checked against the query's header: unknown, missing or
        malformed ones, and entities that match no node, raise a QueryError.
        An ``entity`` parameter is a name, alias or id; the query receives the
        ids of every node it names (resolved once here, so that queries start
        from known nodes: the engines' path search is fast only then). Past
        ``timeout`` seconds (None: no limit) the query is stopped: QueryTimeout.

        >>> rows = open().query("ownership-tree", entity="Tencent")
        >>> "WeChat" in {r["name"] for r in rows}
        True
        """
        stored = get_query(name, self.stored_queries)
        values = stored.coerce(params)
        starts = {}  # an entity naming one node: its label, so that the engine looks it up by key
        for pname, parameter in stored.parameters.items():
            if parameter.type == "entity":
                matches = parameter.of_label(self.resolve(values[pname]), values[pname], name)
                values[pname] = [match["id"] for match in matches]
                if len(matches) == 1:
                    starts[pname] = matches[0]["label"]
        return Rows(*self.engine.run(stored.cypher, values, timeout=timeout, starts=starts))

    def cypher(self, text: str, params: dict[str, Any] | None = None, write: bool = False, timeout: float | None = None) -> Rows:
        """Run an ad-hoc Cypher statement (Neo4j dialect), read-only unless ``write``; stopped past
        ``timeout`` seconds (None: no limit) with a QueryTimeout.

        Writing is possible on Neo4j only; the embedded database is rebuilt
        from the data files, so edit those instead.

        >>> open().cypher("MATCH (m:Measure {id: $id}) RETURN m.effective AS day", {"id": "eo-13942"})
        [{'day': '2020-09-20'}]
        """
        if not write:  # the embedded engine checks again the text it runs; Neo4j reads in a read transaction
            check_read_only(text, self.engine.read_functions)
        return Rows(*self.engine.run(text, params or {}, write=write, timeout=timeout))

    def resolve(self, name: str) -> list[dict[str, Any]]:
        """The nodes whose id, name or alias equals ``name`` (any case, surrounding spaces ignored).

        A person's name in a list's order, ``LAM, Carrie`` (one comma: surname first), names the
        people ``Carrie LAM`` names when ``name`` itself names nothing. Raises UnknownEntityError,
        with close names, when there is none.

        >>> open().resolve("腾讯")[0]["id"], open().resolve(" LAM, Carrie ")[0]["id"]
        ('tencent', 'carrie-lam')
        """
        name = name.strip()
        rows = self.engine.resolve(name)
        surname, comma, given = name.partition(",")
        if not rows and comma and "," not in given and surname.strip() and given.strip():
            reordered = f"{given.strip()} {surname.strip()}"
            rows = [row for row in self.engine.resolve(reordered) if row["label"] == "Official"]
        if rows:
            return rows
        if self._whole is not None and self._whole.engine.resolve(name):  # known, but not on the view's day
            raise UnknownEntityError(f"unknown entity '{name}' on {self.as_of_day}: it did not exist that day")
        _, everything = self.engine.run(_ALL_NAMES, {})
        raise UnknownEntityError(f"unknown entity '{name}'{close_names(name, everything)}")

    def show(self, name: str) -> dict[str, Any]:
        """A profile of one entity: its properties, and every relation in and out.

        When several nodes share the name, the first by id is shown and the
        others are listed under ``also``.

        >>> profile = open().show("ZTE")
        >>> profile["label"], any(r["relation"] == "SANCTIONS" for r in profile["incoming"])
        ('Company', True)
        """
        matches = self.resolve(name)
        node_id = matches[0]["id"]
        ids, starts = {"entity": [node_id]}, {"entity": matches[0]["label"]}
        _, (row,) = self.engine.run(_PROFILE_NODE, ids, starts=starts)
        outgoing = self.engine.run(_OUTGOING, ids, starts=starts)[1]
        incoming = self.engine.run(_INCOMING, ids, starts=starts)[1]
        return {
            **row["node"],
            "id": node_id,
            "outgoing": outgoing,
            "incoming": incoming,
            "also": [m["id"] for m in matches[1:]],
        }

    def merges(self, name: str) -> list[dict[str, Any]]:
        """For each node called ``name``: its identifiers and the imported records resolved to it, with why.

        Every entry is a record of an imported list (``list:record``), the name
        as the list gives it and the reason it was merged into (or made) the node.

        >>> open().merges("Huawei")[0]["id"]
        'huawei'
        """
        from graph.lists.resolve import parse_merge_entry

        found = []
        for match in self.resolve(name):
            _, (row,) = self.engine.run(_NODE, {"id": match["id"]})
            node = row["node"]
            found.append({
                "id": match["id"],
                "name": node.get("name"),
                "label": match.get("label"),
                "identifiers": node.get("identifiers") or [],
                "merges": [parse_merge_entry(entry) for entry in node.get("merges") or []],
            })  # fmt: skip
        return found

    def stats(self) -> dict[str, Any]:
        """Node counts by label and relationship counts by type.

        >>> s = open().stats(); s["nodes"]["Measure"] >= 40
        True
        """
        _, nodes = self.engine.run(_COUNTS_NODES, {})
        _, rels = self.engine.run(_COUNTS_RELS, {})
        return {
            "nodes": {r["label"]: r["count"] for r in nodes},
            "relationships": {r["type"]: r["count"] for r in rels},
            "total_nodes": sum(r["count"] for r in nodes),
            "total_relationships": sum(r["count"] for r in rels),
        }

    def documents(self) -> dict[str, dict[str, Any]]:
        """The catalogue of seed documents that ``sources`` may name, by file name.

        >>> open().documents()["004_b43ca08c91e65171.txt"]["publisher"]
        'Lawfare (Wenqing Zhao, David Stanton)'
        """
        from graph.dataset.files import read_documents

        return read_documents(data_folders(self.manifest.get("folders")))

    @cached_property
    def nx(self):
        """The graph as a networkx MultiDiGraph: what this engine holds (the data files' graph for
        the embedded database, the database's content on Neo4j; for an as-of view, the whole graph's
        :func:`graph.analysis.snapshot.snapshot` of the day, its derived properties derived anew).

        >>> open().nx.nodes["wechat"]["label"]
        'App'
        """
        from graph.backends.base import graph_from_engine
        from graph.dataset.network import load_graph

        if self._whole is not None and self.as_of_day:
            from graph.analysis.snapshot import snapshot
            from graph.dataset.derived import derive

            view = snapshot(self._whole.nx, self.as_of_day)
            derive(view)
            return view
        if self.db_dir is None or self.manifest.get("stale"):
            # a server, a snapshot, or a kept build that could not be rebuilt: what the engine holds is the graph
            return graph_from_engine(self.engine, self.documents())
        return load_graph(data_folders(self.manifest.get("folders")))

    def as_of(self, day: str) -> TechGraph:
        """A read-only view of the graph as it stood on ``day``, for every query and command.

        Measures and deals exist from their announcement until they ended; relations hold from
        ``since`` until ``until`` while both their ends exist. On the embedded database the view reads
        the one built database (:class:`graph.backends.ladybug.engine.AsOfEngine`): each statement is
        rewritten to what held that day, from what the build derived of each node
        (:mod:`graph.dataset.asof`); nothing is copied or written, so a database shared read-only
        serves it too. On Neo4j, whose database holds no derived days, the graph is read from the
        server, cut to the day (:func:`graph.analysis.snapshot.snapshot`) and built into an embedded
        database in a private temporary folder, removed on :meth:`close`.

        >>> before = open().as_of("2020-08-01")     # before Clean Network and the August orders
        >>> len(before.query("measures-hitting", entity="Tencent"))
        0
        """
        from graph.backends.ladybug.engine import AsOfEngine, EmbeddedEngine
        from graph.model.dates import check_day

        day = check_day(day)
        whole = self._whole or self
        if isinstance(whole.engine, EmbeddedEngine):
            view = TechGraph(AsOfEngine(whole.engine, day), whole.db_dir, {**whole.manifest, "as_of": day})
        else:
            from graph.analysis.snapshot import snapshot_database

            folder = snapshot_database(whole.nx, day)
            view = TechGraph(EmbeddedEngine(folder), folder, {**whole.manifest, "as_of": day})
            view._temporary = folder
        view.as_of_day, view._whole = day, whole
        for read_once in ("stored_queries", "_schema"):  # the whole graph's, not read again for each day
            view.__dict__[read_once] = getattr(whole, read_once)
        return view

    def exposure(self, name: str, day: str | None = None) -> dict[str, Any]:
        """Whether an entity's property is blocked on ``day`` (default: the view's as-of day, else today)
        under OFAC's 50% rule, who controls it, its stakes and the restrictions on it and its controlling
        owners. See :func:`graph.analysis.ownership.exposure`; it reads only the entity's neighbourhood
        (:func:`graph.analysis.ownership.neighbourhood`), fetched from the engine.

        >>> result = open().exposure("China Mobile Limited", "2021-06-01")
        >>> result["verdict"], result["owners"][0]["name"], result["restrictions"][-1]["id"]
        ('no', 'China Mobile Communications Group Co., Ltd.', 'eo-13959')
        """
        from graph.analysis.ownership import exposure, neighbourhood

        node = self.resolve(name)[0]
        local = neighbourhood(self.engine, node, self._schema)
        return exposure(local, node["id"], day or self.as_of_day, self._schema).as_dict()

    def chains(self) -> list[dict[str, Any]]:
        """Retaliation chains (the ``retaliation-chains`` query), each step with its delay in days.

        >>> chain = next(c for c in open().chains() if c["steps"][-1]["id"] == "cn-counter-sanctions-2020-08-10")
        >>> [(s["id"], s["delay_days"]) for s in chain["steps"]]
        [('ofac-hk-designations-2020-08-07', None), ('cn-counter-sanctions-2020-08-10', 3)]
        """
        from graph.analysis.chains import chains, read_chains

        rows, measures, issuers = read_chains(self.engine)  # the chains derived at build, and their measures, thin
        return chains(rows, measures, lambda measure: issuers.get(measure, []))

    def export(self, fmt: str, out_dir: Path | str) -> list[Path]:
        """Write the graph (or this as-of view) as graphml, gexf, ftm or csv; return the files.

        >>> import tempfile
        >>> [p.name for p in open().export("gexf", tempfile.mkdtemp())]
        ['techgraph.gexf']
        """
        from graph.outputs.exports import EXPORTERS, export

        direct = fmt in EXPORTERS and EXPORTERS[fmt].write_database and hasattr(self.engine, "copy_to_csv")  # no graph built
        return export(self.engine if direct else self.nx if fmt in EXPORTERS else None, fmt, out_dir, self._schema)

    def timeline(self, out: Path | str) -> dict[str, Any]:
        """Draw the measures over time as PNG or SVG (by suffix); see :func:`graph.outputs.timeline.timeline`.

        >>> import tempfile
        >>> open().timeline(Path(tempfile.mkdtemp()) / "t.png")["arrows"] >= 5
        True
        """
        from graph.outputs.timeline import timeline

        return timeline(self.nx, Path(out), as_of=self.as_of_day)

    def ego(self, name: str, depth: int, out: Path | str) -> dict[str, Any]:
        """Write the neighbourhood of an entity as a self-contained interactive HTML page.

        >>> import tempfile
        >>> open().ego("ByteDance", 1, Path(tempfile.mkdtemp()) / "b.html")["nodes"] > 5
        True
        """
        from graph.outputs.ego import ego

        return ego(self.nx, self.resolve(name)[0]["id"], depth, Path(out))

    def push(self, target=None, batch_size: int | None = None, replace: bool = False, progress=None) -> dict[str, int]:
        """Write this graph's data to Neo4j (idempotent; see :func:`graph.backends.neo4j.push.push`).

        ``target``: a connected Neo4jEngine, Neo4jSettings, or None for the ``TECHGRAPH_NEO4J_*``
        settings; ``batch_size``: records a transaction (default ``PUSH_BATCH_SIZE``). The embedded
        database's rows are streamed from the engine, table by table (no networkx graph is built);
        another engine's come from :attr:`nx`. Returns Neo4j's node and relationship counts after.
        """
        from graph.backends.ladybug.engine import EmbeddedEngine
        from graph.backends.neo4j.engine import Neo4jEngine
        from graph.backends.neo4j.push import push
        from graph.backends.neo4j.settings import PUSH_BATCH_SIZE
        from graph.dataset.network import graph_rows, row_batches

        schema, size = self._schema, batch_size or PUSH_BATCH_SIZE
        engine = target if isinstance(target, Neo4jEngine) else Neo4jEngine(target or Neo4jSettings.from_env())
        try:
            if isinstance(self.engine, EmbeddedEngine):
                batches = self.engine.batches(schema, size)
            else:
                batches = row_batches(graph_rows(self.nx), schema, size)
            return push(batches, engine, schema, batch_size=size, replace=replace, progress=progress)
        finally:
            if engine is not target:
                engine.close()

    def close(self) -> None:
        """Release the engine (an embedded as-of view's is its whole graph's: closed with that; a Neo4j
        view's temporary database is removed)."""
        self.engine.close()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)

    def __enter__(self) -> TechGraph:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open(  # noqa: A001
    db: Path | str | None = None,
    *,
    data: list[Path | str] | None = None,
    neo4j_uri: str | None = None,
    neo4j: Neo4jSettings | None = None,
) -> TechGraph:
    """Open the graph: the embedded database by default, or a Neo4j database.

    The embedded database is built, or refreshed when the data changed, first.

    Parameters
    ----------
    db : path-like, optional
        Database folder; default ``$TECHGRAPH_DB`` or ``~/.cache/techgraph/db``.
    data : list of path-like, optional
        Extra data folders to include beside the shipped ``data/``.
    neo4j_uri : str, optional
        Query Neo4j at this URI instead (user, password and database from
        ``TECHGRAPH_NEO4J_*``); or pass complete ``neo4j`` settings.

    Examples
    --------
    >>> import graph
    >>> with graph.open() as g:
    ...     g.stats()["total_nodes"] > 100
    True
    """
    from graph.backends.ladybug.engine import EmbeddedEngine
    from graph.backends.ladybug.folder import ensure_database

    if neo4j_uri or neo4j:
        from graph.backends.neo4j.engine import Neo4jEngine

        settings = neo4j or Neo4jSettings.from_env(uri=neo4j_uri)
        return TechGraph(Neo4jEngine(settings), manifest={"folders": [str(Path(d)) for d in data or []]})
    db_dir = Path(db) if db else default_db_dir()
    manifest = ensure_database(db_dir, [Path(d) for d in data] if data else None)
    return TechGraph(EmbeddedEngine(db_dir), db_dir, manifest)


def load(db: Path | str | None = None, data: list[Path | str] | None = None) -> dict[str, Any]:
    """Validate the data and rebuild the embedded database now (atomically).

    Returns the new build's manifest (fingerprint, folders, counts).

    >>> load()["measures"] >= 40
    True
    """
    from graph.backends.ladybug.build import build_database

    db_dir = Path(db) if db else default_db_dir()
    return build_database(db_dir, [Path(d) for d in data or []])


def check(data: list[Path | str] | None = None) -> dict[str, int]:
    """Validate the data without touching any database; return node, edge and measure counts.

    >>> check()["nodes"] > 100
    True
    """
    from graph.dataset.network import load_graph

    g = load_graph(data_folders(data))
    measures = sum(1 for _, d in g.nodes(data=True) if d["label"] == "Measure")
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "measures": measures}
