// Writes PROJECT/allowlist.json: the sha256 of every module file under PROJECT/node_modules.
// Run it after installing dependencies you trust:  node write-allowlist.mjs PROJECT
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const project = resolve(process.argv[2] ?? '.');
const modules = join(project, 'node_modules');
const allowlist = {};
for (const entry of readdirSync(modules, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(js|mjs|cjs)$/.test(entry.name)) continue;
  const file = join(entry.parentPath ?? entry.path, entry.name);
  allowlist[relative(project, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
}
writeFileSync(join(project, 'allowlist.json'), `${JSON.stringify(allowlist, null, 2)}\n`);
console.log(`allowlist.json: ${Object.keys(allowlist).length} files under ${modules}`);
