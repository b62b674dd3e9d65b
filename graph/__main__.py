"""``python -m graph`` runs the techgraph command."""

from graph.cli import main

main()
