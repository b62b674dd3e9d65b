"""Analyses: ownership exposure under the 50% rule, retaliation chains."""

from __future__ import annotations

from typing import Any

import click

from graph.backends.neo4j.settings import Neo4jSettings
from graph.cli.common import TABLE_OR_JSON, Context, backend_options, report


@click.command("exposure")
@click.argument("name")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def exposure_command(obj: Context, name: str, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Whether NAME's property is blocked (OFAC's 50% rule), who controls it, its stakes, and restrictions.

    The verdict applies OFAC's 50% rule to blocking measures (SDN-type designations)
    in force on the --as-of day (default today): proven, possible (missing shares could
    reach 50%) or no. Owners are followed through controlling holdings (50% or more, or
    unknown); smaller holdings show as stakes. Other restrictions in force on NAME or a
    controlling owner (bans, listings, divestment orders) are named: they block nothing.

    Example:

        techgraph --as-of 2021-06-01 exposure "WeChat Pay"
    """
    report(obj, backend, neo4j, fmt, "exposure", name, table=_print_exposure)


def _names(measures: list[dict[str, Any]]) -> str:
    return "; ".join(f"{m['name']} ({m['kind']})" for m in measures)


def _print_exposure(result: dict[str, Any]) -> None:
    click.echo(f"{result['target']['name']} on {result['day']}: {result['verdict'].upper()} ({result['reason']})")
    if result["blocked_by"]:
        click.echo(f"  blocked by: {_names(result['blocked_by'])}")
    click.echo(f"  blocked owners' known share: {result['listed_share']:g}%; could reach {result['possible_share']:g}%")
    for owner in result["owners"]:
        share = "unknown" if owner["aggregate_share"] is None else f"{owner['aggregate_share']:g}%"
        click.echo(f"  owner {owner['name']}: {share} over {owner['paths']} path(s), blocked: {owner['blocked']}")
        if owner["blocked_by"]:
            click.echo(f"    blocked by: {_names(owner['blocked_by'])}")
    for stake in result["stakes"]:
        click.echo(f"  stake {stake['name']}: {stake['share']:g}% of {stake['in']} (not control), blocked: {stake['blocked']}")
    for measure in result["restrictions"]:
        click.echo(f"  restricted: {measure['on']} by {measure['name']} ({measure['kind']})")
    if result["caveat"]:
        click.echo(f"  note: {result['caveat']}")
    for entry in result["paths"]:
        shares = " × ".join("?" if s is None else f"{s:g}%" for s in entry["shares"])
        interest = "unknown" if entry["interest"] is None else f"{entry['interest']:g}%"
        click.echo(f"  path: {' → '.join(entry['path'])}  ({shares} = {interest})")
    unlisted = result["paths_total"] - len(result["paths"])
    if unlisted:
        click.echo(f"  ... and {unlisted:,} more path(s), counted in the shares above but not listed")


@click.command("chains")
@TABLE_OR_JSON
@backend_options
@click.pass_obj
def chains_command(obj: Context, fmt: str, backend: str, neo4j: Neo4jSettings) -> None:
    """Retaliation chains: who answered whom, and how many days each answer took.

    Example:

        techgraph chains --format json
    """
    report(obj, backend, neo4j, fmt, "chains", table=_print_chains)


def days(count: int | None) -> str:
    """A number of days, in the singular for one.

    >>> days(1), days(0), days(30), days(None)
    ('1 day', '0 days', '30 days', '? days')
    """
    return "? days" if count is None else f"{count} day{'' if count == 1 else 's'}"


def _print_chains(chains: list[dict[str, Any]]) -> None:
    for chain in chains:
        click.echo(f"{len(chain['steps']) - 1} step(s), {days(chain['total_days'])}")
        for step in chain["steps"]:
            delay = "" if step["delay_days"] is None else f"  (+{days(step['delay_days'])})"
            click.echo(f"  {step['announced'] or '?':<10}  {', '.join(step['issuers'])}: {step['name']}{delay}")


COMMANDS = [exposure_command, chains_command]
