"""One parser module per published list; :data:`FORMATS` maps each CLI format name to its module."""

FORMATS = {
    "ofac-sdn": "graph.importers.ofac_sdn",
    "ofac-consolidated": "graph.importers.ofac_consolidated",
    "csl": "graph.importers.csl",
    "dod-1260h": "graph.importers.dod_1260h",
    "fcc-covered-list": "graph.importers.fcc_covered_list",
    "cn-countermeasures": "graph.importers.cn_countermeasures",
    "ftm": "graph.importers.ftm",
}
