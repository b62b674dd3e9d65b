// title: What answered a measure
// description: Measures that retaliate against the given measure, directly or as answers to answers, with who issued them and when.
// parameters:
//   measure: {type: entity, example: ofac-hk-designations-2020-08-07, description: "Id, name or alias of the measure answered (any case)"}
// expected:
//   min_rows: 1
//   contains:
//     - {answer_id: cn-counter-sanctions-2020-08-10, steps: 1}
MATCH (m:Measure) WHERE m.id IN $measure
MATCH p = (answer:Measure)-[:RETALIATES_AGAINST*1..8]->(m)
WITH answer, min(length(p)) AS steps
OPTIONAL MATCH (issuer)-[:ISSUED]->(answer)
RETURN answer.id AS answer_id, answer.name AS answer, collect(DISTINCT issuer.name) AS issuers,
       answer.announced AS announced, steps
ORDER BY steps, announced, answer_id
