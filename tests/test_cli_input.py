"""What a new user types: CSV that a spreadsheet cannot run, `~` in paths, --as-of only where it
means something, -p given once, names with spaces or in a list's order, "1 day" (issue 15)."""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
from pathlib import Path

import pytest

from graph.cli import AS_OF_COMMANDS, cli
from graph.cli.commands_analysis import _print_chains
from graph.cli.output import csv_cell
from graph.paths import default_db_dir
from tests.conftest import copy_database


def one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    return result.output


# ---------------------------------------------------------------------------------------------
# --format csv: formula cells neutralised (OWASP), --raw prints them as they are, lists as JSON arrays.

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_cell_gets_a_leading_quote(text):
    assert csv_cell(text) == "'" + text
    assert csv_cell(text, raw=True) == text


@pytest.mark.parametrize("value, text", [("Tencent", "Tencent"), (-2, "-2"), (-1.5, "-1.5"), (None, ""), ("a=b", "a=b")])
def test_ordinary_cells_and_numbers_are_unchanged(value, text):
    assert csv_cell(value) == text


def test_list_cells_are_json_arrays_that_split_back():
    items = ["A; B", 'say "hi"', "=x", "C"]
    assert json.loads(csv_cell(items)) == items  # "; " inside an item no longer splits it
    assert csv_cell([]) == "[]"


CRAFTED = (
    "RETURN '=HYPERLINK(\"http://evil\",\"x\")' AS link, '+cmd|x' AS plus, '@SUM(1)' AS at, "
    "'fine' AS ok, -2 AS number, ['a; b', '=c'] AS items"
)


def test_cypher_csv_neutralises_formulas_and_raw_does_not(run):
    result = run("cypher", CRAFTED, "--format", "csv")
    assert result.exit_code == 0, result.output
    header, row = list(csv.reader(io.StringIO(result.output)))
    assert header == ["link", "plus", "at", "ok", "number", "items"]
    assert row[:5] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+cmd|x", "'@SUM(1)", "fine", "-2"]
    assert json.loads(row[5]) == ["a; b", "=c"]  # items inside a JSON array are data, not cells
    raw = run("cypher", CRAFTED, "--format", "csv", "--raw")
    assert raw.exit_code == 0, raw.output
    assert list(csv.reader(io.StringIO(raw.output)))[1][:3] == ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|x", "@SUM(1)"]


def test_queries_csv_parameters_are_a_json_array(run):
    result = run("queries", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    tree = next(r for r in rows if r["name"] == "ownership-tree")
    assert json.loads(tree["parameters"]) == ["entity (entity)"]


def test_raw_is_on_exactly_the_commands_that_print_csv():
    with_csv = {
        name for name, command in cli.commands.items()
        if any(p.name == "fmt" and "csv" in getattr(p.type, "choices", ()) for p in command.params) and name != "export"
    }  # fmt: skip
    with_raw = {name for name, command in cli.commands.items() if any(p.name == "raw" for p in command.params)}
    assert with_raw == with_csv and {"query", "cypher", "queries"} <= with_raw
    assert "--raw" in cli.commands["query"].get_help(cli.make_context("techgraph", ["query", "--help"], resilient_parsing=True))


# ---------------------------------------------------------------------------------------------
# --as-of: never empty, never silently ignored.


def test_empty_as_of_is_refused(run):
    assert "--as-of is empty" in one_line_error(run("--as-of", "", "stats"))
    assert "--as-of is empty" in one_line_error(run("--as-of", "  ", "query", "measures-hitting", "-p", "entity=Tencent"))


@pytest.mark.parametrize("args", [["check"], ["load"], ["schema"], ["queries"], ["neo4j-assets"], ["import", "csl", "x.csv"]])
def test_as_of_on_a_command_that_ignores_it_is_refused(run, args):
    message = one_line_error(run("--as-of", "2020-09-01", *args))
    assert f"--as-of does not apply to `{args[0]}`" in message


def test_as_of_commands_are_those_that_open_the_graph():
    def opens_graph(command) -> bool:  # directly, or through common.report
        source = inspect.getsource(command.callback)
        return "obj.open" in source or "report(obj" in source

    opens = {name for name, command in cli.commands.items() if opens_graph(command)}
    assert set(AS_OF_COMMANDS) == opens


def test_as_of_still_answers_where_it_applies(run):
    result = run("--as-of", "2020-08-01", "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == [], result.output


# ---------------------------------------------------------------------------------------------
# -p given twice.


def test_a_repeated_parameter_is_an_error_naming_it(run):
    message = one_line_error(run("query", "measures-hitting", "-p", "entity=Tencent", "-p", "entity=ZTE"))
    assert "'entity' is given twice" in message
    one_line_error(run("cypher", "RETURN $x AS x", "-p", "x=1", "-p", " x=2"))


# ---------------------------------------------------------------------------------------------
# TECHGRAPH_DB="~/x" and --db ~/x: the user's home, never a literal ./~ folder.


def test_default_db_dir_expands_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TECHGRAPH_DB", "~/x")
    assert default_db_dir() == tmp_path / "x"


@pytest.mark.parametrize("how", ["env", "option"])
def test_tilde_db_is_the_home_folder(run, shipped_db, monkeypatch, tmp_path, how):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    copy_database(shipped_db, home / "x")
    monkeypatch.chdir(work)
    args = ["stats", "--format", "json"] if how == "env" else ["--db", "~/x", "stats", "--format", "json"]
    result = run(*args, env={"HOME": str(home), "TECHGRAPH_DB": "~/x" if how == "env" else os.environ["TECHGRAPH_DB"]})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["nodes"]
    assert not (work / "~").exists() and not Path("~").exists()


# ---------------------------------------------------------------------------------------------
# Names with surrounding spaces, and people in a list's order.


def test_names_with_surrounding_spaces_resolve(shipped):
    assert shipped.resolve("  Tencent \t") == shipped.resolve("Tencent")


def test_a_person_in_ofac_order_is_the_same_node(shipped):
    (carrie,) = shipped.resolve("Carrie Lam")
    assert shipped.resolve("LAM, Carrie") == shipped.resolve(" lam,carrie ") == [carrie]


def test_reordering_is_for_people_and_single_commas_only(shipped):
    from graph.errors import UnknownEntityError

    for name in ["Lam, Carrie, Cheng", "Technologies Co., Ltd., Huawei", ", Carrie"]:
        with pytest.raises(UnknownEntityError):
            shipped.resolve(name)


def test_show_and_query_take_the_ofac_order(run):
    assert run("show", "LAM, Carrie", "--format", "json").exit_code == 0
    result = run("query", "measures-hitting", "-p", "entity= Tencent ", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output), result.output


# ---------------------------------------------------------------------------------------------
# chains: "1 day".


def test_chains_say_one_day_not_one_days(capsys):
    steps = [
        {"announced": "2020-08-06", "issuers": ["US"], "name": "first", "delay_days": None},
        {"announced": "2020-08-07", "issuers": ["CN"], "name": "answer", "delay_days": 1},
    ]
    _print_chains([{"steps": steps, "total_days": 1}])
    out = capsys.readouterr().out
    assert "1 step(s), 1 day\n" in out and "(+1 day)" in out and "days" not in out


def test_chains_command_never_prints_one_days(run):
    result = run("chains")
    assert result.exit_code == 0, result.output
    assert " days" in result.output and " 1 days" not in result.output and "+1 days" not in result.output
