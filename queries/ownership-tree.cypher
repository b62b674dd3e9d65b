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
// The walk ends in the immediate owner's own edge: no path is compared node by node, so a dense
// lattice of cross-holdings costs its walks to the owners, not every path's nodes joined again.
MATCH p = (root)-[:OWNS*0..5]->(parent)-[o:OWNS]->(owned)
RETURN DISTINCT owned.id AS id, owned.name AS name, labels(owned)[0] AS label, length(p) AS depth,
       parent.name AS owner, o.share AS share
ORDER BY depth, id
