"""Neo4j: push the graph to a server, regenerate the Browser guide and style."""

from __future__ import annotations

from pathlib import Path

import click

import graph
from graph.backends.neo4j.settings import PUSH_BATCH_SIZE, Neo4jSettings
from graph.cli.common import Context, neo4j_options, run


@click.command("push")
@neo4j_options
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=PUSH_BATCH_SIZE, show_default=True, help="Records per transaction."
)
@click.option("--replace", is_flag=True, help="Delete every node of techgraph's labels first.")
@click.pass_obj
def push_command(obj: Context, neo4j: Neo4jSettings, batch_size: int, replace: bool) -> None:
    """Push the graph to Neo4j: uniqueness constraints, then batched CREATE (into an empty database) or MERGE;
    running it twice changes nothing.

    Example:

        techgraph push --uri bolt://localhost:7687 --batch-size 500
    """
    from rich.console import Console
    from rich.progress import Progress

    from graph.backends.neo4j.engine import Neo4jEngine

    with run(obj.open) as g, run(Neo4jEngine, neo4j) as engine:
        total = g.manifest["nodes"] + g.manifest["edges"]
        console = Console(stderr=True)
        with Progress(transient=True, console=console, disable=not console.is_terminal) as bar:
            task = bar.add_task("pushing to Neo4j", total=total)
            counts = run(g.push, engine, batch_size, replace, lambda n: bar.advance(task, n))
    click.echo(
        f"Neo4j at {neo4j.shown_uri} ({neo4j.database}) holds {counts['nodes']} nodes and {counts['relationships']} relationships"
    )


@click.command("neo4j-assets")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("neo4j/browser"), show_default=True)
def neo4j_assets_command(out: Path) -> None:
    """Regenerate the Neo4j Browser guide and style from the schema and the stored queries.

    docker-compose serves them to the Browser, which plays the guide on connect.

    Example:

        techgraph neo4j-assets --out neo4j/browser
    """
    from graph.backends.neo4j.browser import write_assets
    from graph.cypher.stored import load_queries

    for path in run(write_assets, out, graph.load_schema(), list(run(load_queries).values())):
        click.echo(f"wrote {path}")


COMMANDS = [push_command, neo4j_assets_command]
