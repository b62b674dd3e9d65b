"""The techgraph model, read from its one declaration (``data/schema.yaml``).

Everything that depends on the model is derived here: pydantic record models,
the embedded database's DDL, Neo4j uniqueness constraints and the Markdown model
section of the README.

Example
-------
>>> from graph.model.schema import load_schema
>>> schema = load_schema()
>>> sorted(schema.nodes)[:3]
['App', 'Company', 'Deal']
>>> schema.relations["OWNS"].pairs[0]
('Company', 'Company')
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from graph.errors import SchemaError

if TYPE_CHECKING:  # pydantic's validators load on first use: queries never need them
    from pydantic import BaseModel, TypeAdapter
from graph.model.dates import holds
from graph.model.lifecycle import Lifecycle, load_lifecycle
from graph.model.records import line_adapter, record_model
from graph.model.types import PROPERTY_TYPES, Property
from graph.paths import data_dir
from graph.text import YAML_LOADER

# The suffix of a property saying how the date it follows was set (``since_basis``, ``announced_basis``).
BASIS = "_basis"
# libyaml's safe loader when PyYAML has it (ten times faster: every command reads the schema).


@dataclass(frozen=True)
class Extent:
    """When a thing holds: from its first present ``start`` property until ``end`` (exclusive);
    in force from its first present ``in_force`` property. No properties: always.

    >>> measure = Extent(("announced", "effective"), ("effective", "announced"), "ended")
    >>> data = {"announced": "2020-08-06", "effective": "2020-09-20", "ended": "2021-06-09"}
    >>> measure.holds(data, "2020-09-01"), measure.in_force_on(data, "2020-09-01"), Extent().holds(data, "1900-01-01")
    (True, False, True)
    """

    start: tuple[str, ...] = ()
    in_force: tuple[str, ...] = ()
    end: str | None = None

    def begins(self, data: dict[str, Any]) -> str | None:
        """The day it began to exist (first present ``start`` property), or None."""
        return next((data[name] for name in self.start if data.get(name)), None)

    def takes_effect(self, data: dict[str, Any]) -> str | None:
        """The day it took effect (first present ``in_force`` property), or None."""
        return next((data[name] for name in self.in_force if data.get(name)), None)

    def ends(self, data: dict[str, Any]) -> str | None:
        """The day it stopped, or None."""
        return data.get(self.end) if self.end else None

    def holds(self, data: dict[str, Any], day: str) -> bool:
        """Whether it existed on ``day``."""
        return holds(self.begins(data), self.ends(data), day)

    def in_force_on(self, data: dict[str, Any], day: str) -> bool:
        """Whether it was in force on ``day``."""
        return holds(self.takes_effect(data), self.ends(data), day)


@dataclass(frozen=True)
class Ownership:
    """Which relation is ownership, which of its properties is the percentage, how far walks go, and the
    share that makes a holding control (a subsidiary; an unknown share possibly does, a smaller one is a stake)."""

    relation: str = "OWNS"
    share: str = "share"
    depth: int = 6
    control: float = 50.0

    def controls(self, share: float | None) -> bool:
        """Whether a holding of ``share`` percent may make its owner control (unknown: it may).

        >>> Ownership().controls(6.8), Ownership().controls(50), Ownership().controls(None)
        (False, True, True)
        """
        return share is None or share >= self.control


@dataclass(frozen=True)
class NodeType:
    """A node label with all its properties (shared ones first) and when one of its nodes holds."""

    label: str
    description: str
    properties: dict[str, Property]
    extent: Extent = Extent()


@dataclass(frozen=True)
class RelationType:
    """A relationship type, the (from label, to label) pairs it may join, its properties; ``derived``: every
    build derives its relations (:mod:`graph.dataset.derived`), data files may not hold them."""

    type: str
    description: str
    pairs: tuple[tuple[str, str], ...]
    properties: dict[str, Property]
    derived: bool = False


@dataclass
class Schema:
    """The whole model: node labels and relationship types, keyed by name."""

    nodes: dict[str, NodeType]
    relations: dict[str, RelationType]
    path: Path
    relation_extent: Extent = Extent(("since",), ("since",), "until")
    identity: dict[str, str] = field(default_factory=dict)
    ownership: Ownership = Ownership()
    lifecycle: Lifecycle | None = None
    _models: dict[str, Any] = field(default_factory=dict, repr=False)

    def relation_key(self, rel_type: str, source: str, target: str, values: dict[str, Any]) -> str:
        """The identity of a relation: type and ends, plus the declared ``identity`` properties given.

        >>> load_schema().relation_key("HOLDS_OFFICE", "xi-jinping", "prc", {"role": "President", "since": "2013-03-14"})
        'HOLDS_OFFICE:xi-jinping->prc@2013-03-14#President'
        """
        key = f"{rel_type}:{source}->{target}"
        for name, marker in self.identity.items():
            if values.get(name):
                key += f"{marker}{values[name]}"
        return key

    def of_data(self, rel_type: str) -> bool:
        """Whether relations of a type come from the data files: declared, and not derived (nor a build's table).

        >>> load_schema().of_data("OWNS"), load_schema().of_data("RETALIATION_CHAIN")
        (True, False)
        """
        return rel_type in self.relations and not self.relations[rel_type].derived

    @cached_property
    def data_types(self) -> str:
        """The relationship types data files hold (not derived), sorted, as a pattern's disjunction: the dialects
        give it to a relationship of no type.

        >>> "|RETALIATES_AGAINST|" in load_schema().data_types, "RETALIATION_CHAIN" in load_schema().data_types
        (True, False)
        """
        return "|".join(sorted(t for t in self.relations if self.of_data(t)))

    def model(self, name: str) -> type[BaseModel]:
        """The pydantic model validating records of a label or relationship type.

        >>> load_schema().model("Measure")(id="eo-1", name="EO", kind="app-ban",
        ...     sources=["https://example.org"]).kind
        'app-ban'
        """
        if name not in self._models:
            kind = self.nodes.get(name) or self.relations.get(name)
            if kind is None:
                raise SchemaError(f"{self.path}: no node label or relationship type named {name!r}")
            self._models[name] = record_model(name, kind.properties, is_relation=name in self.relations)
        return self._models[name]

    def extend_model(self) -> type[BaseModel]:
        """The pydantic model of ``Extend`` records: list values added to an existing node or relation.

        An imported list that merges a record into a node defined elsewhere adds
        aliases, identifiers, merges and sources to it (``id``); one that finds a
        relation already there adds its sources and records to it (``key``). A node's
        date with a ``<date>_basis`` beside it (a Measure's ``announced``, set by the first
        edition holding it) may be moved earlier, the date with its basis (the earliest holds).

        >>> load_schema().extend_model()(id="huawei", identifiers=["ofac:1"], sources=["https://x.org"]).identifiers
        ['ofac:1']
        """
        if "Extend" not in self._models:
            self._models["Extend"] = record_model("Extend", self._extend_properties(), is_relation=False)
        return self._models["Extend"]

    def _extend_properties(self) -> dict[str, Property]:
        declared: list[NodeType | RelationType] = [*self.nodes.values(), *self.relations.values()]
        lists = {
            n: dataclasses.replace(p, required=False)
            for kind in declared
            for n, p in kind.properties.items()
            if p.type == "string-list"
        }
        dated = {
            n: dataclasses.replace(p, required=False)
            for kind in self.nodes.values()
            for name, basis in kind.properties.items()
            if name.endswith(BASIS) and name.removesuffix(BASIS) in kind.properties
            for n, p in ((name, basis), (name.removesuffix(BASIS), kind.properties[name.removesuffix(BASIS)]))
        }
        target = {
            "id": Property("id", "string", description="Node to extend."),
            "key": Property("key", "string", description="Relation to extend."),
            "until": Property("until", "date", description="Closes a relation that has no end yet (a delisting)."),
        }
        return {**target, **lists, **dated}

    def line_adapter(self, name: str) -> TypeAdapter:
        """Validates one JSON line holding a record of ``name`` straight from its bytes, into plain dicts.

        The same checks as :meth:`model` (and :meth:`extend_model` for ``Extend``).

        >>> load_schema().line_adapter("App").validate_json(b'{"App": {"id": "a", "name": "A", "sources": ["x.md"]}}')
        {'App': {'id': 'a', 'name': 'A', 'sources': ['x.md']}}
        """
        key = f"{name} line"
        if key not in self._models:
            kind = self.nodes.get(name) or self.relations.get(name)
            if kind is None and name != "Extend":
                raise SchemaError(f"{self.path}: no node label or relationship type named {name!r}")
            properties = kind.properties if kind else self._extend_properties()
            self._models[key] = line_adapter(name, properties, is_relation=name in self.relations)
        return self._models[key]

    def properties_of(self, kind: str | tuple[str, str, str]) -> dict[str, Property]:
        """The declared properties of a row's kind: a node label, or ``(type, from label, to label)``.

        >>> list(load_schema().properties_of(("OWNS", "Company", "App")))[-1]
        'share'
        """
        return self.nodes[kind].properties if isinstance(kind, str) else self.relations[kind[0]].properties

    @cached_property
    def all_node_properties(self) -> dict[str, Property]:
        """Every node property of any label, by name (for engines that need a union)."""
        merged: dict[str, Property] = {}
        for node in self.nodes.values():
            merged.update(node.properties)
        return merged

    def ladybug_ddl(self, extra: dict[str, dict[str, str]] | None = None, copies: dict[str, str] | None = None) -> list[str]:
        """CREATE TABLE statements for the embedded LadybugDB database; ``extra`` adds columns (name: property
        type) to node tables by label and to relation tables by type (the build's as-of columns); ``copies`` adds
        relation tables shaped as a declared type, table name -> type (the build's as-of tables of derived relations).

        >>> load_schema().ladybug_ddl()[0].startswith("CREATE NODE TABLE App(id STRING PRIMARY KEY")
        True
        """
        statements = []
        for label in sorted(self.nodes):
            columns = ", ".join(
                [f"{p.name} {PROPERTY_TYPES[p.type].ladybug}" + (" PRIMARY KEY" if p.name == "id" else "")
                 for p in self.nodes[label].properties.values()]
                + [f"{name} {PROPERTY_TYPES[kind].ladybug}" for name, kind in (extra or {}).get(label, {}).items()]
            )
            statements.append(f"CREATE NODE TABLE {label}({columns})")
        for table, rel_type in [*((t, t) for t in sorted(self.relations)), *(copies or {}).items()]:
            rel = self.relations[rel_type]
            ends = ", ".join(f"FROM {a} TO {b}" for a, b in rel.pairs)
            columns = "".join(
                [f", {p.name} {PROPERTY_TYPES[p.type].ladybug}" for p in rel.properties.values()]
                + [f", {name} {PROPERTY_TYPES[kind].ladybug}" for name, kind in (extra or {}).get(table, {}).items()]
            )
            statements.append(f"CREATE REL TABLE {table}({ends}{columns})")
        return statements

    def neo4j_constraints(self) -> list[str]:
        """Uniqueness constraints on every label's key, in Neo4j 5 syntax.

        >>> load_schema().neo4j_constraints()[0]
        'CREATE CONSTRAINT techgraph_App_id IF NOT EXISTS FOR (n:App) REQUIRE n.id IS UNIQUE'
        """
        return [
            f"CREATE CONSTRAINT techgraph_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
            for label in sorted(self.nodes)
        ]

    def markdown(self) -> str:
        """The model as Markdown tables, for the README (``techgraph schema --markdown``)."""
        lines = ["### Node labels", "", "| label | properties (* required) | what it is |", "|---|---|---|"]
        for label, node in self.nodes.items():
            props = ", ".join(_describe(p) for p in node.properties.values())
            lines.append(f"| `{label}` | {props} | {node.description} |")
        lines += ["", "### Relationship types", "", "| type | from → to | properties | meaning |", "|---|---|---|---|"]
        for rel_type, rel in self.relations.items():
            ends = "<br>".join(f"{a} → {b}" for a, b in rel.pairs)
            props = ", ".join(_describe(p) for p in rel.properties.values())
            lines.append(f"| `{rel_type}` | {ends} | {props} | {rel.description}{' *(derived)*' if rel.derived else ''} |")
        if self.lifecycle:
            lines += ["", "### Measure lifecycle", "", *self.lifecycle.markdown()]
        return "\n".join(lines) + "\n"


def _describe(prop: Property) -> str:
    text = f"`{prop.name}`{'*' if prop.required else ''}{' (derived)' if prop.derived else ''}"
    if prop.enum:
        text += f" ({' / '.join(prop.enum)})"
    return text


def _properties(raw: Any, where: str) -> dict[str, Property]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SchemaError(f"{where}: properties must be a mapping")
    props = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or spec.get("type") not in PROPERTY_TYPES:
            raise SchemaError(f"{where}.{name}: type must be one of {', '.join(PROPERTY_TYPES)}")
        unknown = set(spec) - {"type", "required", "enum", "description", "derived"}
        if unknown:
            raise SchemaError(f"{where}.{name}: unknown key(s) {', '.join(sorted(unknown))}")
        props[name] = Property(
            name=name,
            type=spec["type"],
            required=bool(spec.get("required", False)),
            enum=tuple(spec.get("enum") or ()),
            description=spec.get("description", ""),
            derived=bool(spec.get("derived", False)),
        )
    return props


def load_schema(path: Path | str | None = None) -> Schema:
    """Read and check the schema declaration.

    Parameters
    ----------
    path : path-like, optional
        The schema file; defaults to the shipped ``data/schema.yaml``.

    Read once a process while the file is unchanged (the same path, size and modification time):
    an import asked for it four times, 20 ms of YAML each. Nothing changes a schema once read.

    Examples
    --------
    >>> load_schema().nodes["Measure"].properties["kind"].required
    True
    >>> load_schema() is load_schema()
    True
    """
    path = Path(path) if path else data_dir() / "schema.yaml"
    try:
        stat = path.stat()
    except OSError:
        return _read_schema(path)  # the one-line error of a file that cannot be read
    return _schema_of(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _schema_of(path: Path, size: int, modified_ns: int) -> Schema:
    return _read_schema(path)


def _read_schema(path: Path) -> Schema:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(f"{path}: cannot read schema: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("nodes"), dict) or not isinstance(raw.get("relations"), dict):
        raise SchemaError(f"{path}: the schema needs 'nodes' and 'relations' mappings")
    shared_node = _properties(raw.get("node_properties"), f"{path}: node_properties")
    shared_rel = _properties(raw.get("relation_properties"), f"{path}: relation_properties")
    if "id" not in shared_node:
        raise SchemaError(f"{path}: node_properties must declare the key property 'id'")
    nodes = {}
    for label, spec in raw["nodes"].items():
        own = _properties(spec.get("properties"), f"{path}: nodes.{label}.properties")
        properties = {**shared_node, **own}
        extent = _extent(spec.get("temporal_extent"), properties, f"{path}: nodes.{label}.temporal_extent")
        nodes[label] = NodeType(label, spec.get("description", ""), properties, extent)
    relations = {}
    for rel_type, spec in raw["relations"].items():
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", rel_type):
            raise SchemaError(f"{path}: relationship type {rel_type!r} is not UPPER_SNAKE_CASE")
        pairs = tuple(tuple(pair) for pair in spec.get("pairs") or ())
        for pair in pairs:
            if len(pair) != 2 or any(end not in nodes for end in pair):
                raise SchemaError(f"{path}: relations.{rel_type}: pair {list(pair)} names an undeclared label")
        if not pairs:
            raise SchemaError(f"{path}: relations.{rel_type}: no (from, to) pairs declared")
        own = _properties(spec.get("properties"), f"{path}: relations.{rel_type}.properties")
        derived = spec.get("derived", False)
        if not isinstance(derived, bool):
            raise SchemaError(f"{path}: relations.{rel_type}: derived must be true or false")
        relations[rel_type] = RelationType(rel_type, spec.get("description", ""), pairs, {**shared_rel, **own}, derived)
    relation_extent = _extent(raw.get("relation_extent"), shared_rel, f"{path}: relation_extent")
    identity = raw.get("identity") or {}
    every_relation_property = {n for rel in relations.values() for n in rel.properties}
    if not isinstance(identity, dict) or any(
        name not in every_relation_property or not isinstance(mark, str) for name, mark in identity.items()
    ):
        raise SchemaError(f"{path}: identity must map relation properties to the marker that introduces them in the key")
    ownership = Ownership(**(raw.get("ownership") or {}))
    if ownership.relation not in relations or ownership.share not in relations[ownership.relation].properties:
        raise SchemaError(
            f"{path}: ownership names relation {ownership.relation!r} with share {ownership.share!r}, which are not declared"
        )
    if not isinstance(ownership.control, (int, float)) or not 0 < ownership.control <= 100:
        raise SchemaError(f"{path}: ownership control must be a percentage in (0, 100]")
    if type(ownership.depth) is not int or ownership.depth < 1:
        raise SchemaError(f"{path}: ownership depth must be a positive integer")
    lifecycle = load_lifecycle(raw.get("lifecycle"), nodes, relations, f"{path}: lifecycle")
    if lifecycle:
        history = nodes[lifecycle.label].properties[lifecycle.history]
        nodes[lifecycle.label].properties[lifecycle.history] = dataclasses.replace(history, validator=lifecycle.check_history)
    return Schema(nodes, relations, path, relation_extent, identity, ownership, lifecycle)


def _extent(raw: Any, properties: dict[str, Property], where: str) -> Extent:
    """A declared temporal extent, its properties checked to be declared dates."""
    if raw is None:
        return Extent()
    if not isinstance(raw, dict) or set(raw) - {"start", "in_force", "end"}:
        raise SchemaError(f"{where}: must map start, in_force and end to date properties")
    start, in_force = tuple(raw.get("start") or ()), tuple(raw.get("in_force") or raw.get("start") or ())
    end = raw.get("end")
    for name in (*start, *in_force, *([end] if end else [])):
        if name not in properties or properties[name].type != "date":
            raise SchemaError(f"{where}: {name!r} is not a date property")
    return Extent(start, in_force, end)
