"""A real Neo4j 5.26 for the tests: the launcher in neo4j/server/, started once per test session.

``neo4j_server`` (session) starts Neo4j community 5.26 with its Browser (neo4j/server/TechgraphNeo4j.java,
compiled once into neo4j/server/target/classes, on the classpath Maven resolves from neo4j/server/pom.xml,
cached in ~/.m2) on 127.0.0.1, on free ports,
authentication on, and yields a :class:`Neo4jServer`; the server stops at the end of the session. Where
Java or the jars (and Maven to resolve them) are missing, the tests that need it skip with one line; in
CI (``CI`` set) that is a failure. ``neo4j_server_settings`` (session) gives further Neo4j settings to
start with (the Browser's ``browser.post_connect_cmd`` ...): override it to set them.

The session's server does not start empty: the shipped graph, exported by ``techgraph export --format csv``
from the embedded database, is imported offline first (:func:`import_csv`: ``neo4j-admin database import
full``, run from the same jars), and ``neo4j_shipped`` reads what the import made before pushing over it.

A developer starts the same server by hand, empty or holding an export:

    python -m tests.neo4j_server [EXPORT_DIR]   # prints the URIs and the password; Ctrl-D or Ctrl-C stops it
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest

from graph.backends.neo4j.engine import Neo4jEngine, connect
from graph.backends.neo4j.settings import Neo4jSettings
from graph.outputs.exports import neo4j_admin_command

LAUNCHER = Path(__file__).resolve().parents[1] / "neo4j" / "server"
CLASSPATH = LAUNCHER / "target" / "classpath.txt"
CLASSES = LAUNCHER / "target" / "classes"
PASSWORD = "techgraph-Test-pw1"
READY = "techgraph-neo4j ready "
# The flags bin/neo4j passes to the JVM (Netty and the page cache reach into java.nio).
JVM_FLAGS = [
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/java.io=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
]  # fmt: skip


@dataclass
class Neo4jServer:
    """A running Neo4j: where to reach it and as whom; :meth:`stop` ends it."""

    bolt_uri: str
    http_url: str
    user: str
    password: str
    database: str
    version: str
    home: Path
    process: subprocess.Popen
    started_in: float  # seconds from the java command to the ready line

    @property
    def settings(self) -> Neo4jSettings:
        """The settings techgraph connects with."""
        return Neo4jSettings(uri=self.bolt_uri, user=self.user, password=self.password, database=self.database)

    @property
    def env(self) -> dict[str, str]:
        """The ``TECHGRAPH_NEO4J_*`` variables for a command run against this server."""
        return {
            "TECHGRAPH_NEO4J_URI": self.bolt_uri,
            "TECHGRAPH_NEO4J_USER": self.user,
            "TECHGRAPH_NEO4J_PASSWORD": self.password,
            "TECHGRAPH_NEO4J_DATABASE": self.database,
        }

    def stop(self, timeout: float = 60) -> None:
        """Stop the server: end of its stdin (it shuts down cleanly), killed only if it does not."""
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mvn(*args: str) -> subprocess.CompletedProcess:
    command = ["mvn", "-q", "-B", "-f", str(LAUNCHER / "pom.xml"), *args, "dependency:build-classpath"]
    return subprocess.run([*command, f"-Dmdep.outputFile={CLASSPATH}"], capture_output=True, text=True, timeout=900)


def classpath() -> str:
    """The server's classpath (jars in ~/.m2), resolved by Maven when not yet written: offline first,
    then from Maven Central (once: the jars stay in ~/.m2). Raises RuntimeError with one line."""
    if not (CLASSPATH.is_file() and all(Path(jar).is_file() for jar in CLASSPATH.read_text().strip().split(os.pathsep))):
        if shutil.which("mvn") is None:
            raise RuntimeError("no Maven (mvn) to resolve the Neo4j jars of neo4j/server/pom.xml")
        if _mvn("-o").returncode != 0:
            online = _mvn()
            if online.returncode != 0:
                last = (online.stdout + online.stderr).strip().splitlines() or ["no output"]
                raise RuntimeError(f"mvn could not resolve the Neo4j jars of neo4j/server/pom.xml: {last[-1]}")
    return CLASSPATH.read_text().strip()


def launcher_classes() -> Path:
    """The folder holding TechgraphNeo4j.class, compiled (javac) when missing or older than its source or
    the classpath: starting from the class saves compiling the source on every start (seconds of CPU).
    Raises RuntimeError with one line."""
    jars = classpath()
    source, compiled = LAUNCHER / "TechgraphNeo4j.java", CLASSES / "TechgraphNeo4j.class"
    if not compiled.is_file() or compiled.stat().st_mtime < max(source.stat().st_mtime, CLASSPATH.stat().st_mtime):
        CLASSES.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="classes-", dir=CLASSES.parent))
        done = subprocess.run(["javac", "-cp", jars, "-d", str(staging), str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(staging)
            raise RuntimeError(f"javac could not compile {source.name}: {(done.stderr.strip().splitlines() or ['?'])[0]}")
        shutil.rmtree(CLASSES, ignore_errors=True)
        staging.rename(CLASSES)  # whole or not at all, should another process compile at the same time
    return CLASSES


def unavailable() -> str | None:
    """Why no Neo4j can be started here (one line), or None when it can."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        return "no Java (java and javac): the Neo4j tests need a JDK 17+ and Maven (neo4j/server/)"
    try:
        launcher_classes()
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return str(error)
    return None


def start(home: Path, password: str = PASSWORD, settings: dict[str, str] | None = None, heap: str = "512m",
          timeout: float = 240, short_lived: bool = False) -> Neo4jServer:  # fmt: skip
    """Start Neo4j with its data in ``home``; return once it answers. RuntimeError if it does not.

    ``short_lived`` compiles with the JVM's first tier only (``-XX:TieredStopAtLevel=1``): a third faster to
    start on these machines and enough for a test session's small graphs, slower on long runs (benchmarks)."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "launcher.log"
    extra = [f"{name}={value}" for name, value in (settings or {}).items()]
    jit = ["-XX:TieredStopAtLevel=1"] if short_lived else []
    command = ["java", f"-Xmx{heap}", *JVM_FLAGS, *jit, "-cp", f"{launcher_classes()}{os.pathsep}{classpath()}",
               "TechgraphNeo4j", str(home), password]  # fmt: skip
    began = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen([*command, *extra], stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    while time.perf_counter() - began < timeout:
        ready = [line for line in log.read_text(errors="replace").splitlines() if line.startswith(READY)]
        if ready:
            fields = dict(part.split("=", 1) for part in ready[0][len(READY) :].split())
            return Neo4jServer(
                bolt_uri=f"bolt://{fields['bolt']}", http_url=f"http://{fields['http']}", user="neo4j", password=password,
                database="neo4j", version=fields["version"], home=home, process=process,
                started_in=round(time.perf_counter() - began, 1),
            )  # fmt: skip
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"Neo4j exited with {process.returncode} before it was ready ({log}): {tail[0]}")
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError(f"Neo4j was not ready after {timeout:.0f} s (see {log})")


def import_csv(home: Path, files: list[Path], short_lived: bool = False, timeout: float = 3600) -> float:
    """Import the files of ``techgraph export --format csv`` into the database ``neo4j`` of ``home`` (not
    running), with the command :func:`graph.outputs.exports.neo4j_admin_command` prints, run by Neo4j's own
    ``AdminTool`` from the server's jars. Returns the seconds it took; RuntimeError with one line."""
    home.mkdir(parents=True, exist_ok=True)
    admin = shlex.split(neo4j_admin_command(files))[1:]  # the words after `neo4j-admin`
    jit = ["-XX:TieredStopAtLevel=1"] if short_lived else []
    command = ["java", *JVM_FLAGS, *jit, "-cp", classpath(), "org.neo4j.cli.AdminTool", *admin]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=home, env={**os.environ, "NEO4J_HOME": str(home)}, capture_output=True, text=True,
                          timeout=timeout)  # fmt: skip
    if done.returncode != 0 or "IMPORT DONE" not in done.stdout:
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()] or ["no output"]
        raise RuntimeError(f"neo4j-admin database import failed ({done.returncode}): {lines[-1]}")
    return time.perf_counter() - began


def run_after_import(settings: Neo4jSettings, files: list[Path]) -> None:
    """Run the ``after_import.cypher`` of an export (as ``cypher-shell -f`` would) on a running server."""
    (script,) = [f for f in files if f.suffix == ".cypher"]
    with Neo4jEngine(settings) as engine:
        for statement in script.read_text(encoding="utf-8").split(";\n"):
            if statement.strip():
                engine.run(statement, write=True)


class Contents(NamedTuple):
    """Everything a Neo4j database holds: node id -> (labels, properties), and (from id, type, to id, key)
    -> properties."""

    nodes: dict[str, tuple[tuple[str, ...], dict]]
    relationships: dict[tuple[str, str, str, str], dict]


def contents(settings: Neo4jSettings) -> Contents:
    """What the server's database holds, keyed so that two loads of one graph compare equal: the properties as
    stored (:func:`graph.backends.base.graph_from_engine` gives a node without aliases ``[]``, which would hide
    an import that left them unset), and every relationship (through the driver itself: the engine gives a read's
    relationship of no type the data's types, :func:`graph.backends.neo4j.dialect.to_neo4j`, not the derived)."""
    with connect(settings) as driver, driver.session(database=settings.database) as session:
        nodes = session.run("MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS p").data()
        rels = session.run("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p").data()
    return Contents(
        {row["id"]: (tuple(sorted(row["labels"])), row["p"]) for row in nodes},
        {(row["a"], row["t"], row["b"], row["p"]["key"]): row["p"] for row in rels},
    )


@pytest.fixture(scope="session")
def neo4j_server_settings() -> dict[str, str]:
    """Further Neo4j settings the session's server starts with; override (session scope) to set them."""
    return {}


@pytest.fixture(scope="session")
def neo4j_export(tmp_path_factory, shipped) -> list[Path]:
    """The shipped graph as ``techgraph export --format csv`` writes it from the embedded database."""
    return shipped.export("csv", tmp_path_factory.mktemp("neo4j-export"))


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory, neo4j_server_settings, neo4j_export):
    """A real Neo4j 5.26 for the whole session (see the module's docstring), its database imported from
    the shipped graph's export; skipped where impossible."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Neo4j tests: {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("neo4j")
    import_csv(home, neo4j_export, short_lived=True)
    server = start(home, settings=neo4j_server_settings, short_lived=True)
    yield server
    server.stop()


@pytest.fixture
def neo4j_changed(neo4j_server, neo4j_shipped) -> Neo4jServer:
    """The session's server holding the shipped graph, for a test that changes it: such tests run
    after the others (see ``pytest_collection_modifyitems``), which can count on the shipped graph."""
    return neo4j_server


@pytest.fixture
def stopped_neo4j_server(neo4j_server) -> Neo4jServer:
    """The session's server, stopped: the tests using it run last of all."""
    neo4j_server.stop()
    return neo4j_server


LAST = ("neo4j_changed", "stopped_neo4j_server")  # the tests using these run last, in this order


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the xdist_group markers added here
def pytest_collection_modifyitems(items: list) -> None:
    """The tests of the session's Neo4j first (under pytest-xdist all in one worker, one server per run,
    started while the other workers run the rest): among them those that change it after the others, and
    those that stop it last."""

    def order(item) -> tuple[bool, int]:
        fixtures = getattr(item, "fixturenames", ())
        return "neo4j_server" not in fixtures, max((LAST.index(f) + 1 for f in fixtures if f in LAST), default=0)

    items.sort(key=order)
    for item in items:
        if "neo4j_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("neo4j"))


class Pushed(NamedTuple):
    """What the offline import of the export made, what a push over it made, the counts after each of
    two pushes, and the records the second one wrote per batch."""

    imported: Contents
    pushed: Contents
    first: dict[str, int]
    second: dict[str, int]
    batches: list[int]
    batch_size: int


@pytest.fixture(scope="session")
def neo4j_shipped(neo4j_server, neo4j_export, shipped) -> Pushed:
    """The shipped graph imported offline into the session's Neo4j (``neo4j_server``), then pushed over it
    twice (MERGE: in batches of 500, then of 60). Tests that change what Neo4j holds use ``neo4j_changed``:
    they run after."""
    run_after_import(neo4j_server.settings, neo4j_export)
    imported = contents(neo4j_server.settings)
    first = shipped.push(neo4j_server.settings, batch_size=500)
    pushed = contents(neo4j_server.settings)
    batches: list[int] = []
    second = shipped.push(neo4j_server.settings, batch_size=60, progress=batches.append)
    return Pushed(imported, pushed, first, second, batches, 60)


if __name__ == "__main__":
    problem = unavailable()
    if problem:
        sys.exit(problem)
    neo4j_home = Path(tempfile.mkdtemp(prefix="techgraph-neo4j-"))
    export = sorted(Path(sys.argv[1]).iterdir()) if len(sys.argv) > 1 else []
    if export:
        print(f"imported {sys.argv[1]} in {import_csv(neo4j_home, export):.1f} s")
    running = start(neo4j_home)
    if export:
        run_after_import(running.settings, export)
    print(f"Neo4j {running.version} in {running.started_in} s: Bolt {running.bolt_uri}, Browser {running.http_url}/browser/")
    print(f"user {running.user}, password {running.password}; Ctrl-D or Ctrl-C stops it")
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    running.stop()
