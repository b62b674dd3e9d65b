"""OFAC's consolidated non-SDN list (cons_prim.csv, with the optional cons_alt.csv and cons_add.csv).

The files have the layout of the legacy SDN files and are read by
:func:`graph.lists.formats.ofac_sdn.read_ofac_csv`; only the list URL differs, so a
programme tag gets the same Measure id as on the SDN list (``CMIC-EO13959`` ->
``ofac-cmic-eo13959``). The NS-CMIC rows carry their listing date, which becomes
``Listing.since``; the effective and divestment dates go into ``Listing.note``.

Example
-------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "cons_prim.csv").write_text('30902,"AERO ENGINE CORPORATION OF CHINA",-0- ,"CMIC-EO13959",-0- ,-0- ,-0- ,-0- ,'
...     '-0- ,-0- ,-0- ,"Effective Date (CMIC) 02 Aug 2021; Listing Date (CMIC) 03 Jun 2021; a.k.a. \\'AECC\\'."\\n')
>>> entity, listing = read(folder / "cons_prim.csv")
>>> entity.label, entity.aliases, listing.program.id, listing.since, listing.note
('Company', ['AECC'], 'ofac-cmic-eo13959', '2021-06-03', 'Effective Date (CMIC) 2021-08-02')
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from graph.lists.formats.base import Item, ListFormat
from graph.lists.formats.ofac_sdn import read_ofac_csv
from graph.lists.formats.programs import OFAC_CONSOLIDATED_URL


def read(path: Path, alt: Path | None = None, add: Path | None = None) -> Iterator[Item]:
    """The items of cons_prim.csv (with its alias and address files when given), in file order."""
    return read_ofac_csv(path, OFAC_CONSOLIDATED_URL, alt=alt, add=add)


FORMAT = ListFormat(
    "ofac-consolidated", OFAC_CONSOLIDATED_URL, read,
    extra_files={"alt": "alias file (cons_alt.csv)", "add": "address file (cons_add.csv)"},
)
