// Lint Cypher statements with Neo4j's own parser and semantic analysis.
// stdin: {"schema": {labels, relationshipTypes, propertyKeys}, "statements": [{"name", "text", "parameters"}]}
// stdout: [{"name", "diagnostics": [{"severity", "message", "offset"}]}]
const { lintCypherQuery } = require('@neo4j-cypher/language-support');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { schema, statements } = JSON.parse(input);
  const report = statements.map(({ name, text, parameters }) => {
    const dbSchema = { ...schema, parameters: Object.fromEntries(parameters.map((p) => [p, 'x'])) };
    const result = lintCypherQuery(text, dbSchema);
    const diagnostics = (result.diagnostics || result).map((d) => ({
      severity: d.severity, message: d.message, offset: d.offsets ? d.offsets.start : null,
    }));
    return { name, diagnostics };
  });
  process.stdout.write(JSON.stringify(report));
});
