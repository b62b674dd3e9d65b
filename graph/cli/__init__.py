"""The ``techgraph`` command: a thin layer over the ``graph`` library.

:data:`cli` is the click group; each ``commands_*`` module holds the commands
of one theme (queries, data, Neo4j, analyses, outputs), registered on it here.
:func:`main` is the console script (``[project.scripts]``, ``python -m graph``).
"""

from __future__ import annotations

from pathlib import Path

import click

import graph
from graph.cli import commands_analysis, commands_data, commands_neo4j, commands_outputs, commands_query
from graph.cli.common import Context

__all__ = ["cli", "main"]


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


for module in (commands_query, commands_data, commands_neo4j, commands_analysis, commands_outputs):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="techgraph")
