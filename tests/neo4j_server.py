"""A real Neo4j 5.26 for the tests: the launcher in neo4j/server/, started once per test session.

``neo4j_server`` (session) starts Neo4j community 5.26 with its Browser (neo4j/server/TechgraphNeo4j.java,
compiled once into neo4j/server/target/classes, on the classpath Maven resolves from neo4j/server/pom.xml,
cached in ~/.m2) on 127.0.0.1, on free ports,
authentication on, and yields a :class:`Neo4jServer`; the server stops at the end of the session. Where
Java or the jars (and Maven to resolve them) are missing, the tests that need it skip with one line; in
CI (``CI`` set) that is a failure. ``neo4j_server_settings`` (session) gives further Neo4j settings to
start with (the Browser's ``browser.post_connect_cmd`` ...): override it to set them.

A developer starts the same server by hand:

    python -m tests.neo4j_server      # prints the URIs and the password; Ctrl-D or Ctrl-C stops it
"""

from __future__ import annotations

import os
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

from graph.backends.neo4j.settings import Neo4jSettings

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


@pytest.fixture(scope="session")
def neo4j_server_settings() -> dict[str, str]:
    """Further Neo4j settings the session's server starts with; override (session scope) to set them."""
    return {}


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory, neo4j_server_settings):
    """A real Neo4j 5.26 for the whole session (see the module's docstring); skipped where impossible."""
    reason = unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the Neo4j tests: {reason}")
        pytest.skip(reason)
    server = start(tmp_path_factory.mktemp("neo4j"), settings=neo4j_server_settings, short_lived=True)
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
    """The counts after each of two pushes, and the records the second one wrote per batch."""

    first: dict[str, int]
    second: dict[str, int]
    batches: list[int]
    batch_size: int


@pytest.fixture(scope="session")
def neo4j_shipped(neo4j_server, shipped) -> Pushed:
    """The shipped graph pushed into the session's Neo4j twice (replacing what it held, then again
    in batches of 60). Tests that change what Neo4j holds use ``neo4j_changed``: they run after."""
    first = shipped.push(neo4j_server.settings, replace=True, batch_size=500)
    batches: list[int] = []
    second = shipped.push(neo4j_server.settings, batch_size=60, progress=batches.append)
    return Pushed(first, second, batches, 60)


if __name__ == "__main__":
    problem = unavailable()
    if problem:
        sys.exit(problem)
    running = start(Path(tempfile.mkdtemp(prefix="techgraph-neo4j-")))
    print(f"Neo4j {running.version} in {running.started_in} s: Bolt {running.bolt_uri}, Browser {running.http_url}/browser/")
    print(f"user {running.user}, password {running.password}; Ctrl-D or Ctrl-C stops it")
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    running.stop()
