"""Export the graph for other tools: GraphML, GEXF, FollowTheMoney and neo4j-admin CSV.

``export(g, fmt, out_dir)`` writes one format into a folder (created if
missing) and returns the files written:

* ``graphml`` -> ``techgraph.graphml`` and ``gexf`` -> ``techgraph.gexf``:
  for networkx, Gephi, yEd, Cytoscape. Every property is kept; lists
  (``aliases``, ``sources``) are JSON text, as neither format has a list type.
  Edges keep their relation key (GraphML edge id; GEXF edge id and
  ``networkx_key``). GraphML keeps the node ``label`` and edge ``type``
  attributes and the document catalogue as JSON text on the graph. GEXF
  reserves ``label`` and ``type`` for itself, so there a node's GEXF label is
  its name, its techgraph label is the ``node_label`` attribute, an edge's GEXF
  label is its type, and the catalogue is left out. :func:`read_graphml` and
  :func:`read_gexf` undo all this and give back the graph :func:`load_graph`
  built.
* ``ftm`` -> ``techgraph.ftm.json``: FollowTheMoney entities, one JSON object a
  line sorted by id, as OpenSanctions and Aleph read them (see :func:`ftm_entities`).
* ``csv`` -> ``<Label>_nodes.csv`` and ``<TYPE>_relationships.csv`` in the
  header format of ``neo4j-admin database import``: ``id:ID``, ``:LABEL``,
  ``:START_ID``, ``:END_ID``, ``:TYPE``, ``name:string[]`` for string lists and
  ``name:double`` for floats, ``name:long`` for integers; dates stay strings, as on every other engine.
  List items are joined with ``;``, neo4j-admin's default array delimiter (an
  item containing ``;`` is an error), and an empty list is an empty field,
  which neo4j-admin leaves unset. :func:`neo4j_admin_command` gives the command
  line that imports the folder into a new database.

Example
-------
>>> import tempfile
>>> from graph import load_graph
>>> [p.name for p in export(load_graph(), "graphml", tempfile.mkdtemp())]
['techgraph.graphml']
"""

from __future__ import annotations

import csv
import hashlib
import json
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from graph.errors import DataError, QueryError
from graph.model.schema import Schema, load_schema

FORMATS = ("graphml", "gexf", "ftm", "csv")
ARRAY_DELIMITER = ";"
NEO4J_TYPES = {"string": "", "date": "", "float": ":double", "integer": ":long", "string-list": ":string[]"}

# FollowTheMoney schema of each label, and where each property goes beyond the
# ones every node has (name -> name, aliases -> alias, summary, sources).
FTM_NODES = {
    "Government": ("PublicBody", {"country": "country", "kind": "classification"}),
    "Official": ("Person", {"country": "country", "role": "position"}),
    "Company": ("Company", {"country": "country", "kind": "classification"}),
    "App": ("Asset", {"country": "country"}),
    "Measure": ("Event", {"kind": "keywords", "legal_basis": "notes", "citation": "recordId", "announced": "date",
                          "effective": "startDate", "ended": "endDate"}),
    "Deal": ("Project", {"kind": "keywords", "status": "status", "announced": "startDate", "ended": "endDate"}),
}
# FollowTheMoney schema of each relationship type, with its source and target
# properties; other types become an UnknownLink whose role names the type.
FTM_RELATIONS = {
    "SANCTIONS": ("Sanction", None, "entity"),
    "OWNS": ("Ownership", "owner", "asset"),
    "HOLDS_OFFICE": ("Employment", "employee", "employer"),
    "PARTY_TO": ("ProjectParticipant", "participant", "project"),
}


def export(g: nx.MultiDiGraph, fmt: str, out_dir: Path | str, schema: Schema | None = None) -> list[Path]:
    """Write the graph in one format into ``out_dir`` (created if missing).

    Parameters
    ----------
    g : networkx.MultiDiGraph
        A graph as :func:`load_graph` builds it.
    fmt : str
        One of ``graphml``, ``gexf``, ``ftm``, ``csv``.
    out_dir : path-like
        The folder to write into; existing files of the same names are replaced.
    schema : Schema, optional
        Defaults to the shipped schema.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    QueryError
        On an unknown format.

    Examples
    --------
    >>> export(None, "pdf", "out")
    Traceback (most recent call last):
    graph.errors.QueryError: unknown export format 'pdf' (formats: graphml, gexf, ftm, csv)
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        return write_csv(g, out, schema)
    path = out / ("techgraph.ftm.json" if fmt == "ftm" else f"techgraph.{fmt}")
    {"graphml": write_graphml, "gexf": write_gexf, "ftm": write_ftm}[fmt](g, path)
    return [path]


def _json_lists(data: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in data.items()}


def _decoded(h: nx.MultiDiGraph, schema: Schema | None) -> nx.MultiDiGraph:
    """Turn the JSON text of the schema's string-list properties back into lists."""
    schema = schema or load_schema()
    kinds = [*schema.nodes.values(), *schema.relations.values()]
    lists = {p.name for kind in kinds for p in kind.properties.values() if p.type == "string-list"}
    for data in [*(d for _, d in h.nodes(data=True)), *(d for *_, d in h.edges(data=True))]:
        data.update({k: json.loads(v) for k, v in data.items() if k in lists})
    return h


def write_graphml(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write GraphML; lists and graph attributes (the document catalogue) as JSON text."""
    h = nx.MultiDiGraph(**{k: json.dumps(v, ensure_ascii=False) for k, v in g.graph.items()})
    h.add_nodes_from((n, _json_lists(d)) for n, d in g.nodes(data=True))
    h.add_edges_from((u, v, k, _json_lists(d)) for u, v, k, d in g.edges(keys=True, data=True))
    nx.write_graphml(h, path, encoding="utf-8")


def read_graphml(path: Path | str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Read a file :func:`write_graphml` wrote back into the graph it came from.

    >>> import tempfile
    >>> from graph import load_graph
    >>> g = load_graph()
    >>> path = export(g, "graphml", tempfile.mkdtemp())[0]
    >>> read_graphml(path).nodes["tencent"] == g.nodes["tencent"]
    True
    """
    h = nx.read_graphml(path, force_multigraph=True)
    h.graph = {k: json.loads(v) for k, v in h.graph.items() if k not in ("node_default", "edge_default")}
    return _decoded(h, schema)


def write_gexf(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write GEXF 1.2draft for Gephi: nodes labelled by name, edges by type, lists as JSON text."""
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{**_json_lists(d), "label": d["name"], "node_label": d["label"]})
    for u, v, k, d in g.edges(keys=True, data=True):
        data = _json_lists(d)
        rel_type = data.pop("type")
        h.add_edge(u, v, k, **data, id=k, label=rel_type)
    nx.write_gexf(h, path, encoding="utf-8")


def read_gexf(path: Path | str, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Read a file :func:`write_gexf` wrote back into the graph it came from (without the catalogue).

    >>> import tempfile
    >>> from graph import load_graph
    >>> g = load_graph()
    >>> h = read_gexf(export(g, "gexf", tempfile.mkdtemp())[0])
    >>> h.edges["tencent", "wechat", "OWNS:tencent->wechat"] == g.edges["tencent", "wechat", "OWNS:tencent->wechat"]
    True
    """
    h = nx.read_gexf(path)
    h.graph = {}
    for _, data in h.nodes(data=True):
        data["label"] = data.pop("node_label")
    for _, _, data in h.edges(data=True):
        data["type"] = data.pop("label")
        del data["id"]
    return _decoded(h, schema)


def ftm_id(node_or_key: str, kind: str = "") -> str:
    """The FollowTheMoney id of a node (``tg-<id>``), or of a relation or document by a hash of its key.

    >>> ftm_id("tencent"), ftm_id("OWNS:tencent->wechat", "owns")
    ('tg-tencent', 'tg-owns-fe2d628f5958b2d1')
    """
    if not kind:
        return f"tg-{node_or_key}"
    return f"tg-{kind}-{hashlib.sha1(node_or_key.encode()).hexdigest()[:16]}"


def _entity(entity_id: str, schema: str, properties: dict[str, Any]) -> dict[str, Any]:
    """An entity dict; values become lists of distinct strings, empty ones are dropped."""
    props = {}
    for name, value in properties.items():
        values = value if isinstance(value, list) else [value]
        values = list(dict.fromkeys(str(v) for v in values if v is not None))
        if values:
            props[name] = values
    return {"id": entity_id, "schema": schema, "properties": props}


def _sources(sources: list[str]) -> dict[str, list[str]]:
    """URLs as ``sourceUrl`` (with the ``/`` path FtM gives a bare host), seed documents as ``proof``."""
    urls = [urlsplit(s) for s in sources if s.startswith(("https://", "http://"))]
    return {
        "sourceUrl": [(url if url.path else url._replace(path="/")).geturl() for url in urls],
        "proof": [ftm_id(s, "doc") for s in sources if not s.startswith(("https://", "http://"))],
    }


def ftm_entities(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The graph as FollowTheMoney entities (dicts of ``id``, ``schema``, ``properties``), sorted by id.

    Nodes map to PublicBody (Government), Person (Official), Company, Asset
    (App: the one non-company schema an Ownership may own, as apps are owned
    and operated, not incorporated), Event (Measure) and Project (Deal); seed
    documents to Document entities that ``proof`` points to, URL sources to
    ``sourceUrl``. Each SANCTIONS relation is a Sanction on its target carrying
    the measure (``program`` = its name, ``programId`` = its Event's id,
    ``reason`` = its summary, issuers as ``authority`` and ``country``, the
    relation's note as ``provisions``, ``since``/``until`` or else the measure's
    dates). OWNS is an Ownership (``percentage``), HOLDS_OFFICE an Employment,
    PARTY_TO a ProjectParticipant (both with ``role``), every other type an
    UnknownLink whose ``role`` names it. Relation entities keep the relation
    key as ``recordId``, ``since``/``until`` as ``startDate``/``endDate``, the
    note as ``description``. Node ids are ``tg-<id>``; others hash their key.

    >>> from graph import load_graph
    >>> entities = {e["id"]: e for e in ftm_entities(load_graph())}
    >>> entities["tg-tencent"]["schema"], entities["tg-tencent"]["properties"]["country"]
    ('Company', ['cn'])
    """
    entities = [
        _entity(ftm_id(doc_id, "doc"), "Document", {"fileName": doc_id, "title": doc.get("title"),
                                                   "publisher": doc.get("publisher"), "date": doc.get("date")})
        for doc_id, doc in g.graph.get("documents", {}).items()
    ]
    for n, d in g.nodes(data=True):
        schema, mapping = FTM_NODES[d["label"]]
        props = {"name": d["name"], "alias": d.get("aliases", []), "summary": d.get("summary"), **_sources(d["sources"])}
        for prop, ftm_prop in mapping.items():
            value = d.get(prop)
            props[ftm_prop] = value.lower() if ftm_prop == "country" and value else value
        entities.append(_entity(ftm_id(n), schema, props))
    for u, v, key, d in g.edges(keys=True, data=True):
        schema, source, target = FTM_RELATIONS.get(d["type"], ("UnknownLink", "subject", "object"))
        props = {target: ftm_id(v), "startDate": d.get("since"), "endDate": d.get("until"),
                 "description": d.get("note"), "recordId": key, **_sources(d["sources"])}
        if source:
            props[source] = ftm_id(u)
        if schema == "UnknownLink":
            props["role"] = d["type"].lower().replace("_", " ")
        elif "role" in d:
            props["role"] = d["role"]
        if "share" in d:
            props["percentage"] = f"{d['share']:g}"
        if schema == "Sanction":
            measure = g.nodes[u]
            issuers = [g.nodes[i] for i, _, t in g.in_edges(u, data="type") if t == "ISSUED"]
            props.update(
                program=measure["name"], programId=ftm_id(u),
                reason=measure.get("summary"), listingDate=measure.get("announced"),
                startDate=d.get("since") or measure.get("effective") or measure.get("announced"),
                endDate=d.get("until") or measure.get("ended"), provisions=props.pop("description"),
                authority=[i["name"] for i in issuers],
                country=[i["country"].lower() for i in issuers if i.get("country")],
                **_sources([*d["sources"], *measure["sources"]]),
            )
        entities.append(_entity(ftm_id(key, d["type"].lower().replace("_", "-")), schema, props))
    return sorted(entities, key=lambda e: e["id"])


def write_ftm(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write :func:`ftm_entities` as JSON lines (UTF-8, ``id`` first, sorted by id)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(entity, ensure_ascii=False) + "\n" for entity in ftm_entities(g))


def _cell(value: Any, where: str, prop: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        for item in value:
            if ARRAY_DELIMITER in item:
                raise DataError(f"{where}: {prop} item {item!r} contains {ARRAY_DELIMITER!r}, the neo4j-admin array delimiter")
        return ARRAY_DELIMITER.join(value)
    return repr(value) if isinstance(value, float) else str(value)


def _write_table(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_csv(g: nx.MultiDiGraph, folder: Path | str, schema: Schema | None = None) -> list[Path]:
    """Write one nodes file per label and one relationships file per type present in the graph.

    >>> import tempfile
    >>> from graph import load_graph
    >>> files = write_csv(load_graph(), tempfile.mkdtemp())
    >>> files[0].read_text(encoding="utf-8").splitlines()[0]
    'id:ID,name,aliases:string[],summary,sources:string[],identifiers:string[],merges:string[],country,kind,:LABEL'
    """
    schema = schema or load_schema()
    folder = Path(folder)
    files = []
    for label, node in schema.nodes.items():
        props = [p for p in node.properties.values() if p.name != "id"]
        rows = [
            [n, *(_cell(d.get(p.name), f"{label} {n!r}", p.name) for p in props), label]
            for n, d in g.nodes(data=True)
            if d["label"] == label
        ]
        if rows:
            header = ["id:ID", *(p.name + NEO4J_TYPES[p.type] for p in props), ":LABEL"]
            files.append(_write_table(folder / f"{label}_nodes.csv", header, rows))
    for rel_type, rel in schema.relations.items():
        props = list(rel.properties.values())
        rows = [
            [u, v, rel_type, *(_cell({**d, "key": k}.get(p.name), k, p.name) for p in props)]
            for u, v, k, d in g.edges(keys=True, data=True)
            if d["type"] == rel_type
        ]
        if rows:
            header = [":START_ID", ":END_ID", ":TYPE", *(p.name + NEO4J_TYPES[p.type] for p in props)]
            files.append(_write_table(folder / f"{rel_type}_relationships.csv", header, rows))
    return files


def neo4j_admin_command(files: Iterable[Path | str], database: str = "neo4j") -> str:
    """The ``neo4j-admin`` (Neo4j 5.19+) command line importing :func:`write_csv`'s files into a new database.

    Run it with the database stopped (it replaces the database) where
    neo4j-admin can read the paths, then create the uniqueness constraints
    (:meth:`Schema.neo4j_constraints`) that ``techgraph push`` would.

    >>> print(neo4j_admin_command(["out/OWNS_relationships.csv", "out/Company_nodes.csv"]))
    neo4j-admin database import full neo4j --overwrite-destination '--array-delimiter=;' --multiline-fields=true --nodes=out/Company_nodes.csv --relationships=out/OWNS_relationships.csv
    """
    paths = [Path(f) for f in files]
    return shlex.join([
        "neo4j-admin", "database", "import", "full", database, "--overwrite-destination",
        f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true",
        *(f"--nodes={p}" for p in paths if p.name.endswith("_nodes.csv")),
        *(f"--relationships={p}" for p in paths if p.name.endswith("_relationships.csv")),
    ])
