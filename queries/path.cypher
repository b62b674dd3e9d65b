// title: Shortest path between two actors
// description: The shortest chain of relationships (any type, either direction, up to 8 steps) joining two entities.
// parameters:
//   from: {type: entity, example: Carrie Lam, description: "Name, alias or id of the first entity"}
//   to: {type: entity, example: Marco Rubio, description: "Name, alias or id of the second entity"}
// expected:
//   min_rows: 1
//   max_rows: 1
MATCH (a) WHERE a.id IN $from
MATCH (b) WHERE b.id IN $to AND b.id <> a.id
MATCH p = shortestPath((a)-[*..8]-(b))
RETURN length(p) AS steps, p AS path
ORDER BY steps
LIMIT 1
