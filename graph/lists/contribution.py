"""One list's contribution to a graph: the records an import adds, merged into what the graph holds.

The :class:`~graph.lists.importer.Importer` takes the items a list's parser yields (:mod:`graph.lists.formats`)
one at a time: it resolves every listed party to a node (:mod:`graph.lists.resolve`:
merged with the Huawei of the seed articles, or a new node), records every
merge on the node (``merges``) with its reason, and, once the stream ends,
hangs each listing from its programme's Measure as a SANCTIONS relation
carrying the listing's dates and record id, adds OWNS relations from the list's
ownership information, LINKED_TO relations from its links, and ends (``until``) the earlier listings this edition
dropped. It changes the graph through a :class:`Contribution`, which keeps
what the list added: nodes and relations the list created whole, additions to
ones defined elsewhere as ``Extend`` records, written as the list's JSON-lines
data file (:meth:`Contribution.lines`).

Example
-------
>>> from graph.dataset.network import load_graph
>>> from graph.model.schema import load_schema
>>> c = Contribution(load_graph(), load_schema())
>>> c.extend_node("huawei", aliases=["Example Alias Co."])
>>> c.lines()
['{"Extend": {"aliases": ["Example Alias Co."], "id": "huawei"}}']
"""

from __future__ import annotations

import builtins
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from graph.dataset.files import EXTEND
from graph.dataset.validate import first_error
from graph.errors import DatabaseError, DataError
from graph.lists.formats.base import BadRow
from graph.model.schema import Schema
from graph.text import shown


@dataclass
class ImportReport:
    """What an import did: counts, skipped rows, where the data went."""

    list: str
    edition: str
    rows: int = 0
    entities: int = 0
    new_nodes: int = 0
    merged: int = 0
    listings: int = 0
    delisted: int = 0
    out_of_scope: int = 0  # rows the format allows that name no party the graph holds (OFAC vessels ...)
    ownerships: int = 0
    links: int = 0
    skipped: builtins.list[BadRow] = field(default_factory=builtins.list)  # `list` is the field above
    changed: bool = False
    target: str = ""  # the list's data file in the database's imports/, or Neo4j's URI
    skipped_file: str = ""  # with skip_bad: the local file listing the skipped rows
    seconds: float = 0.0

    def write_skipped(self, path: Path) -> None:
        """Write the skipped rows (``where<TAB>reason`` lines) to ``path``, whole or not at all; name it in ``skipped_file``."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text("".join(f"{row.where}\t{row.reason}\n" for row in self.skipped), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise DatabaseError(
                f"{shown(path)}: cannot write the skipped rows ({exc.strerror}); the list was imported, the report of its "
                f"{len(self.skipped)} skipped row(s) was not"
            ) from None
        self.skipped_file = str(path.resolve())


class Contribution:
    """The nodes and relations one list adds to a graph, and the graph they are applied to.

    Nodes and relations the list created are kept whole; additions to ones
    defined elsewhere are kept as Extend records.
    """

    def __init__(self, g, schema: Schema):
        self.g, self.schema = g, schema
        self.nodes: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (label, fields)
        self.edges: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (type, fields)
        self.node_extends: dict[str, dict[str, Any]] = {}  # list values, and a start moved earlier (redate_node)
        self.edge_extends: dict[str, dict[str, Any]] = {}
        self.touched_nodes: set[str] = set()
        self.touched_edges: set[str] = set()
        self.edge_ends: dict[str, tuple[str, str]] = {
            key: (a, b) for a, b, key in g.edges(keys=True)
        }

    @classmethod
    def read(cls, path: Path, g, schema: Schema) -> Contribution:
        """The contribution recorded in a list's data file (already part of ``g``)."""
        contribution = cls(g, schema)
        if not path.is_file():
            return contribution
        for line in path.read_text(encoding="utf-8").splitlines():
            ((kind, record),) = orjson.loads(line).items()
            if kind == EXTEND and "id" in record:
                contribution.node_extends[record.pop("id")] = record
            elif kind == EXTEND:
                contribution.edge_extends[record.pop("key")] = record
            elif kind in schema.nodes:
                contribution.nodes[record["id"]] = (kind, record)
            else:
                contribution.edges[schema.relation_key(kind, record["from"], record["to"], record)] = (kind, record)
        return contribution

    def _valid(self, kind: str, fields: dict[str, Any], where: str) -> dict[str, Any]:
        """The record's fields as checked, absent ones left out: by the JSON-line checks in pydantic-core (which
        accept less than the model, never more), else by the model, for the exact error."""
        try:
            (values,) = self.schema.line_adapter(kind).validate_python({kind: fields}).values()
            return {name: value for name, value in values.items() if value is not None}
        except ValidationError:
            pass
        try:
            return self.schema.model(kind).model_validate(fields).model_dump(exclude_none=True, by_alias=True)
        except ValidationError as exc:
            raise DataError(f"{where}: {kind} {fields.get('id') or fields.get('name')!r}: {first_error(exc)}") from None

    def add_node(self, label: str, fields: dict[str, Any], where: str) -> str:
        values = self._valid(label, fields, where)
        node = values.pop("id")
        values.setdefault("aliases", [])
        self.g.add_node(node, label=label, **values)
        self.nodes[node] = (label, {"id": node, **values})
        self.touched_nodes.add(node)
        return node

    def extend_node(self, node: str, **additions: list[str]) -> None:
        data = self.g.nodes[node]
        for name, items in additions.items():
            new = [i for i in dict.fromkeys(items) if i not in (data.get(name) or [])]
            if not new:
                continue
            data[name] = (data.get(name) or []) + new
            self.touched_nodes.add(node)
            if node in self.nodes:
                self.nodes[node][1][name] = data[name]
            else:
                extend = self.node_extends.setdefault(node, {})
                extend[name] = extend.get(name, []) + new

    def set_node_fields(self, node: str, values: dict[str, Any]) -> None:
        """Set checked scalar fields of a node this list created (a programme's dates, as its newest edition gives
        them); a value None removes the field."""
        fields = self.nodes[node][1]
        changed = {name: value for name, value in values.items() if fields.get(name) != value}
        if changed:
            for target in (fields, self.g.nodes[node]):
                target.update({name: value for name, value in changed.items() if value is not None})
                for name in (name for name, value in changed.items() if value is None):
                    target.pop(name, None)
            self.touched_nodes.add(node)

    def redate_node(self, node: str, dates: dict[str, str]) -> None:
        """Move the start of a Measure dated by an edition earlier (``announced`` and ``announced_basis``): in
        place if this list made it, else as an ``Extend`` (the earliest of every list's holds, in any order)."""
        if node in self.nodes:
            return self.set_node_fields(node, dict(dates))
        self.g.nodes[node].update(dates)
        self.node_extends.setdefault(node, {}).update(dates)
        self.touched_nodes.add(node)

    def add_edge(self, rel_type: str, source: str, target: str, fields: dict[str, Any], where: str) -> str:
        values = self._valid(rel_type, {"from": source, "to": target, **fields}, where)
        values.pop("from"), values.pop("to")
        key = self.schema.relation_key(rel_type, source, target, values)
        self.g.add_edge(source, target, key=key, type=rel_type, **values)
        self.edges[key] = (rel_type, {"from": source, "to": target, **values})
        self.edge_ends[key] = (source, target)
        self.touched_edges.add(key)
        return key

    def redate_edge(self, key: str, since: str, where: str) -> str:
        """Give a relation this list created a new ``since`` (part of its key): the new key."""
        rel_type, fields = self.edges.pop(key)
        source, target = self.edge_ends.pop(key)
        self.g.remove_edge(source, target, key)
        self.touched_edges.discard(key)
        kept = {name: value for name, value in fields.items() if name not in ("from", "to", "since", "since_basis")}
        return self.add_edge(rel_type, source, target, {**kept, "since": since}, where)

    def edge(self, key: str) -> dict[str, Any] | None:
        ends = self.edge_ends.get(key)
        return None if ends is None else self.g.edges[ends[0], ends[1], key]

    def extend_edge(self, key: str, until: str | None = None, **additions: list[str]) -> None:
        data = self.edge(key)
        assert data is not None, f"extend_edge: no relation {key}"  # callers extend relations they found
        changed: dict[str, Any] = {}
        for name, items in additions.items():
            new = [i for i in dict.fromkeys(items) if i not in (data.get(name) or [])]
            if new:
                data[name] = (data.get(name) or []) + new
                changed[name] = new
        if until and not data.get("until"):
            data["until"] = changed["until"] = until
        if not changed:
            return
        self.touched_edges.add(key)
        if key in self.edges:
            self.edges[key][1].update({name: data[name] for name in changed})
        else:
            extend = self.edge_extends.setdefault(key, {})
            for name, value in changed.items():
                extend[name] = value if name == "until" else extend.get(name, []) + value

    def lines(self) -> list[str]:
        """The list's data file, one ``{kind: fields}`` record per line, in a stable order."""
        records = [*(self.nodes[k] for k in sorted(self.nodes)), *(self.edges[k] for k in sorted(self.edges))]
        records += [(EXTEND, {"id": k, **self.node_extends[k]}) for k in sorted(self.node_extends)]
        records += [(EXTEND, {"key": k, **self.edge_extends[k]}) for k in sorted(self.edge_extends)]
        return [json.dumps({kind: fields}, ensure_ascii=False, sort_keys=True) for kind, fields in records]
