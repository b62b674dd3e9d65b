// title: Apps hit by measures, and who owns them
// description: Every app a measure targets, with the measure, its direct owner and the owner's own parent if any.
// expected:
//   min_rows: 10
//   contains:
//     - {app_id: tiktok, measure_id: eo-13942, owner_id: bytedance}
//     - {app_id: alipay, measure_id: eo-13971}
MATCH (m:Measure)-[:SANCTIONS]->(app:App)
OPTIONAL MATCH (owner)-[:OWNS]->(app)
OPTIONAL MATCH (parent)-[:OWNS]->(owner)
RETURN app.id AS app_id, app.name AS app, m.id AS measure_id, m.name AS measure, m.announced AS announced,
       owner.id AS owner_id, owner.name AS owner, parent.name AS owner_parent
ORDER BY app_id, announced, measure_id, owner_id, owner_parent
