"""The dataset's files: which they are, their fingerprint, and their records read with file and line.

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

Reading checks the form only (YAML or JSON, known kinds, records as mappings);
:mod:`graph.dataset.validate` checks the records against the schema.

Example
-------
>>> from graph.model.schema import load_schema
>>> record = next(read_records(data_dir() / "core.yaml", load_schema()))
>>> record.kind, record.file.name, record.line
('Government', 'core.yaml', 6)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from graph.errors import DataError, brief
from graph.paths import data_dir
from graph.text import YAML_LOADER, decode, numbered_lines, shown, suggest

if TYPE_CHECKING:  # the fingerprint, read on every open, needs no schema
    from graph.model.schema import Schema

SCHEMA_FILE = "schema.yaml"
DOCUMENTS_FILE = "documents.yaml"
EXTEND = "Extend"


class Record(NamedTuple):
    """One record of a data file: its kind (label or type), fields, file and line (a tuple: millions are made per build)."""

    kind: str
    fields: dict[str, Any]
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{shown(self.file)}:{self.line}"


def data_files(folders: Iterable[Path], also: Iterable[Path] = ()) -> list[Path]:
    """The record files of each folder, sorted (schema and document catalogue excluded); ``also`` names
    files counted as present in their folder though not (yet) there."""
    files = []
    coming = [Path(p) for p in also]
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise DataError(f"{shown(folder)}: not a data folder")
        present = {*folder.glob("*.yaml"), *folder.glob("*.jsonl")}
        present |= {folder / p.name for p in coming if p.parent.resolve() == folder.resolve()}
        files += sorted(p for p in present if p.suffix == ".yaml" and p.name not in (SCHEMA_FILE, DOCUMENTS_FILE))
        files += sorted(p for p in present if p.suffix == ".jsonl")
    return files


def fingerprint(folders: Iterable[Path], contents: dict[Path, bytes] | None = None) -> str:
    """A hash of the schema, catalogues and data files: it changes when any of them does.

    ``contents`` gives files their content to be (an import's data file before it is renamed
    into place): the fingerprint is the one the folders will have then.

    >>> len(fingerprint([data_dir()]))
    16
    """
    coming = {Path(p).resolve(): text for p, text in (contents or {}).items()}
    digest = hashlib.sha256()
    for path in _fingerprinted(folders, coming):
        text = coming.get(path.resolve())
        digest.update(str(path.name).encode() + b"\0" + (path.read_bytes() if text is None else text) + b"\0")
    return digest.hexdigest()[:16]


def file_stats(folders: Iterable[Path]) -> list[list[str | int]]:
    """Path, size and modification time (ns) of every file :func:`fingerprint` reads, in its order.

    While they are unchanged so is the fingerprint, so an open need not read the files.

    >>> [Path(str(s[0])).name for s in file_stats([data_dir()])][:2]
    ['schema.yaml', 'documents.yaml']
    """
    return [[str(p), (s := p.stat()).st_size, s.st_mtime_ns] for p in _fingerprinted(folders)]


def _fingerprinted(folders: Iterable[Path], coming: Iterable[Path] = ()) -> list[Path]:
    folders = [Path(f) for f in folders]
    coming = set(coming)
    candidates = [data_dir() / SCHEMA_FILE, *[f / DOCUMENTS_FILE for f in folders], *data_files(folders, coming)]
    return [path for path in candidates if path.is_file() or path.resolve() in coming]


class _Loader(YAML_LOADER):  # type: ignore[misc,valid-type]  # libyaml's parser where PyYAML has it: 10x the Python one
    """YAML without implicit timestamps: dates stay the ISO strings the schema validates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


ALIAS_BUDGET = 10_000  # nodes that aliases may add to a file beyond its own: merge keys, never a "billion laughs"


def _check_aliases(root: yaml.Node, path: Path) -> None:
    """Refuse aliases that expand a file by more than ALIAS_BUDGET nodes, or refer to themselves.

    The walk visits each node of the file once (sizes are remembered), so it is as fast
    for a bomb of a billion expanded nodes as for a file without aliases.
    """
    deepest = root  # the last node the walk entered: where a walk too deep for Python stopped
    sizes: dict[int, int] = {}
    repeated: dict[int, tuple[int, yaml.Node]] = {}
    walking: set[int] = set()

    def size(node: yaml.Node) -> int:
        nonlocal deepest
        deepest, key = node, id(node)
        if key in sizes:
            count, _ = repeated.get(key, (0, node))
            repeated[key] = (count + sizes[key], node)
            return sizes[key]
        if key in walking:
            raise DataError(f"{shown(path)}:{node.start_mark.line + 1}: invalid YAML: an alias inside the node it names")
        walking.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else []
        )
        total = 1 + sum(size(child) for child in children)
        walking.discard(key)
        sizes[key] = total
        return total

    try:
        expanded = size(root) - len(sizes)
    except RecursionError:
        raise DataError(f"{shown(path)}:{deepest.start_mark.line + 1}: invalid YAML: nested too deeply") from None
    if expanded > ALIAS_BUDGET:
        _, anchor = max(repeated.values(), key=lambda pair: pair[0])
        raise DataError(
            f"{shown(path)}:{anchor.start_mark.line + 1}: invalid YAML: aliases expand the file by more than "
            f"{ALIAS_BUDGET:,} values (the node anchored here is repeated most)"
        )


def _parse(path: Path) -> yaml.Node | None:
    loader = None
    try:
        text = decode(path.read_bytes(), shown(path))
        loader = _Loader(text.replace("\r\n", "\n").replace("\r", "\n"))  # as a file read in text mode
        root = loader.get_single_node()  # libyaml refuses nesting deeper than 1,000: the walks below may recurse
        if root is not None and "*" in text:  # an alias is *name: no star, no alias
            _check_aliases(root, path)
        return root
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
    except RecursionError:
        raise DataError(f"{shown(path)}:{node.start_mark.line + 1}: invalid YAML: nested too deeply") from None
    except (yaml.YAMLError, ValueError) as exc:
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise DataError(f"{shown(path)}:{node.start_mark.line + 1}: invalid YAML: {problem}") from None


def json_line(path: Path, number: int, raw: bytes, known: list[str]) -> Record | None:
    """One line of a JSON-lines file as a Record (None when blank), or a DataError naming file and line."""
    if not raw.strip():
        return None
    try:
        fields = json.loads(decode(raw, shown(path), number))
    except RecursionError:
        raise DataError(f"{shown(path)}:{number}: invalid JSON: nested too deeply") from None
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


def read_records(path: Path, schema: Schema) -> Iterator[Record]:
    """Yield the records of one data file (YAML or JSON lines) with their line numbers."""
    known = [*schema.nodes, *schema.relations]
    if path.suffix == ".jsonl":
        for number, raw in numbered_lines(path):
            record = json_line(path, number, raw, [*known, EXTEND])
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
        for entry, node in zip(entries, root.value if root is not None else [], strict=False):
            line = node.start_mark.line + 1
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
                raise DataError(f"{shown(path)}:{line}: a document needs an id and a title")
            documents[str(entry["id"])] = {k: str(v) for k, v in entry.items()}
    return documents
