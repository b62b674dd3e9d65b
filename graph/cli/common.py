"""What every techgraph command shares: the graph it opens, its options, and one-line errors."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

import graph
from graph.backends.neo4j.settings import DEFAULT_DATABASE, DEFAULT_URI, DEFAULT_USER, Neo4jSettings
from graph.errors import QueryError, TechgraphError

FORMATS = click.Choice(["table", "json", "csv"])
TABLE_OR_JSON = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)


class TechgraphClickError(click.ClickException):
    """A library error shown as one line; query and parameter mistakes exit 2 (:class:`QueryClickError`), others 1."""

    def __init__(self, error: TechgraphError):
        super().__init__(str(error))


class QueryClickError(TechgraphClickError):
    """A query or parameter mistake, shown as one line: exit 2."""

    exit_code = 2  # click reads the exit code from the class


def click_error(error: TechgraphError) -> TechgraphClickError:
    """The click error showing ``error``: a :class:`QueryClickError` for a QueryError."""
    return QueryClickError(error) if isinstance(error, QueryError) else TechgraphClickError(error)


class Context:
    """The group's --db and --as-of, passed to every command; :meth:`open` opens the graph they name."""

    def __init__(self, db: Path | None, as_of: str | None):
        self.db = db
        self.as_of = as_of

    def open(self, backend: str = "embedded", neo4j: Neo4jSettings | None = None) -> graph.TechGraph:
        g = graph.open(neo4j=neo4j) if backend == "neo4j" else graph.open(self.db)
        if not self.as_of:
            return g
        try:
            return g.as_of(self.as_of)  # a view of g: closing it leaves g to the end of the command
        except BaseException:
            g.close()
            raise


def neo4j_options(function):
    """Add --uri/--user/--password/--database (env TECHGRAPH_NEO4J_*) and pass `neo4j` settings."""
    options = [
        click.option(
            "--uri", envvar="TECHGRAPH_NEO4J_URI", default=DEFAULT_URI, show_default=True,
            help="Neo4j URI [env TECHGRAPH_NEO4J_URI].",
        ),
        click.option(
            "--user", envvar="TECHGRAPH_NEO4J_USER", default=DEFAULT_USER, show_default=True,
            help="Neo4j user [env TECHGRAPH_NEO4J_USER].",
        ),
        click.option(
            "--password", envvar="TECHGRAPH_NEO4J_PASSWORD",
            help="Neo4j password, for scripts: prefer env TECHGRAPH_NEO4J_PASSWORD or the prompt (asked in a terminal "
            "when neither is given), as every user sees a command line in `ps`; never printed.",
        ),
        click.option(
            "--database", envvar="TECHGRAPH_NEO4J_DATABASE", default=DEFAULT_DATABASE, show_default=True,
            help="Neo4j database [env TECHGRAPH_NEO4J_DATABASE].",
        ),
    ]

    def wrapper(*args, uri, user, password, database, **kwargs):
        if password is None and kwargs.get("backend", "neo4j") == "neo4j" and interactive():
            password = click.prompt(f"Neo4j password for {user}", hide_input=True, err=True)
        return function(*args, neo4j=Neo4jSettings(uri=uri, user=user, password=password, database=database), **kwargs)

    wrapper = functools.update_wrapper(wrapper, function)
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def interactive() -> bool:
    """Whether a person can answer a prompt: standard input is a terminal."""
    return sys.stdin is not None and sys.stdin.isatty()


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


def run(function, *args, **kwargs):
    """Call ``function``; a library error becomes a one-line click error (see :class:`TechgraphClickError`)."""
    try:
        return function(*args, **kwargs)
    except TechgraphError as error:
        raise click_error(error) from None


def report(obj: Context, backend: str, neo4j: Neo4jSettings, fmt: str, method: str, *args, table) -> None:
    """Call a TechGraph method; print its result as JSON or through ``table``."""
    with run(obj.open, backend, neo4j) as g:
        result = run(getattr(g, method), *args)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        table(result)


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """The -p KEY=VALUE pairs as a dict; a pair without ``=`` or a key, or a key given twice, is a
    query error (exit 2).

    >>> parse_params(("entity=Tencent", "day=2020-09-01"))
    {'entity': 'Tencent', 'day': '2020-09-01'}
    """
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryClickError(QueryError(f"parameter {pair!r} is not key=value"))
        if key.strip() in params:
            raise QueryClickError(QueryError(f"parameter {key.strip()!r} is given twice (-p {key.strip()}=...): give it once"))
        params[key.strip()] = value
    return params
