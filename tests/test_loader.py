"""Loader: schema-derived validation of records, and one-line errors naming file, line, record, field."""

from __future__ import annotations

import pytest

import graph
from graph.dataset.files import fingerprint
from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.paths import data_dir
from tests.conftest import write


def load_extra(tmp_path, text):
    folder = write(tmp_path / "bad", "bad.yaml", text)
    return folder / "bad.yaml", lambda: load_graph([data_dir(), folder])


def test_extra_folder_merges_with_shipped_data(extra_folder):
    g = load_graph([data_dir(), extra_folder])
    assert g.nodes["fixture-app"]["label"] == "App"
    assert g.nodes["fixture-holding"]["aliases"] == ["Fixture Holding", "夹具控股"]
    owns = [(k, d) for _, _, k, d in g.in_edges("fixture-holding", keys=True, data=True) if d["type"] == "OWNS"]
    assert owns == [
        ("OWNS:tencent->fixture-holding", {"type": "OWNS", "share": 60.0, "sources": ["https://example.org/fixture-holding"]})
    ]
    assert g.nodes["fixture-ban"]["announced"] == "2021-02-01"  # YAML dates stay ISO strings


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("Company:\n  - id: x1\n    name: X\n    country: CN\n", 2, "Company 'x1': field 'sources' is required"),
        (
            "Company:\n  - {id: x1, name: X, country: CN, sources: []}\n",
            2,
            "Company 'x1': field 'sources': List should have at least 1 item after validation, not 0",
        ),
        (
            "Measure:\n  - {id: m1, name: M, kind: embargo, sources: [https://e.org]}\n",
            2,
            "Measure 'm1': field 'kind': Input should be",
        ),
        (
            "Measure:\n  - {id: m1, name: M, kind: app-ban, announced: 2020-02-30x, sources: [https://e.org]}\n",
            2,
            "Measure 'm1': field 'announced': not an ISO-8601 date (YYYY, YYYY-MM or YYYY-MM-DD): '2020-02-30x'",
        ),
        ("App:\n  - {id: Bad_Id, name: A, sources: [https://e.org]}\n", 2, "App 'Bad_Id': field 'id': id 'Bad_Id' is not a slug"),
        ("App:\n  - {id: a1, name: A, colour: red, sources: [https://e.org]}\n", 2, "App 'a1': unknown field 'colour'"),
        (
            "OWNS:\n  - {from: tencent, to: wechat, key: x, sources: [https://e.org]}\n",
            2,
            "OWNS from 'tencent' to 'wechat': unknown field 'key'",
        ),
        ("Compnay:\n  - {id: a1}\n", 1, "unknown label or relationship type 'Compnay' (did you mean 'Company'?)"),
        ("App:\n  - {id: a1, name: A, sources: [news.txt]}\n", 2, "App 'a1': source 'news.txt' is neither a URL nor a catalogued document"),
        (
            "OWNS:\n  - {from: tencent, to: wechat, share: 150, sources: [https://e.org]}\n",
            2,
            "OWNS from 'tencent' to 'wechat': field 'share': share 150.0 is not a percentage in (0, 100]",
        ),
        (
            "SANCTIONS:\n  - {from: eo-13942, to: tencnet, sources: [https://e.org]}\n",
            2,
            "SANCTIONS from 'eo-13942' to 'tencnet': unknown node id 'tencnet' (did you mean 'tencent',",
        ),
        (
            "SANCTIONS:\n  - {from: us, to: tencent, sources: [https://e.org]}\n",
            2,
            "SANCTIONS from 'us' to 'tencent': SANCTIONS cannot join Government to Company (allowed: Measure->Official, Measure->Company, Measure->App, Measure->Government)",
        ),
        ("App:\n  - {id: a1, name: A, sources: [https://e.org]\n", 3, "invalid YAML"),
        ("App:\n  - {id: a1, name: A, sources: [" + "[" * 1100 + "]" * 1100 + "]}\n", 2, "invalid YAML: exceeded maximum nesting depth"),
        (  # nesting libyaml takes, walked again through an alias: deeper than Python's recursion
            "App:\n  - {id: a1, name: A, sources: [https://e.org], summary: &deep " + "[" * 900 + "]" * 900 + "}\n"
            "  - {id: a2, name: B, sources: [https://e.org], summary: *deep}\n",
            2,
            "invalid YAML: nested too deeply",
        ),
        ("App: {id: a1}\n", 1, "App must be a list of records"),
        ("- just a list\n", 1, "a data file must map labels and relationship types to lists"),
    ],
)
def test_bad_record_names_file_line_record_and_field(tmp_path, text, line, message):
    path, load = load_extra(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load()
    text = str(caught.value)
    assert text.startswith(f"{path}:{line}: ")
    assert message in text
    assert "\n" not in text


def test_duplicate_id_names_both_places(tmp_path):
    path, load = load_extra(tmp_path, "App:\n  - {id: x1, name: A, sources: [https://e.org]}\n  - {id: x1, name: B, sources: [https://e.org]}\n")
    with pytest.raises(DataError, match=rf"^{path}:3: App 'x1': duplicate id, first defined at {path}:2$"):
        load()


def test_duplicate_of_a_shipped_id_is_an_error(tmp_path):
    path, load = load_extra(tmp_path, "Company:\n  - {id: tencent, name: T, country: CN, sources: [https://e.org]}\n")
    with pytest.raises(DataError, match=r"Company 'tencent': duplicate id, first defined at .*apps\.yaml:\d+$"):
        load()


def test_invalid_utf8_is_reported(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "x.yaml").write_bytes(b"App:\n  - {id: a, name: \xff\xfe}\n")
    with pytest.raises(DataError, match=r"x\.yaml:2: not UTF-8 text \(byte 0xff at column 19\)$"):
        load_graph([data_dir(), folder])


def test_fingerprint_changes_with_the_data(extra_folder):
    before = fingerprint([data_dir(), extra_folder])
    (extra_folder / "extra.yaml").write_text((extra_folder / "extra.yaml").read_text() + "\n# comment\n")
    assert fingerprint([data_dir(), extra_folder]) != before
    assert fingerprint([data_dir()]) == fingerprint([data_dir()])


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(DataError, match="not a data folder"):
        graph.check([tmp_path / "nope"])


def test_row_batches_give_every_node_before_any_relation_at_any_size():
    """Neo4j's push MATCHes each relation's ends: a relation batch sent before a node batch would be lost."""
    from graph.dataset.network import graph_rows, row_batches
    from graph.model.schema import load_schema

    g = load_graph()
    rows = list(graph_rows(g))  # what push sends: the derived relations too
    for size in (1, 7, 97, 100_000):
        batches = list(row_batches(iter(rows), load_schema(), size))
        kinds = [isinstance(kind, str) for kind, _ in batches]
        assert kinds == sorted(kinds, reverse=True), size
        assert all(len(batch) <= size for _, batch in batches)
        assert sum(len(b) for _, b in batches) == g.number_of_nodes() + g.number_of_edges()


TRICKY_TEXTS = ["Tencent", "腾讯", " x ", "a\tb", "line\nbreak", "\u0301", "\u0301a", "\u3164", "\u3164x", "\u2800",
                "\u200b", "\u200bx", "x\u202e", "x\x1f", "x\x85", "\x7f", "", " ", "\u00a0", "\u2028x", "👍", "x\ufeff"]


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_the_fast_line_check_never_accepts_what_the_model_refuses(text):
    """JSON lines are checked by pydantic-core constraints first (graph/model/records.py): whatever they
    accept the model accepts with the same values, and a line they refuse is read again by the model."""
    import json

    from pydantic import ValidationError

    from graph.model.schema import load_schema

    schema = load_schema()
    fields = {"id": "x-1", "name": text, "aliases": [text], "sources": ["https://example.org"]}
    try:
        model = schema.model("Company").model_validate(fields).model_dump(exclude_none=True, by_alias=True)
    except ValidationError:
        model = None
    try:
        fast = schema.line_adapter("Company").validate_json(json.dumps({"Company": fields}))["Company"]
    except ValidationError:
        fast = None
    if fast is not None:
        assert model is not None and {k: v for k, v in fast.items() if v is not None} == model
    if text in ("Tencent", "腾讯", " x ", "line\nbreak"):
        assert fast is not None  # the common texts take the fast path


def test_a_jsonl_file_skipped_by_a_pass_is_still_read_for_its_records(tmp_path):
    """The Extend pass skips a file without "Extend" in its bytes; a file whose kind is spelled with an
    escape is read, and a file with only nodes is not read again for relations: the graph is the same."""
    folder = tmp_path / "lines"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"Company": {"id": "x-co", "name": "X Co", "sources": ["https://example.org/x"]}}\n', encoding="utf-8"
    )
    (folder / "b.jsonl").write_text(
        '{"OWNS": {"from": "tencent", "to": "x-co", "share": 60, "sources": ["https://example.org/o"]}}\n'
        '{"\\u0045xtend": {"id": "x-co", "aliases": ["Ex"], "sources": ["https://example.org/e"]}}\n',
        encoding="utf-8",
    )
    g = load_graph([data_dir(), folder])
    assert g.nodes["x-co"]["aliases"] == ["Ex"]
    assert g.nodes["x-co"]["sources"] == ["https://example.org/x", "https://example.org/e"]
    assert g.has_edge("tencent", "x-co")
    (folder / "b.jsonl").write_text('{"OWNS": {"from": "tencent", "to": "no-such", "sources": ["https://e.org"]}}\n')
    with pytest.raises(DataError, match=r"b.jsonl:1: OWNS from 'tencent' to 'no-such': unknown node id 'no-such'"):
        load_graph([data_dir(), folder])
