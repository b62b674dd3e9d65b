"""The schema is declared once; models, tables, constraints and docs are derived from it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.errors import SchemaError
from graph.model.schema import load_schema
from graph.paths import data_dir


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def test_every_label_gets_a_table_and_a_constraint(schema):
    ddl = "\n".join(schema.ladybug_ddl())
    constraints = "\n".join(schema.neo4j_constraints())
    for label in schema.nodes:
        assert f"CREATE NODE TABLE {label}(id STRING PRIMARY KEY" in ddl
        assert f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in constraints
    for rel_type, rel in schema.relations.items():
        assert f"CREATE REL TABLE {rel_type}(" + ", ".join(f"FROM {a} TO {b}" for a, b in rel.pairs) in ddl


def test_issue_relations_are_declared(schema):
    assert ("Government", "Measure") in schema.relations["ISSUED"].pairs
    assert {("Measure", x) for x in ("Official", "Company", "App", "Government")} <= set(schema.relations["SANCTIONS"].pairs)
    assert schema.relations["OWNS"].properties["share"].type == "float"
    assert schema.relations["HOLDS_OFFICE"].properties["role"].required
    for prop in ("kind", "legal_basis", "citation", "announced", "effective", "ended", "summary", "sources"):
        assert prop in schema.nodes["Measure"].properties


def test_models_accept_good_and_reject_bad_records(schema):
    measure = schema.model("Measure")
    good = measure.model_validate({"id": "eo-1", "name": "EO 1", "kind": "investment-ban", "sources": ["https://e.org"]})
    assert good.kind == "investment-ban"
    with pytest.raises(ValidationError):
        measure.model_validate({"id": "eo-1", "name": "EO 1", "kind": "investment-ban"})
    owns = schema.model("OWNS")
    assert owns.model_validate({"from": "a", "to": "b", "share": 33.3, "sources": ["x"]}).share == 33.3
    with pytest.raises(ValidationError):
        owns.model_validate({"from": "a", "to": "b", "share": 0, "sources": ["x"]})


def test_markdown_documents_every_label_and_type(schema):
    text = schema.markdown()
    for name in [*schema.nodes, *schema.relations]:
        assert f"| `{name}` |" in text


def test_readme_model_section_is_the_generated_one(schema):
    readme = (data_dir().parent / "README.md").read_text(encoding="utf-8")
    assert schema.markdown() in readme


@pytest.mark.parametrize(
    "text, message",
    [
        ("nodes: {}\n", "needs 'nodes' and 'relations'"),
        ("node_properties: {id: {type: string}}\nnodes: {A: {}}\nrelations: {R: {pairs: [[A, B]]}}\n", "pair ['A', 'B'] names an undeclared label"),
        ("node_properties: {id: {type: str}}\nnodes: {}\nrelations: {}\n", "type must be one of"),
        ("node_properties: {id: {type: string}}\nnodes: {A: {}}\nrelations: {owns: {pairs: [[A, A]]}}\n", "is not UPPER_SNAKE_CASE"),
        ("node_properties: {id: {type: string}}\nnodes: {A: {temporal_extent: {start: [id]}}}\nrelations: {}\n", "'id' is not a date property"),
        ("node_properties: {id: {type: string}}\nnodes: {A: {}}\nrelations: {R: {pairs: [[A, A]]}}\nidentity: {colour: '@'}\n", "identity must map relation properties"),
        ("node_properties: {id: {type: string}}\nnodes: {A: {}}\nrelations: {R: {pairs: [[A, A]]}}\nownership: {relation: R}\n", "ownership names relation 'R' with share 'share'"),
    ],
)
def test_bad_schema_is_rejected(tmp_path, text, message):
    path = tmp_path / "schema.yaml"
    path.write_text(text)
    with pytest.raises(SchemaError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_schema(path)


def test_every_ownership_walk_of_the_stored_queries_has_the_declared_depth():
    import re

    from graph.cypher.stored import load_queries

    depth = load_schema().ownership.depth
    walks = {}  # query -> the longest ownership walk of each pattern: a variable-length part plus the fixed OWNS hops
    for name, query in load_queries().items():  # that continue it, on its line or in a later MATCH from its end
        text = query.cypher
        for walk in re.finditer(r"-\[\w*:OWNS\*\d+\.\.(\d+)\]->\((\w+)\)((?:-\[\w*:OWNS\]->\(\w+\))*)", text):
            steps, end = int(walk.group(1)) + walk.group(3).count(":OWNS]"), walk.group(2)
            while hop := re.search(rf"^(?:OPTIONAL )?MATCH \({end}\)-\[\w*:OWNS\]->\((\w+)\)", text[walk.end():], re.M):
                steps, end = steps + 1, hop.group(1)
            walks.setdefault(name, []).append(steps)
    assert set(walks) >= {"measures-hitting", "ownership-tree"}, walks
    assert all(steps == depth for found in walks.values() for steps in found), walks


def test_relation_identity_and_extents_are_declared():
    schema = load_schema()
    assert schema.identity == {"since": "@", "role": "#"}
    assert schema.nodes["Measure"].extent.start == ("announced", "effective")
    assert schema.nodes["Measure"].extent.in_force == ("effective", "announced")
    assert schema.nodes["Company"].extent.holds({}, "1900-01-01")
