// title: Measures hitting an entity or anything it controls
// description: Every measure that targets the entity, or a company or app it controls directly or through subsidiaries (up to 6 ownership steps, each a holding of 50% or more or of unknown share, the schema's ownership.control; minority stakes are not followed), with issuer, dates, the measure's status and its periods in force.
// parameters:
//   entity: {type: entity, example: Tencent, description: "Name, alias or id of a company, app, official or government (any case; 腾讯 works)"}
// expected:
//   min_rows: 8
//   contains:
//     - {measure_id: eo-13943, target_id: wechat}
//     - {measure_id: eo-13971, target_id: wechat-pay}
//     - {measure_id: commerce-wechat-identification, target_id: wechat, status: revoked, in_force: []}
//   excludes:
//     - {target_id: didi-global}
MATCH (root) WHERE root.id IN $entity
MATCH w = (root)-[:OWNS*0..6]->(target)
WHERE all(r IN relationships(w) WHERE coalesce(r.share, 100.0) >= 50)
MATCH (target)<-[:SANCTIONS]-(m:Measure)
WITH DISTINCT m, target
OPTIONAL MATCH (issuer)-[:ISSUED]->(m)
WITH m, target, collect(DISTINCT issuer.name) AS issuers
RETURN m.id AS measure_id, m.name AS measure, m.kind AS kind, issuers,
       target.id AS target_id, target.name AS target, m.announced AS announced, m.effective AS effective,
       m.ended AS ended, m.status AS status, m.in_force AS in_force, m.citation AS citation
ORDER BY announced, measure_id, target_id
