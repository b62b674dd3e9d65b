// title: Retaliation chains
// description: Maximal sequences of measures linked by RETALIATES_AGAINST, from the first measure to the last answer, with the issuers and dates at both ends; `chain` lists the ids of its measures from the last answer back (the chains are derived at build, as RETALIATION_CHAIN relations).
// expected:
//   min_rows: 8
//   contains:
//     - {first_id: hk-nsl, last_id: eo-13936, steps: 1}
//     - {first_id: ofac-hk-designations-2020-08-07, last_id: cn-counter-sanctions-2020-08-10}
//     - {first_id: taiwan-pac3-recertification-2020-07-09, last_id: cn-sanctions-lockheed-2020-07-14}
//     - {first_id: commerce-wechat-identification, last_id: mofcom-unreliable-entity-list-provisions}
MATCH (last:Measure)-[c:RETALIATION_CHAIN]->(first:Measure)
// Each walk of at most 8 RETALIATES_AGAINST from a measure answered by none to one answering none is one
// RETALIATION_CHAIN relation, derived at build (graph/dataset/derived.py): walking them here took seconds at 1M.
WITH first, last, c.steps AS steps, c.chain AS chain
OPTIONAL MATCH (first_issuer)-[:ISSUED]->(first)
WITH first, last, steps, chain, collect(DISTINCT first_issuer.name) AS first_issuers
OPTIONAL MATCH (last_issuer)-[:ISSUED]->(last)
WITH first, last, steps, chain, first_issuers, collect(DISTINCT last_issuer.name) AS last_issuers
RETURN first.id AS first_id, first.name AS first_measure, first_issuers, first.announced AS first_announced,
       last.id AS last_id, last.name AS last_measure, last_issuers, last.announced AS last_announced,
       steps, chain
ORDER BY first_announced, last_announced, last_id, first_id, steps
