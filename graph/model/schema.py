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
import datetime
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

import yaml

from graph.errors import SchemaError, brief

if TYPE_CHECKING:  # pydantic's validators load on first use: queries never need them
    from pydantic import BaseModel, TypeAdapter
from graph.paths import data_dir

PROPERTY_TYPES = ("string", "date", "float", "integer", "string-list")
DATE_PATTERN = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# libyaml's safe loader when PyYAML has it (ten times faster: every command reads the schema).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LADYBUG_TYPES = {"string": "STRING", "date": "STRING", "float": "DOUBLE", "integer": "INT64", "string-list": "STRING[]"}


@dataclass(frozen=True)
class Property:
    """One declared property: its name, type, whether it is required, allowed values."""

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    description: str = ""
    derived: bool = False


@dataclass(frozen=True)
class NodeType:
    """A node label with all its properties (shared ones first)."""

    label: str
    description: str
    properties: dict[str, Property]


@dataclass(frozen=True)
class RelationType:
    """A relationship type, the (from label, to label) pairs it may join, its properties."""

    type: str
    description: str
    pairs: tuple[tuple[str, str], ...]
    properties: dict[str, Property]


@dataclass
class Schema:
    """The whole model: node labels and relationship types, keyed by name."""

    nodes: dict[str, NodeType]
    relations: dict[str, RelationType]
    path: Path
    _models: dict[str, Any] = field(default_factory=dict, repr=False)

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
            self._models[name] = _pydantic_model(name, kind.properties, is_relation=name in self.relations)
        return self._models[name]

    def extend_model(self) -> type[BaseModel]:
        """The pydantic model of ``Extend`` records: list values added to an existing node or relation.

        An imported list that merges a record into a node defined elsewhere adds
        aliases, identifiers, merges and sources to it (``id``); one that finds a
        relation already there adds its sources and records to it (``key``).

        >>> load_schema().extend_model()(id="huawei", identifiers=["ofac:1"], sources=["https://x.org"]).identifiers
        ['ofac:1']
        """
        if "Extend" not in self._models:
            self._models["Extend"] = _pydantic_model("Extend", self._extend_properties(), is_relation=False)
        return self._models["Extend"]

    def _extend_properties(self) -> dict[str, Property]:
        declared = [*self.nodes.values(), *self.relations.values()]
        lists = {
            n: dataclasses.replace(p, required=False)
            for kind in declared
            for n, p in kind.properties.items()
            if p.type == "string-list"
        }
        target = {
            "id": Property("id", "string", description="Node to extend."),
            "key": Property("key", "string", description="Relation to extend."),
            "until": Property("until", "date", description="Closes a relation that has no end yet (a delisting)."),
        }
        return {**target, **lists}

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
            self._models[key] = _line_adapter(name, properties, is_relation=name in self.relations)
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

    def ladybug_ddl(self) -> list[str]:
        """CREATE TABLE statements for the embedded LadybugDB database.

        >>> load_schema().ladybug_ddl()[0].startswith("CREATE NODE TABLE App(id STRING PRIMARY KEY")
        True
        """
        statements = []
        for label in sorted(self.nodes):
            columns = ", ".join(
                f"{p.name} {LADYBUG_TYPES[p.type]}" + (" PRIMARY KEY" if p.name == "id" else "")
                for p in self.nodes[label].properties.values()
            )
            statements.append(f"CREATE NODE TABLE {label}({columns})")
        for rel_type in sorted(self.relations):
            rel = self.relations[rel_type]
            ends = ", ".join(f"FROM {a} TO {b}" for a, b in rel.pairs)
            columns = "".join(f", {p.name} {LADYBUG_TYPES[p.type]}" for p in rel.properties.values())
            statements.append(f"CREATE REL TABLE {rel_type}({ends}{columns})")
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
            lines.append(f"| `{rel_type}` | {ends} | {props} | {rel.description} |")
        return "\n".join(lines) + "\n"


def _describe(prop: Property) -> str:
    text = f"`{prop.name}`{'*' if prop.required else ''}{' (derived)' if prop.derived else ''}"
    if prop.enum:
        text += f" ({' / '.join(prop.enum)})"
    return text


def _python_type(prop: Property) -> Any:
    if prop.enum:
        return Literal[prop.enum]  # type: ignore[valid-type]
    return {"string": str, "date": str, "float": float, "integer": int, "string-list": list[str]}[prop.type]


def _annotated(prop: Property) -> Any:
    """A property's type with its checks attached, for a model field or a TypedDict key."""
    from pydantic import AfterValidator, BeforeValidator, Field

    annotation = _python_type(prop)
    checks: list[Any] = []
    if prop.type == "date":
        checks.append(BeforeValidator(_check_date))
    if prop.type == "string-list":
        if prop.required:  # a record with `sources: []` has no provenance (first: the list's own constraint)
            checks.append(Field(min_length=1))
        checks.append(AfterValidator(_check_list))
    if prop.name == "id":
        checks.append(AfterValidator(_check_id))
    if prop.name == "share":
        checks.append(AfterValidator(_check_share))
    if prop.type == "string" and not prop.enum:
        checks.append(AfterValidator(_check_string))
    return Annotated[(annotation, *checks)] if checks else annotation


def _record_fields(properties: dict[str, Property], is_relation: bool) -> dict[str, tuple[Any, bool, str]]:
    """Every field a record may give: name -> (checked type, required, description)."""
    fields = {"from": (str, True, "Start node id."), "to": (str, True, "End node id.")} if is_relation else {}
    for prop in properties.values():
        if not prop.derived:
            fields[prop.name] = (_annotated(prop), prop.required, prop.description)
    return fields


RECORD_CONFIG = {"extra": "forbid", "strict": False, "populate_by_name": True}  # a pydantic ConfigDict


def _pydantic_model(name: str, properties: dict[str, Property], is_relation: bool) -> type[BaseModel]:
    from pydantic import Field, create_model

    fields: dict[str, Any] = {}
    for field_name, (annotation, required, description) in _record_fields(properties, is_relation).items():
        python_name, alias = ("from_", {"alias": "from"}) if field_name == "from" else (field_name, {})
        default = ... if required else None
        fields[python_name] = (annotation if required else Optional[annotation], Field(default, description=description, **alias))
    return create_model(name, __config__=RECORD_CONFIG, **fields)


def _line_adapter(name: str, properties: dict[str, Property], is_relation: bool) -> TypeAdapter:
    """Validates a whole JSON line ``{"<name>": {...}}`` from its bytes into plain dicts."""
    from pydantic import TypeAdapter
    from typing_extensions import NotRequired, Required, TypedDict

    keys = {
        field_name: Required[annotation] if required else NotRequired[Optional[annotation]]
        for field_name, (annotation, required, _) in _record_fields(properties, is_relation).items()
    }
    record = TypedDict(name, keys)  # type: ignore[operator]
    record.__pydantic_config__ = RECORD_CONFIG  # type: ignore[attr-defined]
    line = TypedDict(f"{name}Line", {name: record})  # type: ignore[operator]
    line.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
    return TypeAdapter(line)


def _check_date(value: Any) -> Any:
    # A date object (from a YAML reader that makes them) is kept as its ISO string.
    if value is None:
        return value
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, (str, int)) or isinstance(text, bool) or not DATE_PATTERN.match(str(text)):
        raise ValueError(f"not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD): {brief(value)}")
    if len(str(text)) == 10:
        try:
            datetime.date.fromisoformat(str(text))
        except ValueError:
            raise ValueError(f"no such day: {brief(text)}") from None
    return str(text)


def _check_list(value: list[str] | None) -> list[str] | None:
    if value is not None and any(not item.strip() for item in value):
        raise ValueError("list contains an empty string")
    for item in value or ():
        _check_controls(item)
    return value


def _check_id(value: str) -> str:
    if value is not None and not ID_PATTERN.match(value):
        raise ValueError(f"id {brief(value)} is not a slug (lowercase letters, digits and single hyphens)")
    return value


def _check_share(value: float | None) -> float | None:
    if value is not None and not 0 < value <= 100:
        raise ValueError(f"share {value} is not a percentage in (0, 100]")
    return value


def _check_string(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("empty string")
    _check_controls(value)
    return value


# Control characters other than tab and line breaks: never text, and the build's files use U+001F.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _check_controls(value: str | None) -> None:
    found = value and CONTROLS.search(value)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}: {brief(value)}")


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

    Examples
    --------
    >>> load_schema().nodes["Measure"].properties["kind"].required
    True
    """
    path = Path(path) if path else data_dir() / "schema.yaml"
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
        nodes[label] = NodeType(label, spec.get("description", ""), {**shared_node, **own})
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
        relations[rel_type] = RelationType(rel_type, spec.get("description", ""), pairs, {**shared_rel, **own})
    return Schema(nodes=nodes, relations=relations, path=path)
