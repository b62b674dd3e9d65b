// title: Most targeted companies
// description: Companies ranked by the number of distinct measures hitting them or anything they own (up to 6 ownership steps).
// parameters:
//   limit: {type: integer, example: 10, description: "How many companies to list"}
// expected:
//   min_rows: 10
//   max_rows: 10
//   contains:
//     - {company_id: huawei}
MATCH (c:Company)-[:OWNS*0..6]->(target)<-[:SANCTIONS]-(m:Measure)
WITH c, count(DISTINCT m) AS measures, count(DISTINCT target) AS targets
RETURN c.id AS company_id, c.name AS company, c.country AS country, measures, targets
ORDER BY measures DESC, company_id
LIMIT $limit
