"""Changing the data: load and check data folders, import published lists, see what was merged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import graph
from graph.backends.neo4j.settings import Neo4jSettings
from graph.cli.common import TABLE_OR_JSON, Context, backend_options, report, run
from graph.lists.formats import FORMATS as FORMATS_BY_NAME


@click.command("import")
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
        imported = run(
            graph.import_list, fmt, path, db=obj.db, edition=edition, partial=partial, skip_bad=skip_bad,
            neo4j=neo4j if backend == "neo4j" else None, progress=lambda n: bar.advance(task, n), **extra,
        )  # fmt: skip
    click.echo(
        f"{fmt}: {imported.rows} rows, {imported.entities} listed parties ({imported.merged} newly merged into existing nodes), "
        f"{imported.new_nodes} new nodes, {imported.listings} listings, {imported.delisted} ended, "
        f"{imported.ownerships} ownerships, {imported.links} links"
    )
    if imported.skipped:
        click.echo(f"skipped {len(imported.skipped)} malformed rows (see {imported.skipped_file})")
    click.echo(f"{'updated' if imported.changed else 'unchanged'}: {imported.target} ({imported.seconds} s)")


@click.command("merges")
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


@click.command("load")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.pass_obj
def load_command(obj: Context, folders: tuple[Path, ...]) -> None:
    """Validate the data and rebuild the embedded database (extra FOLDERS of the same format are added).

    The rebuild is atomic: on any error the previous database stays in use.

    Example:

        techgraph load ./my-extra-data
    """
    manifest = run(graph.load, obj.db, list(folders))
    click.echo(
        f"built {manifest['nodes']} nodes, {manifest['edges']} relationships, {manifest['measures']} measures"
        f" from {len(manifest['folders'])} folder(s) in {manifest['build_seconds']} s"
    )


@click.command("check")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False, exists=True))
def check_command(folders: tuple[Path, ...]) -> None:
    """Validate the data (and extra FOLDERS) against the schema without building anything.

    Example:

        techgraph check ./my-extra-data
    """
    counts = run(graph.check, list(folders))
    click.echo(f"ok: {counts['nodes']} nodes, {counts['edges']} relationships, {counts['measures']} measures")


COMMANDS = [import_command, merges_command, load_command, check_command]
