"""One parser module per published list, each declaring its :class:`~graph.lists.formats.base.ListFormat`
as ``FORMAT``; :data:`FORMATS` maps each CLI format name to its module, loaded on first use.

>>> list_format("ofac-sdn").extra_files["alt"]
'alias file (alt.csv)'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from graph.errors import QueryError

if TYPE_CHECKING:  # the CLI reads FORMATS on every command; the parsers load on import only
    from graph.lists.formats.base import ListFormat

FORMATS = {
    "ofac-sdn": "graph.lists.formats.ofac_sdn",
    "ofac-consolidated": "graph.lists.formats.ofac_consolidated",
    "csl": "graph.lists.formats.csl",
    "dod-1260h": "graph.lists.formats.dod_1260h",
    "fcc-covered-list": "graph.lists.formats.fcc_covered_list",
    "cn-countermeasures": "graph.lists.formats.cn_countermeasures",
    "ftm": "graph.lists.formats.ftm",
}


def list_format(fmt: str) -> ListFormat:
    """The declared format of a format name (``ofac-sdn``, ``csl``, ``ftm`` ...)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown list format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    declared: ListFormat = importlib.import_module(FORMATS[fmt]).FORMAT
    return declared
