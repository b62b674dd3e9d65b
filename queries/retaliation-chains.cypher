// title: Retaliation chains
// description: Maximal sequences of measures linked by RETALIATES_AGAINST, from the first measure to the last answer, with the issuers and dates at both ends.
// expected:
//   min_rows: 8
//   contains:
//     - {first_id: hk-nsl, last_id: eo-13936, steps: 1}
//     - {first_id: ofac-hk-designations-2020-08-07, last_id: cn-counter-sanctions-2020-08-10}
//     - {first_id: taiwan-pac3-recertification-2020-07-09, last_id: cn-sanctions-lockheed-2020-07-14}
//     - {first_id: commerce-wechat-identification, last_id: mofcom-unreliable-entity-list-provisions}
MATCH p = (last:Measure)-[:RETALIATES_AGAINST*1..8]->(first:Measure)
// retaliation is derived at build (graph/dataset/derived.py): `last` answers a measure and is answered by
// none, `first` is answered and answers none; the walk starts only at the chain ends, not at every measure.
WHERE last.retaliation = 'last' AND first.retaliation = 'first'
WITH first, last, length(p) AS steps, nodes(p) AS chain
OPTIONAL MATCH (first_issuer)-[:ISSUED]->(first)
WITH first, last, steps, chain, collect(DISTINCT first_issuer.name) AS first_issuers
OPTIONAL MATCH (last_issuer)-[:ISSUED]->(last)
WITH first, last, steps, chain, first_issuers, collect(DISTINCT last_issuer.name) AS last_issuers
RETURN first.id AS first_id, first.name AS first_measure, first_issuers, first.announced AS first_announced,
       last.id AS last_id, last.name AS last_measure, last_issuers, last.announced AS last_announced,
       steps, chain
ORDER BY first_announced, last_announced, last_id, first_id, steps
