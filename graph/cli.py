"""The ``techgraph`` command: a thin layer over the ``graph`` library."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

import graph
from graph.errors import QueryError, TechgraphError
from graph.lists.formats import FORMATS as FORMATS_BY_NAME
from graph.backends.neo4j.engine import DEFAULT_DATABASE, DEFAULT_URI, DEFAULT_USER, Neo4jSettings

FORMATS = click.Choice(["table", "json", "csv"])
TABLE_OR_JSON = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
TABLE_CELL_WIDTH = 44


class TechgraphClickError(click.ClickException):
    """A library error shown as one line; query and parameter mistakes exit 2, others 1."""

    def __init__(self, error: TechgraphError):
        super().__init__(str(error))
        self.exit_code = 2 if isinstance(error, QueryError) else 1


class Context:
    def __init__(self, db: Path | None, as_of: str | None):
        self.db = db
        self.as_of = as_of

    def open(self, backend: str = "embedded", neo4j: Neo4jSettings | None = None) -> graph.TechGraph:
        g = graph.open(neo4j=neo4j) if backend == "neo4j" else graph.open(self.db)
        if not self.as_of:
            return g
        with g:
            return g.as_of(self.as_of)


def neo4j_options(function):
    """Add --uri/--user/--password/--database (env TECHGRAPH_NEO4J_*) and pass `neo4j` settings."""
    options = [
        click.option("--uri", envvar="TECHGRAPH_NEO4J_URI", default=DEFAULT_URI, show_default=True, help="Neo4j URI [env TECHGRAPH_NEO4J_URI]."),
        click.option("--user", envvar="TECHGRAPH_NEO4J_USER", default=DEFAULT_USER, show_default=True, help="Neo4j user [env TECHGRAPH_NEO4J_USER]."),
        click.option("--password", envvar="TECHGRAPH_NEO4J_PASSWORD", help="Neo4j password [env TECHGRAPH_NEO4J_PASSWORD]; never printed."),
        click.option("--database", envvar="TECHGRAPH_NEO4J_DATABASE", default=DEFAULT_DATABASE, show_default=True, help="Neo4j database [env TECHGRAPH_NEO4J_DATABASE]."),
    ]

    def wrapper(*args, uri, user, password, database, **kwargs):
        return function(*args, neo4j=Neo4jSettings(uri=uri, user=user, password=password, database=database), **kwargs)

    wrapper = functools.update_wrapper(wrapper, function)
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def backend_options(function):
    """Add --backend embedded|neo4j plus the Neo4j connection options."""
    option = click.option(
        "--backend",
        type=click.Choice(["embedded", "neo4j"]),
        default="embedded",
        show_default=True,
        help="Where to run: the embedded database or Neo4j.",
    )
    return option(neo4j_options(function))


def _run(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except TechgraphError as error:
        raise TechgraphClickError(error) from None


def report(obj: "Context", backend: str, neo4j: Neo4jSettings, fmt: str, method: str, *args, table) -> None:
    """Call a TechGraph method; print its result as JSON or through ``table``."""
    with _run(obj.open, backend, neo4j) as g:
        result = _run(getattr(g, method), *args)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        table(result)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise TechgraphClickError(QueryError(f"parameter {pair!r} is not key=value"))
        params[key.strip()] = value
    return params


def _cell(value: Any) -> str:
    """A value as table or CSV text: nodes by name, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if "nodes" in value and "relationships" in value:
            return " → ".join(_cell(n) for n in value["nodes"])
        return str(value.get("name") or value.get("type") or json.dumps(value, ensure_ascii=False))
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def emit(rows: graph.Rows, fmt: str, title: str | None = None, uncut: tuple[str, ...] = ()) -> None:
    """Print rows as a rich table, a JSON array of objects or CSV with a header.

    Table cells are cut to one line, except paths and the ``uncut`` columns.
    """
    if fmt == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows([_cell(row[c]) for c in rows.columns] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        # One line per row: long names are cut with an ellipsis (JSON and CSV keep them whole);
        # paths are never cut, short columns (ids, dates) never squeezed.
        table = Table(title=title, show_lines=False, title_justify="left")
        cells = [[_cell(row[c]) for c in rows.columns] for row in rows]
        width = 0
        for index, column in enumerate(rows.columns):
            is_path = any(isinstance(row[column], dict) and "nodes" in row[column] for row in rows)
            longest = max([len(column), *(len(line[index]) for line in cells)])
            fitted = longest if is_path or column in uncut else min(longest, TABLE_CELL_WIDTH)
            table.add_column(column, overflow="ellipsis", no_wrap=True, min_width=min(fitted, 12), max_width=fitted)
            width += fitted + 3
        for line in cells:
            table.add_row(*line)
        console = Console(width=None if sys.stdout.isatty() else max(width + 1, 80))
        console.print(table)
        click.echo(f"{len(rows)} row{'s' if len(rows) != 1 else ''}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graph.__version__, prog_name="techgraph")
@click.option(
    "--db",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TECHGRAPH_DB",
    help="Embedded database folder [env TECHGRAPH_DB; default ~/.cache/techgraph/db].",
)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Answer as the graph stood on that day (any command).")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, as_of: str | None) -> None:
    """techgraph: who did what to whom in the US–China technology conflict.

    The embedded database is built from the shipped data on first use and
    rebuilt whenever the data changes.

    Example:

        techgraph query measures-hitting -p entity=Tencent
        techgraph --as-of 2020-12-31 query measures-hitting -p entity=Tencent
    """
    ctx.obj = Context(db, as_of)


@cli.command("queries")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def queries_command(obj: Context, fmt: str) -> None:
    """List the stored questions with their parameters and an example.

    Example:

        techgraph queries --format json
    """
    stored = _run(graph.api.load_queries)
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


@cli.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@backend_options
@click.pass_obj
def query_command(obj: Context, name: str, params: tuple[str, ...], fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Run the stored query NAME (see `techgraph queries`), on the embedded database or Neo4j.

    Example:

        techgraph query measures-hitting -p entity=Tencent --format json
        techgraph query measures-hitting -p entity=Tencent --backend neo4j
    """
    values = _parse_params(params)
    with _run(obj.open, backend, neo4j) as g:
        stored = _run(graph.api.get_query, name, g.stored_queries)
        emit(_run(g.query, name, **values), fmt, title=stored.title)


@cli.command("cypher")
@click.argument("text")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A $parameter (repeatable, strings).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--write", is_flag=True, help="Allow writing clauses (Neo4j backend only, in a write transaction).")
@backend_options
@click.pass_obj
def cypher_command(
    obj: Context, text: str, params: tuple[str, ...], fmt: str, write: bool, backend: str, neo4j: Neo4jSettings
) -> None:
    """Run a Cypher statement (Neo4j dialect); read-only: writing clauses are refused unless --write on Neo4j.

    Example:

        techgraph cypher "MATCH (m:Measure) RETURN m.name, m.effective ORDER BY m.effective" --format csv
    """
    values = _parse_params(params)
    with _run(obj.open, backend, neo4j) as g:
        emit(_run(g.cypher, text, values, write), fmt)


@cli.command("show")
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
    with _run(obj.open, backend, neo4j) as g:
        profile = _run(g.show, name)
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
            click.echo(f"  {key}: {_cell(value)}")
    for direction, arrow in (("incoming", "←"), ("outgoing", "→")):
        for rel in profile[direction]:
            props = rel["properties"]
            extra = [f"{k} {_cell(props[k])}" for k in ("role", "share", "since", "until", "note") if props.get(k) is not None]
            suffix = f"  ({'; '.join(extra)})" if extra else ""
            click.echo(f"  {arrow} {rel['relation']:<18} {rel['name']} [{rel['label']}]{suffix}")
    click.echo("  sources:")
    for source in profile.get("sources", []):
        doc = documents.get(source)
        click.echo(f"    {source}" + (f" — {doc['title']} ({doc.get('publisher', '')}, {doc.get('date', '')})" if doc else ""))
    if profile["also"]:
        click.echo(f"  also matching: {', '.join(profile['also'])}")


@cli.command("push")
@neo4j_options
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True, help="Records per transaction.")
@click.option("--replace", is_flag=True, help="Delete every node of techgraph's labels first.")
@click.pass_obj
def push_command(obj: Context, neo4j: Neo4jSettings, batch_size: int, replace: bool) -> None:
    """Push the graph to Neo4j: uniqueness constraints, then batched MERGE; running it twice changes nothing.

    Example:

        techgraph push --uri bolt://localhost:7687 --batch-size 500
    """
    from rich.console import Console
    from rich.progress import Progress

    from graph.backends.neo4j.engine import Neo4jEngine

    with _run(obj.open) as g, _run(Neo4jEngine, neo4j) as engine:
        total = g.manifest["nodes"] + g.manifest["edges"]
        console = Console(stderr=True)
        with Progress(transient=True, console=console, disable=not console.is_terminal) as bar:
            task = bar.add_task("pushing to Neo4j", total=total)
            counts = _run(g.push, engine, batch_size, replace, lambda n: bar.advance(task, n))
    click.echo(f"Neo4j at {neo4j.shown_uri} ({neo4j.database}) holds {counts['nodes']} nodes and {counts['relationships']} relationships")


@cli.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS_BY_NAME)))
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--alt", type=click.Path(dir_okay=False, path_type=Path), help="OFAC alias file (alt.csv, cons_alt.csv).")
@click.option("--add", type=click.Path(dir_okay=False, path_type=Path), help="OFAC address file (add.csv, cons_add.csv).")
@click.option("--edition", metavar="YYYY-MM-DD", help="The list edition's date: listings it drops end then [default: today].")
@click.option("--partial", is_flag=True, help="The file is an extract: keep listings it does not mention open.")
@click.option("--skip-bad", is_flag=True, help="Skip malformed rows (listed in imports/FORMAT.skipped.tsv) instead of stopping.")
@backend_options
@click.pass_obj
def import_command(obj: Context, fmt: str, path: Path, alt: Path | None, add: Path | None, edition: str | None,
                   partial: bool, skip_bad: bool, backend: str, neo4j: Neo4jSettings) -> None:  # fmt: skip
    """Import a published list (OFAC, CSL, DoD 1260H, FCC, China's lists, FtM) and merge it into the graph.

    Each listed party is merged into the node it already is (same identifier
    or normalised name; see `techgraph merges NAME`) or added; listings become
    SANCTIONS from the programme's Measure; an edition that drops a listing
    ends it (until). A malformed row stops the import and nothing changes.

    Example:

        techgraph import ofac-sdn sdn.csv --alt alt.csv --add add.csv --edition 2024-05-03
    """
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    extra = {name: value for name, value in (("alt", alt), ("add", add)) if value}
    console = Console(stderr=True)
    columns = [SpinnerColumn(), TextColumn("{task.description}: {task.completed} rows"), TimeElapsedColumn()]
    with Progress(*columns, transient=True, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task(f"importing {path.name}", total=None)
        report = _run(
            graph.import_list, fmt, path, db=obj.db, edition=edition, partial=partial, skip_bad=skip_bad,
            neo4j=neo4j if backend == "neo4j" else None, progress=lambda n: bar.advance(task, n), **extra,
        )  # fmt: skip
    click.echo(
        f"{fmt}: {report.rows} rows, {report.entities} listed parties ({report.merged} newly merged into existing nodes), "
        f"{report.new_nodes} new nodes, {report.listings} listings, {report.delisted} ended, {report.ownerships} ownerships"
    )
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)} malformed rows (see {Path(report.target).parent / f'{fmt}.skipped.tsv'})")
    click.echo(f"{'updated' if report.changed else 'unchanged'}: {report.target} ({report.seconds} s)")


@cli.command("merges")
@click.argument("name")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def merges_command(obj: Context, name: str, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Which imported records were merged into NAME, and why.

    Example:

        techgraph merges Huawei
    """

    def table(found: list[dict[str, Any]]) -> None:
        for node in found:
            click.echo(f"{node['name']} [{node['label']}] ({node['id']})")
            click.echo(f"  identifiers: {', '.join(node['identifiers']) or '-'}")
            if not node["merges"]:
                click.echo("  no imported records")
            for entry in node["merges"]:
                click.echo(f"  {entry['record']}  {entry['listed_as']!r}: {entry['reason']}")

    report(obj, backend, neo4j, fmt, "merges", name, table=table)


@cli.command("exposure")
@click.argument("name")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def exposure_command(obj: Context, name: str, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Owners of NAME up the chain, their aggregate shares, listed owners, and the 50%-rule verdict.

    The verdict applies OFAC's 50% rule on the --as-of day (default today):
    proven, possible (missing shares could reach 50%) or no.

    Example:

        techgraph --as-of 2021-06-01 exposure "WeChat Pay"
    """
    report(obj, backend, neo4j, fmt, "exposure", name, table=_print_exposure)


def _print_exposure(result: dict[str, Any]) -> None:
    click.echo(f"{result['target']['name']} on {result['day']}: {result['verdict'].upper()} ({result['reason']})")
    click.echo(f"  listed owners' known share: {result['listed_share']:g}%; could reach {result['possible_share']:g}%")
    for owner in result["owners"]:
        share = "unknown" if owner["aggregate_share"] is None else f"{owner['aggregate_share']:g}%"
        listed = "; ".join(m["name"] for m in owner["listed_by"])
        click.echo(f"  owner {owner['name']}: {share} over {owner['paths']} path(s), blocked: {owner['blocked']}")
        if listed:
            click.echo(f"    listed by: {listed}")
    for entry in result["paths"]:
        shares = " × ".join("?" if s is None else f"{s:g}%" for s in entry["shares"])
        interest = "unknown" if entry["interest"] is None else f"{entry['interest']:g}%"
        click.echo(f"  path: {' → '.join(entry['path'])}  ({shares} = {interest})")


@cli.command("chains")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def chains_command(obj: Context, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Retaliation chains: who answered whom, and how many days each answer took.

    Example:

        techgraph chains --format json
    """
    report(obj, backend, neo4j, fmt, "chains", table=_print_chains)


def _print_chains(chains: list[dict[str, Any]]) -> None:
    for chain in chains:
        total = "?" if chain["total_days"] is None else chain["total_days"]
        click.echo(f"{len(chain['steps']) - 1} step(s), {total} days")
        for step in chain["steps"]:
            delay = "" if step["delay_days"] is None else f"  (+{step['delay_days']} days)"
            click.echo(f"  {step['announced'] or '?':<10}  {', '.join(step['issuers'])}: {step['name']}{delay}")


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "ftm", "csv"]), required=True)
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write into.")
@backend_options
@click.pass_obj
def export_command(obj: Context, fmt: str, out: Path, backend: str, neo4j: Neo4jSettings) -> None:
    """Write the graph for other tools into a folder.

    graphml and gexf for networkx, Gephi and yEd (lists as JSON text); ftm for
    FollowTheMoney JSON lines (OpenSanctions, Aleph); csv for
    `neo4j-admin database import`, whose command line is printed.

    Example:

        techgraph export --format gexf --out exports/
    """
    from graph.outputs.exports import neo4j_admin_command

    with _run(obj.open, backend, neo4j) as g:
        files = _run(g.export, fmt, out)
    for path in files:
        click.echo(f"wrote {path}")
    if fmt == "csv":
        click.echo(f"import into a stopped Neo4j with:\n  {neo4j_admin_command(files)}")


@cli.command("timeline")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="A .png or .svg file.")
@backend_options
@click.pass_obj
def timeline_command(obj: Context, out: Path, backend: str, neo4j: Neo4jSettings) -> None:
    """Draw measures over time: a lane per issuing body, labelled markers, arrows for retaliation.

    With --as-of, only what existed that day, and a line marking it.

    Example:

        techgraph timeline --out measures.png
    """
    with _run(obj.open, backend, neo4j) as g:
        drawn = _run(g.timeline, out)
    click.echo(f"wrote {drawn['path']}: {drawn['measures']} measures in {len(drawn['lanes'])} lanes, {drawn['arrows']} retaliation arrows")


@cli.command("ego")
@click.argument("name")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, help="Relations away from NAME.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="An .html file.")
@backend_options
@click.pass_obj
def ego_command(obj: Context, name: str, depth: int, out: Path, backend: str, neo4j: Neo4jSettings) -> None:
    """Write the network around NAME as a self-contained interactive HTML page (works offline).

    Example:

        techgraph ego "ByteDance" --depth 2 --out bytedance.html
    """
    with _run(obj.open, backend, neo4j) as g:
        drawn = _run(g.ego, name, depth, out)
    click.echo(f"wrote {drawn['path']}: {drawn['nodes']} nodes, {drawn['edges']} relationships")


@cli.command("neo4j-assets")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("neo4j/browser"), show_default=True)
def neo4j_assets_command(out: Path) -> None:
    """Regenerate the Neo4j Browser guide and style from the schema and the stored queries.

    docker-compose serves them to the Browser, which plays the guide on connect.

    Example:

        techgraph neo4j-assets --out neo4j/browser
    """
    from graph.backends.neo4j.browser import write_assets
    from graph.cypher.stored import load_queries

    for path in _run(write_assets, out, graph.load_schema(), list(_run(load_queries).values())):
        click.echo(f"wrote {path}")


@cli.command("load")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_obj
def load_command(obj: Context, folders: tuple[Path, ...]) -> None:
    """Validate the data and rebuild the embedded database (extra FOLDERS of the same format are added).

    The rebuild is atomic: on any error the previous database stays in use.

    Example:

        techgraph load ./my-extra-data
    """
    manifest = _run(graph.load, obj.db, list(folders))
    click.echo(
        f"built {manifest['nodes']} nodes, {manifest['edges']} relationships, {manifest['measures']} measures"
        f" from {len(manifest['folders'])} folder(s) in {manifest['build_seconds']} s"
    )


@cli.command("check")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False, exists=True))
def check_command(folders: tuple[Path, ...]) -> None:
    """Validate the data (and extra FOLDERS) against the schema without building anything.

    Example:

        techgraph check ./my-extra-data
    """
    counts = _run(graph.check, list(folders))
    click.echo(f"ok: {counts['nodes']} nodes, {counts['edges']} relationships, {counts['measures']} measures")


@cli.command("stats")
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


@cli.command("schema")
@click.option("--markdown", is_flag=True, help="Print the model as Markdown tables (the README's model section).")
def schema_command(markdown: bool) -> None:
    """Show the model: node labels, relationship types and their properties.

    Example:

        techgraph schema --markdown
    """
    schema = _run(graph.load_schema)
    if markdown:
        click.echo(schema.markdown(), nl=False)
        return
    for label, node in schema.nodes.items():
        click.echo(f"(:{label})  {', '.join(p + ('*' if node.properties[p].required else '') for p in node.properties)}")
    for rel_type, rel in schema.relations.items():
        ends = ", ".join(f"({a})->({b})" for a, b in rel.pairs)
        click.echo(f"[:{rel_type}]  {ends}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="techgraph")
