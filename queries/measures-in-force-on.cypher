// title: Measures in force on a date
// description: Measures that had taken effect (or, without an effective date, been announced) on or before the date and had not ended by then.
// parameters:
//   date: {type: date, example: 2020-12-31, description: "ISO date, YYYY-MM-DD"}
// expected:
//   min_rows: 10
//   contains:
//     - {measure_id: eo-13936}
WITH $date AS day
MATCH (m:Measure)
WHERE coalesce(m.effective, m.announced) <= day AND (m.ended IS NULL OR m.ended > day)
OPTIONAL MATCH (issuer)-[:ISSUED]->(m)
RETURN m.id AS measure_id, m.name AS measure, m.kind AS kind, collect(DISTINCT issuer.name) AS issuers,
       coalesce(m.effective, m.announced) AS since, m.citation AS citation
ORDER BY since, measure_id
