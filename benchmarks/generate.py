"""A seeded generator of realistic tech-conflict graphs, as a techgraph data folder.

Writes JSON-lines files (``nodes.jsonl`` then ``relations.jsonl``, one ``{kind: record}``
per line) that validate
against ``data/schema.yaml`` and are meant to be loaded *beside* the shipped
data: every id starts with ``syn-``, and the graph links into shipped nodes
(synthetic bodies are part of ``us`` and ``prc``; some synthetic ownership trees
hang below ``tencent``, ``bytedance``, ``alibaba`` and ``huawei``, so "measures
hitting Tencent and its subsidiaries" becomes a question over the whole graph).

What it makes, for ``E`` relations (exactly ``E``, the shipped data excluded):

- governments: bodies of the US and China, ``PART_OF`` their state or a larger body;
- officials holding offices (``HOLDS_OFFICE``) in bodies and companies;
- companies in ownership trees up to 6 levels deep (``OWNS`` with shares), some
  owned by a state body (state-owned) or a person; apps owned by companies;
- measures with dates, issued by a body of one side (``ISSUED``, sometimes
  ``SIGNED``), hitting companies, officials and apps of the other side
  (``SANCTIONS``, heavy-tailed: entity listings hit dozens); answers to earlier
  measures of the other side (``RETALIATES_AGAINST``, forming chains), measures
  that implement or amend earlier ones of their own side;
- a few deals (``PARTY_TO``, ``RESPONDS_TO``); supply links (``SUPPLIES``) fill
  the count up to ``E``.

Usage::

    python benchmarks/generate.py --edges 100k --out /tmp/syn-100k [--seed 6]
    python -m graph check /tmp/syn-100k
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from pathlib import Path

SIZES = {"k": 1_000, "m": 1_000_000}
MAX_DEPTH = 6
SHIPPED_PARENTS = ["tencent", "bytedance", "alibaba", "huawei"]  # shipped companies with synthetic subsidiaries
SIDES = {
    "US": {"state": "us", "issuers": ["us-commerce", "us-bis", "us-treasury", "us-ofac", "us-fcc", "us-state", "us-dod"]},
    "CN": {"state": "prc", "issuers": ["cn-mofcom", "cn-mfa", "cn-state-council", "cn-cac"]},
}
US_KINDS = ["entity-listing"] * 5 + ["designation"] * 4 + ["executive-order", "app-ban", "investment-ban", "delisting",
            "equipment-authorisation-ban", "transaction-prohibition", "denial-order", "visa-restriction", "tariff"]
CN_KINDS = ["counter-sanction"] * 6 + ["list-provision"] * 2 + ["visa-restriction", "investigation", "regulation",
            "cybersecurity-review", "law"]
BODY_KINDS = ["ministry", "agency", "agency", "commission", "executive", "regional-government", "court"]
SYLLABLES = ["hua", "xin", "zhong", "tong", "da", "hai", "tian", "long", "feng", "jin", "kang", "rui", "sheng",
             "wei", "xun", "yuan", "an", "bo", "chen", "guang", "hong", "ming", "ping", "tai", "xing", "yi"]
US_WORDS = ["Apex", "Liberty", "Summit", "Harbor", "Pioneer", "Eagle", "Granite", "Beacon", "Frontier", "Cascade",
            "Sterling", "Atlas", "Keystone", "Redwood", "Union", "Capitol", "Meridian", "Prairie", "Lakeside", "Cobalt"]
SECTORS = ["Technology", "Semiconductor", "Telecommunications", "Electronics", "Software", "Networks", "Robotics",
           "Optics", "Aerospace", "Data", "Cloud", "Materials", "Precision Instruments", "Microelectronics"]
CITIES = ["Shenzhen", "Beijing", "Shanghai", "Hangzhou", "Chengdu", "Wuhan", "Nanjing", "Xi'an", "Suzhou", "Hefei"]
SURNAMES_CN = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu"]
SURNAMES_US = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Moore", "Taylor"]
GIVEN_US = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Susan"]
ROLES_GOV = ["Minister", "Deputy Minister", "Director", "Deputy Director", "Commissioner", "Secretary", "Chair"]
ROLES_CO = ["Chief Executive Officer", "Chairman", "Director", "Chief Technology Officer", "President"]
LEGAL = {"US": ["IEEPA", "Export Control Reform Act of 2018", "Secure Equipment Act of 2021", "Section 1260H NDAA FY2021",
                "EO 13959", "Export Administration Regulations"],
         "CN": ["Anti-Foreign Sanctions Law", "Unreliable Entity List Provisions", "Export Control Law",
                "Foreign Trade Law"]}
START, END = datetime.date(2017, 1, 1), datetime.date(2024, 12, 31)


def parse_size(text: str) -> int:
    """``10k`` -> 10000, ``1m`` -> 1000000, ``2500`` -> 2500."""
    text = text.strip().lower()
    if text[-1:] in SIZES:
        return int(float(text[:-1]) * SIZES[text[-1]])
    return int(text)


class Generator:
    """Builds the records in memory (one dict per line) and writes them out."""

    def __init__(self, edges: int, seed: int):
        self.target = edges
        self.r = random.Random(seed)
        self.nodes: list[tuple[str, dict]] = []
        self.relations: list[tuple[str, dict]] = []
        self.keys: set[tuple[str, str, str]] = set()
        self.counter = 0

    # -- helpers ---------------------------------------------------------------------------------
    def uid(self, kind: str) -> str:
        self.counter += 1
        return f"syn-{kind}-{self.counter}"

    def source(self, kind: str, ident: str) -> list[str]:
        return [f"https://example.org/syn/{kind}/{ident.removeprefix('syn-')}"]

    def day(self, low: datetime.date = START, high: datetime.date = END) -> datetime.date:
        return low + datetime.timedelta(days=self.r.randint(0, max(0, (high - low).days)))

    def node(self, label: str, **fields) -> str:
        ident = fields.setdefault("id", self.uid(label.lower()))
        fields.setdefault("sources", self.source(label.lower(), ident))
        self.nodes.append((label, fields))
        return ident

    def rel(self, kind: str, source: str, target: str, **fields) -> bool:
        """Add a relation unless one of that type already joins the two (keys stay unique)."""
        if (kind, source, target) in self.keys or source == target:
            return False
        self.keys.add((kind, source, target))
        fields.setdefault("sources", [f"https://example.org/syn/{kind.lower()}/{len(self.relations)}"])
        self.relations.append((kind, {"from": source, "to": target, **fields}))
        return True

    def cn_name(self) -> str:
        word = "".join(self.r.choice(SYLLABLES).capitalize() if i == 0 else self.r.choice(SYLLABLES) for i in range(2))
        return f"{self.r.choice(CITIES)} {word} {self.r.choice(SECTORS)} Co., Ltd."

    def us_name(self) -> str:
        return f"{self.r.choice(US_WORDS)} {self.r.choice(SECTORS)} {self.r.choice(['Inc.', 'LLC', 'Corporation'])}"

    # -- the graph -------------------------------------------------------------------------------
    def generate(self) -> None:
        e = self.target
        r = self.r
        # Governments: bodies under the two states, sometimes under another body.
        bodies = {"US": list(SIDES["US"]["issuers"]), "CN": list(SIDES["CN"]["issuers"])}
        for side in ("US", "CN"):
            for _ in range(max(3, e // 1500)):
                parent = r.choice([SIDES[side]["state"], *bodies[side]])
                ident = self.node("Government",
                                  name=f"Synthetic {r.choice(SECTORS)} "
                                       f"{r.choice(['Bureau', 'Office', 'Agency', 'Commission'])} {self.counter + 1}",
                                  country=side, kind=r.choice(BODY_KINDS))
                self.rel("PART_OF", ident, parent)
                bodies[side].append(ident)
        # Officials: offices in bodies (and, below, in companies).
        officials = {"US": [], "CN": []}
        for _ in range(max(10, e // 30)):
            side = "CN" if r.random() < 0.6 else "US"
            name = (f"{r.choice(SURNAMES_CN)} {r.choice(SYLLABLES).capitalize()}{r.choice(SYLLABLES)}" if side == "CN"
                    else f"{r.choice(GIVEN_US)} {r.choice(SURNAMES_US)}")
            ident = self.node("Official", name=f"{name} {self.counter + 1}", country=side, role=r.choice(ROLES_GOV))
            officials[side].append(ident)
            self.rel("HOLDS_OFFICE", ident, r.choice(bodies[side]), role=r.choice(ROLES_GOV), since=self.day().isoformat())
        # Companies in ownership trees (depth <= 6), apps owned by companies.
        companies = {"US": [], "CN": []}
        apps = {"US": [], "CN": []}
        n_companies = max(30, e // 4)
        made = 0
        while made < n_companies:
            side = "CN" if r.random() < 0.7 else "US"
            size = min(n_companies - made, 1 + int(r.paretovariate(1.2)) * (3 if r.random() < 0.3 else 1))
            size = min(size, 400)
            root = self.node("Company", name=self.cn_name() if side == "CN" else self.us_name(), country=side)
            made += 1
            tree = [(root, 0)]
            depth_of_root = 0
            if side == "CN" and r.random() < 0.02:  # a shipped conglomerate owns this tree
                self.rel("OWNS", r.choice(SHIPPED_PARENTS), root, share=round(r.uniform(20, 100), 1),
                         since=self.day().isoformat())
                depth_of_root = 1
            elif side == "CN" and r.random() < 0.1:
                self.rel("OWNS", r.choice(bodies["CN"]), root, share=round(r.uniform(30, 100), 1))
            elif r.random() < 0.03:
                self.rel("OWNS", r.choice(officials[side]), root, share=round(r.uniform(5, 60), 1))
            deep = r.random() < 0.2  # some trees grow as chains, reaching depth 6
            for _ in range(size - 1):
                candidates = [t for t in tree if t[1] + depth_of_root < MAX_DEPTH]
                parent, depth = max(candidates, key=lambda t: t[1]) if deep else r.choice(candidates)
                child = self.node("Company", name=self.cn_name() if side == "CN" else self.us_name(), country=side)
                self.rel("OWNS", parent, child, share=round(r.choice([100, 100, 51, r.uniform(1, 100)]), 1))
                tree.append((child, depth + 1))
                made += 1
            companies[side] += [c for c, _ in tree]
            if r.random() < 0.35:  # apps of the tree's companies
                for _ in range(1 + int(r.paretovariate(2))):
                    owner = r.choice(tree)[0]
                    app = self.node("App",
                                    name=f"{r.choice(SYLLABLES).capitalize()}{r.choice(SYLLABLES)} "
                                         f"{r.choice(['Chat', 'Pay', 'Video', 'Maps', 'Cloud', 'Mail'])}",
                                    country=side)
                    self.rel("OWNS", owner, app, share=100.0)
                    apps[side].append(app)
        for side in ("US", "CN"):  # executives
            for company in r.sample(companies[side], k=len(companies[side]) // 8):
                self.rel("HOLDS_OFFICE", r.choice(officials[side]), company, role=r.choice(ROLES_CO))
        # Measures: issued by a body of one side, hitting the other side.
        measures = {"US": [], "CN": []}
        dates: dict[str, datetime.date] = {}
        for _ in range(max(20, e // 25)):
            side = "US" if r.random() < 0.65 else "CN"
            other = "CN" if side == "US" else "US"
            kind = r.choice(US_KINDS if side == "US" else CN_KINDS)
            announced = self.day()
            fields = {"name": f"Synthetic {kind.replace('-', ' ')} {self.counter + 1}", "kind": kind,
                      "announced": announced.isoformat()}
            if r.random() < 0.7:
                fields["effective"] = (announced + datetime.timedelta(days=r.randint(0, 90))).isoformat()
            if r.random() < 0.1:
                fields["ended"] = self.day(
                    announced + datetime.timedelta(days=100), END + datetime.timedelta(days=400)
                ).isoformat()
            if r.random() < 0.6:
                fields["legal_basis"] = r.choice(LEGAL[side])
            if r.random() < 0.5:
                fields["citation"] = (
                    f"{r.randint(82, 89)} FR {r.randint(1000, 99999)}" if side == "US"
                    else f"MOFCOM {announced.year} No. {r.randint(1, 99)}"
                )
            ident = self.node("Measure", **fields)
            measures[side].append(ident)
            dates[ident] = announced
            self.rel("ISSUED", r.choice(bodies[side]), ident, since=announced.isoformat())
            if r.random() < 0.15:
                self.rel("ISSUED", r.choice(bodies[side]), ident)
            if r.random() < 0.5:
                self.rel("SIGNED", r.choice(officials[side]), ident)
            hits = 1 + int(r.paretovariate(1.05)) if kind != "entity-listing" else r.randint(10, 80)
            for _ in range(min(hits, 200)):
                pool = r.choices([companies[other], officials[other], apps[other]], weights=[70, 22, 8])[0] or companies[other]
                self.rel("SANCTIONS", ident, r.choice(pool), since=fields.get("effective", announced.isoformat()))
        # Links between measures: answers to the other side, implementations and amendments of one's own.
        for side, other in (("US", "CN"), ("CN", "US")):
            earlier = sorted(measures[other], key=dates.get)
            for m in measures[side]:
                if r.random() < (0.45 if side == "CN" else 0.12):
                    before = [x for x in r.sample(earlier, k=min(8, len(earlier))) if dates[x] <= dates[m]]
                    if before:
                        self.rel("RETALIATES_AGAINST", m, max(before, key=dates.get))
                own = r.sample(measures[side], k=min(4, len(measures[side])))
                own = [x for x in own if dates[x] < dates[m]]
                if own and r.random() < 0.15:
                    self.rel(r.choice(["IMPLEMENTS", "IMPLEMENTS", "AMENDS"]), m, own[0])
                if own and r.random() < 0.01:
                    self.rel("PART_OF", m, own[-1])
            for m in r.sample(measures[side], k=len(measures[side]) // 50):
                self.rel("ADDRESSED_TO", m, r.choice(bodies[other]))
        # Deals forced by measures.
        for _ in range(max(2, e // 2000)):
            deal = self.node("Deal", name=f"Synthetic deal {self.counter + 1}",
                             kind=r.choice(["acquisition", "partnership", "investment", "settlement"]),
                             status=r.choice(["proposed", "agreed", "completed", "abandoned", "blocked"]),
                             announced=self.day().isoformat())
            self.rel("PARTY_TO", r.choice(companies["CN"]), deal, role="seller")
            self.rel("PARTY_TO", r.choice(companies["US"] or companies["CN"]), deal, role="buyer")
            self.rel("PARTY_TO", r.choice(bodies["US"]), deal, role="approver")
            self.rel("RESPONDS_TO", deal, r.choice(measures["US"]))
        # Supply links fill up to exactly the requested count.
        everyone = companies["US"] + companies["CN"]
        if len(self.relations) > e:
            raise SystemExit(f"generated {len(self.relations)} relations before supply links, more than {e}: size too small")
        while len(self.relations) < e:
            self.rel("SUPPLIES", r.choice(everyone), r.choice(everyone))

    def write(self, out: Path) -> dict[str, int]:
        """One JSON-lines record per line, keyed by its kind: nodes.jsonl, then relations.jsonl."""
        out.mkdir(parents=True, exist_ok=True)
        for stale in [*out.glob("*.jsonl"), *out.glob("*.yaml")]:
            stale.unlink()
        nodes = ({label: fields} for label, fields in self.nodes)
        relations = ({kind: fields} for kind, fields in self.relations)
        for name, records in (("nodes.jsonl", nodes), ("relations.jsonl", relations)):
            with open(out / name, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in records)
        return {"nodes": len(self.nodes), "relations": len(self.relations)}


def generate(edges: int, out: Path | str, seed: int = 6) -> dict[str, int]:
    """Write a synthetic data folder of ``edges`` relations to ``out``; return the counts."""
    generator = Generator(edges, seed)
    generator.generate()
    return generator.write(Path(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", required=True, help="relation count: 10k, 100k, 1m or a number")
    parser.add_argument("--out", required=True, type=Path, help="data folder to write")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    counts = generate(parse_size(args.edges), args.out, args.seed)
    print(f"{args.out}: {counts['nodes']} nodes, {counts['relations']} relations", file=sys.stderr)


if __name__ == "__main__":
    main()
