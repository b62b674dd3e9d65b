"""The anchors: every stored query on techgraph against the same question asked of networkx (and Neo4j).

For each size, on the synthetic graph of ``benchmarks/generate.py`` beside the shipped data, in one
process and one run: the p50 of :meth:`TechGraph.query` on the embedded engine; the p50 of a plain
Python implementation of the same question over :func:`graph.dataset.network.load_graph`'s networkx
graph (below, one function per stored query, written for speed with the indexes a user would build
once: adjacency by relation type, nodes by label, a name dict; building them is not timed, as the
engine's build is not); and, with ``--neo4j``, the p50 on a Neo4j 5.26 the graph is pushed into
(``benchmarks/neo4j_side_by_side.py``'s server). Each networkx answer is checked against techgraph's:
the same rows as a multiset and, where the query orders them, the same sequence of sort keys; a
mismatch is printed and counts as a goal missed. Parameters are those of ``benchmarks/run.py``.

Goals (issue 16): every stored query at or below networkx and below Neo4j, at 100k and 1M.

Then, per size, the library's questions against their goals (``exposure``, ``chains``, ``show`` <= 50 ms,
opening a built database <= 50 ms): techgraph (each reads only what it needs of the engine) beside the same
rule on the whole networkx graph (:func:`graph.analysis.ownership.exposure` on ``load_graph``'s graph, the
chains walked over the index, a profile from the adjacency), for the entity with the most owners above it,
Tencent and WeChat; ``open`` is :func:`graph.open` and ``close`` in this process (imports warm).

Usage::

    python benchmarks/anchors.py --sizes 100k,1m [--runs 5] [--work /tmp/techgraph-bench] [--neo4j]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import graph  # noqa: E402
from benchmarks.generate import generate, parse_size  # noqa: E402
from benchmarks.run import realistic_params  # noqa: E402
from benchmarks.timing import p50  # noqa: E402
from graph.dataset.network import load_graph  # noqa: E402
from graph.model.schema import load_schema  # noqa: E402
from graph.paths import data_folders  # noqa: E402


class Index:
    """What a Python user builds once over the networkx graph: nodes by label, edges by type, names."""

    def __init__(self, g):
        self.node: dict[str, dict[str, Any]] = dict(g.nodes(data=True))
        self.label: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, set[str]] = defaultdict(set)
        for n, data in self.node.items():
            self.label[data["label"]].append(n)
            for key in (n, data.get("name"), *(data.get("aliases") or [])):
                if key:
                    self.names[key.lower()].add(n)
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type -> from -> [(to, data)]
        self.inn: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type -> to -> [(from, data)]
        self.all_out: dict[str, list] = defaultdict(list)  # from -> [(type, to, data)]
        self.all_in: dict[str, list] = defaultdict(list)
        self.around: dict[str, set[str]] = defaultdict(set)  # either direction, any type (for shortest paths)
        for u, v, data in g.edges(data=True):
            kind = data["type"]
            self.out[kind][u].append((v, data))
            self.inn[kind][v].append((u, data))
            self.all_out[u].append((kind, v, data))
            self.all_in[v].append((kind, u, data))
            self.around[u].add(v)
            self.around[v].add(u)

    def resolve(self, name: str, label: str | None = None) -> list[str]:
        ids = sorted(self.names.get(name.strip().lower(), ()))
        return [n for n in ids if label is None or self.node[n]["label"] == label]

    def issuer_names(self, m: str) -> list[str]:
        return sorted({self.node[i]["name"] for i, _ in self.inn["ISSUED"].get(m, ())})


def _controls(data: dict) -> bool:
    share = data.get("share")
    return share is None or share >= 50


def _side(country: str | None) -> str | None:
    return "United States" if country == "US" else "China" if country in ("CN", "HK") else country


# -- one function per stored query: (index, parameters as TechGraph.query coerces them) -> rows ----------
def apps_banned_and_owners(ix: Index, p: dict) -> list[dict]:
    node, issued, sanctions, owns = ix.node, ix.inn["ISSUED"], ix.out["SANCTIONS"], ix.inn["OWNS"]
    rows = set()
    for m in ix.label["Measure"]:
        md = node[m]
        day = md.get("announced") or md.get("effective")
        apps = [a for a, _ in sanctions.get(m, ()) if node[a]["label"] == "App"]
        if not apps or day is None or not p["since"] <= day <= p["until"]:
            continue
        sides = {_side(node[i].get("country")) for i, _ in issued.get(m, ())}
        for side in sides if p["side"] == "any" else sides & {p["side"]}:
            for a in apps:
                owners = [o for o, d in owns.get(a, ()) if _controls(d)] or [None]
                for o in owners:
                    parents = [node[q]["name"] for q, d in owns.get(o, ()) if _controls(d)] if o else []
                    for parent in parents or [None]:
                        rows.add((a, node[a]["name"], side, m, md["name"], md.get("announced"), md.get("status"),
                                  o, node[o]["name"] if o else None, parent))
    columns = ["app_id", "app", "side", "measure_id", "measure", "announced", "status", "owner_id", "owner", "owner_parent"]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def counter_measures_to(ix: Index, p: dict) -> list[dict]:
    node, retaliates = ix.node, ix.inn["RETALIATES_AGAINST"]
    carriers = (ix.inn["PART_OF"], ix.inn["IMPLEMENTS"])
    parts, frontier = set(p["measure"]), set(p["measure"])
    for _ in range(4):
        frontier = {u for v in frontier for index in carriers for u, _ in index.get(v, ())}
        parts |= frontier
    steps: dict[tuple[str, str], int] = {}
    for part in (x for x in parts if node[x]["label"] == "Measure"):
        frontier, seen = {part}, set()
        for depth in range(1, 9):
            frontier = {u for v in frontier for u, _ in retaliates.get(v, ())} - seen
            seen |= frontier
            for answer in frontier:
                if node[answer]["label"] == "Measure":
                    steps.setdefault((answer, part), depth)
    return [{"answer_id": a, "answer": node[a]["name"], "issuers": ix.issuer_names(a), "announced": node[a].get("announced"),
             "answered_id": part, "steps": s} for (a, part), s in steps.items()]


def deals_forced_by_measures(ix: Index, p: dict) -> list[dict]:
    node, parties = ix.node, ix.inn["PARTY_TO"]
    rows = []
    for deal, answered in ix.out["RESPONDS_TO"].items():
        measures = {node[m]["name"] for m, _ in answered if node[m]["label"] == "Measure"}
        if node[deal]["label"] != "Deal" or not measures:
            continue
        d = node[deal]
        roles = {f"{node[u]['name']} ({r['role']})" for u, r in parties.get(deal, ()) if r.get("role") is not None}
        rows.append({"deal_id": deal, "deal": d["name"], "status": d.get("status"), "announced": d.get("announced"),
                     "ended": d.get("ended"), "measures": sorted(measures), "parties": sorted(roles)})
    return rows


def entity_profile(ix: Index, p: dict) -> list[dict]:
    node, rows = ix.node, []
    for n in p["entity"]:
        for direction, edges in (("out", ix.all_out.get(n, ())), ("in", ix.all_in.get(n, ()))):
            for kind, other, r in edges:
                rows.append({"entity": node[n]["name"], "direction": direction, "relation": kind,
                             "other_label": node[other]["label"], "other_id": other, "other": node[other].get("name"),
                             "since": r.get("since"), "until": r.get("until"), "sources": r.get("sources")})
    return rows


def measures_by_issuer_and_year(ix: Index, p: dict) -> list[dict]:
    node, part_of = ix.node, ix.out["PART_OF"]
    counts: dict[tuple, set[str]] = defaultdict(set)
    for issuer, issued in ix.out["ISSUED"].items():
        reached, frontier = {issuer}, {issuer}
        for _ in range(5):
            frontier = {v for u in frontier for v, _ in part_of.get(u, ())}
            reached |= frontier
        states = [node[s]["name"] for s in reached if node[s]["label"] == "Government" and node[s].get("kind") == "state"]
        name = node[issuer].get("name")
        for m, _ in issued:
            if node[m]["label"] == "Measure":
                announced = node[m].get("announced")
                year = None if announced is None else announced[:4]
                for state in states or [name]:
                    counts[(state, name, year)].add(m)
    return [{"state": s, "issuer": i, "year": y, "measures": len(ms)} for (s, i, y), ms in counts.items()]


def measures_by_legal_basis(ix: Index, p: dict) -> list[dict]:
    groups: dict[str, list[str]] = defaultdict(list)
    for m in ix.label["Measure"]:
        basis = ix.node[m].get("legal_basis")
        if basis is not None:
            groups[basis].append(ix.node[m]["name"])
    return [{"legal_basis": b, "measures": len(names), "names": names} for b, names in groups.items()]


def _measure_row(ix: Index, m: str) -> dict:
    d = ix.node[m]
    return {"measure_id": m, "measure": d["name"], "kind": d.get("kind"), "issuers": ix.issuer_names(m)} | {
        k: d.get(k) for k in ("announced", "effective", "ended", "status", "in_force", "citation")}


def measures_hitting(ix: Index, p: dict) -> list[dict]:
    node, owns, sanctions = ix.node, ix.out["OWNS"], ix.inn["SANCTIONS"]
    reached, frontier = set(p["entity"]), set(p["entity"])
    for _ in range(6):
        frontier = {v for u in frontier for v, d in owns.get(u, ()) if _controls(d)} - reached
        reached |= frontier
    rows = []
    for target in reached:
        for m in {m for m, _ in sanctions.get(target, ()) if node[m]["label"] == "Measure"}:
            row = _measure_row(ix, m)
            rows.append({**{k: row[k] for k in ("measure_id", "measure", "kind", "issuers")}, "target_id": target,
                         "target": node[target].get("name"), **{k: row[k] for k in list(row)[4:]}})
    return rows


def measures_in_force_on(ix: Index, p: dict) -> list[dict]:
    day, rows = p["date"], []
    for m in ix.label["Measure"]:
        d = ix.node[m]
        if any(q[:10] <= day and (q[-2:] == ".." or q[-10:] > day) for q in d.get("in_force") or ()):
            rows.append({"measure_id": m, "measure": d["name"], "kind": d.get("kind"), "issuers": ix.issuer_names(m),
                         "since": d.get("effective") or d.get("announced"), "in_force": d.get("in_force"),
                         "citation": d.get("citation")})
    return rows


def most_targeted_companies(ix: Index, p: dict) -> list[dict]:
    hit = [(c, ix.node[c]) for c in ix.label["Company"] if (ix.node[c].get("group_measures") or 0) > 0]
    hit.sort(key=lambda cd: (-cd[1]["group_measures"], cd[0]))
    return [{"company_id": c, "company": d["name"], "country": d.get("country"), "measures": d["group_measures"],
             "targets": d.get("group_targets")} for c, d in hit[: p["limit"]]]


def officials_sanctioned_by_both_sides(ix: Index, p: dict) -> list[dict]:
    node, issued = ix.node, ix.inn["ISSUED"]
    hits: dict[str, dict[str, dict[str, str | None]]] = defaultdict(lambda: {"United States": {}, "China": {}})
    for m, targets in ix.out["SANCTIONS"].items():
        md = node[m]
        if md["label"] != "Measure" or md.get("restricts") not in ("blocking", "restricting"):
            continue
        sides = {"United States" if c == "US" else "China" for i, _ in issued.get(m, ())
                 if (c := node[i].get("country")) in ("US", "CN", "HK")}
        for o, _ in targets:
            if node[o]["label"] == "Official":
                for side in sides:
                    hits[o][side][m] = md.get("announced")
    rows = []
    for o, by in hits.items():
        us, cn = by["United States"], by["China"]
        if us and cn:
            rows.append({"official_id": o, "official": node[o]["name"], "role": node[o].get("role"),
                         "us_measures": len(us), "china_measures": len(cn),
                         "first_by_us": min((d for d in us.values() if d), default=None),
                         "first_by_china": min((d for d in cn.values() if d), default=None)})
    return rows


def ownership_tree(ix: Index, p: dict) -> list[dict]:
    node, owns = ix.node, ix.out["OWNS"]
    level, rows = set(p["entity"]), set()
    for depth in range(6):  # parents at depth 0..5
        for parent in level:
            for owned, o in owns.get(parent, ()):
                share = o.get("share")
                holding = "possibly controlled" if share is None else "controlled" if share >= 50 else "stake"
                rows.add((owned, node[owned].get("name"), node[owned]["label"], depth + 1, node[parent].get("name"),
                          share, holding))
        level = {v for u in level for v, d in owns.get(u, ()) if _controls(d)}
    columns = ["id", "name", "label", "depth", "owner", "share", "holding"]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def path(ix: Index, p: dict) -> list[dict]:
    best = None
    for a in p["from"]:
        for b in p["to"]:
            if a == b:
                continue
            steps = _shortest(ix.around, a, b, 8)
            if steps is not None and (best is None or steps < best):
                best = steps
    return [] if best is None else [{"steps": best}]


def _shortest(around: dict[str, set[str]], a: str, b: str, limit: int) -> int | None:
    """Steps of a shortest path from a to b, either direction, by a BFS from both ends."""
    near, far, seen_near, seen_far = {a}, {b}, {a}, {b}
    for steps in range(1, limit + 1):
        if len(near) > len(far):
            near, far, seen_near, seen_far = far, near, seen_far, seen_near
        near = {v for u in near for v in around.get(u, ())} - seen_near
        if near & seen_far:
            return steps
        seen_near |= near
        if not near:
            return None
    return None


def retaliation_chains(ix: Index, p: dict) -> list[dict]:
    node, out, inn = ix.node, ix.out["RETALIATES_AGAINST"], ix.inn["RETALIATES_AGAINST"]
    measure = set(ix.label["Measure"])
    rows = []
    for last in measure:
        if last not in out or any(u in measure for u, _ in inn.get(last, ())):
            continue
        stack = [[last]]
        while stack:
            chain = stack.pop()
            for nxt, _ in out.get(chain[-1], ()):
                longer = [*chain, nxt]
                if nxt in measure and not any(t in measure for t, _ in out.get(nxt, ())):
                    rows.append((longer[-1], last, len(longer) - 1, longer))
                if len(longer) <= 8:
                    stack.append(longer)
    return [{"first_id": f, "first_measure": node[f]["name"], "first_issuers": ix.issuer_names(f),
             "first_announced": node[f].get("announced"), "last_id": la, "last_measure": node[la]["name"],
             "last_issuers": ix.issuer_names(la), "last_announced": node[la].get("announced"), "steps": s, "chain": c}
            for f, la, s, c in rows]


PYTHON: dict[str, Callable[[Index, dict], list[dict]]] = {
    f.__name__.replace("_", "-"): f for f in (
        apps_banned_and_owners, counter_measures_to, deals_forced_by_measures, entity_profile, measures_by_issuer_and_year,
        measures_by_legal_basis, measures_hitting, measures_in_force_on, most_targeted_companies,
        officials_sanctioned_by_both_sides, ownership_tree, path, retaliation_chains)
}


# -- the harness --------------------------------------------------------------------------------------
UNORDERED = {"issuers", "first_issuers", "last_issuers", "measures", "parties", "names"}  # collect(): any order
NOT_COMPARED = {"path": "shortest paths tie: only their length is compared"}


def order_by(cypher: str) -> list[tuple[str, bool]]:
    """The final ORDER BY of a query as (column, descending) pairs ([] when it orders nothing).

    >>> order_by("RETURN a, b ORDER BY b DESC, a LIMIT 3")
    [('b', True), ('a', False)]
    """
    _, by, last = cypher.strip().rpartition("ORDER BY")  # the last one: a WITH may sort before it
    if not by:
        return []
    keys = []
    for item in re.split(r"\s+(?:SKIP|LIMIT)\b", last)[0].split(","):
        words = item.split()
        keys.append((words[0], len(words) > 1 and words[1].upper() == "DESC"))
    return keys


def ordered(rows: list[dict], keys: list[tuple[str, bool]]) -> list[dict]:
    """Rows sorted as Cypher sorts them: nulls last ascending, first descending (stable, key by key)."""
    for column, descending in reversed(keys):
        rows.sort(key=lambda r, c=column: (r[c] is None, 0 if r[c] is None else r[c]), reverse=descending)
    return rows


def canonical(value: Any, column: str = "") -> Any:
    if isinstance(value, dict):
        return value["id"] if "id" in value else tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        return tuple(sorted(items, key=repr) if column in UNORDERED else items)
    return value


def difference(ours: list[dict], theirs: list[dict], keys: list[tuple[str, bool]]) -> str:
    """'' when networkx's rows are techgraph's (same multiset; same order of sort keys), else what differs."""
    columns = [c for c in (ours[0] if ours else theirs[0] if theirs else {}) if c not in NOT_COMPARED]
    a = Counter(tuple(canonical(r.get(c), c) for c in columns) for r in ours)
    b = Counter(tuple(canonical(r.get(c), c) for c in columns) for r in theirs)
    if a != b:
        ours_only, theirs_only = a - b, b - a
        return (f"rows differ: {sum(ours_only.values())} only techgraph's {list(ours_only)[:1]}, "
                f"{sum(theirs_only.values())} only networkx's {list(theirs_only)[:1]}")
    sequence = [tuple(r[c] for c, _ in keys) for r in ours]
    if sequence != [tuple(r[c] for c, _ in keys) for r in theirs]:
        return "same rows, another order"
    return ""


def python_answer(ix: Index, q, given: dict) -> Callable[[], list[dict]]:
    """The networkx side of one stored query, entity resolution and ordering included."""
    keys, fn = order_by(q.cypher), PYTHON[q.name]

    def run() -> list[dict]:
        values = q.coerce(given)
        for name, parameter in q.parameters.items():
            if parameter.type == "entity":
                values[name] = ix.resolve(values[name], parameter.label)
        return ordered(fn(ix, values), keys)

    return run


def measure_size(size: str, work: Path, runs: int, remote=None, queries: bool = True, questions_too: bool = True,
                 only: set[str] | None = None) -> list[dict]:
    """Every stored query at one size (those named in ``only``, if given): techgraph, networkx (and ``remote`` Neo4j
    settings) side by side."""
    folder = work / f"syn-{size}-seed6"
    if not (folder / "relations.jsonl").is_file():
        generate(parse_size(size), folder, 6)
    db = work / f"db-{size}"
    graph.load(db, [folder])  # a no-op when the current build is of these files
    began = time.perf_counter()
    g_nx = load_graph(data_folders([folder]))
    ix = Index(g_nx)
    print(f"[{size}] networkx graph and indexes: {time.perf_counter() - began:.1f} s (not timed below)", file=sys.stderr)
    overrides = realistic_params(folder)
    results = []
    with graph.open(db, data=[folder]) as g:
        if remote is not None:
            g.push(remote, replace=True)
        far = graph.open(neo4j=remote) if remote is not None else None
        for q in g.queries() if queries else []:
            if only is not None and q.name not in only:
                continue
            given = {**q.example, **overrides.get(q.name, {})}
            ours_ms, ours = p50(lambda q=q, given=given: g.query(q.name, **given), runs)
            theirs_ms, theirs = p50(python_answer(ix, q, given), runs)
            result = {"query": q.name, "rows": len(ours), "techgraph": ours_ms, "networkx": theirs_ms,
                      "difference": difference(list(ours), theirs, order_by(q.cypher))}
            if far is not None:
                result["neo4j"], far_rows = p50(lambda q=q, given=given: far.query(q.name, **given), runs)
                if len(far_rows) != len(ours):
                    result["difference"] += f" Neo4j: {len(far_rows)} rows"
            results.append(result)
            print(f"[{size}] {q.name}: {ours_ms:.1f} ms / {theirs_ms:.1f} ms {result['difference']}", file=sys.stderr)
        if far is not None:
            far.close()
    if questions_too:
        report_questions(size, questions(size, work, runs, g_nx, ix))
    return results


def deepest(ix: Index) -> str:
    """The company or app with the most owners within the ownership depth above it."""
    def above(n: str) -> int:
        seen, frontier = {n}, {n}
        for _ in range(6):
            frontier = {u for v in frontier for u, _ in ix.inn["OWNS"].get(v, ())} - seen
            seen |= frontier
        return len(seen)

    return max(sorted(ix.inn["OWNS"]), key=above)


def nx_show(ix: Index, n: str) -> dict:
    edge = lambda kind, other, r: {"relation": kind, "properties": r, "label": ix.node[other]["label"], "id": other,  # noqa: E731
                                   "name": ix.node[other]["name"]}
    return {**ix.node[n], "outgoing": sorted((edge(*e) for e in ix.all_out.get(n, ())), key=lambda e: (e["relation"], e["name"])),
            "incoming": sorted((edge(*e) for e in ix.all_in.get(n, ())), key=lambda e: (e["relation"], e["name"]))}


def questions(size: str, work: Path, runs: int, g_nx, ix: Index) -> list[dict]:
    """exposure, chains, show and open: techgraph against the same rule on the whole networkx graph."""
    from graph.analysis.chains import chains
    from graph.analysis.ownership import exposure

    db, folder = work / f"db-{size}", work / f"syn-{size}-seed6"
    day, results, schema = "2021-06-01", [], load_schema()
    with graph.open(db, data=[folder]) as g:
        for entity in (deepest(ix), "tencent", "wechat"):
            ours_ms, ours = p50(lambda e=entity: g.exposure(e, day), runs)
            theirs_ms, theirs = p50(lambda e=entity: exposure(g_nx, e, day, schema).as_dict(), runs)
            results.append({"question": f"exposure {entity}", "techgraph": ours_ms, "networkx": theirs_ms,
                            "same": ours == theirs})
            ours_ms, ours = p50(lambda e=entity: g.show(e), runs)
            theirs_ms, theirs = p50(lambda e=entity: nx_show(ix, e), runs)
            edges = [len(p["incoming"]) + len(p["outgoing"]) for p in (ours, theirs)]
            results.append({"question": f"show {entity}", "techgraph": ours_ms, "networkx": theirs_ms,
                            "same": edges[0] == edges[1]})
        ours_ms, ours = p50(g.chains, runs)
        keys = [("first_announced", False), ("last_announced", False), ("last_id", False), ("first_id", False), ("steps", False)]
        def nx_chains() -> list[dict]:
            rows = ordered(retaliation_chains(ix, {}), keys)
            on = {m for row in rows for m in row["chain"]}
            return chains(rows, {m: {"name": ix.node[m]["name"], "announced": ix.node[m].get("announced")} for m in on},
                          ix.issuer_names)  # fmt: skip

        theirs_ms, theirs = p50(nx_chains, runs)
        results.append({"question": f"chains ({len(ours)})", "techgraph": ours_ms, "networkx": theirs_ms,
                        "same": sorted(map(repr, ours)) == sorted(map(repr, theirs))})
    open_ms, _ = p50(lambda: graph.open(db, data=[folder]).close(), runs)
    results.append({"question": "open + close", "techgraph": open_ms, "networkx": float("nan"), "same": True})
    return results


def report_questions(size: str, results: list[dict]) -> None:
    print(f"\n{size}: p50 ms; goal: techgraph <= 50 ms")
    for r in results:
        goal = "met" if r["techgraph"] <= 50 and r["same"] else "missed"
        print(f"{r['question']:36} {r['techgraph']:>10.2f} {r['networkx']:>10.2f} {r['techgraph'] / r['networkx']:>7.2f}x  {goal}"
              + ("" if r["same"] else "  (answers differ)"))


def report(size: str, results: list[dict]) -> None:
    neo4j = any("neo4j" in r for r in results)
    print(f"\n{size}: p50 ms (one warm-up, then the runs); goal: techgraph <= networkx and < Neo4j")
    head = f"{'query':36} {'rows':>6} {'techgraph':>10} {'networkx':>9} {'tg/nx':>7}"
    print(head + (f" {'Neo4j':>9} {'tg/Neo4j':>9}" if neo4j else "") + "  goal")
    met = 0
    for r in results:
        goal = r["techgraph"] <= r["networkx"] and (not neo4j or r["techgraph"] < r["neo4j"]) and not r["difference"]
        met += goal
        ours, theirs = r["techgraph"], r["networkx"]
        line = f"{r['query']:36} {r['rows']:>6} {ours:>10.2f} {theirs:>9.2f} {ours / theirs:>6.2f}x"
        if neo4j:
            line += f" {r['neo4j']:>9.2f} {r['techgraph'] / r['neo4j']:>8.2f}x"
        print(line + ("  met" if goal else "  missed") + (f"  ({r['difference']})" if r["difference"] else ""))
    print(f"{size}: {met} of {len(results)} stored queries meet the goal" + ("" if neo4j else " (networkx only; no --neo4j)"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated relation counts (10k, 100k, 1m)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query and side")
    parser.add_argument("--work", type=Path, default=Path("/tmp/techgraph-bench"), help="generated data and databases")
    parser.add_argument("--neo4j", action="store_true", help="also push into a Neo4j 5.26 (neo4j/server/) and time it")
    parser.add_argument("--heap", default="2g", help="Neo4j's JVM heap (-Xmx), with --neo4j")
    parser.add_argument("--only-questions", action="store_true", help="exposure, chains, show and open only")
    parser.add_argument("--queries", help="comma-separated stored queries to time (default: all)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    server = None
    if args.neo4j:
        from tests.neo4j_server import start, unavailable

        problem = unavailable()
        if problem:
            sys.exit(problem)
        server = start(args.work / "neo4j", heap=args.heap)
    try:
        for size in args.sizes.split(","):
            results = measure_size(size, args.work, args.runs, server.settings if server else None, not args.only_questions,
                                   only=set(args.queries.split(",")) if args.queries else None)
            if results:
                report(size, results)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
