"""Benchmark: entity resolution on the complete published lists, scored against the lists' own identifiers.

Imports every list of a folder laid out as the workspace's ``realdata-full``
(the lists of ``real_lists.py``, in the same order) into the shipped graph, in
memory, through the importer itself (:class:`graph.lists.contribution.Importer`),
with every identifier hidden from the resolver: ``ofac:``, ``uscc:``, ``lei:`` and the
rest are dropped before resolution, and record ids (OFAC's are its numbers) are
replaced by opaque ones, each still telling the records of its own list apart. The ground truth is what those hidden OFAC
entity numbers say: records of sdn.csv, the consolidated list and the CSL's SDN,
SSI, CMIC, PLC ... rows that carry the same number are one party. Prints the
precision and recall of same-party pairs (two records on one node), the nodes
holding two distinct numbers (the goal is none), the worst false merges and a
sample of missed pairs. Run from the repository::

    python benchmarks/resolution.py ../shared/realdata-full
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_lists import LISTS  # noqa: E402


def hidden(items, list_name: str, truth: dict[str, str], names: dict[str, str], hide: bool = True):
    """The list's items with identifiers dropped from every Entity and record ids made opaque (unless not
    ``hide``: OFAC's record ids are its numbers); their OFAC numbers go to ``truth``."""
    from graph.lists.formats.base import Entity, Listing, Ownership

    def opaque(record: str) -> str:
        return hashlib.sha1(f"{list_name}:{record}".encode()).hexdigest()[:12] if hide else record

    for item in items:
        if isinstance(item, Entity):
            item.record = opaque(item.record)
            record = f"{list_name}:{item.record}"
            numbers = [i.split(":", 1)[1] for i in item.identifiers if i.startswith("ofac:")]
            if numbers:
                truth[record] = numbers[0]
            names[record] = item.name
            if hide:
                item.identifiers = []
        elif isinstance(item, Listing):
            item.record = opaque(item.record)
        elif isinstance(item, Ownership):
            item.owned = opaque(item.owned)
            item.owner = item.owner if item.owner_is_name else opaque(item.owner)
        yield item


def cause(g, a: str, b: str, name_a: str, name_b: str) -> str:
    """Why two nodes of one party stayed apart, in words: same or different names, and their countries."""
    from graph.lists.names import name_key
    from graph.lists.resolve import jurisdiction

    person = g.nodes[a]["label"] == "Official"
    names = "same name" if name_key(name_a, person) == name_key(name_b, person) else "other names"
    countries = [jurisdiction(g.nodes[n].get("country")) for n in (a, b)]
    where = "countries differ" if all(countries) and countries[0] != countries[1] else (
        "a country missing" if not all(countries) else "same country")
    return f"{g.nodes[a]['label']}, {names}, {where}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder of complete lists")
    parser.add_argument("--worst", type=int, default=15, help="how many false merges and missed pairs to print")
    parser.add_argument("--show-identifiers", action="store_true", help="let the resolver see identifiers, as a real import")
    args = parser.parse_args()
    from graph.dataset.network import load_graph
    from graph.lists.contribution import Contribution, ImportReport
    from graph.lists.formats import list_format
    from graph.lists.importer import Importer
    from graph.model.schema import load_schema

    started = time.perf_counter()
    g, schema = load_graph(), load_schema()
    truth: dict[str, str] = {}  # "list:record" -> OFAC entity number
    names: dict[str, str] = {}
    imported = []
    for fmt, main_file, sides, edition in LISTS:
        declared = list_format(fmt)
        report = ImportReport(declared.name, edition)
        importer = Importer(Contribution(g, schema), declared.name, edition, report, skip_bad=True)
        items = declared.read(args.folder / main_file, **{role: args.folder / name for role, name in sides.items()})
        for item in hidden(items, declared.name, truth, names, hide=not args.show_identifiers):
            importer.take(item)
        importer.finish(partial=False)
        imported.append(declared.name)
        print(f"{fmt:<20} entities {report.entities:>6}  new {report.new_nodes:>6}  merged {report.merged:>6}  "
              f"skipped {len(report.skipped):>4}")
        for bad in report.skipped[:3]:
            print(f"    skipped {bad.where}: {bad.reason}")
    seconds = time.perf_counter() - started

    node_records: dict[str, list[str]] = defaultdict(list)
    for node, data in g.nodes(data=True):
        for identifier in data.get("identifiers") or []:
            if identifier in truth:
                node_records[node].append(identifier)
    groups: dict[str, list[str]] = defaultdict(list)
    for record, number in truth.items():
        groups[number].append(record)
    same_party = sum(len(records) * (len(records) - 1) // 2 for records in groups.values())
    merged = true = 0
    false_nodes: list[tuple[int, str]] = []
    for node, records in node_records.items():
        pairs = list(itertools.combinations(records, 2))
        merged += len(pairs)
        good = sum(1 for a, b in pairs if truth[a] == truth[b])
        true += good
        if good < len(pairs):
            false_nodes.append((len({truth[r] for r in records}), node))
    precision = true / merged if merged else 1.0
    recall = true / same_party if same_party else 1.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nlabelled records {len(truth):,} (OFAC numbers {len(groups):,}); same-party pairs {same_party:,}; "
          f"merged labelled pairs {merged:,}; {seconds:.1f} s, peak {peak:.0f} MB")
    print(f"precision {precision:.2%}   recall {recall:.2%}   nodes holding two distinct OFAC numbers: {len(false_nodes)}")
    where = {record: node for node, records in node_records.items() for record in records}
    split = sum(1 for records in groups.values() if len({where.get(r) for r in records}) > 1)
    folded: dict[str, set[str]] = defaultdict(set)
    for node, data in g.nodes(data=True):
        if data["label"] in ("Company", "Official", "Government", "App"):
            folded[f"{data['label']} " + re.sub(r"[\W_]+", "", data["name"].casefold())].add(node)
    variants = [sorted(nodes) for nodes in folded.values() if len(nodes) > 1]
    print(f"OFAC numbers on two nodes or more: {split}; groups of nodes whose names differ only in case or "
          f"punctuation: {len(variants)}")
    for nodes in variants[: args.worst]:
        print("  " + "; ".join(f"{n} ({g.nodes[n].get('country') or '-'}, {g.nodes[n]['merges'][0].split(' | ')[0]})"
                               if g.nodes[n].get("merges") else n for n in nodes))
    print("\nworst false merges (distinct numbers on one node):")
    for count, node in sorted(false_nodes, reverse=True)[: args.worst]:
        shown = "; ".join(f"{r} {names[r]!r} (ofac {truth[r]})" for r in node_records[node])
        print(f"  {node} [{count} numbers]: {shown}")
        for entry in (g.nodes[node].get("merges") or [])[:4]:
            print(f"      {entry}")
    pairs = (pair for records in groups.values() for pair in itertools.combinations(records, 2))
    missed = [(a, b) for a, b in pairs if where.get(a) != where.get(b)]
    by_lists = Counter(tuple(sorted(r.split(":", 1)[0] for r in pair)) for pair in missed)
    print(f"\nmissed pairs {len(missed):,}, by lists: {dict(by_lists)}")
    print(f"missed pairs by cause: {dict(Counter(cause(g, where[a], where[b], names[a], names[b]) for a, b in missed))}")
    for a, b in missed[: args.worst]:
        reason = next((m.split(" | ")[-1] for m in g.nodes[where[b]].get("merges") or [] if m.startswith(b + " |")), "?")
        print(f"  {a} {names[a]!r} / {b} {names[b]!r}: {reason}")


if __name__ == "__main__":
    main()
