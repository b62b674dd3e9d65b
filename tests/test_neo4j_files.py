"""What Neo4j gets from the project, checked without a server: every statement through Neo4j's
own Cypher front end, the Compose file against the Compose specification, and the Browser assets.

The checkers live in tests/node (npm; `.ci/run` installs them with `npm ci`).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import graph
from graph import api
from graph.backends.neo4j.browser import guide_html, style_grass
from graph.backends.neo4j.push import push_statements
from graph.cypher.stored import load_queries

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "tests" / "node"
SCHEMA = graph.load_schema()
QUERIES = load_queries()
NEO4J_VERSION = "5.26.30"  # the newest 5.26 patch on Maven Central: Docker runs the version the tests run


@pytest.fixture(scope="module")
def node():
    """Run a checker script with JSON on stdin; skipped off CI when the npm packages are absent."""
    if not (NODE_DIR / "node_modules").is_dir() or not shutil.which("node"):
        if os.environ.get("CI"):
            pytest.fail("tests/node/node_modules is missing: run `npm ci --prefix tests/node`")
        pytest.skip("npm packages not installed: npm ci --prefix tests/node")

    def run(script: str, payload) -> list:
        done = subprocess.run(
            ["node", str(NODE_DIR / script)], input=json.dumps(payload), capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    return run


def every_statement() -> list[dict]:
    """Every Cypher statement techgraph sends to Neo4j, with the parameters it passes."""
    def entry(name, text):
        return {"name": name, "text": text, "parameters": sorted(set(re.findall(r"\$(\w+)", text)))}

    statements = [entry(f"query {q.name}", q.cypher) for q in QUERIES.values()]
    pushed = push_statements(SCHEMA)
    statements += [entry("constraint", text) for text in pushed["constraints"]]
    statements += [entry(f"push {label}", text) for label, text in pushed["nodes"].items()]
    statements += [entry(f"push {'-'.join(key)}", text) for key, text in pushed["relations"].items()]
    statements += [entry(f"push new {label}", text) for label, text in pushed["new_nodes"].items()]
    statements += [entry(f"push new {'-'.join(key)}", text) for key, text in pushed["new_relations"].items()]
    statements += [entry(f"clear {label}", text) for label, text in pushed["clear"].items()]
    statements += [entry(name, getattr(api, name)) for name in dir(api) if name.startswith("_") and name.isupper()]
    # The guide's `:param x => expression` blocks: the Browser runs `RETURN expression AS x`.
    guide = html.unescape(guide_html(SCHEMA, list(QUERIES.values())))
    for name, expression in re.findall(r":param (\w+) => (.*?)</pre>", guide):
        statements.append(entry(f"guide :param {name}", f"RETURN {expression} AS {name}"))
    return statements


def one_per_shape(statements: list[dict]) -> list[dict]:
    """The statements, those the same but for the schema's names (push's one per label and type) kept once.

    Linting takes about a second a statement; the names come from the schema the linter is given, so
    a statement differing only in them can only pass or fail with its first.
    """
    names = {*SCHEMA.nodes, *SCHEMA.relations}
    names |= {p for n in SCHEMA.nodes.values() for p in n.properties} | {p for r in SCHEMA.relations.values() for p in r.properties}
    word = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    kept, shapes = [], set()
    for statement in statements:
        shape = word.sub("_", statement["text"])
        if shape not in shapes:
            shapes.add(shape)
            kept.append(statement)
    return kept


def test_one_per_shape_keeps_what_differs_beyond_the_schemas_names():
    pair = [{"name": "a", "text": "MATCH (n:App {id: $id}) RETURN n.name"},
            {"name": "b", "text": "MATCH (n:Company {id: $id}) RETURN n.country"},
            {"name": "c", "text": "MATCH (n:Company {id: $id}) DELETE n"}]
    assert [s["name"] for s in one_per_shape(pair)] == ["a", "c"]


def test_every_statement_passes_neo4j_cypher_front_end(node):
    db_schema = {
        "labels": list(SCHEMA.nodes),
        "relationshipTypes": list(SCHEMA.relations),
        "propertyKeys": sorted({p for n in SCHEMA.nodes.values() for p in n.properties}
                               | {p for r in SCHEMA.relations.values() for p in r.properties}
                               | {"from", "to"}),  # keys of the rows push sends
    }
    statements = one_per_shape(every_statement())
    assert len(statements) > 40
    report = node("lint-cypher.js", {"schema": db_schema, "statements": statements})
    problems = [f"{r['name']}: {d['message']}" for r in report for d in r["diagnostics"]]
    assert problems == []


def test_the_linter_does_catch_mistakes(node):
    db_schema = {"labels": ["App"], "relationshipTypes": ["OWNS"], "propertyKeys": ["id"]}
    bad = [
        {"name": "removed syntax", "text": "MATCH (n) WHERE exists(n.id) RETURN n", "parameters": []},
        {"name": "undeclared parameter", "text": "MATCH (n) WHERE n.id = $x RETURN n", "parameters": []},
        {"name": "unknown label", "text": "MATCH (n:Ap) RETURN n", "parameters": []},
        {"name": "syntax", "text": "MATCH (n RETURN n", "parameters": []},
    ]
    report = node("lint-cypher.js", {"schema": db_schema, "statements": bad})
    assert all(r["diagnostics"] for r in report), report


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message} interpolation."""
    def value(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"{name} is required: {arg}")
        return arg or ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", value, text)


def example_env() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_compose_file_is_valid_and_safe(node):
    raw = (ROOT / "docker-compose.yml").read_text()
    with pytest.raises(AssertionError, match="NEO4J_AUTH is required"):
        interpolate(raw, {})  # no password baked in: compose refuses to start without .env
    compose = yaml.safe_load(interpolate(raw, example_env()))
    assert node("check-compose.js", compose) == []
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == f"neo4j:{NEO4J_VERSION}-community"
    assert neo4j["environment"]["NEO4J_AUTH"] == example_env()["NEO4J_AUTH"]
    for service in compose["services"].values():
        assert all(port.startswith("127.0.0.1:") for port in service["ports"])
        # 127.0.0.1, not localhost: in the containers localhost can resolve to ::1, where nginx does not listen.
        assert re.search(r"http://127\.0\.0\.1[:/]", " ".join(service["healthcheck"]["test"])), service
    assert "neo4j-data:/data" in neo4j["volumes"] and "neo4j-data" in compose["volumes"]
    for mount in compose["services"]["guide"]["volumes"]:
        assert (ROOT / mount.split(":")[0]).exists(), mount
    connect = neo4j["environment"]["NEO4J_browser_post__connect__cmd"]
    assert "play http://localhost:7480/guide.html" in connect and "style http://localhost:7480/techgraph.grass" in connect


def test_compose_and_the_test_server_run_one_neo4j_version():
    pom = ROOT / "neo4j" / "server" / "pom.xml"  # the launcher the tests start
    if pom.exists():
        assert set(re.findall(r"5\.26\.\d+", pom.read_text())) == {NEO4J_VERSION}
    assert f"neo4j:{NEO4J_VERSION}-community" in (ROOT / "docker-compose.yml").read_text()


def test_guide_server_listens_on_ipv4_where_the_healthcheck_asks():
    nginx = (ROOT / "neo4j" / "nginx.conf").read_text()
    assert re.findall(r"^\s*listen\s+([^;]+);", nginx, re.M) == ["80"]  # IPv4 only: no [::]:80
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "http://127.0.0.1/guide.html" in " ".join(compose["services"]["guide"]["healthcheck"]["test"])


def test_browser_assets_are_generated_from_schema_and_queries():
    folder = ROOT / "neo4j" / "browser"
    assert (folder / "guide.html").read_text(encoding="utf-8") == guide_html(SCHEMA, list(QUERIES.values()))
    assert (folder / "techgraph.grass").read_text(encoding="utf-8") == style_grass(SCHEMA)


def test_guide_offers_every_stored_query_runnable():
    guide = (ROOT / "neo4j" / "browser" / "guide.html").read_text(encoding="utf-8")
    blocks = [html.unescape(b) for b in re.findall(r'<pre class="pre-scrollable code runnable">(.*?)</pre>', guide, re.S)]
    for q in QUERIES.values():
        assert q.cypher in blocks, q.name
        if q.parameters:
            for name, parameter in q.parameters.items():
                value = "COLLECT {" if parameter.type == "entity" else json.dumps(q.example[name], ensure_ascii=False)
                assert f":param {name} => {value}" in "\n".join(blocks), (q.name, name)
    # `:params {...}` would turn integers into floats (LIMIT 10.0 fails) and drop the parameters set before it.
    assert not [b for b in blocks if b.startswith(":params")]
    assert guide.count("<slide") == len(QUERIES) + 2


def test_style_gives_each_label_its_own_colour():
    grass = (ROOT / "neo4j" / "browser" / "techgraph.grass").read_text()
    colours = dict(re.findall(r"node\.(\w+) \{\s*color: (#[0-9A-F]{6});", grass))
    assert set(colours) == set(SCHEMA.nodes) and len(set(colours.values())) == len(colours)
