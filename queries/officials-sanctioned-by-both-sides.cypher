// title: Officials sanctioned, by side
// description: People hit by a measure, with the side that hit them (United States or China, by the issuer's country) and how many measures; shows US sanctions on Chinese and Hong Kong officials next to China's counter-sanctions on Americans.
// expected:
//   min_rows: 20
//   contains:
//     - {official_id: carrie-lam, sanctioned_by: United States}
//     - {official_id: marco-rubio, sanctioned_by: China}
MATCH (issuer)-[:ISSUED]->(m:Measure)-[:SANCTIONS]->(o:Official)
WITH o, m, CASE WHEN issuer.country = 'US' THEN 'United States'
                WHEN issuer.country IN ['CN', 'HK'] THEN 'China'
                ELSE issuer.country END AS side
RETURN o.id AS official_id, o.name AS official, o.role AS role, side AS sanctioned_by,
       count(DISTINCT m) AS measures, min(m.announced) AS first_hit
ORDER BY sanctioned_by, official_id
