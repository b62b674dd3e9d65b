"""Read the YAML dataset, validate every record against the schema, build a networkx graph.

A data file maps node labels and relationship types to lists of records::

    Company:
      - {id: tencent, name: Tencent Holdings Limited, country: CN, sources: [...]}
    OWNS:
      - {from: tencent, to: wechat, share: 100, sources: [...]}

A folder may also hold JSON-lines files (``*.jsonl``, written by
``techgraph import``), one record per line, keyed by its kind as in YAML::

    {"Company": {"id": "example-co", "name": "Example Co.", "country": "CN", "sources": ["https://..."]}}
    {"Extend": {"id": "huawei", "identifiers": ["ofac:30882"], "sources": ["https://..."]}}

``Extend`` adds list values (aliases, identifiers, merges, sources; sources
and records of a relation given by ``key``) to a node or relation defined in
any file, and may close such a relation (``until``) that has no end yet.

The first bad record stops the load with a one-line :class:`DataError` naming
file, line, record and field. Unknown ids, duplicate ids, relations between
labels the schema does not allow and sources that are neither a catalogued
document nor a URL are errors too.

Example
-------
>>> g = load_graph()
>>> g.nodes["tencent"]["label"], g.nodes["tencent"]["name"]
('Company', 'Tencent Holdings Limited')
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import networkx as nx
import yaml
from pydantic import ValidationError

from graph.errors import DataError, brief
from graph.paths import data_dir
from graph.schema import Schema, load_schema

SCHEMA_FILE = "schema.yaml"
DOCUMENTS_FILE = "documents.yaml"


@dataclass(frozen=True)
class Record:
    """One record of a data file: its kind (label or type), fields, file and line."""

    kind: str
    fields: dict[str, Any]
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{shown(self.file)}:{self.line}"


def shown(path: Path) -> str:
    """A path as errors show it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def data_files(folders: Iterable[Path]) -> list[Path]:
    """The record files of each folder, sorted (schema and document catalogue excluded)."""
    files = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise DataError(f"{shown(folder)}: not a data folder")
        files += sorted(p for p in folder.glob("*.yaml") if p.name not in (SCHEMA_FILE, DOCUMENTS_FILE))
        files += sorted(folder.glob("*.jsonl"))
    return files


def fingerprint(folders: Iterable[Path]) -> str:
    """A hash of the schema, catalogues and data files: it changes when any of them does.

    >>> len(fingerprint([data_dir()]))
    16
    """
    digest = hashlib.sha256()
    folders = [Path(f) for f in folders]
    for path in [data_dir() / SCHEMA_FILE, *[f / DOCUMENTS_FILE for f in folders], *data_files(folders)]:
        if path.is_file():
            digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay the ISO strings the schema validates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse(path: Path) -> yaml.Node | None:
    loader = None
    try:
        loader = _Loader(path.read_text(encoding="utf-8"))
        return loader.get_single_node()
    except RecursionError:
        raise DataError(f"{shown(path)}:{loader.get_mark().line + 1}: invalid YAML: nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{shown(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise DataError(f"{shown(path)}{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:  # the reader's errors (control characters) carry no line
        raise DataError(f"{shown(path)}: invalid YAML: {' '.join(str(exc).split())}") from None
    except OSError as exc:
        raise DataError(f"{shown(path)}: cannot read: {exc.strerror}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _construct(node: yaml.Node, path: Path) -> Any:
    try:
        return _Loader("").construct_document(node)
    except (yaml.YAMLError, ValueError) as exc:
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise DataError(f"{shown(path)}:{node.start_mark.line + 1}: invalid YAML: {problem}") from None


EXTEND = "Extend"


def _read_json_lines(path: Path, known: list[str]) -> Iterator[Record]:
    try:
        with open(path, "rb") as lines:
            for number, raw in enumerate(lines, 1):
                if not raw.strip():
                    continue
                try:
                    fields = json.loads(raw.decode("utf-8"))
                except RecursionError:
                    raise DataError(f"{shown(path)}:{number}: invalid JSON: nested too deeply") from None
                except UnicodeDecodeError as exc:
                    raise DataError(f"{shown(path)}:{number}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
                except ValueError as exc:
                    raise DataError(f"{shown(path)}:{number}: invalid JSON: {str(exc).split(':')[0]}") from None
                if not isinstance(fields, dict) or len(fields) != 1:
                    raise DataError(f"{shown(path)}:{number}: a record must be a JSON object with one key, its kind")
                ((kind, fields),) = fields.items()
                if kind not in known:
                    raise DataError(f"{shown(path)}:{number}: unknown record kind {brief(kind)}{suggest(str(kind), known)}")
                if not isinstance(fields, dict):
                    raise DataError(f"{shown(path)}:{number}: a {kind} record must be a JSON object")
                yield Record(kind, fields, path, number)
    except OSError as exc:
        raise DataError(f"{shown(path)}: cannot read: {exc.strerror}") from None


def read_records(path: Path, schema: Schema) -> Iterator[Record]:
    """Yield the records of one data file (YAML or JSON lines) with their line numbers."""
    known = [*schema.nodes, *schema.relations]
    if path.suffix == ".jsonl":
        yield from _read_json_lines(path, [*known, EXTEND])
        return
    root = _parse(path)
    if root is None:
        return
    if not isinstance(root, yaml.MappingNode):
        raise DataError(f"{shown(path)}:{root.start_mark.line + 1}: a data file must map labels and relationship types to lists")
    for key_node, value_node in root.value:
        kind = key_node.value
        line = key_node.start_mark.line + 1
        if kind not in known:
            raise DataError(f"{shown(path)}:{line}: unknown label or relationship type {brief(kind)}{suggest(kind, known)}")
        if not isinstance(value_node, yaml.SequenceNode):
            raise DataError(f"{shown(path)}:{line}: {kind} must be a list of records")
        for item in value_node.value:
            fields = _construct(item, path)
            if not isinstance(fields, dict):
                raise DataError(f"{shown(path)}:{item.start_mark.line + 1}: a {kind} record must be a mapping")
            yield Record(kind, fields, path, item.start_mark.line + 1)


def read_documents(folders: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """The catalogue of source documents (``documents.yaml`` of each folder), by id."""
    documents: dict[str, dict[str, Any]] = {}
    for folder in folders:
        path = Path(folder) / DOCUMENTS_FILE
        if not path.is_file():
            continue
        root = _parse(path)
        entries = _construct(root, path) if root is not None else []
        if not isinstance(entries, list):
            raise DataError(f"{shown(path)}:1: the document catalogue must be a list")
        for entry, node in zip(entries, root.value if root is not None else []):
            line = node.start_mark.line + 1
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
                raise DataError(f"{shown(path)}:{line}: a document needs an id and a title")
            documents[str(entry["id"])] = {k: str(v) for k, v in entry.items()}
    return documents


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'a', 'b'?)`` with up to three close candidates, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=3)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "record"
    field = "from" if field == "from_" else field
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return f"field '{field}' is required"
    if error["type"] == "extra_forbidden":
        return f"unknown field '{field}'"
    return f"field '{field}': {message}"


def _record_name(record: Record) -> str:
    """How errors name a record: ``Company 'tencent'`` or ``OWNS from 'a' to 'b'``."""
    fields = record.fields
    if record.kind == EXTEND:
        return f"Extend of {brief(fields.get('id') or fields.get('key'))}"
    if "id" in fields or "from" not in fields:
        return f"{record.kind} {brief(fields.get('id', '(no id)'))}"
    return f"{record.kind} from {brief(fields.get('from'))} to {brief(fields.get('to'))}"


def _check_sources(record: Record, sources: list[str], documents: dict[str, Any], label: str) -> None:
    for source in sources:
        if source.startswith(("https://", "http://")):
            continue
        if source not in documents:
            raise DataError(
                f"{record.where}: {label}: source {brief(source)} is neither a URL nor a catalogued document"
                f"{suggest(source, documents)}"
            )


def row_batches(g: nx.MultiDiGraph, schema: Schema, size: int) -> Iterator[tuple[str | tuple[str, str, str], list[dict]]]:
    """The graph as engine rows in batches of at most ``size``: every node batch first, then relations.

    Yields ``(label, rows)`` for nodes and ``((type, from label, to label), rows)``
    for relations. Every row has every declared property (None when absent);
    node rows carry ``id``, relation rows ``from``, ``to`` and ``key``. One pass,
    and never more than ``size`` rows of a kind held at once, whatever the graph's size.

    >>> batches = list(row_batches(load_graph(), load_schema(), 1000))
    >>> batches[0][0], sorted(dict(batches)[("OWNS", "Company", "App")][0])[:3]
    ('Government', ['from', 'key', 'note'])
    """
    buckets: dict[Any, list[dict]] = {}
    for node, data in g.nodes(data=True):
        label = data["label"]
        bucket = buckets.setdefault(label, [])
        bucket.append({p: data.get(p) for p in schema.nodes[label].properties} | {"id": node})
        if len(bucket) >= size:
            yield label, buckets.pop(label)
    yield from ((label, rows) for label, rows in buckets.items() if rows)
    buckets = {}
    labels = {node: data["label"] for node, data in g.nodes(data=True)}
    for source, target, key, data in g.edges(keys=True, data=True):
        kind = (data["type"], labels[source], labels[target])
        bucket = buckets.setdefault(kind, [])
        bucket.append({p: data.get(p) for p in schema.relations[data["type"]].properties} | {"from": source, "to": target, "key": key})
        if len(bucket) >= size:
            yield kind, buckets.pop(kind)
    yield from ((kind, rows) for kind, rows in buckets.items() if rows)


def relation_key(rel_type: str, source: str, target: str, values: dict[str, Any]) -> str:
    """The identity of a relation: type and ends, plus ``since`` and ``role`` when given.

    >>> relation_key("HOLDS_OFFICE", "xi-jinping", "prc", {"role": "President", "since": "2013-03-14"})
    'HOLDS_OFFICE:xi-jinping->prc@2013-03-14#President'
    """
    key = f"{rel_type}:{source}->{target}"
    if values.get("since"):
        key += f"@{values['since']}"
    if values.get("role"):
        key += f"#{values['role']}"
    return key


def load_graph(folders: Iterable[Path | str] | None = None, schema: Schema | None = None) -> nx.MultiDiGraph:
    """Validate the dataset and build it as a networkx MultiDiGraph.

    Parameters
    ----------
    folders : list of path-like, optional
        Data folders; defaults to the shipped ``data/``. Extra folders given
        after it add records of the same format (and may catalogue their own
        documents).
    schema : Schema, optional
        Defaults to the shipped schema.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute and their properties;
        edges are keyed by :func:`relation_key` and carry ``type`` and their
        properties.

    Raises
    ------
    DataError
        On the first bad record, naming file, line, record and field.

    Examples
    --------
    >>> g = load_graph()
    >>> any(d["type"] == "OWNS" for _, _, d in g.in_edges("wechat", data=True))
    True
    """
    schema = schema or load_schema()
    folders = [Path(f) for f in (folders or [data_dir()])]
    documents = read_documents(folders)
    g = nx.MultiDiGraph(documents=documents)
    relations: list[tuple[Record, dict[str, Any]]] = []
    extends: list[tuple[Record, dict[str, Any]]] = []
    where_defined: dict[str, str] = {}
    for path in data_files(folders):
        for record in read_records(path, schema):
            name = _record_name(record)
            model = schema.extend_model() if record.kind == EXTEND else schema.model(record.kind)
            try:
                values = model.model_validate(record.fields).model_dump(exclude_none=True)
            except ValidationError as exc:
                raise DataError(f"{record.where}: {name}: {_first_error(exc)}") from None
            if record.kind == EXTEND:
                extends.append((record, values))
                continue
            if record.kind in schema.relations:
                relations.append((record, values))
                continue
            _check_sources(record, values["sources"], documents, name)
            node_id = values.pop("id")
            if node_id in where_defined:
                raise DataError(f"{record.where}: {name}: duplicate id, first defined at {where_defined[node_id]}")
            where_defined[node_id] = record.where
            values.setdefault("aliases", [])
            g.add_node(node_id, label=record.kind, **values)
    seen: dict[str, str] = {}
    for record, values in relations:
        source, target = values.pop("from_"), values.pop("to")
        name = _record_name(record)
        for end in (source, target):
            if end not in g:
                raise DataError(f"{record.where}: {name}: unknown node id {brief(end)}{suggest(end, g.nodes)}")
        pair = (g.nodes[source]["label"], g.nodes[target]["label"])
        allowed = schema.relations[record.kind].pairs
        if pair not in allowed:
            options = ", ".join(f"{a}->{b}" for a, b in allowed)
            raise DataError(f"{record.where}: {name}: {record.kind} cannot join {pair[0]} to {pair[1]} (allowed: {options})")
        _check_sources(record, values["sources"], documents, name)
        key = relation_key(record.kind, source, target, values)
        if key in seen:
            raise DataError(f"{record.where}: {name}: duplicate relation, first given at {seen[key]}")
        seen[key] = record.where
        g.add_edge(source, target, key=key, type=record.kind, **values)
    edges = {key: data for _, _, key, data in g.edges(keys=True, data=True)} if extends else {}
    for record, values in extends:
        _extend(record, values, g, edges, documents, schema)
    return g


def _extend(record: Record, values: dict[str, Any], g: nx.MultiDiGraph, edges: dict[str, dict], documents, schema: Schema) -> None:
    """Add an Extend record's list values to its node or relation (new values appended, order kept)."""
    node_id, key = values.pop("id", None), values.pop("key", None)
    name = _record_name(record)
    if (node_id is None) == (key is None):
        raise DataError(f"{record.where}: {name}: an Extend needs exactly one of 'id' and 'key'")
    if node_id is not None and node_id not in g:
        raise DataError(f"{record.where}: {name}: unknown node id {brief(node_id)}{suggest(node_id, g.nodes)}")
    if key is not None and key not in edges:
        raise DataError(f"{record.where}: {name}: unknown relation key {brief(key)}")
    target = g.nodes[node_id] if node_id is not None else edges[key]
    kind = target["label"] if node_id is not None else target["type"]
    declared = (schema.nodes.get(kind) or schema.relations[kind]).properties
    for field in values:
        if field not in declared:
            raise DataError(f"{record.where}: {name}: {kind} has no property {brief(field)}")
    _check_sources(record, values.get("sources", []), documents, name)
    until = values.pop("until", None)
    if until is not None:
        if node_id is not None:
            raise DataError(f"{record.where}: {name}: 'until' closes relations, not nodes")
        target.setdefault("until", until)
    for field, items in values.items():
        current = target.get(field) or []
        target[field] = current + [item for item in dict.fromkeys(items) if item not in current]
