"""The techgraph command, through click's CliRunner: output formats, exact errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from graph.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_query_json_is_an_array_of_row_objects(run):
    result = run("query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert isinstance(rows, list) and rows
    assert {"measure_id", "measure", "issuers", "target", "announced", "citation"} <= set(rows[0])
    assert any(r["measure_id"] == "eo-13943" and r["target_id"] == "wechat" for r in rows)


def test_cypher_csv_has_a_header_and_one_line_per_measure(run, shipped):
    result = run("cypher", "MATCH (m:Measure) RETURN m.name, m.effective ORDER BY m.effective", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["m.name", "m.effective"]
    assert len(rows) - 1 == shipped.stats()["nodes"]["Measure"]


def test_cypher_with_parameters(run):
    result = run("cypher", "MATCH (a:App {id: $id}) RETURN a.name AS name", "-p", "id=tiktok", "--format", "json")
    assert json.loads(result.output) == [{"name": "TikTok"}]


def test_table_output_names_nodes(run):
    result = run("query", "path", "-p", "from=Carrie Lam", "-p", "to=Marco Rubio")
    assert result.exit_code == 0, result.output
    assert "Carrie Lam" in result.output and "→" in result.output and "1 row" in result.output


def test_show_profile(run):
    result = run("show", "zte")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ZTE Corporation  [Company zte]")
    assert "← SANCTIONS" in result.output and "sources:" in result.output


def test_show_json(run):
    profile = json.loads(run("show", "TikTok", "--format", "json").output)
    assert profile["id"] == "tiktok" and profile["label"] == "App"
    assert any(r["relation"] == "OWNS" and r["id"] == "bytedance" for r in profile["incoming"])


def test_queries_lists_every_stored_query_with_an_example(run):
    rows = json.loads(run("queries", "--format", "json").output)
    assert any(r["name"] == "measures-hitting" and r["example"] == "techgraph query measures-hitting -p entity=Tencent" for r in rows)


def test_stats_and_load_and_check(run, tmp_path):
    stats = json.loads(run("stats", "--format", "json").output)
    assert stats["total_nodes"] > 100 and stats["nodes"]["Measure"] >= 40
    result = run("--db", str(tmp_path / "db"), "load")
    assert result.exit_code == 0 and re.match(r"built \d+ nodes, \d+ relationships, \d+ measures from 1 folder\(s\)", result.output)
    assert run("check").output.startswith("ok: ")


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["query", "nope"], 2, "Error: unknown query 'nope' (see `techgraph queries`)\n"),
        (["query", "measures-hitting"], 2, "Error: query 'measures-hitting' needs parameter 'entity' (entity), e.g. -p entity=Tencent\n"),
        (["query", "measures-hitting", "-p", "entity"], 2, "Error: parameter 'entity' is not key=value\n"),
        (["query", "measures-in-force-on", "-p", "date=yesterday"], 2, "Error: parameter 'date': 'yesterday' is not an ISO-8601 day (YYYY-MM-DD)\n"),
        (["show", "Huawey"], 2, "Error: unknown entity 'Huawey' (did you mean"),
        (["cypher", "MATCH (n) DETACH DELETE n"], 2, "Error: refused: DETACH is a writing clause and this entry point is read-only\n"),
        (["cypher", "MATCH (n RETURN n"], 2, "Error: query failed on the embedded engine: Parser exception"),
    ],
)
def test_errors_are_one_line_with_exit_code(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert result.output.startswith(message)
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_bad_data_folder_fails_load_with_exit_1(run, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.yaml").write_text("App:\n  - {id: a1, name: A}\n")
    result = run("--db", str(tmp_path / "db"), "load", str(bad))
    assert result.exit_code == 1
    assert result.output == f"Error: {bad / 'x.yaml'}:2: App 'a1': field 'sources' is required\n"
    assert not (tmp_path / "db" / "current").exists()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_example_and_is_in_readme(name):
    command = cli.commands[name]
    assert command.help and "Example:" in command.help
    assert f"techgraph {name}" in README


def test_export_writes_files_and_the_neo4j_admin_command(run, tmp_path):
    result = run("export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'csv' / 'Measure_nodes.csv'}" in result.output
    assert "neo4j-admin database import full neo4j" in result.output
    assert result.output.endswith(f"neo4j-admin cannot:\n  cypher-shell -f {tmp_path / 'csv' / 'after_import.cypher'}\n")
    assert run("export", "--format", "pdf", "--out", str(tmp_path)).exit_code == 2


def test_timeline_and_ego_commands(run, tmp_path):
    drawn = run("--as-of", "2020-12-31", "timeline", "--out", str(tmp_path / "t.svg"))
    assert drawn.exit_code == 0, drawn.output
    assert re.fullmatch(rf"wrote {tmp_path / 't.svg'}: \d+ measures in \d+ lanes, \d+ retaliation arrows\n", drawn.output)
    assert (tmp_path / "t.svg").read_text().startswith("<?xml")
    page = run("ego", "ByteDance", "--depth", "1", "--out", str(tmp_path / "b.html"))
    assert page.exit_code == 0 and "ByteDance" in (tmp_path / "b.html").read_text(encoding="utf-8")
    wrong = run("timeline", "--out", str(tmp_path / "t.gif"))
    assert wrong.exit_code == 1 and wrong.output.startswith("Error: ") and "cannot write" in wrong.output
