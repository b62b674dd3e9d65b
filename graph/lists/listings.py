"""A list's history across editions: which node an earlier edition put a record on, which relation is a listing,
when a listing began, and which edition is the newest imported.

An import is an edition of a whole list (:mod:`graph.lists.editions`). For two editions of one
list to tell one story:

- a record an earlier edition placed on a node goes to that node again (:func:`placements`,
  read from the nodes' ``merges``), so that re-importing a file changes nothing;
- a listing is its programme's Measure and its party: not its date, which a later edition
  may re-write (China's list wrote ``12.02.19`` and later ``02.12.2019`` for one
  announcement): :func:`held_listing` finds the relation an earlier edition made;
- a listing's ``since`` is the date the list gives; where it gives none, the date of the
  first edition that holds it, marked ``since_basis: first-edition`` (:data:`FIRST_EDITION`);
- a programme's Measure carries the programme's dates where known; where not, it is held from
  the first edition that holds it (``announced_basis: first-edition``), or from an earlier date
  a listing of it gives (``first-listing``, :data:`FIRST_LISTING`), never later: an edition
  or list that shows it earlier moves it earlier (:func:`earlier_start`), a later one leaves it;
- editions are imported in order: the newest edition imported (:func:`newest_edition`) is
  kept beside the list's data file (:func:`record_edition`), and an older one is refused
  (:func:`check_edition_order`), since it cannot say when the listings it lacks ended.

Example
-------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("huawei", label="Company", merges=["ofac-sdn:30882 | HUAWEI | same identifier ofac:30882"])
>>> placements(g, "ofac-sdn")
{'30882': 'huawei'}
>>> check_edition_order("ofac-sdn", "2024-05-03", "2024-06-01")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.errors.QueryError: ofac-sdn: edition 2024-05-03 is older than 2024-06-01, the newest edition imported; ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graph.errors import DatabaseError, QueryError
from graph.model.lifecycle import DATE_BASIS, full_day
from graph.text import shown

# The value of ``since_basis`` (data/schema.yaml) on a listing whose list gives no date, and of a
# Measure's ``announced_basis`` when the first edition holding it dates it.
FIRST_EDITION = "first-edition"
# A Measure's ``announced_basis`` when the earliest listing date a list gives for it dates it.
FIRST_LISTING = "first-listing"
# What the record of an edition sits beside: imports/FORMAT.jsonl -> imports/FORMAT.edition.
EDITION_SUFFIX = ".edition"


def placements(g, list_name: str) -> dict[str, str]:
    """Record id -> node, for every record of ``list_name`` that an import put on a node (``merges``)."""
    prefix = f"{list_name}:"
    placed: dict[str, str] = {}
    for node, merges in g.nodes(data="merges"):
        for entry in merges or ():
            record = entry.split(" | ", 1)[0]
            if record.startswith(prefix):
                placed.setdefault(record[len(prefix):], node)
    return placed


def held_listing(g, measure: str, node: str, exact_key: str) -> str | None:
    """The key of the SANCTIONS relation from ``measure`` to ``node`` that a new listing of them is.

    That is the relation with the listing's own key (same dates), else the one still open,
    whatever date it started on: a re-written date is the same listing. A listing ended
    before is not reopened: listed again, the party gets a relation of its own.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_edge("m", "n", key="SANCTIONS:m->n@2019-02-12", type="SANCTIONS", since="2019-02-12")
    'SANCTIONS:m->n@2019-02-12'
    >>> held_listing(g, "m", "n", "SANCTIONS:m->n@2019-12-02")
    'SANCTIONS:m->n@2019-02-12'
    """
    relations = {key: data for key, data in (g.get_edge_data(measure, node) or {}).items() if data["type"] == "SANCTIONS"}
    if exact_key in relations:
        return exact_key
    still_open = sorted(key for key, data in relations.items() if not data.get("until"))
    return still_open[0] if still_open else None


def earlier_start(data: dict[str, Any], day: str | None) -> bool:
    """Whether ``day`` moves the start of a Measure dated by an edition (``announced_basis``) earlier.

    >>> earlier_start({"announced": "2022-01-21", "announced_basis": FIRST_EDITION}, "2021-06-01")
    True
    >>> earlier_start({"announced": "2022-01-21", "announced_basis": FIRST_EDITION}, "2022-04-21")
    False
    >>> earlier_start({"announced": "2022-01-21"}, "2021-06-01")  # a date the record gives is not moved
    False
    """
    return bool(day and data.get(DATE_BASIS) and full_day(day) < full_day(data["announced"]))


def owned_by(list_name: str, data: dict[str, Any]) -> bool:
    """Whether only records of ``list_name`` back a relation (so that list may re-date it)."""
    records = data.get("records") or []
    return bool(records) and all(record.startswith(f"{list_name}:") for record in records)


def newest_edition(g, list_name: str, recorded: str | None) -> str | None:
    """The newest edition of the list imported: the one recorded beside its data file, or the latest first
    edition that dated a listing the list made (its first record; all the graph tells on Neo4j, without that file)."""
    prefix = f"{list_name}:"
    dated = [
        data["since"]
        for _, _, data in g.edges(data=True)
        if data.get("since_basis") == FIRST_EDITION and (data.get("records") or [""])[0].startswith(prefix)
    ]
    return max([*dated, *([recorded] if recorded else [])], default=None)


def check_edition_order(list_name: str, edition: str, newest: str | None) -> None:
    """Refuse an edition older than the newest one imported (one line; nothing is imported)."""
    if newest and edition < newest:
        raise QueryError(
            f"{list_name}: edition {edition} is older than {newest}, the newest edition imported; "
            "import editions in order (nothing was imported)"
        )


def edition_file(data_file: Path) -> Path:
    """Where the newest edition of the list whose data file is ``data_file`` is recorded."""
    return data_file.with_suffix(EDITION_SUFFIX)


def recorded_edition(data_file: Path | None) -> str | None:
    """The newest edition recorded beside a list's data file, or None."""
    if data_file is None or not edition_file(data_file).is_file():
        return None
    return edition_file(data_file).read_text(encoding="utf-8").strip() or None


def record_edition(data_file: Path, edition: str) -> None:
    """Record ``edition`` as the newest one beside the list's data file (unless a newer one is), atomically."""
    if (recorded_edition(data_file) or "") >= edition:
        return
    path = edition_file(data_file)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(edition + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise DatabaseError(f"{shown(path)}: cannot record the edition imported ({exc.strerror})") from None
