"""Asking the graph: stored queries, Cypher, an entity's profile, counts and the model."""

from __future__ import annotations

import json
from typing import Any

import click

import graph
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cli.common import (
    FORMATS,
    TABLE_OR_JSON,
    Context,
    TechgraphClickError,
    backend_options,
    click_error,
    parse_params,
    report,
    run,
)
from graph.cli.output import cell, emit
from graph.errors import QueryTimeout, TechgraphError

DEFAULT_TIMEOUT = 60.0
TIMEOUT_EXIT = 3
TIMEOUT = click.option(
    "--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True, envvar="TECHGRAPH_TIMEOUT",
    metavar="SECONDS", help=f"Stop the query after SECONDS, 0 for no limit [env TECHGRAPH_TIMEOUT]; exit {TIMEOUT_EXIT}.",
)


class TimeoutClickError(TechgraphClickError):
    """A query stopped by --timeout, shown as one line: an exit code of its own."""

    exit_code = TIMEOUT_EXIT


def _bounded(function, *args, **kwargs):
    """:func:`run`, with a :class:`QueryTimeout` exiting ``TIMEOUT_EXIT``."""
    try:
        return function(*args, **kwargs)
    except QueryTimeout as error:
        raise TimeoutClickError(error) from None
    except TechgraphError as error:
        raise click_error(error) from None


@click.command("queries")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def queries_command(obj: Context, fmt: str) -> None:
    """List the stored questions with their parameters and an example.

    Example:

        techgraph queries --format json
    """
    stored = run(graph.api.load_queries)
    rows = graph.Rows(
        ["name", "title", "parameters", "example"],
        [
            {
                "name": q.name,
                "title": q.title,
                "parameters": [f"{p.name} ({p.type})" for p in q.parameters.values()],
                "example": f"techgraph query {q.name}" + "".join(f" -p {k}={_quote(v)}" for k, v in q.example.items()),
            }
            for q in stored.values()
        ],
    )
    emit(rows, fmt, uncut=("example",))


def _quote(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if " " in text else text


@click.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@TIMEOUT
@backend_options
@click.pass_obj
def query_command(
    obj: Context, name: str, params: tuple[str, ...], fmt: str, timeout: float, backend: str, neo4j: Neo4jSettings
) -> None:
    """Run the stored query NAME (see `techgraph queries`), on the embedded database or Neo4j.

    Example:

        techgraph query measures-hitting -p entity=Tencent --format json
        techgraph query measures-hitting -p entity=Tencent --backend neo4j
    """
    values = parse_params(params)
    with run(obj.open, backend, neo4j) as g:
        stored = run(graph.api.get_query, name, g.stored_queries)
        emit(_bounded(g.query, name, timeout=timeout or None, **values), fmt, title=stored.title)


@click.command("cypher")
@click.argument("text")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A $parameter (repeatable, strings).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--write", is_flag=True, help="Allow writing clauses (Neo4j backend only, in a write transaction).")
@TIMEOUT
@backend_options
@click.pass_obj
def cypher_command(
    obj: Context, text: str, params: tuple[str, ...], fmt: str, write: bool, timeout: float, backend: str,
    neo4j: Neo4jSettings,
) -> None:
    """Run a Cypher statement (Neo4j dialect); read-only: writing clauses are refused unless --write on Neo4j.

    Example:

        techgraph cypher "MATCH (m:Measure) RETURN m.name, m.effective ORDER BY m.effective" --format csv
    """
    values = parse_params(params)
    with run(obj.open, backend, neo4j) as g:
        emit(_bounded(g.cypher, text, values, write, timeout=timeout or None), fmt)


@click.command("show")
@click.argument("name")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def show_command(obj: Context, name: str, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Profile an entity: properties, what hit it, who owns it, what it owns, sources.

    NAME is matched on id, name or alias, in any case (腾讯 finds Tencent).

    Example:

        techgraph show ZTE
    """
    with run(obj.open, backend, neo4j) as g:
        profile = run(g.show, name)
        documents = g.documents() if fmt == "table" else {}
    if fmt == "json":
        click.echo(json.dumps(profile, ensure_ascii=False, indent=2))
        return
    _print_profile(profile, documents)


def _print_profile(profile: dict[str, Any], documents: dict[str, Any]) -> None:
    skip = {"label", "id", "name", "outgoing", "incoming", "also", "sources", "summary"}
    click.echo(f"{profile['name']}  [{profile['label']} {profile['id']}]")
    if profile.get("summary"):
        click.echo(f"  {profile['summary']}")
    for key, value in profile.items():
        if key not in skip and value not in (None, []):
            click.echo(f"  {key}: {cell(value)}")
    for direction, arrow in (("incoming", "←"), ("outgoing", "→")):
        for rel in profile[direction]:
            props = rel["properties"]
            extra = [f"{k} {cell(props[k])}" for k in ("role", "share", "since", "until", "note") if props.get(k) is not None]
            suffix = f"  ({'; '.join(extra)})" if extra else ""
            click.echo(f"  {arrow} {rel['relation']:<18} {rel['name']} [{rel['label']}]{suffix}")
    click.echo("  sources:")
    for source in profile.get("sources", []):
        doc = documents.get(source)
        click.echo(f"    {source}" + (f" — {doc['title']} ({doc.get('publisher', '')}, {doc.get('date', '')})" if doc else ""))
    if profile["also"]:
        click.echo(f"  also matching: {', '.join(profile['also'])}")


@click.command("stats")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def stats_command(obj: Context, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Count nodes by label and relationships by type.

    Example:

        techgraph stats --format json
    """
    report(obj, backend, neo4j, fmt, "stats", table=_print_stats)


def _print_stats(stats: dict[str, Any]) -> None:
    for section in ("nodes", "relationships"):
        rows = graph.Rows(["kind", "count"], [{"kind": k, "count": v} for k, v in stats[section].items()])
        emit(rows, "table", title=section)


@click.command("schema")
@click.option("--markdown", is_flag=True, help="Print the model as Markdown tables (the README's model section).")
def schema_command(markdown: bool) -> None:
    """Show the model: node labels, relationship types and their properties.

    Example:

        techgraph schema --markdown
    """
    schema = run(graph.load_schema)
    if markdown:
        click.echo(schema.markdown(), nl=False)
        return
    for label, node in schema.nodes.items():
        click.echo(f"(:{label})  {', '.join(p + ('*' if node.properties[p].required else '') for p in node.properties)}")
    for rel_type, rel in schema.relations.items():
        ends = ", ".join(f"({a})->({b})" for a, b in rel.pairs)
        click.echo(f"[:{rel_type}]  {ends}")


COMMANDS = [queries_command, query_command, cypher_command, show_command, stats_command, schema_command]
