"""Failures a user meets (issue 15): one line instead of a traceback, a non-zero exit, nothing
half-written, temporary files swept, and a read-only shared database that serves every read command.

Full disks are simulated by raising ENOSPC where a writer writes, and for real on a 1 MB tmpfs where
the machine lets the test mount one; "cannot write" is a folder made immutable (``chattr +i``), a
file where a folder is expected, or the CLI run as user ``nobody``. Each skips with its reason where
the machine does not allow it.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import graph
from graph.backends.ladybug.folder import current_build, ensure_database, sweep_leftovers
from graph.backends.neo4j.settings import Neo4jSettings
from graph.errors import DatabaseError
from tests.conftest import EXTRA_DATA, copy_database, write

ROOT = Path(__file__).resolve().parent.parent
FCC = ROOT / "tests" / "fixtures" / "imports" / "fcc_covered_list" / "covered_list.csv"
NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def one_line_error(result, code: int = 1) -> str:
    """The CLI's output is one ``Error: ...`` line and the exit code ``code``."""
    assert result.exit_code == code, result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def listing(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its size: what a failed command must leave as it was."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid() -> int:
    """The id of a process that has ended (its leftovers are fair to sweep)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``path`` made immutable (``chattr +i``): not even root can write into it; skip where impossible."""
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not possible here (not root, or the file system has no immutable flag)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture
def shared(tmp_path_factory) -> Iterator[Path]:
    """A folder every user can reach (pytest's own are private to their owner), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="techgraph-shared-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def as_nobody(shared: Path):
    """Run ``python -m graph ...`` as user nobody (a user who cannot write a database built by root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("running as another user needs root and setpriv")
    home = shared / "home"
    home.mkdir()
    shutil.chown(home, "nobody")
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    probe = subprocess.run([*NOBODY, sys.executable, "-c", "import graph"], capture_output=True, cwd=shared, env=env)
    if probe.returncode:
        pytest.skip(f"user nobody cannot run this Python: {probe.stderr.decode(errors='replace').strip()[-120:]}")

    def invoke(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*NOBODY, sys.executable, "-m", "graph", *args], capture_output=True, text=True, cwd=shared, env=env)

    return invoke


# 1. One line instead of a traceback -----------------------------------------------------------


def test_import_into_a_database_folder_nobody_can_write(shared, shipped_db, as_nobody):
    db = copy_database(shipped_db, shared / "db")
    before = listing(db)
    done = as_nobody("--db", str(db), "import", "fcc-covered-list", str(FCC), "--edition", "2022-09-20")
    assert done.returncode == 1, done.stderr
    assert done.stderr == "Error: db: cannot write the database folder (Permission denied); nothing was imported\n"
    assert listing(db) == before


def test_import_where_a_file_stands_for_the_imports_folder(run, built_db):
    (built_db / "imports").write_text("not a folder", encoding="utf-8")
    before = listing(built_db)
    result = run("--db", str(built_db), "import", "fcc-covered-list", str(FCC), "--edition", "2022-09-20")
    assert "cannot write the imported list" in one_line_error(result)
    assert listing(built_db) == before


def test_a_full_disk_while_writing_the_import_file(run, built_db, monkeypatch):
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.name.endswith(".tmp"):
            real(self, "half a li", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    before = listing(built_db)
    result = run("--db", str(built_db), "import", "fcc-covered-list", str(FCC), "--edition", "2022-09-20")
    assert "cannot write the imported list (No space left on device); nothing was changed" in one_line_error(result)
    assert listing(built_db) == before  # no list file, half or whole


def test_a_full_disk_during_a_build_keeps_the_previous_one(run, built_db, monkeypatch):
    from graph.backends.ladybug import build

    real, written = build._CsvTables.add, []

    def full(self, kind, row):
        written.append(kind)
        if len(written) > 100:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(self, kind, row)

    monkeypatch.setattr(build._CsvTables, "add", full)
    before, current = listing(built_db), current_build(built_db)
    result = run("--db", str(built_db), "load", str(write(built_db.parent / "extra", "extra.yaml", EXTRA_DATA)))
    assert "build failed, previous database kept" in one_line_error(result) and "No space left" in result.output
    assert listing(built_db) == before and current_build(built_db) == current


def test_a_full_disk_on_a_small_tmpfs(run, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        result = run("--db", str(small / "db"), "load")
        assert re.search(r"build failed.*(No space left on device|the engine could not write \(\d+ MB free there\))", one_line_error(result))
        assert listing(small) == {}  # the engine's WAL, shadow and lock files of the temporary build too
    finally:
        subprocess.run(["umount", str(small)], check=True)


@pytest.mark.parametrize("uri", ["http://localhost:7474", "https://neo4j:pw@db:7473", "localhost:7687", "ftp://x"])
def test_a_uri_neo4j_does_not_speak_is_one_line(run, uri):
    result = run("push", "--uri", uri, env={"TECHGRAPH_NEO4J_PASSWORD": "pw"})
    assert "bad Neo4j URI" in one_line_error(result) and "the scheme must be one of bolt" in result.output
    assert ":pw@" not in result.output
    with pytest.raises(DatabaseError, match="bad Neo4j URI"):
        graph.open(neo4j=Neo4jSettings(uri=uri, password="pw"))


def test_bolt_and_neo4j_schemes_are_accepted():
    for scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc", "BOLT"):
        Neo4jSettings(uri=f"{scheme}://127.0.0.1:7687").check_uri()


def test_export_out_that_cannot_be_a_folder(run, tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    refused = run("export", "--format", "csv", "--out", str(tmp_path / "a-file"))  # click's own check
    assert refused.exit_code == 2 and "is a file" in refused.output and "Traceback" not in refused.output
    result = run("export", "--format", "csv", "--out", str(tmp_path / "a-file" / "sub"))
    assert one_line_error(result, code=2).endswith("a-file/sub: not a folder: " + str(tmp_path / "a-file") + " is a file\n")


def test_export_into_a_folder_that_cannot_be_written(run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with immutable(out):
        result = run("export", "--format", "gexf", "--out", str(out))
        assert "cannot write" in one_line_error(result)
    assert list(out.iterdir()) == []


def test_a_full_disk_during_an_export_leaves_no_half_file(run, tmp_path, monkeypatch):
    import graph.outputs.exports.gexf as gexf_module

    def full(g, path, *args, **kwargs):
        Path(path).write_text("<gexf", encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(gexf_module.nx, "write_gexf", full)
    (tmp_path / "kept.txt").write_text("not ours", encoding="utf-8")
    result = run("export", "--format", "gexf", "--out", str(tmp_path))
    assert "No space left on device" in one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_neo4j_assets_into_a_read_only_folder(run, tmp_path, shared, as_nobody):
    (shared / "browser").mkdir()
    done = as_nobody("neo4j-assets", "--out", str(shared / "browser"))
    assert done.returncode == 1 and done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "cannot write: Permission denied" in done.stderr and list((shared / "browser").iterdir()) == []
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert "is a file" in one_line_error(run("neo4j-assets", "--out", str(tmp_path / "a-file" / "sub")), code=2)


def test_neo4j_assets_into_an_immutable_folder(run, tmp_path):
    with immutable(tmp_path):
        assert "cannot write" in one_line_error(run("neo4j-assets", "--out", str(tmp_path)))
    assert list(tmp_path.iterdir()) == []


def test_a_string_longer_than_csv_allows_checks_and_builds_whole(run, tmp_path):
    # Once, check passed a summary over 131,072 characters (csv's default field limit) and the
    # build then failed naming neither file nor line; the build now reads fields of any length.
    long = 131_072 * 2 + 1
    folder = write(tmp_path / "long", "long.yaml", f"""\
        Company:
          - id: long-co
            name: Long Co
            summary: "{"a" * long}"
            aliases: ["{"b" * long}"]
            sources: [https://example.org/long]
        """)
    assert run("check", str(folder)).exit_code == 0
    with graph.open(tmp_path / "db", data=[folder]) as g:
        rows = g.cypher("MATCH (c:Company {id: 'long-co'}) RETURN size(c.summary) AS s, size(c.aliases[1]) AS a")
        assert rows == [{"s": long, "a": long}]


# 2. Temporary files swept -----------------------------------------------------------------------


def leftovers(db: Path, pid: int) -> list[Path]:
    """What a build and an import killed mid-way (process ``pid``) leave in a database folder."""
    stamp = f".0123456789abcdef.{pid}.tmp"
    (db / f"{stamp}.csv").mkdir()
    (db / f"{stamp}.csv" / "0.csv").write_text("a,b\n", encoding="utf-8")
    (db / "imports").mkdir(exist_ok=True)
    made = [db / f"{stamp}.csv", db / f".current.{pid}.tmp", db / "imports" / f".fcc-covered-list.jsonl.{pid}.tmp"]
    for suffix in ("", ".names", ".json", ".wal", ".shadow", ".wal.checkpoint", ".checkpoint.apply.lock"):
        made.append(db / f"{stamp}{suffix}")
    for path in made[1:]:
        path.write_text("left over", encoding="utf-8")
    return made


def test_leftovers_of_killed_builds_are_swept_at_the_next_open(built_db):
    gone = leftovers(built_db, dead_pid())
    alive = built_db / f".0123456789abcdef.{os.getppid()}.tmp"  # a build running now in another process
    alive.write_text("in progress", encoding="utf-8")
    with graph.open(built_db) as g:
        assert g.stats()["total_nodes"] > 100
    assert [p for p in gone if p.exists()] == [] and alive.exists()


def test_leftovers_are_swept_by_a_build_that_fails(run, built_db, tmp_path):
    gone = leftovers(built_db, dead_pid())
    bad = write(tmp_path / "bad", "bad.yaml", "Company:\n  - id: Not A Slug\n    name: x\n    sources: [x]\n")
    one_line_error(run("--db", str(built_db), "load", str(bad)))
    assert [p for p in gone if p.exists()] == []
    sweep_leftovers(tmp_path / "no-such-db")  # a folder that is not there is no error


def test_load_clears_a_stale_wal_beside_a_build_of_the_same_fingerprint(run, built_db):
    build = current_build(built_db)
    Path(f"{build}.wal").write_bytes(os.urandom(4096))  # what a CHECKPOINT through the old cypher hole left
    Path(f"{build}.shadow").write_bytes(os.urandom(4096))
    assert "cannot open the database" in one_line_error(run("--db", str(built_db), "stats"))  # bricked
    assert run("--db", str(built_db), "load").exit_code == 0
    assert current_build(built_db) == build
    assert not Path(f"{build}.wal").exists() and not Path(f"{build}.shadow").exists()
    assert run("--db", str(built_db), "stats").exit_code == 0


# 3. A read-only shared database -------------------------------------------------------------------


@pytest.fixture
def stale_shared_db(shared: Path) -> Path:
    """A database built by root from the shipped data and an extra folder, in a folder others can
    read, whose extra folder has changed since (the next open would rebuild, could it write)."""
    extra = write(shared / "extra", "extra.yaml", EXTRA_DATA)
    db = shared / "db"
    graph.load(db, [extra])
    (extra / "extra.yaml").write_text(EXTRA_DATA.replace("name: FixtureChat", "name: FixtureChat Renamed"), encoding="utf-8")
    return db


def test_a_read_only_shared_database_serves_every_read_command(shared, shipped_db, as_nobody):
    db = copy_database(shipped_db, shared / "fresh")
    before = listing(db)
    for command in (["stats"], ["show", "Tencent"], ["query", "measures-hitting", "-p", "entity=Tencent"],
                    ["--as-of", "2020-08-01", "query", "measures-hitting", "-p", "entity=Tencent"],
                    ["--as-of", "2021-06-01", "exposure", "China Mobile Limited"], ["--as-of", "2021-01-01", "stats"]):
        done = as_nobody("--db", str(db), *command)
        assert done.returncode == 0 and done.stderr == "", (command, done.stderr)
    assert "0 rows" in as_nobody("--db", str(db), "--as-of", "2020-08-01", "query", "measures-hitting", "-p", "entity=Tencent").stdout
    assert listing(db) == before  # no as-of view written into a folder that is not the user's


def test_a_stale_read_only_database_answers_from_the_kept_build(stale_shared_db, as_nobody):
    db = stale_shared_db
    before = listing(db)
    for command in (["stats"], ["show", "FixtureChat"], ["query", "measures-hitting", "-p", "entity=FixtureChat"],
                    ["--as-of", "2021-06-01", "query", "measures-hitting", "-p", "entity=FixtureChat"],
                    ["exposure", "FixtureChat"]):
        done = as_nobody("--db", str(db), *command)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stderr.count("\n") == 1 and "the database is stale" in done.stderr, done.stderr
        assert "cannot be rebuilt here (Permission denied)" in done.stderr
        assert "Renamed" not in done.stdout  # the kept build's graph, not the changed files'
    assert listing(db) == before


def test_a_stale_database_in_an_immutable_folder_warns_once_and_serves(stale_shared_db, caplog):
    with immutable(stale_shared_db), caplog.at_level(logging.WARNING, logger="graph"):
        manifest = ensure_database(stale_shared_db)
        with graph.open(stale_shared_db) as g:
            assert g.manifest["stale"] and g.nx.nodes["fixture-app"]["name"] == "FixtureChat"
            with g.as_of("2021-06-01") as view:
                assert view.query("measures-hitting", entity="FixtureChat")
    messages = [r.getMessage() for r in caplog.records if r.name == "graph"]
    assert manifest["stale"] and len(messages) == 2 and all("the database is stale" in m for m in messages)
    assert not (stale_shared_db / "as-of").exists()
    assert json.loads((stale_shared_db / f"{current_build(stale_shared_db).stem}.json").read_text())["nodes"] > 100


# 4. The Neo4j password ------------------------------------------------------------------------------


def invoke(*args: str, env: dict | None = None, input: str | None = None):
    """The CLI in-process with ``input`` on its standard input."""
    from click.testing import CliRunner

    from graph.cli import cli

    return CliRunner().invoke(cli, list(args), env={"TECHGRAPH_DB": os.environ["TECHGRAPH_DB"], **(env or {})}, input=input)


def test_the_password_is_prompted_for_in_a_terminal(default_db, monkeypatch):
    from graph.cli import common
    from tests.neo4j_server import free_port

    run = invoke
    monkeypatch.setattr(common, "interactive", lambda: True)
    uri = f"bolt://127.0.0.1:{free_port()}"
    result = run("push", "--uri", uri, env={"TECHGRAPH_NEO4J_PASSWORD": None}, input="typed-secret\n")
    assert "Neo4j password for neo4j: " in result.output and "cannot reach Neo4j" in result.output, result.output
    assert "typed-secret" not in result.output and result.exit_code == 1
    # the environment variable wins: no prompt; an embedded command never asks
    result = run("push", "--uri", uri, env={"TECHGRAPH_NEO4J_PASSWORD": "from-env"}, input="")
    assert "password for" not in result.output and "cannot reach Neo4j" in result.output
    assert run("stats", env={"TECHGRAPH_NEO4J_PASSWORD": None}, input="").exit_code == 0


def test_no_terminal_no_prompt(run):
    result = run("push", env={"TECHGRAPH_NEO4J_PASSWORD": None})
    assert result.output == "Error: no Neo4j password: set TECHGRAPH_NEO4J_PASSWORD or pass --password\n"


def test_no_password_on_a_command_line_in_the_documentation(run):
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8"), ".env.example": (ROOT / ".env.example").read_text()}
    for command in ("push", "query", "cypher", "stats", "show", "import", "export", "merges"):
        texts[f"techgraph {command} --help"] = run(command, "--help").output
    for name, text in texts.items():
        assert not re.search(r"--password[ =](?!-|[A-Z]+\b)\S", text), name  # an option or a metavar may follow
        assert not re.search(r"techgraph .*\bTECHGRAPH_NEO4J_PASSWORD=\S", text), name
    assert "prefer env TECHGRAPH_NEO4J_PASSWORD or the prompt" in " ".join(texts["techgraph push --help"].split())
