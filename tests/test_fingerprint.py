"""Opening the database reads no data file while none was touched since the build, and still sees
every change, even a rewrite of the same size within the file system's timestamp granularity."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import graph
import graph.backends.ladybug.folder as folder
from graph.backends.ladybug.folder import ensure_database, read_manifest
from tests.conftest import EXTRA_DATA, write


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A database of the shipped data and an extra folder whose file is dated an hour back."""
    extra = write(tmp_path / "extra", "extra.yaml", EXTRA_DATA)
    an_hour_ago = time.time() - 3600
    os.utime(extra / "extra.yaml", (an_hour_ago, an_hour_ago))
    db = tmp_path / "db"
    graph.load(db, [extra])
    return db, extra


def test_an_untouched_database_opens_without_reading_the_data(built, monkeypatch):
    db, _ = built
    monkeypatch.setattr(folder, "fingerprint", lambda folders: pytest.fail("read the data files"))
    recorded = read_manifest(db)
    if any(int(m) >= recorded["files"]["at_ns"] - folder.RACY_NS for _, _, m in recorded["files"]["stats"]):
        pytest.skip("a shipped data file was written less than two seconds before the build")
    assert ensure_database(db)["fingerprint"] == recorded["fingerprint"]


def test_a_changed_file_is_seen(built):
    db, extra = built
    before = read_manifest(db)["fingerprint"]
    (extra / "extra.yaml").write_text(EXTRA_DATA.replace("Fixture Holding", "Fixture Holdings"), encoding="utf-8")
    assert ensure_database(db)["fingerprint"] != before


def test_a_same_size_rewrite_with_the_same_timestamp_is_seen(tmp_path):
    # Written just before the build, then rewritten with the same size and modification time: the
    # stats match the manifest's, but the file is recent, so it is read again and the change is seen.
    extra = write(tmp_path / "extra", "extra.yaml", EXTRA_DATA)
    db = tmp_path / "db"
    graph.load(db, [extra])
    before, stat = read_manifest(db)["fingerprint"], (extra / "extra.yaml").stat()
    (extra / "extra.yaml").write_text(EXTRA_DATA.replace("Fixture Holding", "Fixture Hxlding"), encoding="utf-8")
    os.utime(extra / "extra.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (extra / "extra.yaml").stat().st_size == stat.st_size
    assert ensure_database(db)["fingerprint"] != before
