// title: Measures hitting an entity or anything it owns
// description: Every measure that targets the entity, or a company or app it owns directly or through subsidiaries (up to 6 ownership steps), with issuer and dates.
// parameters:
//   entity: {type: entity, example: Tencent, description: "Name, alias or id of a company, app, official or government (any case; 腾讯 works)"}
// expected:
//   min_rows: 8
//   contains:
//     - {measure_id: eo-13943, target_id: wechat}
//     - {measure_id: eo-13971, target_id: wechat-pay}
MATCH (root) WHERE root.id IN $entity
MATCH (root)-[:OWNS*0..6]->(target)<-[:SANCTIONS]-(m:Measure)
WITH DISTINCT m, target
OPTIONAL MATCH (issuer)-[:ISSUED]->(m)
WITH m, target, collect(DISTINCT issuer.name) AS issuers
RETURN m.id AS measure_id, m.name AS measure, m.kind AS kind, issuers,
       target.id AS target_id, target.name AS target, m.announced AS announced, m.effective AS effective,
       m.ended AS ended, m.citation AS citation
ORDER BY announced, measure_id, target_id
