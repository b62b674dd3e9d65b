// title: Measures in force on a date
// description: Measures in force on the date by the schema's lifecycle rule (the in_force periods derived from each measure's history or dates and the SUSPENDS and REVOKES acting on it); bills never enacted, enjoined or revoked measures and kinds that bind no one (campaigns, investigations, recommendations, terminations) are left out.
// parameters:
//   date: {type: date, example: 2020-12-31, description: "ISO date, YYYY-MM-DD"}
// expected:
//   min_rows: 10
//   contains:
//     - {measure_id: eo-13936}
//   excludes:
//     - {measure_id: commerce-tiktok-identification}
//     - {measure_id: commerce-wechat-identification}
//     - {measure_id: s-3455-no-tiktok-on-government-devices}
//     - {measure_id: clean-network}
WITH $date AS day
MATCH (m:Measure)
WHERE any(p IN m.in_force WHERE left(p, 10) <= day AND (right(p, 2) = '..' OR right(p, 10) > day))
OPTIONAL MATCH (issuer)-[:ISSUED]->(m)
RETURN m.id AS measure_id, m.name AS measure, m.kind AS kind, collect(DISTINCT issuer.name) AS issuers,
       coalesce(m.effective, m.announced) AS since, m.in_force AS in_force, m.citation AS citation
ORDER BY since, measure_id
