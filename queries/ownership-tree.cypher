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
MATCH p = (root)-[:OWNS*1..6]->(owned)
MATCH (parent)-[o:OWNS]->(owned)
WHERE parent IN nodes(p)
RETURN DISTINCT owned.id AS id, owned.name AS name, labels(owned)[0] AS label, length(p) AS depth,
       parent.name AS owner, o.share AS share
ORDER BY depth, id
