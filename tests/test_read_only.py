"""Ad-hoc Cypher on the embedded engine is read-only by construction (issue 15).

An adversarial corpus: every statement below must be refused with one line and
change nothing (no file written under the test's folder, the database files
byte-identical, no extension folder in the home directory); the reads must run
and give the rows the engine gives for the same text. Statements that would
download (INSTALL, UPDATE) are only checked for their refusal: none reaches the engine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import ladybug
import pytest

import graph
from graph.backends.ladybug.dialect import to_ladybug
from graph.backends.ladybug.engine import READ_FUNCTIONS
from graph.cypher.lexer import tokenize
from graph.cypher.readonly import check_read_only, read_only_statement
from graph.errors import QueryError, ReadOnlyError
from tests.conftest import copy_database

S = "MATCH (n:App) RETURN count(n) AS n"  # a harmless read to hide things around

REFUSED = [
    # comments as the engine ends them: `**/` does not end one, `*/` inside a string is in the string
    "RETURN 1 /* **/ ' */ ; COPY (MATCH (m) RETURN m.id) TO 'out.csv' //'",  # the finding
    "MATCH (n) /* **/ ' */ DETACH DELETE n //' RETURN n",
    "RETURN 1 /* **/ ; COPY (MATCH (m) RETURN m.id) TO 'out.csv' /* */ ; CHECKPOINT",
    "/* /* */ */ COPY (MATCH (m) RETURN m.id) TO 'out.csv'",
    "RETURN '*/' AS a /* ' */ CHECKPOINT",
    "RETURN 1 /* unterminated COPY (RETURN 1) TO 'x.csv'",
    "RETURN 1 /* ends on a lone star *",
    "MATCH (n) //x\rDETACH DELETE n",
    "RETURN 'a\\'; CHECKPOINT; RETURN \\'b' AS s; CHECKPOINT",
    "RETURN 'bad escape \\q' AS s /* ' */ COPY (RETURN 1) TO 'x.csv'",
    "RETURN 'unterminated",
    'RETURN "two \\" quotes" AS s; CHECKPOINT',
    "RETURN 1 AS `a``b` ; CHECKPOINT",
    "RETURN 1 AS `/*` COPY (RETURN 1) TO 'x.csv' /* ` */",
    "RETURN 1 AS `unterminated",
    # unicode whitespace and lookalikes
    "MATCH (n)\u3000SET n.name = 'x'",
    "MATCH (n)\u2029DETACH\u00a0DELETE n",
    "RETURN 1\u0085; CHECKPOINT",  # U+0085 is no whitespace to LadybugDB
    "RETURN 1\u200b AS x",  # nor is a zero-width space
    "\ufeffCHECKPOINT",
    "RETURN 1 AS x\uff1b CHECKPOINT",  # a fullwidth semicolon is no token
    "СOPY (MATCH (m) RETURN m) TO 'x.csv'",  # Cyrillic С: a name, not COPY, and no read clause
    "\u0000RETURN 1",
    # more than one statement
    "MATCH (n:App) RETURN n.id LIMIT 1; RETURN 2",
    "RETURN 1;;",
    ";",
    "",
    "   /* only a comment */ ",
    # every LadybugDB statement family
    "COPY App FROM 'apps.csv'",
    "COPY App FROM (MATCH (n:App) RETURN n.id)",
    "COPY (MATCH (n:App) RETURN n.id) TO 'apps.csv'",
    "LOAD FROM '/etc/passwd' RETURN *",
    "MATCH (n:App) LOAD FROM 'x.csv' RETURN *",
    "LOAD WITH HEADERS (a STRING) FROM 'x.csv' RETURN *",
    "LOAD EXTENSION '/tmp/libevil.so'",
    "LOAD EXTENSION json",
    "LOAD json",
    "UNINSTALL httpfs",
    "ATTACH 'other.lbdb' AS other (dbtype lbug)",
    "DETACH other",
    "USE other",
    "EXPORT DATABASE 'dump'",
    "IMPORT DATABASE 'dump'",
    "CHECKPOINT",
    "checkpoint;",
    "BEGIN TRANSACTION",
    "BEGIN TRANSACTION READ ONLY",
    "COMMIT",
    "ROLLBACK",
    "COMMIT_SKIP_CHECKPOINT",
    "CALL threads = 4",
    "CALL enable_semi_mask = false",
    "CALL current_setting('threads') RETURN *",
    "CALL clear_warnings() RETURN *",
    "CALL read_csv('/etc/passwd') RETURN *",
    "CALL file_info('/etc') RETURN *",
    "CALL project_graph('g', ['App'], []) RETURN *",
    "CALL show_loaded_extensions() RETURN *",
    "MATCH (n) CALL drop_projected_graph('g') RETURN *",
    "CALL db.labels()",  # on the embedded engine, no procedure is an allowed function
    "CREATE (n:App {id: 'x', name: 'X'})",
    "MATCH (a:App) CREATE (a)-[:OWNS]->(b:App {id: 'y'})",
    "MERGE (n:App {id: 'tiktok'}) RETURN n",
    "MATCH (n:App {id: 'tiktok'}) SET n.name = 'x'",
    "MATCH (n:App) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:App) REMOVE n.summary",
    "DROP TABLE App",
    "ALTER TABLE App ADD extra STRING",
    "CREATE NODE TABLE T (id STRING PRIMARY KEY)",
    "CREATE MACRO m(x) AS x + 1",
    "CREATE SEQUENCE s",
    "COMMENT ON TABLE App IS 'x'",
    "ANALYZE",
    "EXPLAIN CHECKPOINT",
    "PROFILE MATCH (n) DETACH DELETE n",
    # writing words where a name-like position hides a clause
    "MATCH (as) WITH as CREATE (m:App {id: 'x'})",
    "MATCH (x) WITH x AS as CREATE (m:App {id: 'x'})",
    "MATCH (x) WITH x AS y, y AS z DELETE z",
    "WITH 1 AS x LIMIT 1 CREATE (m:App {id: 'x'})",
    "MATCH (n) WITH n.set AS set SET n.name = 'x'",
    "MATCH (a:App) WITH a, {k: 1} AS m SET a.name = 'x'",
    "RETURN 1 AS x UNION MATCH (n) DELETE n RETURN 1 AS x",
    "MATCH (n) WHERE EXISTS { MATCH (n)-[]->() } CREATE (m:App {id: 'x'})",
    "MATCH (n) RETURN n AS CREATE (m:App {id: 'x'})",  # accepted by the check, refused by the parser
    "RETURN $create CREATE (m:App {id: 'x'})",
    "WITH 1 AS set MATCH (set) RETURN set",  # a variable spelled like a clause, refused where a clause may stand
    "MATCH (n) WITH n.with SET n.name = 'x'",
    "MATCH (n) RETURN n.x AS y UNION WITH * CREATE (m:App {id: 'x'}) RETURN 1 AS y",
    "MATCH (n:App) WITH n ORDER BY n.id LIMIT 1 DELETE n",
    "MATCH (n:App) WITH n, 5! AS f DELETE n",
]
# Statements that download: refused by the check, never handed to the engine.
DOWNLOADS = [
    "INSTALL httpfs",
    "FORCE INSTALL httpfs FROM 'http://localhost:1/'",
    "UPDATE httpfs",
    "install json;",
    "RETURN 1 /* **/ ' */ ; INSTALL httpfs //'",
    "MATCH (n) /* **/ ' */ UPDATE httpfs //' RETURN n",
    "RETURN '\\'' /* ' */ ; INSTALL httpfs",
]

READS = [
    "MATCH (n:App) /* **/ COPY (MATCH (m) RETURN m) TO 'x.csv' // */ RETURN count(n) AS n",  # all comment
    "MATCH (n:App) RETURN n.name AS use, n.id AS set ORDER BY set LIMIT 3",
    "MATCH (n:App) RETURN n.id AS delete, {delete: 1, merge: n.id, `create`: 2} AS m ORDER BY delete LIMIT 2",
    "MATCH (n:App) WHERE n.name <> 'CREATE' AND n.id <> \"it's */ COPY\" RETURN count(n) AS n",
    "MATCH (n:App) /* DETACH DELETE n ** */ RETURN count(n) AS n // SET n.x = 1",
    "MATCH (n:App)\n// CHECKPOINT\nRETURN count(n) AS n;",
    "MATCH (n:App) RETURN n.id AS `a``b */ COPY` ORDER BY `a``b */ COPY` LIMIT 1",
    "MATCH (n:Company) RETURN n.id AS id, CASE WHEN n.id STARTS WITH 'a' THEN 'set' ELSE 'load' END AS load ORDER BY id LIMIT 5",
    "MATCH (c:Company) WHERE EXISTS { MATCH (c)-[:OWNS]->(:App) } RETURN c.id AS owner ORDER BY owner",
    "MATCH (c:Company) RETURN c.id AS id, COUNT { MATCH (c)-[:OWNS]->() } AS owned ORDER BY owned DESC, id LIMIT 3",
    "UNWIND [1, 2, 3] AS copy RETURN copy * 2 AS update, copy AS load",
    "WITH 'x' AS checkpoint RETURN checkpoint AS copy",
    "OPTIONAL MATCH (n:App {id: 'no-such-app'}) RETURN n.id AS id",
    "MATCH (n:App) RETURN n.id AS id UNION MATCH (n:Company {id: 'tencent'}) RETURN n.id AS id",
    "MATCH (n:App {id: $use}) RETURN n.name AS name, $set AS created",
    "RETURN 'tab\\tand \\u00e9 \\x41' AS s, \"a \\\"b\\\"\" AS t, 1.5e3 AS f, .5 AS g",
    "MATCH\u00a0(n:App)\u2003RETURN\u3000count(n)\u2029AS\u205fn",
    "MATCH (a:App)\u2014[r]\u2014(b) RETURN count(r) AS n",
    "MATCH (a)-[r]->(b:App) RETURN labels(a)[0] AS l, type(r) AS t ORDER BY l, t LIMIT 2",
    "CALL show_tables() RETURN name ORDER BY name",
    "CALL table_info('App') RETURN name ORDER BY name",
    "CALL db_version() RETURN *",
    "MATCH (n:Company) RETURN n.id AS id ORDER BY id SKIP 1 LIMIT 2",
    "RETURN NULL AS set, TRUE AS merge",
]
PARAMS = {"use": "tiktok", "set": "yes"}  # LadybugDB takes no $create: CREATE is reserved to its parser


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """The folder of the database copy: every file under it is watched."""
    return tmp_path_factory.mktemp("read-only")


@pytest.fixture(scope="module")
def copy(home, shipped_db):
    """The shipped database, copied into ``home`` and opened."""
    db = copy_database(shipped_db, home / "db")
    g = graph.open(db)
    g.cypher("MATCH (n:App) RETURN count(n) AS n")  # whatever an open writes, written now
    yield g
    g.close()


def _files(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _extension_folders() -> set[str]:
    home = Path.home()
    return {str(p) for name in (".lbug", ".ladybug", ".kuzu") for p in (home / name).rglob("*")} if home.is_dir() else set()


@pytest.mark.parametrize("statement", REFUSED)
def test_refused_with_one_line_and_no_side_effects(copy, home, statement):
    before, extensions = _files(home), _extension_folders()
    with pytest.raises(QueryError) as refusal:
        copy.cypher(statement)
    message = str(refusal.value)
    assert "\n" not in message and message
    with pytest.raises(QueryError):  # the engine refuses it too, asked directly
        copy.engine.run(statement)
    assert _files(home) == before
    assert _extension_folders() == extensions


@pytest.mark.parametrize("statement", DOWNLOADS)
def test_downloads_are_refused_before_the_engine(statement, monkeypatch):
    def no_engine(*args, **kwargs):
        raise AssertionError("a download statement reached LadybugDB")

    monkeypatch.setattr(ladybug.Connection, "execute", no_engine)
    with pytest.raises(ReadOnlyError, match="^refused: "):
        check_read_only(statement, READ_FUNCTIONS)
    with pytest.raises(ReadOnlyError, match="^refused: "):
        read_only_statement(to_ladybug(statement), READ_FUNCTIONS)
    with pytest.raises(ReadOnlyError, match="^refused: "):
        check_read_only(statement)  # on Neo4j too


def _raw(g: graph.TechGraph, statement: str, params: dict) -> list[dict]:
    """The rows the engine gives for the statement's own text, unchecked (what the check must not change)."""
    named = {t.text[1:] for t in tokenize(statement) if t.kind == "parameter"}
    text = statement.replace("labels(a)[0]", "label(a)").replace("type(r)", "label(r)")  # the dialect, by hand
    result = g.engine._connection.execute(text, {k: v for k, v in params.items() if k in named})
    columns = result.get_column_names()
    return [dict(zip(columns, row, strict=True)) for row in result.get_all()]


@pytest.mark.parametrize("statement", READS)
def test_reads_run_and_give_the_engines_rows(copy, statement):
    rows, raw = copy.cypher(statement, PARAMS), _raw(copy, statement, PARAMS)
    if "ORDER BY" not in statement:  # a UNION's order, say, is the engine's choice on each run
        rows, raw = sorted(rows, key=repr), sorted(raw, key=repr)
    assert rows == raw
    assert rows, statement


def test_explain_and_profile_of_a_read_run(copy):
    for statement in ("EXPLAIN MATCH (n:App) RETURN n.id", "PROFILE MATCH (n:App) RETURN count(n) AS n"):
        assert copy.cypher(statement)


def test_every_stored_query_runs_as_ad_hoc_cypher(copy):
    queries = copy.queries()
    assert len(queries) == 13
    for stored in queries:
        values = {name: p.example for name, p in stored.parameters.items()}
        expected = copy.query(stored.name, **values)
        resolved = stored.coerce(values)
        for name, p in stored.parameters.items():
            if p.type == "entity":
                resolved[name] = [m["id"] for m in copy.resolve(resolved[name])]
        assert copy.cypher(stored.cypher, resolved) == expected, stored.name


@pytest.mark.parametrize(
    "statement, canonical",
    [
        ("MATCH (n) /* **/ RETURN 1 */ RETURN n;", "MATCH (n) RETURN n"),
        ("MATCH\u3000(n)//c\nRETURN n.set AS use", "MATCH (n) RETURN n.set AS use"),
        ("RETURN '/* */' AS `*/`", "RETURN '/* */' AS `*/`"),
        ("RETURN 1/**/+/**/2 AS x", "RETURN 1 + 2 AS x"),
    ],
)
def test_the_engine_is_handed_the_canonical_text(statement, canonical):
    assert read_only_statement(statement, READ_FUNCTIONS) == canonical


def test_neo4j_runs_read_procedures_and_refuses_writes():
    for statement in ("CALL db.labels()", "CALL dbms.components() YIELD name RETURN name", "MATCH (n) RETURN n.kind AS use"):
        check_read_only(statement)
    for statement in ("CREATE (n)", "MATCH (n) SET n.x = 1", "STOP DATABASE neo4j", "MATCH (n) RETURN n; MATCH (m) DELETE m"):
        with pytest.raises(ReadOnlyError):
            check_read_only(statement)
