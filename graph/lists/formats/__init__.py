"""One parser module per published list; :data:`FORMATS` maps each CLI format name to its module.

>>> importer("ofac-sdn").NAME
'ofac-sdn'
"""

import importlib

from graph.errors import QueryError

FORMATS = {
    "ofac-sdn": "graph.lists.formats.ofac_sdn",
    "ofac-consolidated": "graph.lists.formats.ofac_consolidated",
    "csl": "graph.lists.formats.csl",
    "dod-1260h": "graph.lists.formats.dod_1260h",
    "fcc-covered-list": "graph.lists.formats.fcc_covered_list",
    "cn-countermeasures": "graph.lists.formats.cn_countermeasures",
    "ftm": "graph.lists.formats.ftm",
}


def importer(fmt: str):
    """The importer module of a format name (``ofac-sdn``, ``csl``, ``ftm`` ...)."""
    if fmt not in FORMATS:
        raise QueryError(f"unknown list format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    return importlib.import_module(FORMATS[fmt])
