"""Embedded or Neo4j: loading a graph into Neo4j, and every stored query's latency on both engines.

For each size, a synthetic graph (benchmarks/generate.py) beside the shipped data is built into the
embedded database, then loaded into a real Neo4j 5.26 (the launcher in neo4j/server/, as the tests start
it) the offline way: ``techgraph export --format csv`` (from the embedded database), ``neo4j-admin
database import full`` into a new home, the server started on it, ``after_import.cypher`` run. Then every
stored query runs on both engines with the same parameters and its p50 is printed side by side; then
``push`` sends the graph over Bolt twice into the same server: with ``replace`` (into a database
holding none of it: CREATE), then again (MERGE, the same counts). Printed: each step's time and the
relationships a second of the offline load (export + import + after_import) and of each push; Neo4j's
start time and memory (RSS) after start and after each push; this process's peak RSS.

Usage::

    python benchmarks/neo4j_side_by_side.py --sizes 100k,1m [--runs 5] [--batch-size 10000] [--heap 2g]
        [--pagecache 128m]  # Neo4j's page cache (server.memory.pagecache.size)
        [--work DIR]     # keep (and reuse) the generated folders and embedded databases in DIR
        [--no-queries]   # load figures only
        [--no-push]      # no push over Bolt (at 1M it takes many minutes)
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from benchmarks.generate import generate, parse_size  # noqa: E402
from benchmarks.run import realistic_params  # noqa: E402
from benchmarks.timing import p50  # noqa: E402
from graph.backends.neo4j.settings import PUSH_BATCH_SIZE  # noqa: E402
from tests.neo4j_server import import_csv, run_after_import, start, unavailable  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated relation counts (100k, 1m)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and engine")
    parser.add_argument("--batch-size", type=int, default=PUSH_BATCH_SIZE, help="push batch size")
    parser.add_argument("--heap", default="2g", help="Neo4j's JVM heap (-Xmx)")
    parser.add_argument("--pagecache", default="128m", help="Neo4j's page cache (server.memory.pagecache.size)")
    parser.add_argument("--work", type=Path, help="folder for the generated data and databases, reused when present")
    parser.add_argument("--no-queries", action="store_true", help="no query table")
    parser.add_argument("--no-push", action="store_true", help="no push over Bolt")
    args = parser.parse_args(argv)
    problem = unavailable()
    if problem:
        sys.exit(problem)
    work = args.work or Path(tempfile.mkdtemp(prefix="techgraph-neo4j-bench-"))
    settings = {"server.memory.pagecache.size": args.pagecache}
    for size in args.sizes.split(","):
        folder = work / f"syn-{size}"
        if not folder.is_dir():
            generate(parse_size(size), folder)
        db = work / f"db-{size}"
        if not db.is_dir():
            graph.load(db, [folder])
        with graph.open(db, data=[folder]) as embedded:
            total = embedded.manifest["edges"]
            began = time.perf_counter()
            files = embedded.export("csv", Path(tempfile.mkdtemp(prefix=f"csv-{size}-", dir=work)))
            exported = time.perf_counter() - began
            home = Path(tempfile.mkdtemp(prefix=f"neo4j-{size}-", dir=work))
            imported = import_csv(home, files)
            server = start(home, heap=args.heap, settings=settings)
            try:
                began = time.perf_counter()
                run_after_import(server.settings, files)
                fixed = time.perf_counter() - began
                load = exported + imported + fixed
                print(f"\n{size}: {embedded.manifest['nodes']:,} nodes, {total:,} relationships; offline load {load:.1f} s = "
                      f"{total / load:,.0f} relationships/s: export {exported:.1f} s, neo4j-admin import {imported:.1f} s, "
                      f"after_import.cypher {fixed:.1f} s; then Neo4j {server.version} ready in {server.started_in:.1f} s, "
                      f"RSS {rss_mb(server.process.pid):.0f} MB (-Xmx{args.heap}, page cache {args.pagecache})",
                      flush=True)  # fmt: skip
                if not args.no_queries:
                    side_by_side(embedded, server, realistic_params(folder), args.runs)
                if not args.no_push:
                    for run, replace in (("push --replace (CREATE)", True), ("push again (MERGE)", False)):
                        began = time.perf_counter()
                        counts = embedded.push(server.settings, batch_size=args.batch_size, replace=replace)
                        seconds = time.perf_counter() - began
                        print(f"{size}: {run} of {counts['nodes']:,} nodes and {counts['relationships']:,} relationships "
                              f"in {seconds:.1f} s = {total / seconds:,.0f} relationships/s (batch {args.batch_size}); "
                              f"Neo4j RSS {rss_mb(server.process.pid):.0f} MB", flush=True)  # fmt: skip
                        assert counts["relationships"] == total, counts
            finally:
                server.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{size}: this process's peak RSS so far {peak:.0f} MB", flush=True)


def side_by_side(embedded: graph.TechGraph, server, overrides: dict, runs: int) -> None:
    """Every stored query's p50 on the embedded engine and on Neo4j, the same parameters, one line each."""
    print(f"{'query':36} {'rows':>7} {'embedded p50 ms':>16} {'Neo4j p50 ms':>13} {'Neo4j / embedded':>17}")
    with graph.open(neo4j=server.settings) as remote:
        for q in embedded.queries():
            params = {**q.example, **overrides.get(q.name, {})}
            local, ours = p50(lambda q=q, params=params: embedded.query(q.name, **params), runs)
            far, theirs = p50(lambda q=q, params=params: remote.query(q.name, **params), runs)
            same = "" if len(theirs) == len(ours) else f"  (Neo4j: {len(theirs)} rows)"
            print(f"{q.name:36} {len(ours):>7} {local:>16.1f} {far:>13.1f} {far / local:>16.1f}x{same}", flush=True)


if __name__ == "__main__":
    main()
