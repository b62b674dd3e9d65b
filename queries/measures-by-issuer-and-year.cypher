// title: Measures by issuing body and year
// description: How many measures each body issued per year of announcement, with the state it belongs to.
// expected:
//   min_rows: 10
//   contains:
//     - {issuer: President of the United States, year: "2020"}
//     - {issuer: Ministry of Foreign Affairs of the People's Republic of China, year: "2020"}
MATCH (issuer)-[:ISSUED]->(m:Measure)
OPTIONAL MATCH (issuer)-[:PART_OF*0..5]->(state:Government {kind: 'state'})
WITH coalesce(state.name, issuer.name) AS state, issuer.name AS issuer, left(m.announced, 4) AS year, m
RETURN state, issuer, year, count(DISTINCT m) AS measures
ORDER BY state, issuer, year
