"""How the model is drawn: one colour per node label, shared by every picture of the graph.

The Neo4j Browser style (``techgraph.grass``), the timeline and the ego page
all colour a label the same way: :data:`PALETTE` for the schema's labels,
readable with white captions, and :data:`FALLBACK`, cycled, for any others.

>>> PALETTE["Measure"], len(FALLBACK)
('#C43B3B', 3)
"""

from __future__ import annotations

# One colour per label, readable with white captions; labels beyond these cycle.
PALETTE = {
    "Government": "#2E5EAA",
    "Official": "#7B4FA0",
    "Company": "#2F8F5B",
    "App": "#E07B24",
    "Measure": "#C43B3B",
    "Deal": "#8A6D3B",
}
FALLBACK = ["#4A6670", "#A0522D", "#556B2F"]
