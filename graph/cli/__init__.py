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
from graph.cli.common import FORMATS, Context, QueryClickError
from graph.cli.output import raw_option
from graph.errors import QueryError

__all__ = ["AS_OF_COMMANDS", "cli", "main"]

# The commands that answer from the graph (they open it): --as-of given to any other is refused.
AS_OF_COMMANDS = frozenset(
    {"query", "cypher", "show", "stats", "merges", "exposure", "chains", "export", "timeline", "ego", "push"}
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(graph.__version__, prog_name="techgraph")
@click.option(
    "--db",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TECHGRAPH_DB",
    help="Embedded database folder [env TECHGRAPH_DB; default ~/.cache/techgraph/db].",
)
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD",
    help="Answer as the graph stood on that day (commands that read the graph: " + ", ".join(sorted(AS_OF_COMMANDS)) + ").",
)  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, db: Path | None, as_of: str | None) -> None:
    """techgraph: who did what to whom in the US–China technology conflict.

    The embedded database is built from the shipped data on first use and
    rebuilt whenever the data changes.

    Example:

        techgraph query measures-hitting -p entity=Tencent
        techgraph --as-of 2020-12-31 query measures-hitting -p entity=Tencent
    """
    if as_of is not None and not as_of.strip():
        raise QueryClickError(QueryError("--as-of is empty: give a day as YYYY-MM-DD"))
    if as_of is not None and ctx.invoked_subcommand not in AS_OF_COMMANDS:
        raise QueryClickError(
            QueryError(f"--as-of does not apply to `{ctx.invoked_subcommand}`: it reads no graph as of a day")
        )
    ctx.obj = Context(db.expanduser() if db else None, as_of)  # "~/x" from TECHGRAPH_DB: no literal ./~ folder


for module in (commands_query, commands_data, commands_neo4j, commands_analysis, commands_outputs):
    for command in module.COMMANDS:
        if any(param.name == "fmt" and param.type is FORMATS for param in command.params):
            command.params.append(raw_option())  # every command printing CSV takes --raw
        cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="techgraph")
