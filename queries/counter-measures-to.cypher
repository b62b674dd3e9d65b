// title: What answered a measure
// description: Measures that retaliate against the given measure or against one that carries it out (its programme lines and implementing measures, through PART_OF and IMPLEMENTS), directly or as answers to answers, with who issued them, when, and which measure they answered.
// parameters:
//   measure: {type: entity, label: Measure, example: EO 13936, description: "Id, name or alias of the measure answered (any case); a name that is not a measure's is an error"}
// expected:
//   min_rows: 1
//   contains:
//     - {answer_id: cn-counter-sanctions-2020-08-10, answered_id: ofac-hk-designations-2020-08-07, steps: 1}
MATCH (m:Measure) WHERE m.id IN $measure
MATCH (part:Measure)-[:PART_OF|IMPLEMENTS*0..4]->(m)
// The measures answered, each once, bound before the walk to them: the embedded engine then walks back from
// them, not from every measure (at 1M relations 10 ms, not 1.2 s).
WITH DISTINCT part
MATCH p = (answer:Measure)-[:RETALIATES_AGAINST*1..8]->(part)
WITH answer, part, min(length(p)) AS steps
OPTIONAL MATCH (issuer)-[:ISSUED]->(answer)
RETURN answer.id AS answer_id, answer.name AS answer, collect(DISTINCT issuer.name) AS issuers,
       answer.announced AS announced, part.id AS answered_id, steps
ORDER BY steps, announced, answer_id, answered_id
