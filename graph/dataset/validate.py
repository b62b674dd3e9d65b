"""Validate the dataset's records against the schema and stream them as rows: every node, then every relation.

Each record is checked by its schema model; then, across files, unknown ids,
duplicate ids and relations, relations between labels the schema does not
allow and sources that are neither a catalogued document nor a URL are errors
too. ``Extend`` records (see :mod:`graph.dataset.files`) are applied to the
node or relation they name, which must exist.

The first bad record stops the load with a one-line :class:`DataError` naming
file, line, record and field.

Example
-------
>>> kinds = {kind if isinstance(kind, str) else kind[0] for kind, _ in dataset_rows()}
>>> {"Company", "OWNS"} <= kinds
True
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from graph.dataset.files import EXTEND, Record, data_files, json_line, read_documents, read_records
from graph.errors import DataError, brief
from graph.model.lifecycle import full_day
from graph.model.schema import BASIS, Schema, load_schema
from graph.paths import data_dir
from graph.text import numbered_lines, shown, suggest


def first_error(exc: ValidationError) -> str:
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


def validate_record(record: Record, schema: Schema) -> dict[str, Any]:
    """A record's values as its schema model validates them (relations keep ``from``), or a DataError.

    >>> validate_record(Record("OWNS", {"from": "a", "to": "b", "sources": ["https://x.org"]}, Path("x.yaml"), 3), load_schema())
    {'from': 'a', 'to': 'b', 'sources': ['https://x.org']}
    """
    model = schema.extend_model() if record.kind == EXTEND else schema.model(record.kind)
    try:
        return model.model_validate(record.fields).model_dump(exclude_none=True, by_alias=True)
    except ValidationError as exc:
        raise DataError(f"{record.where}: {_record_name(record)}: {first_error(exc)}") from None


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
        self._derived = {rel_type for rel_type, rel in schema.relations.items() if rel.derived}
        self._yaml = {path: list(read_records(path, schema)) for path in files if path.suffix != ".jsonl"}
        # The kinds of a JSON-lines file's lines, once a pass read it whole (None, or absent: not known).
        self._kinds: dict[Path, set[str] | None] = {}

    def _data(self, record: Record) -> Record:
        """The record, unless it is of a relation type every build derives (then a DataError)."""
        if record.kind in self._derived:
            where = f"{shown(record.file)}:{record.line}"
            raise DataError(f"{where}: {record.kind} relations are derived at build; a data file may not hold them")
        return record

    def where(self, record: Record) -> int:
        """A record's place packed in one int (see :meth:`place`): millions of them stay small."""
        return record.line * len(self.files) + self._index[record.file]

    def place(self, where: int) -> str:
        line, index = divmod(where, len(self.files))
        return f"{shown(self.files[index])}:{line}"

    def of(self, kinds: set[str]) -> Iterator[tuple[Record, dict[str, Any]]]:
        """``(record, values)`` for every record of these kinds, in file order.

        A JSON-lines file is not read for a pass that cannot find anything in it: one whose name
        of the kind appears nowhere in its bytes (searched, not parsed; nor any ``\\u`` escape
        that could spell it), or one an earlier pass read whole and found only other kinds in.
        """
        validators: dict[str, Any] = {}  # made on first use: a folder of YAML alone never needs them
        for path in self.files:
            if path.suffix != ".jsonl":
                yield from ((r, validate_record(self._data(r), self.schema)) for r in self._yaml[path] if r.kind in kinds)
                continue
            read = self._kinds.get(path)
            if read is not None and not read & kinds or not _may_hold(path, kinds):
                continue
            found: set[str] | None = set()
            for number, raw in numbered_lines(path):
                end = raw.find(b'":', 2)  # the kind, read without parsing: {"Company": ...
                kind = raw[2:end].decode("latin-1") if end > 0 and raw.startswith(b'{"') else ""
                if kind in self._known:
                    if found is not None:
                        found.add(kind)
                    if kind not in kinds:
                        continue
                    if kind in self._derived:
                        self._data(Record(kind, {}, path, number))
                    try:
                        validate = validators.get(kind) or validators.setdefault(
                            kind, self.schema.line_adapter(kind).validate_json
                        )
                        values = validate(raw)[kind]
                        if None in values.values():  # an explicit null is an absent value, as in YAML
                            values = {k: v for k, v in values.items() if v is not None}
                        yield Record(kind, values, path, number), values
                        continue
                    except ValidationError:
                        pass  # read again below, for the exact error
                found = None  # a line read the slow way: its kind is known only to this pass
                record = json_line(path, number, raw, self.known)
                if record is not None and record.kind in kinds:
                    yield record, validate_record(self._data(record), self.schema)
            self._kinds[path] = found


def _may_hold(path: Path, kinds: set[str]) -> bool:
    """Whether a JSON-lines file may hold a record of one of a few ``kinds`` (several: assumed so): the
    kind's name, or an escape that could spell it, appears in its bytes. A file that cannot be read may."""
    if len(kinds) > 1:
        return True
    try:
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(kind.encode()) >= 0 for kind in kinds) or data.find(b"\\u") >= 0
    except (OSError, ValueError):  # unreadable, or empty (mmap refuses an empty file)
        return True


Row = tuple[Any, dict[str, Any]]


def record_parts(files: list[Path], schema: Schema) -> Iterator[tuple[str, int, int, str, dict[str, Any]]]:
    """Every record of ``files`` as the part it gives its node or relation: ``(target, file index, line,
    kind, values)``, the target ``n:<id>`` or ``e:<relation key>`` (records checked as :func:`dataset_rows`
    checks each one alone). Folding a target's parts in file order, its record first and then its
    ``Extend`` records (:func:`extend_values`), gives its row.

    >>> part = next(record_parts([data_dir() / "core.yaml"], load_schema()))
    >>> part[0], part[1:4]
    ('n:us', (0, 6, 'Government'))
    """
    records = _Records(files, schema)
    index = {path: i for i, path in enumerate(files)}
    for record, values in records.of({*schema.nodes, *schema.relations, EXTEND}):
        if record.kind == EXTEND:
            target = f"n:{values.pop('id')}" if "id" in values else f"e:{values.pop('key')}"
        elif record.kind in schema.nodes:
            target = f"n:{values['id']}"
        else:
            target = f"e:{schema.relation_key(record.kind, values['from'], values['to'], values)}"
        yield target, index[record.file], record.line, record.kind, values


def dataset_rows(
    folders: Iterable[Path | str] | None = None, schema: Schema | None = None, documents: dict | None = None
) -> Iterator[Row]:
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
    paths = [Path(f) for f in (folders or [data_dir()])]
    documents = read_documents(paths) if documents is None else documents
    records = _Records(data_files(paths), schema)
    extensions = _Extensions(records, schema, documents)
    labels: dict[str, str] = {}
    defined: dict[str, int] = {}
    life = schema.lifecycle
    for record, values in records.of(set(schema.nodes)):
        _check_sources(record, values["sources"], documents)
        if life and values.get(life.history):  # each dated status cites its own sources
            _check_sources(record, [s for entry in values[life.history] for s in life.parse(entry).sources], documents)
        node_id = values["id"]
        if node_id in defined:
            first = records.place(defined[node_id])
            raise DataError(f"{record.where}: {_record_name(record)}: duplicate id, first defined at {first}")
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
            raise DataError(
                f"{record.where}: {_record_name(record)}: {record.kind} cannot join {pair[0]} to {pair[1]} (allowed: {options})"
            )
        _check_sources(record, values["sources"], documents)
        key = schema.relation_key(record.kind, source, target, values)
        if key in seen:
            first = records.place(seen[key])
            raise DataError(f"{record.where}: {_record_name(record)}: duplicate relation, first given at {first}")
        seen[key] = records.where(record)
        values["key"] = key
        yield (record.kind, *pair), extensions.applied(("relation", key), record.kind, values)
    extensions.check_all_applied(labels)


def extend_values(values: dict[str, Any], extension: dict[str, Any]) -> dict[str, Any]:
    """Apply one ``Extend`` record's values to a node's or relation's: new list items last, ``until`` if none yet,
    and an earlier date with its basis (``announced`` and ``announced_basis``) where the node's has a basis too.

    >>> extend_values({"aliases": ["A"]}, {"aliases": ["B", "A", "B"], "until": "2024"})
    {'aliases': ['A', 'B'], 'until': '2024'}
    >>> extend_values({"announced": "2022-04-21", "announced_basis": "first-edition"},
    ...               {"announced": "2022-01-21", "announced_basis": "first-edition"})
    {'announced': '2022-01-21', 'announced_basis': 'first-edition'}
    """
    if "until" in extension:
        values.setdefault("until", extension["until"])
    dates = {field.removesuffix(BASIS) for field in extension if field.endswith(BASIS)}
    for date in dates:  # dated by an edition: the earliest day any list shows it holding
        if values.get(date + BASIS) and full_day(extension[date]) < full_day(values[date]):
            values[date], values[date + BASIS] = extension[date], extension[date + BASIS]
    for field, items in extension.items():
        if field != "until" and field not in dates and not field.endswith(BASIS):
            current = values.get(field) or []
            values[field] = current + [item for item in dict.fromkeys(items) if item not in current]
    return values


class _Name(NamedTuple):
    """How errors name a record (``file:line: Extend of 'huawei'``), made only when shown."""

    file: Path
    line: int
    record: str

    def __str__(self) -> str:
        return f"{shown(self.file)}:{self.line}: {self.record}"


class _Extensions:
    """The ``Extend`` records of a dataset, by the node id or relation key they extend."""

    def __init__(self, records: _Records, schema: Schema, documents: dict):
        self.schema = schema
        # ("node", id) or ("relation", key) -> (how errors name the record, its list values), in file order;
        # the name is made when an error needs it (the file's shown path costs more than the record's check).
        self.by_target: dict[tuple[str, str], list[tuple[_Name, dict[str, Any]]]] = {}
        dated = [(f.removesuffix(BASIS), f) for f in schema.extend_model().model_fields if f.endswith(BASIS)]
        for record, values in records.of({EXTEND}):
            name = _Name(record.file, record.line, _record_name(record))
            node_id, key = values.pop("id", None), values.pop("key", None)
            if (node_id is None) == (key is None):
                raise DataError(f"{name}: an Extend needs exactly one of 'id' and 'key'")
            if node_id is not None and "until" in values:
                raise DataError(f"{name}: 'until' closes relations, not nodes")
            for date, basis in dated:
                if (date in values) != (basis in values):
                    raise DataError(f"{name}: {brief(date)} and {brief(basis)} move a date earlier together: give both")
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
            extend_values(values, extension)
        return values

    def check_all_applied(self, node_ids: dict[str, str]) -> None:
        """Raise on the first extension whose node or relation does not exist (all others were applied)."""
        for (what, target), [(name, _), *_] in self.by_target.items():
            if what == "node":
                raise DataError(f"{name}: unknown node id {brief(target)}{suggest(target, node_ids)}")
            raise DataError(f"{name}: unknown relation key {brief(target)}")
