"""Benchmark: where a database build's time goes, phase by phase, against parsing alone.

On one synthetic folder (``benchmarks/generate.py``'s, loaded beside the shipped
data), in one process, one after the other:

- ``parse``: ``json.loads`` of every line of the folder's files, nothing else;
- ``validate``: :func:`graph.dataset.validate.dataset_rows` consumed (three passes,
  pydantic-core validation, the cross-record checks);
- ``derive``: the same rows through :class:`graph.dataset.derived.Derivation`, then its values;
- ``names``: the same rows into a :class:`graph.backends.ladybug.names.NameIndexWriter`;
- ``build``: :func:`graph.backends.ladybug.build.write_database` whole, and how much of it the
  engine's own DDL and ``COPY`` statements took.

Each later phase re-reads and re-validates, so its own share is its time minus
``validate``. Run from the repository::

    python benchmarks/build_phases.py --size 1m [--work /tmp/techgraph-bench]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import generate, parse_size  # noqa: E402


def phases(folder: Path) -> dict[str, float]:
    """Seconds of each phase (see the module's docstring) on ``folder``."""
    import ladybug

    from graph.backends.ladybug.build import write_database
    from graph.backends.ladybug.names import NameIndexWriter
    from graph.dataset.derived import Derivation
    from graph.dataset.validate import dataset_rows
    from graph.model.schema import load_schema
    from graph.paths import data_folders

    folders = data_folders([folder])
    seconds: dict[str, float] = {}

    started = time.perf_counter()
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, "rb") as lines:
            for raw in lines:
                json.loads(raw)
    seconds["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    for _ in dataset_rows(folders):
        pass
    seconds["validate"] = time.perf_counter() - started

    started = time.perf_counter()
    derivation = Derivation()
    for kind, row in dataset_rows(folders):
        derivation.see(kind, row)
    derivation.values()
    seconds["derive"] = time.perf_counter() - started - seconds["validate"]

    with tempfile.TemporaryDirectory(prefix="techgraph-phases-") as work:
        started = time.perf_counter()
        with NameIndexWriter(Path(work) / "x.names") as names:
            for kind, row in dataset_rows(folders):
                if isinstance(kind, str):
                    names.add(kind, row)
        seconds["names"] = time.perf_counter() - started - seconds["validate"]

        engine = [0.0]
        execute = ladybug.Connection.execute

        def timed(self, *args, **kwargs):
            began = time.perf_counter()
            try:
                return execute(self, *args, **kwargs)
            finally:
                engine[0] += time.perf_counter() - began

        ladybug.Connection.execute = timed
        started = time.perf_counter()
        write_database(dataset_rows(folders), Path(work) / "x.lbdb", load_schema())
        seconds["build"] = time.perf_counter() - started
        seconds["engine DDL and COPY"] = engine[0]
        ladybug.Connection.execute = execute
    seconds["CSV files (build - validate - derive - names - engine)"] = (
        seconds["build"] - seconds["validate"] - seconds["derive"] - seconds["names"] - seconds["engine DDL and COPY"]
    )
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1m", help="relations of the synthetic folder (10k, 100k, 1m)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--work", type=Path, default=Path("/tmp/techgraph-bench"))
    args = parser.parse_args(argv)
    folder = args.work / f"syn-{args.size}-seed{args.seed}"
    if not (folder / "relations.jsonl").is_file():
        generate(parse_size(args.size), folder, args.seed)
    seconds = phases(folder)
    for name, value in seconds.items():
        print(f"{name:>55}: {value:7.2f} s  {value / seconds['parse']:5.1f}x parse")


if __name__ == "__main__":
    main()
