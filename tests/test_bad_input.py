"""Malformed data files of every kind end in one DataError line naming the file, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.dataset.network import load_graph
from graph.errors import DataError
from graph.model.schema import load_schema

SCHEMA = load_schema()

VALID = """\
Company:
  - id: fuzz-co
    name: Fuzz Co.
    country: CN
    sources: [https://example.org/a]
  - {id: fuzz-parent, name: Fuzz Parent, country: CN, sources: [https://example.org/b]}
OWNS:
  - {from: fuzz-parent, to: fuzz-co, share: 10, since: 2020-01-01, sources: [https://example.org/a]}
"""


def load_text(content: bytes):
    # A folder of its own, made and removed here: each case loads in milliseconds (pytest's
    # tmp_path_factory.mktemp numbers its folders by listing those made so far: slower each case).
    with tempfile.TemporaryDirectory(prefix="techgraph-fuzz-") as name:
        folder = Path(name)
        (folder / "fuzz.yaml").write_bytes(content)
        try:
            load_graph([folder], SCHEMA)  # the schema parsed once, not once per case
        except DataError as error:
            message = str(error)
            assert "\n" not in message and "fuzz.yaml" in message, message


@settings(max_examples=300, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(VALID)), junk=st.binary(max_size=12), at=st.integers(0, len(VALID)))
def test_truncated_or_corrupted_files(cut, junk, at):
    text = VALID.encode()[:cut]
    load_text(text[:at] + junk + text[at:])


@settings(max_examples=300, deadline=None)
@given(
    field=st.sampled_from(["id", "name", "country", "sources", "share", "since", "from", "to", "kind"]),
    value=st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30), st.lists(st.integers(), max_size=3), st.booleans()),
)
def test_wrong_types_in_any_field(field, value):
    import yaml

    records = yaml.safe_load(VALID)
    records["Company"][0][field] = value
    records["OWNS"][0][field] = value
    load_text(yaml.safe_dump(records, allow_unicode=True).encode())


def test_huge_field_is_fine_and_invalid_date_is_named(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "big.yaml").write_text(VALID.replace("Fuzz Co.", "F" * 1_000_000))
    assert load_graph([folder]).nodes["fuzz-co"]["name"] == "F" * 1_000_000
    (folder / "big.yaml").write_text(VALID.replace("2020-01-01", "2020-02-31"))
    with pytest.raises(DataError, match=r"big\.yaml:8: OWNS from 'fuzz-parent' to 'fuzz-co': field 'since': no such day: '2020-02-31'$"):
        load_graph([folder])
