// title: Ownership tree below an entity
// description: Every company and app the entity controls, directly or through subsidiaries (each step a holding of 50% or more, or of unknown share, the schema's ownership.control), with depth, immediate owner, the immediate share (percent) where known and the holding's kind; smaller holdings of the entity or its subsidiaries are listed as stakes, and not followed.
// parameters:
//   entity: {type: entity, example: Tencent, description: "Name, alias or id of the owner (any case)"}
// expected:
//   min_rows: 4
//   contains:
//     - {id: wechat, depth: 1, holding: possibly controlled}
//     - {id: wechat-pay, holding: possibly controlled}
//     - {id: didi-global, depth: 1, share: 6.8, holding: stake}
MATCH (root) WHERE root.id IN $entity
// One MATCH from the start (the walk to each owner, then the owner's holdings): the embedded engine
// then walks from the start rather than joining full scans of OWNS and of every company and app.
MATCH w = (root)-[:OWNS*0..5]->(parent), (parent)-[o:OWNS]->(owned)
WHERE all(r IN relationships(w) WHERE coalesce(r.share, 100.0) >= 50)
RETURN DISTINCT owned.id AS id, owned.name AS name, labels(owned)[0] AS label, length(w) + 1 AS depth,
       parent.name AS owner, o.share AS share,
       CASE WHEN o.share IS NULL THEN 'possibly controlled' WHEN o.share >= 50 THEN 'controlled' ELSE 'stake' END AS holding
ORDER BY depth, id
