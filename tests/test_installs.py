"""Installs sharing one database (issue 11): a wheel and an editable checkout, a checkout and an
install, two virtual environments, all pointed at one ``~/.cache/techgraph/db`` or ``TECHGRAPH_DB``.

Each install ships its own copy of ``data/`` in its own place. The manifest records only the
user's extra folders, so a build made by one install serves another holding the same data, and
is rebuilt (never read twice over) for one holding other data.

A second install is simulated by copying the shipped data and queries into a wheel's layout
(``graph/data``, ``graph/queries``) and pointing :data:`graph.paths.PACKAGE_DIR` at it; one test
runs a real copy of the package from such a layout in a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graph
import graph.paths
from graph.backends.ladybug.folder import build_manifest, current_build, ensure_database, read_manifest
from graph.paths import data_dir, queries_dir

CHECKOUT = Path(graph.__file__).resolve().parent  # the package these tests run
BUILT = ("fingerprint", "built_at")


def wheel_layout(site: Path, with_code: bool = False) -> Path:
    """An install's ``graph`` package in ``site`` (a site-packages), data and queries inside it."""
    package = site / "graph"
    if with_code:
        shutil.copytree(CHECKOUT, package, ignore=shutil.ignore_patterns("__pycache__", "data", "queries"))
    shutil.copytree(data_dir(), package / "data", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(queries_dir(), package / "queries")
    return package


@pytest.fixture
def installs(tmp_path, monkeypatch):
    """Switch this process between installs: ``use(package)`` as if ``graph`` were imported from
    there, ``use(None)`` back to the checkout the tests run."""
    checkout = graph.paths.PACKAGE_DIR

    def use(package: Path | None) -> None:
        monkeypatch.setattr(graph.paths, "PACKAGE_DIR", package or checkout)

    yield use
    monkeypatch.setattr(graph.paths, "PACKAGE_DIR", checkout)


def tencent(db: Path) -> list[str]:
    with graph.open(db) as g:
        return sorted(f"{r['measure_id']}->{r['target_id']}" for r in g.query("measures-hitting", entity="Tencent"))


def on_disk(db: Path) -> dict:
    return build_manifest(current_build(db))


def test_a_wheel_then_an_editable_checkout_share_one_cache(tmp_path, installs):
    """README: `pip install .`, use it, then `pip install -e '.[dev]'` and use the checkout."""
    db, wheel = tmp_path / "cache" / "techgraph" / "db", wheel_layout(tmp_path / "venv" / "site-packages")
    installs(wheel)
    built = ensure_database(db)
    expected = tencent(db)
    assert on_disk(db)["folders"] == [], "the shipped data is never recorded as an extra folder"
    installs(None)  # the editable checkout; the wheel's data folder is still there
    assert read_manifest(db)["folders"] == [str(data_dir().resolve())]
    assert tencent(db) == expected
    assert {k: ensure_database(db)[k] for k in BUILT} == {k: built[k] for k in BUILT}, "same data: no rebuild"


def test_a_checkout_and_an_install_share_one_cache_with_extra_folders(tmp_path, installs, extra_folder):
    db, install = tmp_path / "db", wheel_layout(tmp_path / "venv" / "site-packages")
    built = graph.load(db, [extra_folder])  # the checkout, with an extra folder
    assert on_disk(db)["folders"] == [str(extra_folder.resolve())]
    with_extra = tencent(db)
    assert "fixture-ban->fixture-app" in with_extra
    installs(install)  # the install keeps the build's extra folder, reads its own shipped data once
    assert read_manifest(db)["folders"] == [str((install / "data").resolve()), str(extra_folder.resolve())]
    assert tencent(db) == with_extra
    assert {k: ensure_database(db)[k] for k in BUILT} == {k: built[k] for k in BUILT}
    installs(None)
    assert tencent(db) == with_extra


def test_two_installs_with_different_data_rebuild_in_turn_without_error(tmp_path, installs):
    """Two virtual environments holding different releases: each rebuilds for its own data."""
    db = tmp_path / "db"
    old, new = wheel_layout(tmp_path / "venv-a" / "site-packages"), wheel_layout(tmp_path / "venv-b" / "site-packages")
    apps = new / "data" / "apps.yaml"
    apps.write_text(apps.read_text(encoding="utf-8").replace("name: WeChat\n", "name: WeChat (new release)\n", 1), encoding="utf-8")
    fingerprints, answers = [], []
    for package in (old, new, old, new):
        installs(package)
        answers.append(tencent(db))
        fingerprints.append(read_manifest(db)["fingerprint"])
        assert on_disk(db)["folders"] == []
    assert fingerprints[0] == fingerprints[2] != fingerprints[1] == fingerprints[3]
    assert answers[0] == answers[1] == answers[2] == answers[3]  # WeChat's name is not in the rows' ids
    with graph.open(db) as g:
        assert g.resolve("WeChat (new release)")[0]["id"] == "wechat"


def test_two_installs_with_the_same_data_share_one_build(tmp_path, installs):
    db = tmp_path / "db"
    a, b = wheel_layout(tmp_path / "venv-a" / "site-packages"), wheel_layout(tmp_path / "venv-b" / "site-packages")
    installs(a)
    built = ensure_database(db)
    for package in (b, a, b):
        installs(package)
        assert {k: ensure_database(db)[k] for k in BUILT} == {k: built[k] for k in BUILT}
        assert read_manifest(db)["folders"] == [str((package / "data").resolve())]
    assert len(list(db.glob("*.lbdb"))) == 1


def test_an_old_manifest_names_the_shipped_folder_of_the_install_that_built_it_first(tmp_path, installs, extra_folder):
    """Manifests written before issue 11 list every folder read: that install's shipped data,
    the extra folders, the imported lists. Another install reads the first entry as shipped data."""
    db, other = tmp_path / "db", wheel_layout(tmp_path / "venv" / "site-packages")
    built = graph.load(db, [extra_folder])
    path = current_build(db).with_suffix(".json")
    old = {k: v for k, v in json.loads(path.read_text()).items() if k != "manifest_format"}
    old["folders"] = [str((other / "data").resolve()), str(extra_folder.resolve())]  # built by the other install
    path.write_text(json.dumps(old))
    manifest = read_manifest(db)
    assert manifest["folders"] == [str(data_dir().resolve()), str(extra_folder.resolve())]
    assert {k: ensure_database(db)[k] for k in BUILT} == {k: built[k] for k in BUILT}
    assert "fixture-ban->fixture-app" in tencent(db)
    installs(other)  # and the install that wrote it reads it as it did
    assert read_manifest(db)["folders"] == old["folders"]
    assert {k: ensure_database(db)[k] for k in BUILT} == {k: built[k] for k in BUILT}


def test_a_real_wheel_layout_and_the_checkout_take_turns_on_one_techgraph_db(tmp_path):
    """A copy of the package laid out as a wheel installs it, run with ``python -m graph`` from a
    folder that is not the checkout, and the checkout's CLI, alternately on one TECHGRAPH_DB."""
    site = tmp_path / "venv" / "site-packages"
    wheel_layout(site, with_code=True)
    db = tmp_path / "shared-db"
    runs = {"wheel": str(site), "checkout": str(CHECKOUT.parent)}

    def run(which: str, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "TECHGRAPH_DB": str(db), "PYTHONPATH": runs[which]}
        return subprocess.run([sys.executable, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    where = run("wheel", "-c", "import graph.paths as p; print(p.PACKAGE_DIR); print(p.data_dir())")
    assert where.stdout.split() == [str(site / "graph"), str(site / "graph" / "data")], where.stderr
    answers = []
    for which in ("wheel", "checkout", "wheel", "checkout"):
        done = run(which, "-m", "graph", "query", "measures-hitting", "-p", "entity=Tencent", "--format", "json")
        assert done.returncode == 0 and not done.stderr, f"{which}: {done.stderr}"
        answers.append(json.loads(done.stdout))
    assert answers[0] and all(a == answers[0] for a in answers)
    assert on_disk(db)["folders"] == []
    assert len(list(db.glob("*.lbdb"))) == 1, "the same data: one build serves both"
