"""The as-of view against the whole graph, side by side in one run: every stored query, first of a new day.

Per size (relations of the synthetic folder, loaded beside the shipped data, as ``benchmarks/run.py``
builds it): the database is built once; then, in one process, for every stored query

- ``plain``: its p50 without ``--as-of`` (one warm-up, then ``--runs`` runs);
- ``first``: the median, over ``--runs`` days never asked before, of the first run of the query on
  that day (``g.as_of(day).query(...)``: the view, the day's rewrite and the engine's run);
- ``ratio``: ``first / plain`` (the goal: <= 2);

and the disk use of the database folder before and after asking seven new days (the goal: no copy
per day, so the same).

Usage::

    python benchmarks/as_of.py --sizes 100k,1m [--runs 5] [--work /tmp/techgraph-bench] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the checkout's `graph` package, not an installed one

from benchmarks.generate import generate, parse_size  # noqa: E402 (after the sys.path line above)
from benchmarks.run import realistic_params  # noqa: E402

GOAL = 2.0
# Inside the synthetic span (2017-2024), late enough that the measures the queries ask about exist (from 2019-03-01
# counter-measures-to timed only its refusal: its measure did not exist yet); every day asked is a new one.
FIRST_DAY = datetime.date(2023, 6, 1)


def disk_mb(folder: Path) -> float:
    """The folder's files, each once (the ``current`` link to the build is not followed)."""
    return sum((Path(top) / name).lstat().st_size for top, _, names in os.walk(folder) for name in names) / 2**20


def measure(folder: Path, db: Path, runs: int) -> dict:
    """Plain p50, first-of-a-new-day median and their ratio for every stored query; disk before and after seven days."""
    import graph

    g = graph.open(db, data=[folder])
    overrides = realistic_params(folder)
    days = (FIRST_DAY + datetime.timedelta(days=17 * n) for n in range(10_000))
    found = {}
    for q in g.queries():
        params = {**q.example, **overrides.get(q.name, {})}
        g.query(q.name, **params)  # warm-up
        plain = []
        for _ in range(runs):
            t = time.perf_counter()
            g.query(q.name, **params)
            plain.append(time.perf_counter() - t)
        first, rows = [], 0
        for _ in range(runs):
            day = next(days).isoformat()
            t = time.perf_counter()
            try:
                rows = len(g.as_of(day).query(q.name, **params))
            except graph.TechgraphError:  # an entity that did not exist yet: the view says so, as fast
                rows = 0
            first.append(time.perf_counter() - t)
        found[q.name] = {
            "plain_ms": statistics.median(plain) * 1000,
            "first_ms": statistics.median(first) * 1000,
            "ratio": statistics.median(first) / statistics.median(plain),
            "rows_whole": len(g.query(q.name, **params)),
            "rows_last_day": rows,
        }
    before = disk_mb(db)
    for _ in range(7):
        g.as_of(next(days).isoformat()).query("measures-hitting", entity="Tencent")
    after = disk_mb(db)
    g.close()
    return {"queries": found, "disk_mb_before": before, "disk_mb_after_seven_days": after}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated relation counts (10k, 100k, 1m)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--work", type=Path, default=Path("/tmp/techgraph-bench"), help="folder for generated data and databases")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    import graph

    results = {}
    for size in args.sizes.split(","):
        folder = args.work / f"syn-{size}-seed{args.seed}"
        if not (folder / "relations.jsonl").is_file():
            print(f"[{size}] generating {folder}", file=sys.stderr)
            generate(parse_size(size), folder, args.seed)
        db = args.work / f"asof-db-{size}"
        print(f"[{size}] building {db}", file=sys.stderr)
        t = time.perf_counter()
        graph.load(db, data=[folder])
        build = time.perf_counter() - t
        print(f"[{size}] measuring", file=sys.stderr)
        results[size] = {"build_seconds": build, **measure(folder, db, args.runs)}
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))
    for size, result in results.items():
        print(f"\n{size} relations: build {result['build_seconds']:.0f} s; database {result['disk_mb_before']:.0f} MB, "
              f"after asking seven days {result['disk_mb_after_seven_days']:.0f} MB")
        print(f"{'query':38} {'plain p50 ms':>12} {'first of day ms':>16} {'ratio':>6}  goal <= {GOAL}")
        for name, q in result["queries"].items():
            mark = "ok" if q["ratio"] <= GOAL else "MISSED"
            print(f"{name:38} {q['plain_ms']:12.1f} {q['first_ms']:16.1f} {q['ratio']:6.2f}  {mark}")


if __name__ == "__main__":
    main()
