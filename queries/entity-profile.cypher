// title: Everything directly connected to an entity
// description: One row per relationship of the entity, out and in, with the other end, dates and sources; the raw material of `techgraph show`. Rows come unordered.
// parameters:
//   entity: {type: entity, example: ZTE, description: "Name, alias or id (any case)"}
// expected:
//   min_rows: 4
//   contains:
//     - {direction: in, relation: SANCTIONS, other_id: zte-denial-order-2018}
MATCH (n) WHERE n.id IN $entity
MATCH (n)-[r]->(other)
RETURN n.name AS entity, 'out' AS direction, type(r) AS relation, labels(other)[0] AS other_label,
       other.id AS other_id, other.name AS other, r.since AS since, r.until AS until, r.sources AS sources
UNION ALL
MATCH (n) WHERE n.id IN $entity
MATCH (n)<-[r]-(other)
RETURN n.name AS entity, 'in' AS direction, type(r) AS relation, labels(other)[0] AS other_label,
       other.id AS other_id, other.name AS other, r.since AS since, r.until AS until, r.sources AS sources
