"""Record validators derived from the schema: pydantic models and JSON-line adapters.

pydantic loads here, on first use: answering a query never needs it.

>>> from graph.model.schema import load_schema
>>> load_schema().model("App")(id="a", name="A", sources=["x.md"]).name
'A'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from graph.model.types import Property, check_id, check_share

if TYPE_CHECKING:
    from pydantic import BaseModel, ConfigDict, TypeAdapter

RECORD_CONFIG: ConfigDict = {"extra": "forbid", "strict": False, "populate_by_name": True}
# The JSON-line fast path checks texts, ids and shares in pydantic-core (Rust regex), not in Python: it
# accepts less than the models' Python checks (a text needs a letter, digit, mark of punctuation or symbol
# that is no blank filler), never more; a line it refuses is validated again by the model, for the exact error.
_NO_CONTROL = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{202A}-\x{202E}\x{2066}-\x{2069}]"
_SHOWN = r"[\p{L}\p{N}\p{P}\p{S}&&[^\x{115F}\x{1160}\x{2800}\x{3164}\x{FFA0}]]"
TEXT_PATTERN = f"^{_NO_CONTROL}*{_SHOWN}{_NO_CONTROL}*$"
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _python_type(prop: Property) -> Any:
    if prop.enum:
        return Literal[prop.enum]
    return prop.kind.python


def _annotated(prop: Property, fast: bool = False) -> Any:
    """A property's type with its checks attached, for a model field or a TypedDict key (``fast``: the
    JSON-line adapter's, see :data:`TEXT_PATTERN`)."""
    from pydantic import AfterValidator, BeforeValidator, Field

    annotation = _python_type(prop)
    checks: list[Any] = []
    if fast and prop.type in ("string", "string-list") and not prop.enum or fast and prop.name == "share":
        return _fast(prop, annotation)
    if prop.type == "date":
        checks.append(BeforeValidator(prop.kind.check))
    if prop.type == "string-list":
        if prop.required:  # a record with `sources: []` has no provenance (first: the list's own constraint)
            checks.append(Field(min_length=1))
        checks.append(AfterValidator(prop.kind.check))
    if prop.validator:
        checks.append(AfterValidator(prop.validator))
    if prop.name == "id":
        checks.append(AfterValidator(check_id))
    if prop.name == "share":
        checks.append(AfterValidator(check_share))
    if prop.type == "string" and not prop.enum:
        checks.append(AfterValidator(prop.kind.check))
    params = (annotation, *checks)  # not `Annotated[(annotation, *checks)]`: mypy reads that as 3.11's star subscript
    return Annotated[params] if checks else annotation


def _fast(prop: Property, annotation: Any) -> Any:
    """A text, list of texts, id or share checked by pydantic-core constraints alone (see :data:`TEXT_PATTERN`)."""
    from pydantic import AfterValidator, Field

    checks: list[Any] = [AfterValidator(prop.validator)] if prop.validator else []
    if prop.name == "share":
        checks.insert(0, Field(gt=0, le=100))
    elif prop.type == "string-list":
        annotation = list[Annotated[str, Field(pattern=TEXT_PATTERN)]]
        if prop.required:
            checks.insert(0, Field(min_length=1))
    else:
        annotation, checks = str, [Field(pattern=ID_PATTERN if prop.name == "id" else TEXT_PATTERN), *checks]
    params = (annotation, *checks)  # as in _annotated
    return Annotated[params] if checks else annotation


def _record_fields(properties: dict[str, Property], is_relation: bool, fast: bool = False) -> dict[str, tuple[Any, bool, str]]:
    """Every field a record may give: name -> (checked type, required, description)."""
    fields = {"from": (str, True, "Start node id."), "to": (str, True, "End node id.")} if is_relation else {}
    for prop in properties.values():
        if not prop.derived:
            fields[prop.name] = (_annotated(prop, fast), prop.required, prop.description)
    return fields


def record_model(name: str, properties: dict[str, Property], is_relation: bool) -> type[BaseModel]:
    """The pydantic model of one label's or relationship type's records."""
    from pydantic import Field, create_model

    fields: dict[str, Any] = {}
    for field_name, (annotation, required, description) in _record_fields(properties, is_relation).items():
        python_name = "from_" if field_name == "from" else field_name
        alias: dict[str, Any] = {"alias": "from"} if field_name == "from" else {}
        default: Any = ... if required else None
        # typing.Optional, not `X | None`: a type built at run time, given to pydantic as it always was
        fields[python_name] = (annotation if required else Optional[annotation], Field(default, description=description, **alias))  # noqa: UP045
    return create_model(name, __config__=RECORD_CONFIG, **fields)


def line_adapter(name: str, properties: dict[str, Property], is_relation: bool) -> TypeAdapter:
    """Validates a whole JSON line ``{"<name>": {...}}`` from its bytes into plain dicts."""
    from pydantic import TypeAdapter
    from typing_extensions import NotRequired, Required, TypedDict

    keys = {
        field_name: Required[annotation] if required else NotRequired[Optional[annotation]]  # noqa: UP045
        for field_name, (annotation, required, _) in _record_fields(properties, is_relation, fast=True).items()
    }
    record = TypedDict(name, keys)  # type: ignore[misc]  # built at run time: mypy wants a literal name and fields
    record.__pydantic_config__ = RECORD_CONFIG  # type: ignore[attr-defined]
    line = TypedDict(f"{name}Line", {name: record})  # type: ignore[misc]
    line.__pydantic_config__ = {"extra": "forbid"}  # type: ignore[attr-defined]
    return TypeAdapter(line)
