"""Stored queries: ``queries/*.cypher`` files with a YAML header in ``//`` comments.

A file starts with a header like::

    // title: Measures hitting an entity or anything it owns
    // description: Every measure that targets the entity or a company or app it owns, transitively.
    // parameters:
    //   entity: {type: entity, example: Tencent, description: name, alias or id (any case)}
    //   since: {type: date, example: 2021-01-01, default: 1900-01-01}   # with a default: may be left out
    //   measure: {type: entity, label: Measure, example: EO 13936}      # must name a node of that label
    // expected:                      # on the shipped data, with the example parameters
    //   min_rows: 5
    //   contains: [{measure_id: eo-13943, target_id: wechat}]
    //   excludes: [{measure_id: clean-network}]    # rows that must not be there

followed by one Neo4j-dialect Cypher statement using ``$parameters``. An
``entity`` parameter is given as a name, alias or id; the statement receives the
list of ids of the nodes it names (:data:`NAME_MATCH`), so it starts from known
nodes: ``MATCH (n) WHERE n.id IN $entity``.

>>> q = load_queries()["measures-hitting"]
>>> q.parameters["entity"].type
'entity'
>>> q.coerce({"entity": "Tencent"})
{'entity': 'Tencent'}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import QueryError, UnknownEntityError
from graph.model.dates import check_day
from graph.paths import queries_dir
from graph.text import YAML_LOADER, suggest

PARAMETER_TYPES = {"string", "entity", "date", "integer", "float"}

# How a name, alias or id names nodes ``n`` (any case), ``{key}`` being the lower-cased name:
# the one definition, used to resolve ``entity`` parameters and by the Neo4j Browser guide.
NAME_MATCH = "toLower(n.id) = {key} OR toLower(n.name) = {key} OR any(a IN n.aliases WHERE toLower(a) = {key})"
# The nodes a name names, as Cypher: Neo4j runs it; the embedded engine has an index (graph/backends/ladybug/names.py).
RESOLVE = f"""
WITH toLower($name) AS key
MATCH (n)
WHERE {NAME_MATCH.format(key="key")}
RETURN n.id AS id, n.name AS name, labels(n)[0] AS label
ORDER BY id
"""
_HEADER_LINE = re.compile(r"^//\s?(.*)$")


@dataclass(frozen=True)
class Parameter:
    """A declared query parameter: its type, an example value and what it means."""

    name: str
    type: str
    example: Any
    description: str = ""
    default: Any = None  # given in the header (``default:``): the parameter may be left out
    label: str | None = None  # an entity parameter's node label, when it must name nodes of one (``label:``)

    def of_label(self, matches: list[dict[str, Any]], name: str, query: str) -> list[dict[str, Any]]:
        """The nodes a name matched that have the parameter's label (all without one), or an UnknownEntityError.

        >>> Parameter("measure", "entity", "EO 13936", label="Measure").of_label(
        ...     [{"id": "tencent", "label": "Company", "name": "Tencent"}], "Tencent", "q")
        Traceback (most recent call last):
        ...
        graph.errors.UnknownEntityError: 'Tencent' is a Company (Tencent), not a Measure: query 'q' asks for a Measure
        """
        kept = [match for match in matches if not self.label or match["label"] == self.label]
        if matches and not kept:
            found = matches[0]
            raise UnknownEntityError(
                f"'{name}' is a {found['label']} ({found['name']}), not a {self.label}: query '{query}' asks for a {self.label}"
            )
        return kept

    def coerce(self, value: Any) -> Any:
        """Convert a value (often a command-line string) to the parameter's type."""
        text = str(value).strip()
        if self.type in ("string", "entity"):
            if not text:
                raise QueryError(f"parameter '{self.name}' is empty")
            return text
        if self.type == "date":
            return check_day(text, what=f"parameter '{self.name}':")
        try:
            return int(text) if self.type == "integer" else float(text)
        except ValueError:
            kind = "an integer" if self.type == "integer" else "a number"
            raise QueryError(f"parameter '{self.name}': {text!r} is not {kind}") from None


@dataclass(frozen=True)
class StoredQuery:
    """A canned question: name (file stem), header fields and the Cypher text."""

    name: str
    title: str
    description: str
    parameters: dict[str, Parameter]
    expected: dict[str, Any]
    cypher: str
    path: Path

    @property
    def example(self) -> dict[str, Any]:
        """The example parameters given in the header."""
        return {name: p.example for name, p in self.parameters.items()}

    def coerce(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check given parameters against the declaration and convert their types."""
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            expected = ", ".join(self.parameters) or "none"
            raise QueryError(f"query '{self.name}' has no parameter '{unknown[0]}' (parameters: {expected})")
        missing = [name for name, p in self.parameters.items() if name not in given and p.default is None]
        if missing:
            p = self.parameters[missing[0]]
            raise QueryError(f"query '{self.name}' needs parameter '{p.name}' ({p.type}), e.g. -p {p.name}={p.example}")
        defaults = {name: p.default for name, p in self.parameters.items() if p.default is not None}
        return {**defaults, **{name: self.parameters[name].coerce(value) for name, value in given.items()}}


def parse_query(path: Path) -> StoredQuery:
    """Read one ``.cypher`` file and check its header."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read stored query: {exc}") from None
    header = []
    for number, line in enumerate(lines):  # noqa: B007 (number is read after the loop)
        match = _HEADER_LINE.match(line)
        if not match:
            break
        header.append(match.group(1))
    else:
        number = len(lines)
    body = "\n".join(lines[number:]).strip()
    try:
        meta = yaml.load("\n".join(header), Loader=YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path}: header is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict) or not meta.get("title") or not meta.get("description") or not body:
        raise QueryError(f"{path}: a stored query needs '// title:' and '// description:' header lines and a body")
    parameters = {}
    for name, spec in (meta.get("parameters") or {}).items():
        if not isinstance(spec, dict) or spec.get("type") not in PARAMETER_TYPES or "example" not in spec:
            raise QueryError(f"{path}: parameter '{name}' needs a type ({', '.join(sorted(PARAMETER_TYPES))}) and an example")
        if f"${name}" not in body:
            raise QueryError(f"{path}: parameter '{name}' is declared but the query never uses ${name}")
        parameter = Parameter(name, spec["type"], spec["example"], spec.get("description", ""))
        # YAML reads 2020-12-31 as a date: keep the example (and default) as the value the query receives.
        default = parameter.coerce(spec["default"]) if spec.get("default") is not None else None
        label = spec.get("label")
        if label is not None and parameter.type != "entity":
            raise QueryError(f"{path}: parameter '{name}' has a label but is not of type entity")
        parameters[name] = Parameter(
            name, parameter.type, parameter.coerce(parameter.example), parameter.description, default, label
        )
    used = set(re.findall(r"\$(\w+)", body)) - set(parameters)
    if used:
        raise QueryError(f"{path}: the query uses ${sorted(used)[0]} but the header does not declare it")
    return StoredQuery(
        name=Path(path).stem,
        title=str(meta["title"]),
        description=str(meta["description"]),
        parameters=parameters,
        expected=meta.get("expected") or {},
        cypher=body,
        path=Path(path),
    )


def load_queries(folder: Path | None = None) -> dict[str, StoredQuery]:
    """All stored queries of a folder (default: the shipped ``queries/``), by name."""
    folder = Path(folder) if folder else queries_dir()
    return {q.name: q for q in (parse_query(p) for p in sorted(folder.glob("*.cypher")))}


def get_query(name: str, queries: dict[str, StoredQuery]) -> StoredQuery:
    """The stored query of that name, or a QueryError suggesting close names."""
    if name in queries:
        return queries[name]
    hint = suggest(name, queries, cutoff=0.5, quote=False, otherwise=" (see `techgraph queries`)")
    raise QueryError(f"unknown query '{name}'{hint}")
