// title: Retaliation chains
// description: Maximal sequences of measures linked by RETALIATES_AGAINST, from the first measure to the last answer, with the days between the first and the last.
// expected:
//   min_rows: 4
//   contains:
//     - {first_id: eo-13936, last_id: cn-countersanctions-2020-08-10}
MATCH p = (last:Measure)-[:RETALIATES_AGAINST*1..8]->(first:Measure)
WHERE NOT EXISTS { MATCH (first)-[:RETALIATES_AGAINST]->(:Measure) }
  AND NOT EXISTS { MATCH (:Measure)-[:RETALIATES_AGAINST]->(last) }
OPTIONAL MATCH (first_issuer)-[:ISSUED]->(first)
OPTIONAL MATCH (last_issuer)-[:ISSUED]->(last)
RETURN first.id AS first_id, first.name AS first_measure, first_issuer.name AS first_issuer,
       first.announced AS first_announced, last.id AS last_id, last.name AS last_measure,
       last_issuer.name AS last_issuer, last.announced AS last_announced,
       length(p) AS steps, nodes(p) AS chain
ORDER BY first_announced, last_announced, last_id
