// title: Shortest path between two actors
// description: The shortest chain of relationships (any type, either direction, up to 8 steps) joining two entities.
// parameters:
//   from: {type: entity, example: Carrie Lam, description: "Name, alias or id of the first entity"}
//   to: {type: entity, example: Marco Rubio, description: "Name, alias or id of the second entity"}
// expected:
//   min_rows: 1
//   max_rows: 1
WITH toLower($from) AS a_key, toLower($to) AS b_key
MATCH (a)
WHERE toLower(a.id) = a_key OR toLower(a.name) = a_key OR any(x IN a.aliases WHERE toLower(x) = a_key)
MATCH (b)
WHERE toLower(b.id) = b_key OR toLower(b.name) = b_key OR any(x IN b.aliases WHERE toLower(x) = b_key)
MATCH p = shortestPath((a)-[*..8]-(b))
RETURN length(p) AS steps, p AS path
ORDER BY steps
LIMIT 1
