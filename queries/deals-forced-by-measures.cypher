// title: Deals forced or shaped by measures
// description: Deals made to satisfy or escape a measure, with the measures they answer, their parties and roles, status and dates.
// expected:
//   min_rows: 2
//   contains:
//     - {deal_id: tiktok-global-deal, status: abandoned}
//     - {deal_id: microsoft-tiktok-deal}
MATCH (deal:Deal)-[:RESPONDS_TO]->(m:Measure)
// each WITH sorts so that collect() sees one order on every engine (LadybugDB sorts in WITH only with SKIP or LIMIT)
WITH deal, m ORDER BY m.name SKIP 0
WITH deal, collect(DISTINCT m.name) AS measures
OPTIONAL MATCH (party)-[role:PARTY_TO]->(deal)
WITH deal, measures, party, role ORDER BY party.name, role.role SKIP 0
RETURN deal.id AS deal_id, deal.name AS deal, deal.status AS status, deal.announced AS announced,
       deal.ended AS ended, measures, collect(DISTINCT party.name + ' (' + role.role + ')') AS parties
ORDER BY announced, deal_id
