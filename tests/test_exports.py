"""Exports of the shipped graph: GraphML and GEXF round-trips, FollowTheMoney entities the
followthemoney library accepts as they are, and CSV that follows neo4j-admin's header rules."""

from __future__ import annotations

import csv
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import pytest

import graph
from graph.errors import DataError, QueryError
from graph.outputs.exports import (
    AFTER_IMPORT,
    ARRAY_DELIMITER,
    EMPTY_LISTS,
    after_import,
    export,
    neo4j_admin_command,
    read_gexf,
    read_graphml,
)
from tests.conftest import write


@pytest.fixture(scope="module")
def g() -> nx.MultiDiGraph:
    return graph.load_graph()


def edges(h: nx.MultiDiGraph) -> dict:
    return {(u, v, k): d for u, v, k, d in h.edges(keys=True, data=True)}


def test_unknown_format_is_one_line_naming_the_formats(g, tmp_path):
    with pytest.raises(QueryError, match=r"^unknown export format 'pdf' \(formats: graphml, gexf, ftm, csv\)$"):
        export(g, "pdf", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_export_creates_the_folder(g, tmp_path):
    out = tmp_path / "a" / "b"
    assert export(g, "graphml", out) == [out / "techgraph.graphml"]


def test_graphml_round_trip_keeps_every_node_edge_and_property(g, tmp_path):
    h = read_graphml(export(g, "graphml", tmp_path)[0])
    assert isinstance(h, nx.MultiDiGraph)
    assert dict(h.nodes(data=True)) == dict(g.nodes(data=True))
    assert edges(h) == edges(g)
    assert h.graph == g.graph  # the document catalogue


def test_graphml_is_plain_for_other_readers(g, tmp_path):
    raw = nx.read_graphml(export(g, "graphml", tmp_path)[0], force_multigraph=True)
    assert raw.nodes["tencent"]["label"] == "Company"
    assert json.loads(raw.nodes["tencent"]["aliases"]) == g.nodes["tencent"]["aliases"]
    assert raw.edges["tencent", "wechat", "OWNS:tencent->wechat"]["type"] == "OWNS"
    assert raw.edges["china-mobile-group", "china-mobile", "OWNS:china-mobile-group->china-mobile"]["share"] == 72.72


def test_gexf_round_trip_keeps_every_node_edge_and_property(g, tmp_path):
    h = read_gexf(export(g, "gexf", tmp_path)[0])
    assert isinstance(h, nx.MultiDiGraph)
    assert dict(h.nodes(data=True)) == dict(g.nodes(data=True))
    assert edges(h) == edges(g)


def test_gexf_uses_gexf_attributes_as_gephi_expects(g, tmp_path):
    root = ET.parse(export(g, "gexf", tmp_path)[0]).getroot()
    ns = {"x": root.tag[1:].split("}")[0]}
    nodes = root.findall(".//x:node", ns)
    edge_elements = root.findall(".//x:edge", ns)
    assert len(nodes) == len(g) and len(edge_elements) == g.number_of_edges()
    assert {n.get("id"): n.get("label") for n in nodes} == {n: d["name"] for n, d in g.nodes(data=True)}
    assert all(e.get("type") in (None, "directed") for e in edge_elements)
    assert sorted(e.get("label") for e in edge_elements) == sorted(d["type"] for *_, d in g.edges(data=True))


# --- FollowTheMoney -----------------------------------------------------------------------


def test_ftm_entities_pass_the_followthemoney_library_unchanged(g, tmp_path):
    try:
        import followthemoney  # noqa: F401  (the `ftm` extra; it needs ICU to build)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("followthemoney is not installed: pip install -e '.[dev,ftm]'")
        pytest.skip("followthemoney not installed: pip install -e '.[dev,ftm]'")
    from followthemoney import model
    from followthemoney.types import registry

    path = export(g, "ftm", tmp_path)[0]
    assert path.name == "techgraph.ftm.json"
    text = path.read_text(encoding="utf-8")
    entities = [json.loads(line) for line in text.splitlines()]
    ids = [e["id"] for e in entities]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    by_id = {e["id"]: e for e in entities}
    for entity in entities:
        assert list(entity) == ["id", "schema", "properties"]
        assert registry.entity.validate(entity["id"]), entity["id"]
        schema = model.get(entity["schema"])
        assert schema is not None and not schema.abstract, entity
        schema.validate(entity)  # raises InvalidData on any value its type rejects
        assert set(schema.required) <= set(entity["properties"]), entity
        # Re-reading as untrusted input cleans every value: nothing may change or be dropped.
        assert model.get_proxy(entity, cleaned=False).to_dict() == entity
        for name, values in entity["properties"].items():
            prop = schema.properties[name]
            assert not prop.stub
            if prop.type == registry.entity:
                for ref in values:
                    assert ref in by_id, (entity["id"], name, ref)
                    assert model[by_id[ref]["schema"]].is_a(prop.range), (entity["id"], name, by_id[ref]["schema"])
    assert export(g, "ftm", tmp_path / "again")[0].read_text(encoding="utf-8") == text  # deterministic


def test_ftm_maps_every_node_relation_and_document(g, tmp_path):
    lines = export(g, "ftm", tmp_path)[0].read_text(encoding="utf-8").splitlines()
    entities = {e["id"]: e for e in map(json.loads, lines)}
    assert len(entities) == len(g) + g.number_of_edges() + len(g.graph["documents"])
    expected = {"Government": "PublicBody", "Official": "Person", "Company": "Company", "App": "Asset",
                "Measure": "Event", "Deal": "Project"}
    for n, d in g.nodes(data=True):
        entity = entities[f"tg-{n}"]
        assert entity["schema"] == expected[d["label"]]
        assert entity["properties"]["name"] == [d["name"]]
    schemata = [e["schema"] for e in entities.values()]
    types = [d["type"] for *_, d in g.edges(data=True)]
    assert schemata.count("Sanction") == types.count("SANCTIONS")
    assert schemata.count("Ownership") == types.count("OWNS")
    assert schemata.count("Employment") == types.count("HOLDS_OFFICE")
    assert schemata.count("ProjectParticipant") == types.count("PARTY_TO")
    assert schemata.count("Document") == len(g.graph["documents"])
    links = {e["properties"]["recordId"][0]: e["properties"] for e in entities.values() if e["schema"] != "Event"
             and "recordId" in e["properties"]}

    owns = links["OWNS:china-mobile-group->china-mobile"]
    assert (owns["owner"], owns["asset"], owns["percentage"]) == (["tg-china-mobile-group"], ["tg-china-mobile"], ["72.72"])
    assert links["OWNS:tencent->wechat"]["asset"] == ["tg-wechat"]  # an App, as an Asset
    sanction = links["SANCTIONS:eo-13943->wechat@2020-08-06"]
    measure = g.nodes["eo-13943"]
    issuers = [g.nodes[u]["name"] for u, _, t in g.in_edges("eo-13943", data="type") if t == "ISSUED"]
    assert sanction["entity"] == ["tg-wechat"] and sanction["programId"] == ["tg-eo-13943"]
    assert sanction["program"] == [measure["name"]] and sanction["authority"] == issuers
    assert sanction["startDate"] == ["2020-08-06"]
    retaliation = next(k for u, v, k, t in g.edges(keys=True, data="type") if t == "RETALIATES_AGAINST")
    assert links[retaliation]["role"] == ["retaliates against"]
    office = next((k, d) for u, v, k, d in g.edges(keys=True, data=True) if d["type"] == "HOLDS_OFFICE")
    assert links[office[0]]["role"] == [office[1]["role"]]
    cited = [s for s in g.nodes["tencent"]["sources"] if not s.startswith("http")]
    assert len(entities["tg-tencent"]["properties"].get("proof", [])) == len(cited)


# --- neo4j-admin CSV ----------------------------------------------------------------------

# neo4j-admin's header grammar: <name>:<field_type>, the type one of ID (with an optional
# id space), LABEL, START_ID, END_ID, TYPE, IGNORE or a data type, `[]` making an array;
# no type means string.
DATA_TYPES = "int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time|localdatetime|datetime|duration"
HEADER_FIELD = re.compile(
    rf"^(?P<name>[^:]*)(?::(?P<type>ID(\([^)]*\))?|LABEL|START_ID|END_ID|TYPE|IGNORE|(?:{DATA_TYPES})(?:\[\])?))?$"
)
SPECIAL = ("ID", "LABEL", "START_ID", "END_ID", "TYPE")


def parse_header(fields: list[str]) -> list[tuple[str, str]]:
    """(name, type) per column, as neo4j-admin reads them; type 'string' when none is given."""
    parsed = []
    for field in fields:
        match = HEADER_FIELD.match(field)
        assert match, f"not a neo4j-admin header field: {field!r}"
        kind = (match["type"] or "string").split("(")[0]
        assert match["name"] or kind in SPECIAL, f"a property column needs a name: {field!r}"
        parsed.append((match["name"], kind))
    return parsed


def value(text: str, kind: str):
    base = kind.removesuffix("[]")
    convert = {"double": float, "float": float, "long": int}.get(base, str)  # string, or the ID column's value
    return [convert(x) for x in text.split(ARRAY_DELIMITER)] if kind.endswith("[]") else convert(text)


def read_table(path: Path, never_absent: Iterable[str] = ()) -> tuple[list[tuple[str, str]], list[dict]]:
    """Columns and rows of one file; an empty field sets nothing, as in neo4j-admin; then, as
    after_import.cypher does, the lists a row names empty and the ``never_absent`` ones it lacks are empty."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        columns = parse_header(next(reader))
        rows = []
        for cells in reader:
            assert len(cells) == len(columns), path
            row = {}
            for (name, kind), text in zip(columns, cells, strict=True):
                if kind in SPECIAL:
                    row[":" + kind] = text
                if name and text != "":
                    row[name] = value(text, kind)
            for empty in [*row.pop(EMPTY_LISTS, []), *(p for p in never_absent if p not in row)]:
                row[empty] = []
            rows.append(row)
    return columns, rows


def test_csv_follows_neo4j_admin_headers_and_round_trips(g, tmp_path):
    files = export(g, "csv", tmp_path)
    schema = graph.load_schema()
    expected_types = {"string": "string", "date": "string", "float": "double", "integer": "long", "string-list": "string[]"}
    nodes, rels = {}, {}
    *tables, script = files
    rows = [*((d["label"], d) for _, d in g.nodes(data=True)), *((d["type"], d) for *_, d in g.edges(data=True))]
    empty = {}  # each table's lists empty somewhere: whether also absent somewhere (then rows mark their empty ones)
    for kind in {kind for kind, _ in rows}:
        declared = schema.properties_of(kind if kind in schema.nodes else (kind, "", ""))
        lists = [p for p, prop in declared.items() if prop.type == "string-list"]
        of_kind = [d for k, d in rows if k == kind]
        empty[kind] = {p: any(d.get(p) is None for d in of_kind) for p in lists if any(d.get(p) == [] for d in of_kind)}
    assert any(False in found.values() for found in empty.values())  # a list never absent: no row marks it
    statements = after_import(schema, empty)
    assert script.read_text(encoding="utf-8").splitlines() == [f"{c};" for c in statements]
    assert statements[: len(schema.neo4j_constraints())] == schema.neo4j_constraints()
    fixes = sum(sum(not m for m in found.values()) + any(found.values()) for found in empty.values())
    assert len(statements) == len(schema.neo4j_constraints()) + fixes
    for path in tables:
        name, _, role = path.stem.rpartition("_")
        columns, rows = read_table(path, [p for p, marked in empty.get(name, {}).items() if not marked])
        kinds = [kind for _, kind in columns]
        if role == "nodes":
            assert kinds.count("ID") == 1 and kinds.count("LABEL") == 1, path
            declared = schema.nodes[name].properties
            for row in rows:
                assert row.pop(":LABEL") == name
                node_id = row.pop(":ID")
                assert row.pop("id") == node_id and node_id not in nodes
                nodes[node_id] = {"label": name, **row}
        else:
            assert role == "relationships", path
            assert [kinds.count(k) for k in ("START_ID", "END_ID", "TYPE")] == [1, 1, 1], path
            declared = schema.relations[name].properties
            for row in rows:
                assert row.pop(":TYPE") == name
                key = (row.pop(":START_ID"), row.pop(":END_ID"), row.pop("key"))
                assert key not in rels
                rels[key] = {"type": name, **row}
        for column, kind in columns:
            if column and kind not in SPECIAL and column != EMPTY_LISTS:
                assert kind == expected_types[declared[column].type], (path, column)

    assert all(u in nodes and v in nodes for u, v, _ in rels)
    assert len(nodes) == len(g) and len(rels) == g.number_of_edges()
    # Values come back exactly, empty lists too (named in techgraph_empty_lists, set by after_import.cypher).
    assert any([] in d.values() for _, d in g.nodes(data=True))
    assert nodes == dict(g.nodes(data=True))
    assert rels == edges(g)
    strings = [s for d in [*nodes.values(), *rels.values()] for v in d.values() for s in (v if isinstance(v, list) else [v])
               if isinstance(s, str)]
    assert any(re.search(r"[\u4e00-\u9fff]", s) for s in strings)  # Chinese
    assert any("," in s for s in strings) and any('"' in s for s in strings)


def test_csv_from_the_database_holds_what_the_graph_export_holds(g, shipped, tmp_path):
    from_graph = {p.name: read_table(p) for p in export(g, "csv", tmp_path / "graph") if p.suffix == ".csv"}
    from_database = {p.name: read_table(p) for p in shipped.export("csv", tmp_path / "database") if p.suffix == ".csv"}
    script = (tmp_path / "database" / AFTER_IMPORT).read_text(encoding="utf-8")
    assert script == (tmp_path / "graph" / AFTER_IMPORT).read_text(encoding="utf-8") and "IS NULL SET" in script
    assert sorted(from_database) == sorted(from_graph)
    for name, (columns, rows) in from_graph.items():
        assert from_database[name][0] == columns, name
        key = (lambda row: row[":ID"]) if name.endswith("_nodes.csv") else (lambda row: (row[":START_ID"], row[":END_ID"], row["key"]))
        assert sorted(from_database[name][1], key=key) == sorted(rows, key=key), name
    assert any("share" in row for row in from_graph["OWNS_relationships.csv"][1])  # floats compared too


TWO_COMPANIES = """\
Company:
  - {id: fx-a, name: FX Alpha Holdings, sources: [https://example.org/fx], aliases: [ALIAS]}
  - {id: fx-b, name: FX Beta Works, sources: [https://example.org/fx]}
OWNS:
  - {from: fx-a, to: fx-b, share: SHARE, sources: [https://example.org/fx]}
"""


def built(tmp_path: Path, alias: str, share: float) -> graph.TechGraph:
    folder = write(tmp_path / "extra", "extra.yaml", TWO_COMPANIES.replace("ALIAS", alias).replace("SHARE", repr(share)))
    graph.load(tmp_path / "db", [folder])
    return graph.open(tmp_path / "db", data=[folder])


def test_csv_from_the_database_writes_a_float_six_decimals_would_change_through_python(tmp_path):
    with built(tmp_path, "FX Alpha", 100 / 3) as g:  # COPY ... TO writes 33.333333
        files = {p.name: p for p in g.export("csv", tmp_path / "out")}
    rows = read_table(files["OWNS_relationships.csv"])[1]
    assert [row["share"] for row in rows if row[":START_ID"] == "fx-a"] == [100 / 3]
    assert "FX Alpha" in next(row for row in read_table(files["Company_nodes.csv"])[1] if row[":ID"] == "fx-a")["aliases"]


EMPTY_OR_ABSENT = """\
Company:
  - {id: fx-a, name: FX Alpha Holdings, sources: [https://example.org/fx], aliases: [], identifiers: []}
  - {id: fx-b, name: FX Beta Works, sources: [https://example.org/fx], aliases: [FX Beta]}
"""


@pytest.mark.parametrize("source", ["graph", "database"])
def test_csv_marks_a_rows_empty_list_where_others_lack_it(tmp_path, source):
    folder = write(tmp_path / "extra", "extra.yaml", EMPTY_OR_ABSENT)
    graph.load(tmp_path / "db", [folder])
    with graph.open(tmp_path / "db", data=[folder]) as g:
        files = {p.name: p for p in (export(g.nx, "csv", tmp_path / "out") if source == "graph" else g.export("csv", tmp_path / "out"))}
    marks = {row[0]: row[-2] for row in csv.reader(files["Company_nodes.csv"].open(encoding="utf-8", newline=""))}
    assert (marks["fx-a"], marks["fx-b"]) == ("identifiers", "")  # fx-b has no identifiers: only fx-a's mark tells
    script = files[AFTER_IMPORT].read_text(encoding="utf-8")
    assert "MATCH (n:Company) WHERE n.aliases IS NULL SET n.aliases = [];" in script  # every company has aliases
    assert "SET n.identifiers = CASE WHEN 'identifiers' IN n.techgraph_empty_lists THEN [] ELSE n.identifiers END" in script
    rows = {row[":ID"]: row for row in read_table(files["Company_nodes.csv"], ["aliases"])[1]}
    assert (rows["fx-a"]["aliases"], rows["fx-a"]["identifiers"], "identifiers" in rows["fx-b"]) == ([], [], False)


def test_csv_from_the_database_refuses_a_list_item_with_the_array_delimiter(tmp_path):
    with built(tmp_path, "FX; Alpha", 25.0) as g, pytest.raises(DataError) as raised:
        g.export("csv", tmp_path / "out")
    assert str(raised.value) == "Company 'fx-a': aliases item 'FX; Alpha' contains ';', the neo4j-admin array delimiter"


def test_csv_header_types(g, tmp_path):
    files = {p.name: p for p in export(g, "csv", tmp_path)}
    header = files["OWNS_relationships.csv"].read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        ":START_ID,:END_ID,:TYPE,key,sources:string[],since,until,note,records:string[],since_basis,share:double,"
        "techgraph_empty_lists:string[]"
    )
    assert files["App_nodes.csv"].read_text(encoding="utf-8").splitlines()[0] == (
        "id:ID,name,aliases:string[],summary,sources:string[],identifiers:string[],merges:string[],country,"
        "techgraph_empty_lists:string[],:LABEL"
    )


def test_csv_refuses_a_list_item_with_the_array_delimiter(tmp_path):
    small = nx.MultiDiGraph()
    small.add_node("x", label="Company", name="X", aliases=["a;b"], sources=["https://example.org"], country="CN")
    with pytest.raises(DataError, match=r"^Company 'x': aliases item 'a;b' contains ';', the neo4j-admin array delimiter$"):
        export(small, "csv", tmp_path)


def test_neo4j_admin_command_names_every_file_once(g, tmp_path):
    files = export(g, "csv", tmp_path)
    words = neo4j_admin_command(files).split()
    assert words[:5] == ["neo4j-admin", "database", "import", "full", "neo4j"]  # database before options (5.19+)
    given = [w.split("=", 1) for w in words if w.startswith(("--nodes=", "--relationships="))]
    assert sorted(p for _, p in given) == sorted(str(f) for f in files if f.suffix == ".csv")
    assert all((opt == "--nodes") == p.endswith("_nodes.csv") for opt, p in given)
