"""Names that spoof: bidirectional controls, C0/C1 controls and names of invisible characters only are
refused at load (file:line) and at import (a bad row, file:line, skippable); a 1260H parent that is
the company itself makes no OWNS self-loop (issue 15)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.lists.editions import apply_list
from graph.lists.formats import dod_1260h
from graph.lists.formats.base import BadRow, Ownership
from graph.model.types import text_problem

EDITION = "2024-01-01"
DOD_HEADER = "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"

# Each: a name, and the start of why it is refused.
SPOOFS = [
    ("\u202eTencent", "contains the bidirectional control U+202E"),  # right-to-left override
    ("Huawei\u202a Ltd", "contains the bidirectional control U+202A"),
    ("ZTE\u2066 Corp\u2069", "contains the bidirectional control U+2066"),  # isolates
    ("Gui\u009ban", "contains the control character U+009B"),  # C1: CSI
    ("Gui\u0085an", "contains the control character U+0085"),  # C1: NEL
    ("Tencent\x1b[31m", "contains the control character U+001B"),  # C0: ESC
    ("\u200b", "holds only invisible characters"),  # zero-width space
    ("\u200d\u200c", "holds only invisible characters"),  # ZWJ, ZWNJ
    ("\ufeff \u2060", "holds only invisible characters"),  # BOM, word joiner
    ("\u3164", "holds only invisible characters"),  # Hangul filler
]
FINE = ["Tencent", "腾讯", "Ali\u200dbaba", "محمد\u200c", "Gui’an New District", "Line one\tand two"]


@pytest.mark.parametrize("name, reason", SPOOFS)
def test_text_problem_names_the_character(name, reason):
    assert text_problem(name).startswith(reason + ": ")
    assert text_problem(name).isprintable()  # the message shows the character escaped, never raw


@pytest.mark.parametrize("name", FINE)
def test_ordinary_names_pass(name):
    assert text_problem(name) is None


# ---------------------------------------------------------------------------------------------
# At load: a data file (YAML or JSON lines) naming the file and line.


@pytest.mark.parametrize("name, reason", SPOOFS)
def test_a_spoofing_name_in_a_json_lines_file_is_refused_with_file_and_line(tmp_path, name, reason):
    lines = [
        {"Company": {"id": "fine-co", "name": "Fine Co.", "country": "CN", "sources": ["https://example.org/a"]}},
        {"Company": {"id": "spoof-co", "name": name, "country": "CN", "sources": ["https://example.org/a"]}},
    ]
    (tmp_path / "spoof.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_graph([tmp_path])
    message = str(error.value)
    assert "spoof.jsonl:2" in message and reason in message and "\n" not in message, message


@pytest.mark.parametrize("field", ["name", "aliases", "summary"])
def test_a_bidi_override_in_a_yaml_file_is_refused_in_any_text_field(tmp_path, field):
    value = '["Ok", "\\u202eevil"]' if field == "aliases" else '"\\u202eevil"'
    (tmp_path / "spoof.yaml").write_text(
        "Company:\n"
        "  - id: fine-co\n    name: Fine Co.\n    country: CN\n    sources: [https://example.org/a]\n"
        f"  - id: spoof-co\n    name: Spoof Co.\n    country: CN\n    sources: [https://example.org/a]\n    {field}: {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as error:
        load_graph([tmp_path])
    assert "spoof.yaml:" in str(error.value) and "U+202E" in str(error.value), str(error.value)


def test_yaml_with_zero_width_only_name_is_refused(tmp_path):
    (tmp_path / "blank.yaml").write_text(
        'Company:\n  - {id: blank-co, name: "\\u200b", country: CN, sources: [https://example.org/a]}\n', encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"blank\.yaml:2: .*holds only invisible characters"):
        load_graph([tmp_path])


# ---------------------------------------------------------------------------------------------
# At import: a bad row naming file and line; --skip-bad carries on without it.


@cache
def base_graph():
    return load_graph()


def apply_csv(tmp_path: Path, rows: str, skip_bad: bool = False):
    path = tmp_path / "1260h.csv"
    path.write_text(DOD_HEADER + rows, encoding="utf-8")
    return apply_list("dod-1260h", path, base_graph().copy(), edition=EDITION, partial=True, skip_bad=skip_bad)


def csv_row(name: str = "Zzfine Co.", alias: str = "", parent: str = "", note: str = "") -> str:
    return f'"{name}",,"{alias}",,"{parent}","{note}",2021-06-03,,\n'


# Names made of what clean_text leaves alone: C0 and C1 controls are dropped or repaired there (below).
IMPORT_SPOOFS = [(n, r) for n, r in SPOOFS if "control character" not in r]


@pytest.mark.parametrize("name, reason", IMPORT_SPOOFS)
def test_a_spoofing_name_in_an_import_file_is_a_bad_row(tmp_path, name, reason):
    with pytest.raises(DataError) as error:
        apply_csv(tmp_path, csv_row() + csv_row(name))
    assert str(error.value).startswith(f"1260h.csv:3: name {reason}: "), str(error.value)


@pytest.mark.parametrize("field", ["alias", "note", "parent"])
def test_a_bidi_override_in_an_alias_note_or_owner_name_is_a_bad_row(tmp_path, field):
    with pytest.raises(DataError, match=r"^1260h\.csv:2: .*U\+202E"):
        apply_csv(tmp_path, csv_row(**{field: "\u202eevil Co."}))


def test_skip_bad_skips_the_spoofing_row_and_imports_the_rest(tmp_path):
    report, contribution = apply_csv(tmp_path, csv_row() + csv_row("\u202eZzevil") + csv_row("Zzother Ltd"), skip_bad=True)
    names = {data["name"] for data in contribution.g.nodes.values()}
    assert {"Zzfine Co.", "Zzother Ltd"} <= names
    assert not any("\u202e" in name for name in names)
    assert [row.where for row in report.skipped][:1] == ["1260h.csv:3"]
    assert report.skipped[0].reason.startswith("name contains the bidirectional control U+202E")


def test_c1_controls_at_import_are_repaired_or_dropped_never_kept(tmp_path):
    # cp1252 punctuation decoded as Latin-1 upstream (U+0092) is the character meant; other C1 go.
    _, contribution = apply_csv(tmp_path, csv_row("Zzgui\u0092an\u0081 Co."))
    names = [data["name"] for data in contribution.g.nodes.values() if data["name"].startswith("Zz")]
    assert names == ["Zzgui’an Co."]


# ---------------------------------------------------------------------------------------------
# A 1260H parent that is the company itself.


@pytest.mark.parametrize("parent", ["Zzself Co., Ltd.", "ZZSELF CO., LTD.*", "Zzself"])
def test_a_1260h_row_whose_parent_is_itself_is_a_bad_row_not_an_ownership(tmp_path, parent):
    path = tmp_path / "1260h.csv"
    path.write_text(DOD_HEADER + csv_row("Zzself Co., Ltd.", alias="Zzself", parent=parent), encoding="utf-8")
    items = list(dod_1260h.read(path))
    assert not any(isinstance(item, Ownership) for item in items)
    (bad,) = [item for item in items if isinstance(item, BadRow)]
    assert bad.where == "1260h.csv:2" and "is the company itself" in bad.reason


def test_self_parent_makes_no_owns_self_loop_and_is_skippable(tmp_path):
    rows = csv_row("Zzself Co., Ltd.", parent="Zzself Co., Ltd.") + csv_row("Zzchild Ltd", parent="Zzself Co., Ltd.")
    with pytest.raises(DataError, match=r"^1260h\.csv:2: Zzself Co\., Ltd\.: Parent Name .* is the company itself"):
        apply_csv(tmp_path, rows)
    report, contribution = apply_csv(tmp_path, rows, skip_bad=True)
    g = contribution.g
    assert not any(a == b and data["type"] == "OWNS" for a, b, data in g.edges(data=True))
    assert g.has_edge("zzself-co-ltd", "zzchild-ltd")  # the other row's ownership stands
    assert [row.where for row in report.skipped] == ["1260h.csv:2"]


def test_an_owner_that_resolves_to_the_owned_node_is_no_bad_row_and_no_self_loop(tmp_path):
    # The parent names the company by a name the format cannot see as its own (the graph's Huawei), as the 1260H
    # list names China Telecom Group Co., Ltd. the parent of China Telecommunications Corporation, its former name.
    rows = csv_row("Huawei Technologies Co., Ltd.", parent="华为")
    report, contribution = apply_csv(tmp_path, rows)
    assert not any(a == b for a, b, data in contribution.g.edges(data=True) if data["type"] == "OWNS")
    assert report.skipped == [] and report.ownerships == 0
    assert any(" | 华为 | " in entry for entry in contribution.g.nodes["huawei"]["merges"])  # why the parent is Huawei
