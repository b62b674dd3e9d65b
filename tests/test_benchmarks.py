"""The benchmark generator makes valid, realistic data (the benchmark itself is not run here)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

import graph
from benchmarks.generate import generate, parse_size
from graph.paths import data_folders


def test_sizes_parse():
    assert [parse_size(s) for s in ("10k", "1m", "2500")] == [10_000, 1_000_000, 2500]


def test_generated_folder_validates_and_has_the_expected_shape(tmp_path: Path):
    counts = generate(3000, tmp_path, seed=6)
    assert counts["relations"] == 3000
    again = tmp_path / "again"
    generate(3000, again, seed=6)
    assert (again / "relations.jsonl").read_bytes() == (tmp_path / "relations.jsonl").read_bytes()  # seeded

    g = graph.load_graph(data_folders([tmp_path]))  # beside the shipped data: no id clashes
    shipped = graph.load_graph()
    of_data = lambda graph_: sum(1 for *_, d in graph_.edges(data=True) if d["type"] != "RETALIATION_CHAIN")  # noqa: E731
    assert of_data(g) == of_data(shipped) + 3000  # and the chains the build derives from them
    synthetic = [n for n in g if n.startswith("syn-")]
    assert len(synthetic) == counts["nodes"]

    measures = [n for n in synthetic if g.nodes[n]["label"] == "Measure"]
    assert measures and all(any(d["type"] == "ISSUED" for _, _, d in g.in_edges(m, data=True)) for m in measures)
    assert all(g.nodes[m].get("announced") for m in measures)

    companies = {n for n in synthetic if g.nodes[n]["label"] == "Company"}
    owns = nx.DiGraph((u, v) for u, v, d in g.edges(data=True) if d["type"] == "OWNS" and {u, v} <= companies)
    depths = [max(nx.single_source_shortest_path_length(owns, r).values()) for r in owns if owns.in_degree(r) == 0]
    assert max(depths) == 6  # company ownership trees reach depth 6, never deeper

    types = {d["type"] for u, v, d in g.edges(data=True) if u.startswith("syn-") or v.startswith("syn-")}
    assert {"OWNS", "SANCTIONS", "RETALIATES_AGAINST", "HOLDS_OFFICE", "PART_OF", "ISSUED", "PARTY_TO"} <= types
    linked = {u for u, v, d in g.edges(data=True) if d["type"] == "OWNS" and not u.startswith("syn-") and v.startswith("syn-")}
    assert linked  # some synthetic trees hang below shipped companies or bodies

    for line in (tmp_path / "nodes.jsonl").read_text().splitlines()[:50]:
        (_kind, record), = json.loads(line).items()
        assert all(s.startswith("https://") for s in record["sources"])


def test_build_phases_times_every_phase_of_a_real_build(tmp_path: Path):
    """benchmarks/build_phases.py runs each phase on a generated folder and reports each one."""
    from benchmarks.build_phases import phases

    generate(2000, tmp_path, seed=6)
    seconds = phases(tmp_path)
    assert list(seconds) == ["parse", "validate", "derive", "names", "build", "engine DDL and COPY",
                             "CSV files (build - validate - derive - names - engine)"]
    assert 0 < seconds["parse"] and 0 < seconds["validate"] < seconds["build"]
    assert 0 < seconds["engine DDL and COPY"] < seconds["build"]


def test_dense_ownership_benchmark_builds_its_lattice_and_times_every_question(tmp_path: Path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "benchmarks/dense_ownership.py", "--layers", "4", "--width", "3", "--edges", "30", "--work", str(tmp_path)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    lines = (tmp_path / "lattice" / "lattice.jsonl").read_text(encoding="utf-8").splitlines()
    assert sum('"OWNS"' in line for line in lines) == 30 and sum('"Company"' in line for line in lines) == 12
    for question in ("build", "exposure lat-3-1", "ownership-tree lat-0-0", "measures-hitting lat-0-0"):
        assert any(line.startswith(question) and line.endswith(" s") for line in done.stdout.splitlines()), done.stdout


def test_anchors_networkx_answers_are_techgraphs(tmp_path: Path):
    """benchmarks/anchors.py: each stored query's networkx implementation gives techgraph's rows (and order)."""
    from benchmarks.anchors import PYTHON, measure_size

    results = measure_size("2000", tmp_path, runs=1)
    assert {r["query"] for r in results} == set(PYTHON)  # one implementation per stored query
    assert [(r["query"], r["difference"]) for r in results if r["difference"]] == []
    assert sum(r["rows"] for r in results) > 100 and all(r["techgraph"] > 0 and r["networkx"] > 0 for r in results)
