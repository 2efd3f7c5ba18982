// Writes docs/events.md, docs/cpython-parity.md and schema/policy.schema.json from the catalogue.
// With --check, writes nothing and exits 1 when a committed file differs from what it would write.
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');

/** A source module of the package, compiled in memory (the renderers are not shipped in dist/). */
async function load(file) {
  const path = resolve(root, 'src', file);
  const { outputFiles } = await build({ entryPoints: [path], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'warning' });
  const module = new Module(path);
  module._compile(outputFiles[0].text, path);
  return module.exports;
}
const catalogue = await load('catalogue/markdown.ts');
const schema = await load('policy/schema.ts');
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
