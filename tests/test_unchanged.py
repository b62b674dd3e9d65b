"""A re-import of an edition already imported, into data unchanged since, is told from its files' digest without
parsing or resolving the list (graph.lists.unchanged); any other file, edition, option or change of the data runs
the import in full. Fixtures: the SDN and China editions of tests/fixtures/imports/editions/ (real formats), the
May SDN edition with a malformed row added for ``skip_bad``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import graph.lists.editions as editions
from graph.errors import DataError
from graph.lists.editions import import_list
from graph.lists.unchanged import imported_file

FIXTURES = Path(__file__).parent / "fixtures" / "imports" / "editions"


@pytest.fixture
def applied(monkeypatch) -> list[str]:
    """The lists the imports that follow parse and apply in full (a re-import told from its digest is not one)."""
    calls: list[str] = []
    real = editions.apply_list

    def counted(fmt, *args, **kwargs):
        calls.append(fmt)
        return real(fmt, *args, **kwargs)

    monkeypatch.setattr(editions, "apply_list", counted)
    return calls


def test_the_same_edition_again_is_answered_from_its_digest_and_anything_else_runs_in_full(tmp_path, applied):
    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes((FIXTURES / "sdn_2024-05-03.csv").read_bytes() + b'90099,"ONLY THREE",columns\n')
    db = tmp_path / "db"
    first = import_list("ofac-sdn", sdn, db=db, edition="2024-05-03", skip_bad=True)
    assert applied == ["ofac-sdn"] and first.changed and (first.new_nodes, first.merged) == (4, 1)
    data = (db / "imports" / "ofac-sdn.jsonl").read_bytes()
    (db / "imports" / "ofac-sdn.skipped.tsv").unlink()

    again = import_list("ofac-sdn", sdn, db=db, edition="2024-05-03", skip_bad=True)
    assert applied == ["ofac-sdn"]  # not parsed again
    assert not again.changed and (again.new_nodes, again.merged, again.delisted) == (0, 0, 0)
    kept = ("rows", "entities", "listings", "out_of_scope", "links", "skipped", "target")
    assert [getattr(again, k) for k in kept] == [getattr(first, k) for k in kept]
    assert (db / "imports" / "ofac-sdn.skipped.tsv").read_text(encoding="utf-8") == "sdn.csv:7\texpected 12 columns, found 3\n"
    assert (db / "imports" / "ofac-sdn.jsonl").read_bytes() == data

    with pytest.raises(DataError, match="sdn.csv:7: expected 12 columns"):  # another option: in full
        import_list("ofac-sdn", sdn, db=db, edition="2024-05-03")
    applied.clear()
    assert not import_list("ofac-sdn", sdn, db=db, edition="2024-05-04", skip_bad=True).changed  # another edition
    import_list("cn-countermeasures", FIXTURES / "cn_sanctions.2026-06-01.csv", db=db, edition="2026-06-01")
    assert not import_list("ofac-sdn", sdn, db=db, edition="2024-05-04", skip_bad=True).changed  # the data changed since
    assert applied == ["ofac-sdn", "cn-countermeasures", "ofac-sdn"]
    assert not import_list("ofac-sdn", sdn, db=db, edition="2024-05-04", skip_bad=True).changed
    assert applied == ["ofac-sdn", "cn-countermeasures", "ofac-sdn"]

    sdn.write_bytes(sdn.read_bytes().replace(b"ZZGAMMA", b"ZZDELTA"))  # another file
    assert import_list("ofac-sdn", sdn, db=db, edition="2024-05-04", skip_bad=True).changed
    assert applied[-1] == "ofac-sdn" and len(applied) == 4


def test_a_record_that_cannot_be_read_runs_the_import_in_full(tmp_path, applied):
    db = tmp_path / "db"
    import_list("ofac-sdn", FIXTURES / "sdn_2024-05-03.csv", db=db, edition="2024-05-03")
    imported_file(db / "imports" / "ofac-sdn.jsonl").write_text("{not json", encoding="utf-8")
    assert not import_list("ofac-sdn", FIXTURES / "sdn_2024-05-03.csv", db=db, edition="2024-05-03").changed
    assert applied == ["ofac-sdn", "ofac-sdn"]
