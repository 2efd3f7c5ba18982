// Writes docs/events.md, docs/cpython-parity.md and schema/policy.schema.json from the catalogue (build first: npm run build).
// With --check, writes nothing and exits 1 when a committed file differs from what it would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import catalogue from '../dist/catalogue/index.js';
import schema from '../dist/policy/schema.js';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const seed = JSON.parse(readFileSync(resolve(root, 'data', 'cpython-audit-events.json'), 'utf8')).events;
const outputs = {
  'docs/events.md': catalogue.renderEventsMarkdown(),
  'docs/cpython-parity.md': catalogue.renderParityMarkdown(seed),
  'schema/policy.schema.json': `${JSON.stringify(schema.policySchema, null, 2)}\n`,
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of Object.entries(outputs)) {
  const path = resolve(root, file);
  if (!check) {
    writeFileSync(path, text);
    continue;
  }
  let current = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    stale++;
    process.stderr.write(`${file} is stale: run \`npm run build && npm run docs\` and commit the result\n`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
