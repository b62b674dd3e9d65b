"""FollowTheMoney entities (``techgraph.ftm.json``), one JSON object a line sorted by id, as OpenSanctions and Aleph read them.

See :func:`ftm_entities` for how nodes, relations and documents map to FtM schemata.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from graph.model.lifecycle import OPEN, Lifecycle
from graph.model.schema import load_schema
from graph.outputs.exports.base import one_file

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
    life = load_schema().lifecycle  # a sanction holds while its measure is in force, by the lifecycle rule
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
            issuers = [g.nodes[i] for i, _, e in g.in_edges(u, data=True) if e.get("type") == "ISSUED"]
            props.update(
                program=measure["name"], programId=ftm_id(u),
                reason=measure.get("summary"), listingDate=measure.get("announced"),
                startDate=d.get("since") or _first_in_force(life, measure),
                endDate=d.get("until") or _last_in_force(life, measure), provisions=props.pop("description"),
                status=life.values(measure)["status"] if life else None,
                authority=[i["name"] for i in issuers],
                country=[i["country"].lower() for i in issuers if i.get("country")],
                **_sources([*d["sources"], *measure["sources"]]),
            )
        entities.append(_entity(ftm_id(key, d["type"].lower().replace("_", "-")), schema, props))
    return sorted(entities, key=lambda e: e["id"])


def _first_in_force(life: Lifecycle | None, measure: dict[str, Any]) -> str | None:
    """The day the measure first took effect (None if it never did)."""
    periods = life.values(measure)["in_force"] if life else []
    return periods[0][:10] if periods else None


def _last_in_force(life: Lifecycle | None, measure: dict[str, Any]) -> str | None:
    """The day the measure was last in force until (None while it holds, or if it never was)."""
    periods = life.values(measure)["in_force"] if life else []
    return periods[-1][-10:] if periods and not periods[-1].endswith(OPEN) else None


def write_ftm(g: nx.MultiDiGraph, path: Path | str) -> None:
    """Write :func:`ftm_entities` as JSON lines (UTF-8, ``id`` first, sorted by id)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(entity, ensure_ascii=False) + "\n" for entity in ftm_entities(g))


EXPORTER = one_file("ftm", "techgraph.ftm.json", write_ftm)
