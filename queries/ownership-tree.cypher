// title: Ownership tree below an entity
// description: Every company and app the entity owns, directly or through subsidiaries, with depth, immediate owner and the immediate share (percent) where known.
// parameters:
//   entity: {type: entity, example: Tencent, description: "Name, alias or id of the owner (any case)"}
// expected:
//   min_rows: 4
//   contains:
//     - {id: wechat, depth: 1}
//     - {id: wechat-pay}
MATCH (root) WHERE root.id IN $entity
// Each owner is reached once per depth (DISTINCT) before its own edges are followed: on a dense
// lattice of cross-holdings the walk costs its paths to the owners, and no path is extended twice.
MATCH p = (root)-[:OWNS*0..5]->(parent)
WITH DISTINCT parent, length(p) AS parent_depth
MATCH (parent)-[o:OWNS]->(owned)
RETURN DISTINCT owned.id AS id, owned.name AS name, labels(owned)[0] AS label, parent_depth + 1 AS depth,
       parent.name AS owner, o.share AS share
ORDER BY depth, id
