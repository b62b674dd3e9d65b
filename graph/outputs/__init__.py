"""What techgraph writes for people and other tools, one module per output.

* :mod:`graph.outputs.exports`: the graph in other tools' formats, one module
  per format (GraphML, GEXF, FollowTheMoney, neo4j-admin CSV) behind
  :func:`graph.outputs.exports.export`.
* :mod:`graph.outputs.timeline`: the measures over time, as PNG or SVG.
* :mod:`graph.outputs.ego`: the neighbourhood of a node, as an offline HTML page.
* :mod:`graph.outputs.drawing`: what the two pictures share.

Nothing is imported here, so that writing one output loads only its libraries
(matplotlib for the timeline, Bokeh for the ego page).
"""
