"""Embedded or Neo4j: `push` throughput and every stored query's latency on both engines, same graph.

For each size, a synthetic graph (benchmarks/generate.py) beside the shipped data is built into the
embedded database and pushed into a real Neo4j 5.26 (the launcher in neo4j/server/, as the tests start
it) twice: with ``replace`` (into a database holding none of it: CREATE), then again (MERGE, the same
counts); then every stored query runs on both, with the same parameters, and its p50 is printed side
by side. Also printed: Neo4j's start time, its memory (RSS) after start and after each push, this
process's peak RSS after the pushes, and the time the push's rows alone take to read from the embedded
database (``EmbeddedEngine.batches``; inside the push rate, which is the whole ``push`` call).

Usage::

    python benchmarks/neo4j_side_by_side.py --sizes 100k,1m [--runs 5] [--batch-size 10000] [--heap 2g]
        [--pagecache 128m]  # Neo4j's page cache (server.memory.pagecache.size)
        [--work DIR]     # keep (and reuse) the generated folders and embedded databases in DIR
        [--no-queries]   # push figures only
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from benchmarks.generate import generate, parse_size  # noqa: E402
from benchmarks.run import realistic_params  # noqa: E402
from graph.backends.neo4j.settings import PUSH_BATCH_SIZE  # noqa: E402
from graph.model.schema import load_schema  # noqa: E402
from tests.neo4j_server import start, unavailable  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p50_ms(g: graph.TechGraph, name: str, params: dict, runs: int) -> tuple[float, int]:
    """Median latency of a stored query after one warm-up run, and its row count."""
    rows = len(g.query(name, **params))
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        g.query(name, **params)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated relation counts (100k, 1m)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and engine")
    parser.add_argument("--batch-size", type=int, default=PUSH_BATCH_SIZE, help="push batch size")
    parser.add_argument("--heap", default="2g", help="Neo4j's JVM heap (-Xmx)")
    parser.add_argument("--pagecache", default="128m", help="Neo4j's page cache (server.memory.pagecache.size)")
    parser.add_argument("--work", type=Path, help="folder for the generated data and databases, reused when present")
    parser.add_argument("--no-queries", action="store_true", help="only push, no query table")
    args = parser.parse_args(argv)
    problem = unavailable()
    if problem:
        sys.exit(problem)
    work = args.work or Path(tempfile.mkdtemp(prefix="techgraph-neo4j-bench-"))
    home = Path(tempfile.mkdtemp(prefix="neo4j-", dir=work))
    server = start(home, heap=args.heap, settings={"server.memory.pagecache.size": args.pagecache})
    memory = rss_mb(server.process.pid)
    print(f"Neo4j {server.version}: ready in {server.started_in:.1f} s, RSS {memory:.0f} MB "
          f"(-Xmx{args.heap}, page cache {args.pagecache})")  # fmt: skip
    try:
        for size in args.sizes.split(","):
            edges = parse_size(size)
            folder = work / f"syn-{size}"
            if not folder.is_dir():
                generate(edges, folder)
            db = work / f"db-{size}"
            if not db.is_dir():
                graph.load(db, [folder])
            with graph.open(db, data=[folder]) as embedded:
                total = embedded.manifest["edges"]
                began = time.perf_counter()
                rows = sum(len(batch) for _, batch in embedded.engine.batches(load_schema(), args.batch_size))
                print(f"\n{size}: the {rows:,} rows push sends read from the embedded database in "
                      f"{time.perf_counter() - began:.1f} s")  # fmt: skip
                for run, replace in (("push --replace (CREATE)", True), ("push again (MERGE)", False)):
                    began = time.perf_counter()
                    counts = embedded.push(server.settings, batch_size=args.batch_size, replace=replace)
                    seconds = time.perf_counter() - began
                    print(f"{size}: {run} of {counts['nodes']:,} nodes and {counts['relationships']:,} relationships "
                          f"in {seconds:.1f} s = {total / seconds:,.0f} relationships/s (batch {args.batch_size}); "
                          f"Neo4j RSS {rss_mb(server.process.pid):.0f} MB", flush=True)  # fmt: skip
                    assert counts["relationships"] == total, counts
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"{size}: this process's peak RSS after the pushes {peak:.0f} MB", flush=True)
                if args.no_queries:
                    continue
                overrides = realistic_params(folder)
                print(f"{'query':36} {'rows':>7} {'embedded p50 ms':>16} {'Neo4j p50 ms':>13} {'Neo4j / embedded':>17}")
                with graph.open(neo4j=server.settings) as remote:
                    for q in embedded.queries():
                        params = {**q.example, **overrides.get(q.name, {})}
                        local, rows = p50_ms(embedded, q.name, params, args.runs)
                        far, far_rows = p50_ms(remote, q.name, params, args.runs)
                        same = "" if far_rows == rows else f"  (Neo4j: {far_rows} rows)"
                        print(f"{q.name:36} {rows:>7} {local:>16.1f} {far:>13.1f} {far / local:>16.1f}x{same}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
