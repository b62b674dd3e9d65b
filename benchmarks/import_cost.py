"""Benchmark: what an import costs beside parsing its file, and what a small import costs in a large graph.

Takes the folder of complete lists (laid out as the workspace's ``realdata-full``, see
``benchmarks/real_lists.py``) and prints, side by side, each step's time, its ratio to parsing
the OFAC SDN files with Python's csv module, and the peak memory of the process that ran it
(each step runs in a process of its own):

- ``csv parse``: sdn.csv, alt.csv and add.csv read with the csv module (best of three);
- ``sdn read``: the same three files read by the SDN format reader alone, every item it yields
  consumed, nothing imported (best of three): the reader's part of the import;
- ``csl read``: the complete Consolidated Screening List read by its format reader alone (best of three);
- ``sdn import``: the full SDN (the three files) imported into a fresh database of the shipped data;
- ``sdn again``: the same files and edition imported again (nothing changes);
- ``csl after``: the complete Consolidated Screening List imported into that database next (it merges
  most of its 14,160 rows into the SDN's nodes: the cost of changing rows, not only adding them);
- ``fcc 13 rows``: the 13-row FCC Covered List (``fcc_table.first.csv``) imported into a database
  holding every list of the folder, imported one after the other first (not timed here);
- ``fcc again``: the same file imported again (nothing changes).

Goals (issue 12): the SDN import at most 20x the csv parse; the 13-row FCC import at most 1.5 s.
``--reads`` runs the csv parse and the two reader steps only. Run from the repository::

    python benchmarks/import_cost.py ../shared/realdata-full [--work DIR] [--reads]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SDN = "ofac_sdn_2022-01"
CSL = "trade_gov_csl_2022-04/consolidated.csv"
FCC_13 = "opensanctions_sources/fcc_table.first.csv"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of_three(run: Callable[[], object]) -> float:
    """The fastest of three runs of ``run``, in seconds."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def step(name: str, folder: Path, db: Path) -> dict:
    """Run one step in this process; return its seconds and peak memory."""
    import graph
    from graph.lists.formats import list_format

    sdn = folder / SDN
    if name == "csv parse":

        def parse() -> None:
            for file in ("sdn.csv", "alt.csv", "add.csv"):
                with open(sdn / file, encoding="latin-1", newline="") as handle:
                    for _ in csv.reader(handle):
                        pass

        return {"seconds": best_of_three(parse), "peak_mb": _peak_mb()}
    if name in ("sdn read", "csl read"):
        if name == "sdn read":
            read = partial(list_format("ofac-sdn").read, sdn / "sdn.csv", alt=sdn / "alt.csv", add=sdn / "add.csv")
        else:
            read = partial(list_format("csl").read, folder / CSL)
        return {"seconds": best_of_three(lambda: deque(read(), maxlen=0)), "peak_mb": _peak_mb()}
    if name == "prepare sdn":
        graph.load(db)
        return {}
    if name == "prepare all":
        from benchmarks.real_lists import LISTS

        started = time.perf_counter()
        graph.load(db)
        for fmt, main_file, sides, edition in LISTS:
            graph.import_list(fmt, folder / main_file, db=db, edition=edition,
                              **{role: folder / side for role, side in sides.items()})  # fmt: skip
        return {"seconds": time.perf_counter() - started}
    started = time.perf_counter()
    if name in ("sdn import", "sdn again"):
        report = graph.import_list("ofac-sdn", sdn / "sdn.csv", alt=sdn / "alt.csv", add=sdn / "add.csv",
                                   db=db, edition="2022-01-21")  # fmt: skip
    elif name == "csl after":
        report = graph.import_list("csl", folder / CSL, db=db, edition="2022-04-21")
    else:  # "fcc 13 rows", "fcc again"
        report = graph.import_list("fcc-covered-list", folder / FCC_13, db=db, edition="2026-08-21")
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(), "rows": report.rows, "changed": report.changed}


def run(name: str, folder: Path, db: Path) -> dict:
    """One step in a process of its own (its peak memory is its own)."""
    done = subprocess.run(
        [sys.executable, __file__, str(folder), "--step", name, "--work", str(db)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder of complete lists")
    parser.add_argument("--work", type=Path, default=None, help="where the databases go (default: a temporary folder)")
    parser.add_argument("--reads", action="store_true", help="only the csv parse and the format readers (no database)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.step:
        print(json.dumps(step(args.step, folder, args.work)))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="techgraph-cost-"))
    shutil.rmtree(work / "sdn", ignore_errors=True)
    shutil.rmtree(work / "all", ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; databases in {work}")
    parse = run("csv parse", folder, work)
    rows = {"csv parse": parse, "sdn read": run("sdn read", folder, work), "csl read": run("csl read", folder, work)}
    if not args.reads:
        run("prepare sdn", folder, work / "sdn")
        rows["sdn import"] = run("sdn import", folder, work / "sdn")
        rows["sdn again"] = run("sdn again", folder, work / "sdn")
        rows["csl after"] = run("csl after", folder, work / "sdn")
        prepared = run("prepare all", folder, work / "all")
        print(f"every list of the folder imported one after the other first: {prepared['seconds']:.1f} s")
        rows["fcc 13 rows"] = run("fcc 13 rows", folder, work / "all")
        rows["fcc again"] = run("fcc again", folder, work / "all")
    print(f"{'step':<14} {'rows':>6} {'seconds':>8} {'x csv parse':>12} {'peak MB':>8} {'changed':>8}  goal")
    goals = {"sdn import": f"<= 20x ({20 * parse['seconds']:.2f} s)", "fcc 13 rows": "<= 1.5 s"}
    for name, row in rows.items():
        print(f"{name:<14} {row.get('rows', ''):>6} {row['seconds']:>8.3f} {row['seconds'] / parse['seconds']:>11.1f}x "
              f"{row['peak_mb']:>8.0f} {str(row.get('changed', '')):>8}  {goals.get(name, '')}")


if __name__ == "__main__":
    main()
