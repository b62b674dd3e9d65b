"""One parser module per published list; :data:`FORMATS` maps each CLI format name to its module."""

FORMATS = {
    "ofac-sdn": "graph.lists.formats.ofac_sdn",
    "ofac-consolidated": "graph.lists.formats.ofac_consolidated",
    "csl": "graph.lists.formats.csl",
    "dod-1260h": "graph.lists.formats.dod_1260h",
    "fcc-covered-list": "graph.lists.formats.fcc_covered_list",
    "cn-countermeasures": "graph.lists.formats.cn_countermeasures",
    "ftm": "graph.lists.formats.ftm",
}
