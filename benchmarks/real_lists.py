"""Benchmark: import the complete published lists, one after the other, into one fresh database.

Takes the folder of complete lists (laid out as the workspace's ``realdata-full``:
``ofac_sdn_2022-01/``, ``ofac_consolidated_2025-12/``, ``trade_gov_csl_2022-04/``,
``opensanctions_sources/``, ``ftm_peps/``) and prints, per list, the rows read, what
became of them, the time and the process's peak memory so far; a list that fails
prints its one-line error and the run goes on. At the end it checks that the database reads every
relation the same by a label-less pattern and by its type (see :func:`scans_agree`). Run from the repository::

    python benchmarks/real_lists.py ../shared/realdata-full [--work DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (format, main file, side files, edition), in the order a user would import them.
LISTS = [
    ("ofac-sdn", "ofac_sdn_2022-01/sdn.csv",
     {"alt": "ofac_sdn_2022-01/alt.csv", "add": "ofac_sdn_2022-01/add.csv"}, "2022-01-21"),
    ("ofac-consolidated", "ofac_consolidated_2025-12/cons_prim.csv",
     {"alt": "ofac_consolidated_2025-12/cons_alt.csv", "add": "ofac_consolidated_2025-12/cons_add.csv"}, "2025-12-01"),
    ("csl", "trade_gov_csl_2022-04/consolidated.csv", {}, "2022-04-21"),
    ("dod-1260h", "opensanctions_sources/dod_1260h.csv", {}, "2026-01-07"),
    ("fcc-covered-list", "opensanctions_sources/fcc_table.csv", {}, "2026-08-20"),
    ("cn-countermeasures", "opensanctions_sources/cn_sanctions.csv", {}, "2026-08-01"),
    ("ftm", "ftm_peps/sa_wiki_peps.entities.ftm.json", {}, "2024-03-01"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder of complete lists")
    parser.add_argument("--work", type=Path, default=None, help="database folder (default: a temporary one)")
    args = parser.parse_args()
    import graph
    from graph.errors import TechgraphError

    db = args.work or Path(tempfile.mkdtemp(prefix="techgraph-real-"))
    started = time.perf_counter()
    graph.load(db)
    print(f"shipped build: {time.perf_counter() - started:.1f} s, database in {db}")
    print(f"{'list':<20} {'rows':>7} {'entities':>8} {'new':>7} {'merged':>7} {'listings':>8} {'owns':>6} {'links':>6} "
          f"{'seconds':>8} {'peak MB':>8} {'again s':>8} {'changed':>8}")
    lines: dict[str, str] = {}
    for again in (False, True):
        for fmt, main_file, sides, edition in LISTS:
            started = time.perf_counter()
            try:
                report = graph.import_list(fmt, args.folder / main_file, db=db, edition=edition,
                                           **{role: args.folder / name for role, name in sides.items()})  # fmt: skip
            except TechgraphError as error:
                lines[fmt] = f"{fmt:<20} error after {time.perf_counter() - started:.1f} s: {error}"
                continue
            seconds, peak = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if again:
                lines[fmt] += f" {seconds:>8.1f} {str(report.changed):>8}"
            else:
                lines[fmt] = (f"{fmt:<20} {report.rows:>7} {report.entities:>8} {report.new_nodes:>7} {report.merged:>7} "
                              f"{report.listings:>8} {report.ownerships:>6} {report.links:>6} {seconds:>8.1f} {peak:>8.0f}")
    print("\n".join(lines.values()))
    with graph.open(db) as g:
        stats = g.stats()
        people_as_companies(g.nx)
        scans_agree(g.engine)
    print(f"graph: {sum(stats['nodes'].values()):,} nodes, {sum(stats['relationships'].values()):,} relationships")


def scans_agree(engine) -> None:
    """Print whether a read of every relation by a label-less pattern gives the rows a read of each type gives.

    On 2026-12-02 and 12-03 (LadybugDB 0.22) the label-less read of a database built by imports returned one
    LINKED_TO with another target and no key, while the read by its type was right; imports now read back
    what they write (:func:`graph.backends.ladybug.changes.misread_relations`) and build whole when it is wrong.
    """
    from graph.model.schema import load_schema

    def rows(statement: str) -> set[tuple]:
        return {(row["a"], row["b"], row["k"]) for row in engine.run(statement)[1]}

    untyped = rows("MATCH (a)-[r]->(b) RETURN a.id AS a, b.id AS b, r.key AS k")
    types = [name for name, relation in load_schema().relations.items() if not relation.derived]  # as a label-less read
    typed = set().union(*(rows(f"MATCH (a)-[r:{name}]->(b) RETURN a.id AS a, b.id AS b, r.key AS k") for name in types))
    differing = sorted(untyped ^ typed, key=str)
    print(f"label-less and typed reads: {len(untyped):,} and {len(typed):,} relations, "
          + (f"{len(differing)} differ, e.g. {differing[:3]}" if differing else "the same"))


def people_as_companies(g) -> None:
    """Print, per list that made them, the Company nodes named in OFAC's form for individuals (``SURNAME, Given``)."""
    from graph.lists.formats.base import ofac_person_name

    made_by: dict[str, list[str]] = {}
    for _, data in g.nodes(data=True):
        if data["label"] == "Company" and ofac_person_name(data["name"]):
            made_by.setdefault((data.get("merges") or ["shipped data"])[0].split(":")[0], []).append(data["name"])
    print("Company nodes with a person's name:", ", ".join(f"{k} {len(v)} (e.g. {v[0]!r})" for k, v in made_by.items()) or "none")


if __name__ == "__main__":
    main()
