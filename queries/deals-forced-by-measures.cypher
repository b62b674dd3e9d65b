// title: Deals forced or shaped by measures
// description: Deals made to satisfy or escape a measure, with their parties and roles, status and dates.
// expected:
//   min_rows: 3
//   contains:
//     - {deal_id: tiktok-global-oracle-walmart, party_id: oracle}
MATCH (deal:Deal)-[:RESPONDS_TO]->(m:Measure)
OPTIONAL MATCH (party)-[role:PARTY_TO]->(deal)
RETURN deal.id AS deal_id, deal.name AS deal, deal.status AS status, deal.announced AS announced,
       m.name AS measure, party.id AS party_id, party.name AS party, role.role AS role
ORDER BY announced, deal_id, party_id
