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
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

import networkx as nx
import yaml
from pydantic import ValidationError

from graph.dataset.derived import derive
from graph.errors import DataError, brief
from graph.paths import data_dir
from graph.model.schema import Schema, load_schema

SCHEMA_FILE = "schema.yaml"
DOCUMENTS_FILE = "documents.yaml"


class Record(NamedTuple):
    """One record of a data file: its kind (label or type), fields, file and line (a tuple: millions are made per build)."""

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


def _json_line(path: Path, number: int, raw: bytes, known: list[str]) -> Record | None:
    """One line of a JSON-lines file as a Record (None when blank), or a DataError naming file and line."""
    if not raw.strip():
        return None
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
    return Record(kind, fields, path, number)


def _numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as lines:
            yield from enumerate(lines, 1)
    except OSError as exc:
        raise DataError(f"{shown(path)}: cannot read: {exc.strerror}") from None


def read_records(path: Path, schema: Schema) -> Iterator[Record]:
    """Yield the records of one data file (YAML or JSON lines) with their line numbers."""
    known = [*schema.nodes, *schema.relations]
    if path.suffix == ".jsonl":
        for number, raw in _numbered_lines(path):
            record = _json_line(path, number, raw, [*known, EXTEND])
            if record is not None:
                yield record
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


def _check_sources(record: Record, sources: list[str], documents: dict[str, Any]) -> None:
    for source in sources:
        if source.startswith(("https://", "http://")):
            continue
        if source not in documents:
            raise DataError(
                f"{record.where}: {_record_name(record)}: source {brief(source)} is neither a URL nor a catalogued document"
                f"{suggest(source, documents)}"
            )


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


def validate_record(record: Record, schema: Schema) -> dict[str, Any]:
    """A record's values as its schema model validates them (relations keep ``from``), or a DataError.

    >>> validate_record(Record("OWNS", {"from": "a", "to": "b", "sources": ["https://x.org"]}, Path("x.yaml"), 3), load_schema())
    {'from': 'a', 'to': 'b', 'sources': ['https://x.org']}
    """
    model = schema.extend_model() if record.kind == EXTEND else schema.model(record.kind)
    try:
        return model.model_validate(record.fields).model_dump(exclude_none=True, by_alias=True)
    except ValidationError as exc:
        raise DataError(f"{record.where}: {_record_name(record)}: {_first_error(exc)}") from None


class _Records:
    """The records of every data file, validated, read again for each pass of :func:`dataset_rows`.

    JSON-lines records are validated straight from their bytes (pydantic parses and
    validates in one step, faster than ``json.loads`` alone); a line that fails
    that is read again the slow way, so its error is exactly the one the
    line-by-line reader gives. YAML files, small by nature, are read once.
    """

    def __init__(self, files: list[Path], schema: Schema):
        self.files, self.schema = files, schema
        self._index = {path: index for index, path in enumerate(files)}
        self.known = [*schema.nodes, *schema.relations, EXTEND]
        self._known = set(self.known)
        self._yaml = {path: list(read_records(path, schema)) for path in files if path.suffix != ".jsonl"}

    def where(self, record: Record) -> int:
        """A record's place packed in one int (see :meth:`place`): millions of them stay small."""
        return record.line * len(self.files) + self._index[record.file]

    def place(self, where: int) -> str:
        line, index = divmod(where, len(self.files))
        return f"{shown(self.files[index])}:{line}"

    def of(self, kinds: set[str]) -> Iterator[tuple[Record, dict[str, Any]]]:
        """``(record, values)`` for every record of these kinds, in file order."""
        validators: dict[str, Any] = {}  # made on first use: a folder of YAML alone never needs them
        for path in self.files:
            if path.suffix != ".jsonl":
                yield from ((r, validate_record(r, self.schema)) for r in self._yaml[path] if r.kind in kinds)
                continue
            for number, raw in _numbered_lines(path):
                end = raw.find(b'":', 2)  # the kind, read without parsing: {"Company": ...
                kind = raw[2:end].decode("latin-1") if end > 0 and raw.startswith(b'{"') else ""
                if kind in self._known:
                    if kind not in kinds:
                        continue
                    try:
                        validate = validators.get(kind) or validators.setdefault(kind, self.schema.line_adapter(kind).validate_json)
                        values = validate(raw)[kind]
                        if None in values.values():  # an explicit null is an absent value, as in YAML
                            values = {k: v for k, v in values.items() if v is not None}
                        yield Record(kind, values, path, number), values
                        continue
                    except ValidationError:
                        pass  # read again below, for the exact error
                record = _json_line(path, number, raw, self.known)
                if record is not None and record.kind in kinds:
                    yield record, validate_record(record, self.schema)


Row = tuple[Any, dict[str, Any]]


def dataset_rows(folders: Iterable[Path | str] | None = None, schema: Schema | None = None, documents: dict | None = None) -> Iterator[Row]:
    """Validate the dataset and yield it as rows: every node, then every relation.

    Node rows are ``(label, {"id": ..., property: value})``; relation rows
    ``((type, from label, to label), {"from": ..., "to": ..., "key": ..., property: value})``,
    with ``Extend`` records applied and absent properties left out. The files
    are read in three passes (extensions, nodes, relations), and no more than the
    ids and relation keys is held: memory stays small at millions of records.
    A consumer must exhaust the generator before using what it got: the
    checks of ``Extend`` records end it.

    Raises
    ------
    DataError
        On the first bad record, naming file, line, record and field.

    >>> rows = list(dataset_rows())
    >>> rows[0][0], sorted(rows[0][1])[:2], rows[-1][0][0] in load_schema().relations
    ('Government', ['aliases', 'country'], True)
    """
    schema = schema or load_schema()
    folders = [Path(f) for f in (folders or [data_dir()])]
    documents = read_documents(folders) if documents is None else documents
    records = _Records(data_files(folders), schema)
    extensions = _Extensions(records, schema, documents)
    labels: dict[str, str] = {}
    defined: dict[str, int] = {}
    for record, values in records.of(set(schema.nodes)):
        _check_sources(record, values["sources"], documents)
        node_id = values["id"]
        if node_id in defined:
            raise DataError(f"{record.where}: {_record_name(record)}: duplicate id, first defined at {records.place(defined[node_id])}")
        defined[node_id] = records.where(record)
        labels[node_id] = record.kind
        values.setdefault("aliases", [])
        yield record.kind, extensions.applied(("node", node_id), record.kind, values)
    del defined
    seen: dict[str, int] = {}
    pairs = {rel_type: set(rel.pairs) for rel_type, rel in schema.relations.items()}
    for record, values in records.of(set(schema.relations)):
        source, target = values["from"], values["to"]
        for end in (source, target):
            if end not in labels:
                raise DataError(f"{record.where}: {_record_name(record)}: unknown node id {brief(end)}{suggest(end, labels)}")
        pair = (labels[source], labels[target])
        if pair not in pairs[record.kind]:
            allowed = schema.relations[record.kind].pairs
            options = ", ".join(f"{a}->{b}" for a, b in allowed)
            raise DataError(f"{record.where}: {_record_name(record)}: {record.kind} cannot join {pair[0]} to {pair[1]} (allowed: {options})")
        _check_sources(record, values["sources"], documents)
        key = relation_key(record.kind, source, target, values)
        if key in seen:
            raise DataError(f"{record.where}: {_record_name(record)}: duplicate relation, first given at {records.place(seen[key])}")
        seen[key] = records.where(record)
        values["key"] = key
        yield (record.kind, *pair), extensions.applied(("relation", key), record.kind, values)
    extensions.check_all_applied(labels)


class _Extensions:
    """The ``Extend`` records of a dataset, by the node id or relation key they extend."""

    def __init__(self, records: _Records, schema: Schema, documents: dict):
        self.schema = schema
        # ("node", id) or ("relation", key) -> (how errors name the record, its list values), in file order
        self.by_target: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        for record, values in records.of({EXTEND}):
            name = f"{record.where}: {_record_name(record)}"
            node_id, key = values.pop("id", None), values.pop("key", None)
            if (node_id is None) == (key is None):
                raise DataError(f"{name}: an Extend needs exactly one of 'id' and 'key'")
            if node_id is not None and "until" in values:
                raise DataError(f"{name}: 'until' closes relations, not nodes")
            _check_sources(record, values.get("sources", []), documents)
            target = ("node", node_id) if node_id is not None else ("relation", key)
            self.by_target.setdefault(target, []).append((name, values))

    def applied(self, target: tuple[str, str], kind: str, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` with the extensions of ``target`` (``("node", id)`` or ``("relation", key)``) added, new items last."""
        if not self.by_target:
            return values
        declared = (self.schema.nodes.get(kind) or self.schema.relations[kind]).properties
        for name, extension in self.by_target.pop(target, ()):
            for field in extension:
                if field not in declared:
                    raise DataError(f"{name}: {kind} has no property {brief(field)}")
            if "until" in extension:
                values.setdefault("until", extension["until"])
            for field, items in extension.items():
                if field != "until":
                    current = values.get(field) or []
                    values[field] = current + [item for item in dict.fromkeys(items) if item not in current]
        return values

    def check_all_applied(self, node_ids: dict[str, str]) -> None:
        """Raise on the first extension whose node or relation does not exist (all others were applied)."""
        for (what, target), [(name, _), *_] in self.by_target.items():
            if what == "node":
                raise DataError(f"{name}: unknown node id {brief(target)}{suggest(target, node_ids)}")
            raise DataError(f"{name}: unknown relation key {brief(target)}")


def graph_rows(g: nx.MultiDiGraph) -> Iterator[Row]:
    """A networkx graph shaped like :func:`load_graph`'s as rows shaped like :func:`dataset_rows`'.

    >>> next(graph_rows(load_graph()))[0]
    'Government'
    """
    for node, data in g.nodes(data=True):
        yield data["label"], {k: v for k, v in data.items() if k != "label"} | {"id": node}
    labels = {node: data["label"] for node, data in g.nodes(data=True)}
    for source, target, key, data in g.edges(keys=True, data=True):
        row = {k: v for k, v in data.items() if k != "type"} | {"from": source, "to": target, "key": key}
        yield (data["type"], labels[source], labels[target]), row


def row_batches(rows: Iterable[Row], schema: Schema, size: int) -> Iterator[tuple[Any, list[dict]]]:
    """Rows grouped by kind in batches of at most ``size``, every property present (None when absent).

    Every node batch comes before the first relation batch (the rows must give nodes
    first); never more than ``size`` rows of a kind are held at once, whatever the
    graph's size.

    >>> batches = list(row_batches(dataset_rows(), load_schema(), 1000))
    >>> batches[0][0], sorted(dict(batches)[("OWNS", "Company", "App")][0])[:3]
    ('Government', ['from', 'key', 'note'])
    """
    buckets: dict[Any, list[dict]] = {}
    relations = False
    for kind, row in rows:
        is_node = isinstance(kind, str)
        if not is_node and not relations:  # every node is written before the first relation needs its ends
            relations = True
            yield from ((label, batch) for label, batch in buckets.items() if batch)
            buckets = {}
        ends = ("id",) if is_node else ("from", "to", "key")
        bucket = buckets.setdefault(kind, [])
        bucket.append({p: row.get(p) for p in (*schema.properties_of(kind), *ends)})
        if len(bucket) >= size:
            yield kind, buckets.pop(kind)
    yield from ((kind, batch) for kind, batch in buckets.items() if batch)


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
    folders = [Path(f) for f in (folders or [data_dir()])]
    documents = read_documents(folders)
    g = nx.MultiDiGraph(documents=documents)
    for kind, row in dataset_rows(folders, schema, documents):
        if isinstance(kind, str):
            g.add_node(row.pop("id"), label=kind, **row)
        else:
            g.add_edge(row.pop("from"), row.pop("to"), key=row.pop("key"), type=kind[0], **row)
    derive(g)
    return g
