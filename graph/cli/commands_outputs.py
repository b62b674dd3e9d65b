"""Outputs: exports for other tools, the timeline picture, the ego page."""

from __future__ import annotations

from pathlib import Path

import click

from graph.backends.neo4j.settings import Neo4jSettings
from graph.cli.common import Context, backend_options, run


@click.command("export")
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

    with run(obj.open, backend, neo4j) as g:
        files = run(g.export, fmt, out)
    for path in files:
        click.echo(f"wrote {path}")
    if fmt == "csv":
        click.echo(f"import into a stopped Neo4j with:\n  {neo4j_admin_command(files)}")
        click.echo("then, once it runs, create the constraints and the empty lists neo4j-admin cannot:")
        click.echo(f"  cypher-shell -f {files[-1]}")


@click.command("timeline")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="A .png or .svg file.")
@backend_options
@click.pass_obj
def timeline_command(obj: Context, out: Path, backend: str, neo4j: Neo4jSettings) -> None:
    """Draw measures over time: a lane per issuing body, labelled markers, arrows for retaliation.

    With --as-of, only what existed that day, and a line marking it.

    Example:

        techgraph timeline --out measures.png
    """
    with run(obj.open, backend, neo4j) as g:
        drawn = run(g.timeline, out)
    click.echo(
        f"wrote {drawn['path']}: {drawn['measures']} measures in {len(drawn['lanes'])} lanes, "
        f"{drawn['arrows']} retaliation arrows"
    )


@click.command("ego")
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
    with run(obj.open, backend, neo4j) as g:
        drawn = run(g.ego, name, depth, out)
    click.echo(f"wrote {drawn['path']}: {drawn['nodes']} nodes, {drawn['edges']} relationships")


COMMANDS = [export_command, timeline_command, ego_command]
