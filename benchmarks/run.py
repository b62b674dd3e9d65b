"""Benchmark techgraph at several sizes, side by side in one run.

Per size (relations of the synthetic folder, loaded beside the shipped data):

- parse: decoding the same input files and nothing else (``json.loads`` per line
  of the JSON-lines files, the loader's own YAML reader for the YAML files);
- load: :func:`graph.load_graph` (parse, validate every record, networkx graph);
- build: the full :func:`graph.backends.ladybug.build.build_database` into a fresh folder, and its
  peak RSS; target build <= 3x parse at 1M (issue 16);
- open: :func:`graph.open` on the built database (fingerprint check included), and apart in fresh
  processes (median of ``--runs``): the imports, the freshness check and the engine's own opening;
- p50 / p90 latency of every stored query through :meth:`TechGraph.query`
  (one warm-up, then ``--runs`` runs), and the peak RSS of that process;
  target at 1M (issue 16): p50 <= 20 ms for an answer of at most 1,000 rows, else 10 ms + 1 us a row
  (:func:`query_goal_ms`);

and once, on the shipped data: cold start of ``techgraph query measures-hitting
-p entity=Tencent`` against ``python -c "import ladybug, networkx, pydantic,
click"`` (median of ``--runs`` runs each; target <= 2x), and the FtM import
throughput when ``graph.lists.editions`` exists.

Every measurement runs in a fresh child process (``python benchmarks/run.py
_step ...``) that reports its wall time and its own peak RSS (``ru_maxrss``).

Usage::

    python benchmarks/run.py --sizes 10k,100k,1m [--runs 5] [--work /tmp/techgraph-bench]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the checkout's `graph` package, not an installed one

from benchmarks.generate import generate, parse_size  # noqa: E402 (after the sys.path line above)

TARGETS = {"build_over_parse": 2.0, "p50_ms": 50.0, "build_rss_mb": 1500.0, "cold_start_ratio": 1.3}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- steps, each run in its own child process ---------------------------------------------------
def step_parse(folder: str) -> dict:
    """Decode the shipped data and the folder's files: JSON lines with json.loads, YAML with the loader's reader."""
    import yaml

    from graph.dataset.files import _Loader, data_files
    from graph.paths import data_dir

    started = time.perf_counter()
    records = 0
    for path in data_files([data_dir(), Path(folder)]):
        if path.suffix == ".jsonl":
            with open(path, "rb") as lines:
                for raw in lines:
                    json.loads(raw)
                    records += 1
        else:
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
            records += sum(len(v) for v in loaded.values())
    return {"seconds": time.perf_counter() - started, "records": records, "rss_mb": peak_rss_mb()}


def step_load(folder: str) -> dict:
    from graph.dataset.network import load_graph
    from graph.paths import data_folders

    started = time.perf_counter()
    g = load_graph(data_folders([folder]))
    return {
        "seconds": time.perf_counter() - started, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
        "rss_mb": peak_rss_mb(),
    }


def step_build(folder: str, db: str) -> dict:
    from graph.backends.ladybug.build import build_database

    shutil.rmtree(db, ignore_errors=True)
    started = time.perf_counter()
    manifest = build_database(Path(db), [Path(folder)])
    return {"seconds": time.perf_counter() - started, "manifest": manifest, "rss_mb": peak_rss_mb()}


def step_open(folder: str, db: str) -> dict:
    """What :func:`graph.open` of a built database costs in a fresh process, part by part: importing
    ``graph``, then ``ladybug``, the freshness check (:func:`graph.backends.ladybug.folder.ensure_database`:
    manifest, file sizes and times) and the engine opening the build file read-only; ``open`` is the
    whole :func:`graph.open` (its imports warm). Seconds each."""
    began = time.perf_counter()
    import graph

    imported = time.perf_counter()
    import ladybug

    from graph.backends.ladybug.folder import current_build, ensure_database

    engine_imported = time.perf_counter()
    ensure_database(Path(db), [Path(folder)])
    checked = time.perf_counter()
    opened = ladybug.Database(str(current_build(Path(db))), read_only=True)
    ladybug.Connection(opened).close()
    engine = time.perf_counter() - checked
    opened.close()
    started = time.perf_counter()
    graph.open(db, data=[folder]).close()
    return {"import_graph": imported - began, "import_ladybug": engine_imported - imported,
            "ensure_database": checked - engine_imported, "engine": engine, "open": time.perf_counter() - started}


def step_queries(folder: str, db: str, runs: str, params_json: str, cap: str) -> dict:
    """Latency of every stored query; one that runs past ``cap`` seconds is stopped (the engine's
    query timeout) and reported as a lower bound, without timed runs."""
    import graph
    from graph.errors import QueryError

    runs, cap = int(runs), float(cap)
    started = time.perf_counter()
    g = graph.open(db, data=[folder])
    opened = time.perf_counter() - started
    g.engine._conn.set_query_timeout(int(cap * 1000))
    overrides = json.loads(params_json)
    latencies = {}
    rows = {}
    for q in g.queries():
        params = {**q.example, **overrides.get(q.name, {})}
        t = time.perf_counter()
        try:
            rows[q.name] = len(g.query(q.name, **params))  # warm-up
        except QueryError as exc:
            if "interrupted" not in str(exc).lower() and "timeout" not in str(exc).lower():
                raise
            rows[q.name] = f"stopped after {time.perf_counter() - t:.0f} s"
            latencies[q.name] = [time.perf_counter() - t]
            continue
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            g.query(q.name, **params)
            times.append(time.perf_counter() - t)
        latencies[q.name] = times
    g.close()
    return {"open_seconds": opened, "latencies": latencies, "rows": rows, "rss_mb": peak_rss_mb()}


def step_ftm(db: str) -> dict:
    """FtM import throughput (see :func:`import_throughput`)."""
    return import_throughput(Path(db))


FTM_STATEMENTS = 200_000


def import_throughput(db_dir: Path, statements: int = FTM_STATEMENTS) -> dict:
    """Statements per second of ``techgraph import ftm FILE`` (:func:`graph.lists.editions.import_list`).

    The file is :func:`benchmarks.ftm_import.generate`'s (companies, people, sanctions and
    ownerships shaped like OpenSanctions' export), imported into a fresh database of the shipped
    data: resolution against the graph, the list's data file and the rebuild are all included.
    ``benchmarks/ftm_import.py`` times the same import against parsing alone, at 1M statements.
    """
    from benchmarks.ftm_import import generate as generate_ftm
    from graph.backends.ladybug.build import build_database
    from graph.lists.editions import import_list

    shutil.rmtree(db_dir, ignore_errors=True)
    build_database(db_dir)
    path = db_dir.parent / "ftm-entities.ftm.json"
    counts = generate_ftm(path, statements)
    started = time.perf_counter()
    import_list("ftm", path, db=db_dir, edition="2026-01-01")
    seconds = time.perf_counter() - started
    return {"statements": counts["statements"], "lines": counts["lines"], "seconds": round(seconds, 2),
            "statements_per_s": round(counts["statements"] / seconds), "rss_mb": peak_rss_mb()}


STEPS = {"parse": step_parse, "load": step_load, "build": step_build, "open": step_open, "queries": step_queries,
         "ftm": step_ftm}


def child(step: str, *args: str, env: dict | None = None) -> dict:
    """Run one step in a fresh interpreter and return what it reports."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_step", step, *map(str, args)],
        check=False, capture_output=True, text=True, env={**os.environ, **(env or {})},
    )
    if done.returncode:
        raise SystemExit(f"step {step} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- cold start -----------------------------------------------------------------------------------
def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def cold_start(work: Path, runs: int) -> dict:
    """Median wall time of the CLI query on the shipped data against bare imports, interleaved."""
    env = {**os.environ, "TECHGRAPH_DB": str(work / "shipped-db"), "PYTHONPATH": str(ROOT)}
    techgraph = [sys.executable, "-m", "graph", "query", "measures-hitting", "-p", "entity=Tencent"]
    # What a stored query needs: the engine, YAML (query headers, schema), click and rich for the table.
    bare = [sys.executable, "-c", "import ladybug, yaml, click, rich.console, rich.table"]
    timed(techgraph, env)  # first use builds the database; not part of a cold start
    query_times, import_times = [], []
    for _ in range(runs):
        query_times.append(timed(techgraph, env))
        import_times.append(timed(bare, env))
    query, imports = statistics.median(query_times), statistics.median(import_times)
    return {"query_s": query, "imports_s": imports, "ratio": query / imports}


# -- parameters -------------------------------------------------------------------------------------
def realistic_params(folder: Path) -> dict:
    """Parameters that ask about the synthetic graph, not only the shipped corner of it.

    The retaliation question is asked about the synthetic measure answered most
    often; the rest use the header examples (Tencent owns synthetic subtrees).
    """
    answered: dict[str, int] = {}
    with open(folder / "relations.jsonl", "rb") as lines:
        for raw in lines:
            if raw.startswith(b'{"RETALIATES_AGAINST"'):
                target = json.loads(raw)["RETALIATES_AGAINST"]["to"]
                answered[target] = answered.get(target, 0) + 1
    params = {}
    if answered:
        params["counter-measures-to"] = {"measure": max(sorted(answered), key=answered.get)}
    return params


# -- report -------------------------------------------------------------------------------------
def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor())
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    from importlib.metadata import version

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "ladybug": version("ladybug"),
        "os": platform.platform(),
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def query_goal_ms(rows: int) -> float:
    """Issue 16's p50 goal at 1M relations for a stored query answering ``rows`` rows.

    >>> query_goal_ms(429), query_goal_ms(10_462)
    (20.0, 20.462)
    """
    return 20.0 if rows <= 1000 else 10.0 + rows / 1000


def latency_cell(queries: dict, name: str) -> str:
    times, rows = queries["latencies"][name], queries["rows"][name]
    if isinstance(rows, str):  # stopped at the cap
        return f">{times[0]:.0f}s"
    return f"{pct(times, 0.5) * 1000:.0f}/{pct(times, 0.9) * 1000:.0f}"


def print_report(sizes: list[str], results: dict, extra: dict) -> None:
    print()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in extra["machine"].items()))
    head = f"{'':34}" + "".join(f"{s:>14}" for s in sizes)
    print(head)

    def line(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{v:>14}" for v in values))

    def each(fn) -> list[str]:
        return [fn(results[s]) for s in sizes]

    line("nodes / relations (total)", each(lambda r: f"{r['load']['nodes'] // 1000}k/{r['load']['edges'] // 1000}k"))
    line("parse s", each(lambda r: f"{r['parse']['seconds']:.2f}"))
    line("load_graph s", each(lambda r: f"{r['load']['seconds']:.2f}"))
    line("build s", each(lambda r: f"{r['build']['seconds']:.2f}"))
    line("build / parse (target <= 3)", each(lambda r: f"{r['build']['seconds'] / r['parse']['seconds']:.2f}x"))
    line("build peak RSS MB (<= 1500)", each(lambda r: f"{r['build']['rss_mb']:.0f}"))
    line("open s (fingerprint check)", each(lambda r: f"{r['queries']['open_seconds']:.2f}"))
    line("open ms, fresh process (<= 50)", each(lambda r: f"{r['open']['open'] * 1000:.0f}"))
    for part in ("import_graph", "import_ladybug", "ensure_database", "engine"):
        line(f"  of which {part} ms", each(lambda r, part=part: f"{r['open'][part] * 1000:.1f}"))
    line("query run peak RSS MB", each(lambda r: f"{r['queries']['rss_mb']:.0f}"))
    names = sorted(results[sizes[0]]["queries"]["latencies"])
    last = results[sizes[-1]]["queries"]
    print(f"p50 / p90 ms (target p50 at {sizes[-1]}: <= 20 ms up to 1,000 rows, else 10 ms + 1 us a row)")
    for name in names:
        rows = last["rows"][name]
        goal = "" if isinstance(rows, str) else (
            f"  {rows} rows: goal {query_goal_ms(rows):.0f} ms, "
            + ("met" if pct(last["latencies"][name], 0.5) * 1000 <= query_goal_ms(rows) else "missed"))
        cells = each(lambda r, name=name: latency_cell(r["queries"], name))
        print(f"{'  ' + name:34}" + "".join(f"{v:>14}" for v in cells) + goal)
    cold = extra["cold_start"]
    print(f"cold start (shipped data): techgraph query {cold['query_s']:.2f} s, bare imports {cold['imports_s']:.2f} s, "
          f"ratio {cold['ratio']:.2f}x (target <= 1.3)")
    ftm = extra["ftm"]
    print(f"FtM import ({ftm['statements']} statements, {ftm['lines']} lines, into the shipped data): "
          f"{ftm['seconds']} s, {ftm['statements_per_s']} statements/s, peak RSS {ftm['rss_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_step"]:
        result = STEPS[argv[1]](*argv[2:])
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated relation counts (10k, 100k, 1m)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and per cold start")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--cap", type=float, default=60, help="stop a query after this many seconds (reported as '>')")
    parser.add_argument("--work", type=Path, default=Path("/tmp/techgraph-bench"), help="folder for generated data and databases")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in sizes:
        folder = args.work / f"syn-{size}-seed{args.seed}"
        if not (folder / "relations.jsonl").is_file():
            print(f"[{size}] generating {folder}", file=sys.stderr)
            generate(parse_size(size), folder, args.seed)
        db = args.work / f"db-{size}"
        result = {}
        for name, step_args in (("parse", [folder]), ("load", [folder]), ("build", [folder, db])):
            print(f"[{size}] {name}", file=sys.stderr)
            result[name] = child(name, *step_args)
        print(f"[{size}] open", file=sys.stderr)
        opens = [child("open", folder, db) for _ in range(args.runs)]
        result["open"] = {part: statistics.median(o[part] for o in opens) for part in opens[0]}
        print(f"[{size}] queries", file=sys.stderr)
        result["queries"] = child("queries", folder, db, args.runs, json.dumps(realistic_params(folder)), args.cap)
        results[size] = result
        if args.json:  # kept after every size: a later size that fails or is stopped loses nothing
            args.json.write_text(json.dumps({"sizes": results}, indent=1))
    print("[shipped] cold start", file=sys.stderr)
    extra = {"machine": machine(), "cold_start": cold_start(args.work, args.runs), "ftm": child("ftm", args.work / "ftm-db")}
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, **extra}, indent=1))
    print_report(sizes, results, extra)


if __name__ == "__main__":
    main()
