"""Benchmark: ownership questions on dense cross-holdings, where walking every path is exponential.

Writes a lattice of companies (``--layers`` layers of ``--width``, each owning every
company of the next layer with a share not known, so that every holding may control, plus skip
edges up to ``--edges`` OWNS in all) as a JSON-lines
folder beside the shipped data, builds it, then times in one process, one after the other:
the build, ``exposure`` of a bottom company, and the ``ownership-tree`` and
``measures-hitting`` stored queries from the top. Run from the repository::

    python benchmarks/dense_ownership.py [--layers 12 --width 12 --edges 2048] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SOURCE = "https://example.org/lattice"


def write_lattice(folder: Path, layers: int, width: int, edges: int, seed: int = 1) -> tuple[str, str]:
    """Write the lattice as ``folder/lattice.jsonl``; return the ids of its top and a bottom company."""
    rng = random.Random(seed)
    names = [[f"lat-{layer}-{i}" for i in range(width)] for layer in range(layers)]
    owns = {(a, b) for upper, lower in zip(names, names[1:], strict=False) for a in upper for b in lower}
    while len(owns) < edges and layers > 2:
        top = rng.randrange(layers - 2)
        owns.add((rng.choice(names[top]), rng.choice(names[rng.randrange(top + 2, layers)])))
    lines = [{"Company": {"id": c, "name": c.replace("-", " ").title(), "country": "CN", "sources": [SOURCE]}}
             for row in names for c in row]
    # Shares unknown: each holding may control (schema's ownership.control), so every walk follows it.
    lines += [{"OWNS": {"from": a, "to": b, "sources": [SOURCE]}} for a, b in sorted(owns)]
    lines.append({"Measure": {"id": "lat-ban", "name": "Lattice ban", "kind": "designation", "effect": "blocking",
                              "announced": "2020-01-01", "sources": [SOURCE]}})
    lines.append({"SANCTIONS": {"from": "lat-ban", "to": names[0][0], "sources": [SOURCE]}})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lattice.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return names[0][0], names[-1][width // 2]


def timed(what: str, function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{what:<40} {time.perf_counter() - started:8.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--width", type=int, default=12)
    parser.add_argument("--edges", type=int, default=2048)
    parser.add_argument("--work", type=Path, default=None, help="folder for the data and the database (default: a temporary one)")
    args = parser.parse_args()
    import graph

    work = args.work or Path(tempfile.mkdtemp(prefix="techgraph-dense-"))
    top, bottom = write_lattice(work / "lattice", args.layers, args.width, args.edges)
    print(f"lattice: {args.layers} layers of {args.width}, {args.edges} OWNS, in {work}")
    timed("build", graph.load, work / "db", [work / "lattice"])
    with graph.open(work / "db") as g:
        result = timed(f"exposure {bottom}", g.exposure, bottom, "2021-01-01")
        print(f"  {len(result['owners'])} owners, {result['paths_total']:,} owner paths counted")
        rows = timed(f"ownership-tree {top}", g.query, "ownership-tree", entity=top)
        print(f"  {len(rows)} rows")
        rows = timed(f"measures-hitting {top}", g.query, "measures-hitting", entity=top)
        print(f"  {len(rows)} rows")


if __name__ == "__main__":
    main()
