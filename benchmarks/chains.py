"""retaliation-chains and ``chains`` on one build, whole and as of a day: p50 and a digest of each answer, so that
two builds (main's code and a branch's, each run with its own ``PYTHONPATH``) are compared side by side.

``chain`` is compared as ids (main's query returned the measures), collected issuers sorted (any order).

    PYTHONPATH=CODE python benchmarks/chains.py DB DATA_FOLDER [--runs 7] [--day 2021-06-01]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH, which picks the code measured

import graph  # noqa: E402
from benchmarks.timing import p50  # noqa: E402


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def rows_digest(rows: list[dict[str, Any]]) -> str:
    same = [{**r, "chain": [m["id"] if isinstance(m, dict) else m for m in r["chain"]],
             "first_issuers": sorted(r["first_issuers"]), "last_issuers": sorted(r["last_issuers"])} for r in rows]  # fmt: skip
    return digest(sorted(same, key=lambda r: json.dumps(r, sort_keys=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("data")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--day", default="2021-06-01")
    args = parser.parse_args()
    found: dict[str, Any] = {}
    with graph.open(args.db, data=[args.data]) as g:
        for name, view in (("whole", g), (args.day, g.as_of(args.day))):
            ms, rows = p50(lambda v=view: v.query("retaliation-chains"), args.runs)
            found[f"{name} query"] = {"ms": round(ms, 1), "rows": len(rows), "digest": rows_digest(list(rows))}
            ms, chains = p50(view.chains, args.runs)
            found[f"{name} chains"] = {"ms": round(ms, 1), "chains": len(chains), "digest": digest(chains)}
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
