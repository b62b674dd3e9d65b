"""Neo4j Browser assets, derived from the schema and the stored queries.

``guide.html`` is a Browser guide (``:play``) that explains the model and offers
every stored query as a click-to-run block; ``techgraph.grass`` gives each label
a colour and a caption. docker-compose serves both to the Browser, which loads
them on connect. ``techgraph neo4j-assets`` regenerates them.

>>> from graph.model.schema import load_schema
>>> "node.Measure {" in style_grass(load_schema())
True
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from graph.cypher.stored import NAME_MATCH, StoredQuery
from graph.errors import DataError
from graph.model.schema import Schema
from graph.model.style import FALLBACK, PALETTE
from graph.paths import out_folder
from graph.text import shown


def style_grass(schema: Schema) -> str:
    """GraSS for Neo4j Browser: label colours, name captions, relationship type captions."""
    lines = ["node {", "  diameter: 50px;", "  color: #A5ABB6;", "  border-width: 2px;", "  caption: '{name}';", "}", ""]
    for index, label in enumerate(schema.nodes):
        colour = PALETTE.get(label, FALLBACK[index % len(FALLBACK)])
        size = "65px" if label == "Measure" else "55px"
        lines += [
            f"node.{label} {{",
            f"  color: {colour};",
            f"  border-color: {colour};",
            "  text-color-internal: #FFFFFF;",
            f"  diameter: {size};",
            "  caption: '{name}';",
            "}",
            "",
        ]
    lines += ["relationship {", "  color: #A5ABB6;", "  shaft-width: 1px;", "  caption: '<type>';", "}", ""]
    return "\n".join(lines)


def _plain_param(name: str, value: object) -> str:
    # `:param x => literal`, one line per parameter: the server evaluates the literal, so 10 stays the
    # integer LIMIT needs (`:params {limit: 10}` is parsed by the Browser into the float 10.0), and
    # the other parameters stay set (`:params {...}` replaces them all). JSON strings are Cypher strings.
    return f":param {name} => {json.dumps(value, ensure_ascii=False)}"


def _entity_param(name: str, value: str) -> str:
    # `:param x => expression` is evaluated by the server: the ids of the nodes the name names, as techgraph resolves them.
    key = f"toLower({json.dumps(value, ensure_ascii=False)})"
    return f":param {name} => COLLECT {{ MATCH (n) WHERE {NAME_MATCH.format(key=key)} RETURN n.id }}"


def _slide(title: str, body: str) -> str:
    return (
        f'    <slide class="row-fluid">\n      <div class="col-sm-12">\n        <h3>{html.escape(title)}</h3>\n'
        f"{body}\n      </div>\n    </slide>"
    )


def _runnable(code: str) -> str:
    return f'        <pre class="pre-scrollable code runnable">{html.escape(code)}</pre>'


def guide_html(schema: Schema, queries: list[StoredQuery]) -> str:
    """The Browser guide: the model, then one slide per stored query with runnable blocks."""
    labels = "".join(
        f'<li><span style="color:{PALETTE.get(label, FALLBACK[0])}">&#9679;</span> <b>{label}</b>: '
        f"{html.escape(node.description)}</li>"
        for label, node in schema.nodes.items()
    )
    relations = "".join(
        f"<li><code>{rel_type}</code> ({', '.join(f'{a}&#8594;{b}' for a, b in rel.pairs)}): {html.escape(rel.description)}</li>"
        for rel_type, rel in schema.relations.items()
    )
    slides = [
        _slide(
            "techgraph: the US–China technology conflict as a graph",
            "        <p>Who did what to whom: measures (orders, listings, bans, counter-sanctions) and the governments,"
            " officials, companies and apps they hit, with ownership and retaliation. Every node and relationship"
            " carries its <code>sources</code>.</p>\n"
            f"        <p>Node labels:</p>\n        <ul>{labels}</ul>\n"
            + _runnable("MATCH (m:Measure)-[r:RETALIATES_AGAINST]->(a:Measure) RETURN m, r, a"),
        ),
        _slide("Relationship types", f"        <ul>{relations}</ul>"),
    ]
    for q in queries:
        blocks = [f"        <p>{html.escape(q.description)}</p>"]
        if q.parameters:
            blocks.append("        <p>Set the parameters (edit and run again to ask about something else):</p>")
            blocks += [
                _runnable(_entity_param(k, v) if q.parameters[k].type == "entity" else _plain_param(k, v))
                for k, v in q.example.items()
            ]
        blocks.append(_runnable(q.cypher))
        blocks.append(f"        <p>Same question on the command line: <code>techgraph query {q.name} --backend neo4j</code></p>")
        slides.append(_slide(q.title, "\n".join(blocks)))
    return (
        '<article class="guide">\n  <carousel class="deck container-fluid">\n'
        + "\n".join(slides)
        + "\n  </carousel>\n</article>\n"
    )


def write_assets(folder: Path, schema: Schema, queries: list[StoredQuery]) -> list[Path]:
    """Write guide.html and techgraph.grass into folder; return their paths.

    Each file is written under a temporary name and renamed into place: a folder that cannot
    be written (read-only, a full disk) raises DataError, one that cannot be a folder (a file is
    in the way) QueryError, one line naming it; the files there before are left as they were.
    """
    folder = out_folder(folder)
    files = (("guide.html", guide_html(schema, queries)), ("techgraph.grass", style_grass(schema)))
    written = []
    for name, text in files:
        temporary = folder / f".{name}.{os.getpid()}.tmp"
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, folder / name)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise DataError(f"{shown(folder / name)}: cannot write: {exc.strerror}") from None
        written.append(folder / name)
    return written
