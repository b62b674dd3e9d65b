// title: Measures by legal basis
// description: Measures grouped by the statute or instrument they rest on, with their count and names.
// expected:
//   min_rows: 5
MATCH (m:Measure)
WHERE m.legal_basis IS NOT NULL
RETURN m.legal_basis AS legal_basis, count(m) AS measures, collect(m.name) AS names
ORDER BY measures DESC, legal_basis
