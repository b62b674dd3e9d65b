"""Benchmark: import an OpenSanctions-style FtM file of at least a million statements.

Generates, with a fixed seed, a JSON-lines file of Company, Person, Sanction and
Ownership entities shaped like OpenSanctions' export (a statement is one
property value, as FtM counts them), then measures side by side, each in its
own process so that peak memory is the step's own:

- ``json``: decoding every line with ``json.loads``, nothing else;
- ``parse``: the ``ftm`` importer's records (:func:`graph.lists.formats.ftm.read`), nothing else;
- ``import``: ``techgraph import ftm`` into a fresh embedded database: parse,
  resolution against the shipped graph, listings, ownerships, validation, the
  list's data file and the database build.

Run from the repository::

    python benchmarks/ftm_import.py --statements 1000000

It prints one line per step (seconds, peak RSS) and the import/parse ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAMS = ["CMIC-EO13959", "HK-EO13936", "SDGT", "NPWMD", "GLOMAG", "CYBER2"]
CITIES = ["Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Wuhan", "Chengdu", "Hong Kong", "Xi'an"]
WORDS = ["Aero", "Micro", "Digital", "Ocean", "Star", "Bright", "Unity", "Harbor", "Summit", "Pioneer", "Vision", "Quantum"]
TRADES = ["Technology", "Electronics", "Trading", "Engineering", "Semiconductor", "Logistics", "Software", "Materials"]


def generate(path: Path, statements: int, seed: int = 1260) -> dict[str, int]:
    """Write a file with at least ``statements`` property values; return what it holds."""
    rng = random.Random(seed)
    counts = {"statements": 0, "companies": 0, "people": 0, "sanctions": 0, "ownerships": 0, "lines": 0}
    companies: list[str] = []
    with path.open("w", encoding="utf-8") as out:

        def emit(entity: dict) -> None:
            out.write(json.dumps(entity, ensure_ascii=False) + "\n")
            counts["statements"] += sum(len(v) for v in entity["properties"].values())
            counts["lines"] += 1

        n = 0
        while counts["statements"] < statements:
            n += 1
            if rng.random() < 0.8:
                entity_id = f"bench-co-{n}"
                name = f"{rng.choice(CITIES)} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} Co., Ltd. {n}"
                emit({"id": entity_id, "schema": "Company", "properties": {
                    "name": [name], "alias": [name.upper(), f"{rng.choice(WORDS)} {n}"], "country": ["cn"],
                    "registrationNumber": [f"91{n:016d}"], "address": [f"{n} Road, {rng.choice(CITIES)}, China"],
                    "incorporationDate": [f"{rng.randint(1990, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
                    "topics": ["sanction"],
                }, "datasets": ["bench"]})  # fmt: skip
                counts["companies"] += 1
                if companies and rng.random() < 0.5:
                    emit({"id": f"bench-own-{n}", "schema": "Ownership", "properties": {
                        "owner": [rng.choice(companies[-500:])], "asset": [entity_id],
                        "percentage": [str(rng.choice([25, 51, 60, 100]))], "startDate": ["2019-01-01"],
                    }})  # fmt: skip
                    counts["ownerships"] += 1
                companies.append(entity_id)
            else:
                entity_id = f"bench-person-{n}"
                emit({"id": entity_id, "schema": "Person", "properties": {
                    "name": [f"{rng.choice(WORDS)} Person {n}"], "country": ["hk"], "position": ["Director"],
                    "birthDate": [f"{rng.randint(1940, 1990)}"],
                }, "datasets": ["bench"]})  # fmt: skip
                counts["people"] += 1
            emit({"id": f"bench-sanction-{n}", "schema": "Sanction", "properties": {
                "entity": [entity_id], "authority": ["Office of Foreign Assets Control"], "program": [rng.choice(PROGRAMS)],
                "startDate": [f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
                "sourceUrl": ["https://ofac.treasury.gov/recent-actions"],
            }})  # fmt: skip
            counts["sanctions"] += 1
    return counts


def _step(step: str, path: str, db: str) -> None:
    """Run one step in this process and print its seconds and peak RSS as JSON."""
    started = time.perf_counter()
    if step == "json":
        with open(path, "rb") as lines:
            for line in lines:
                json.loads(line)
    elif step == "parse":
        from graph.lists.formats import ftm

        for _ in ftm.read(Path(path)):
            pass
    else:
        from graph.lists.editions import import_list

        import_list("ftm", path, db=db, edition="2026-01-01")
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"step": step, "seconds": round(seconds, 2), "peak_mb": round(peak_mb)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--step", choices=["json", "parse", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return _step(args.step, args.file, args.db)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "bench.ftm.json"
        started = time.perf_counter()
        counts = generate(path, args.statements)
        print(f"generated {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.1f} s: {counts}")
        results = {}
        for step in ("json", "parse", "import"):
            command = [sys.executable, __file__, "--step", step, "--file", str(path), "--db", str(Path(work) / "db")]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results[step] = json.loads(output.strip().splitlines()[-1])
            print(f"{step:>7}: {results[step]['seconds']:8.2f} s   peak {results[step]['peak_mb']:6d} MB")
        ratio = results["import"]["seconds"] / results["parse"]["seconds"]
        rate = counts["statements"] / results["import"]["seconds"]
        print(f"import / parse = {ratio:.2f}x; import throughput {rate:,.0f} statements/s")


if __name__ == "__main__":
    main()
