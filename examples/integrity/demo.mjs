// The integrity check end to end, in a temporary project: write the allowlist, run the app (it
// works), tamper with a dependency, run it again (refused before the tampered file runs).
// Run it from the repository root: node examples/integrity/demo.mjs
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'audithook-integrity-'));
const files = {
  'node_modules/greet/package.json': '{ "name": "greet", "main": "index.js" }',
  'node_modules/greet/index.js': "module.exports = (name) => `hello, ${name}`;\n",
  'node_modules/shout/index.mjs': "export const shout = (text) => text.toUpperCase();\n",
  'app.mjs': "import greet from 'greet';\nimport { shout } from './node_modules/shout/index.mjs';\nconsole.log(shout(greet('integrity')));\n",
};
for (const [name, text] of Object.entries(files)) {
  mkdirSync(dirname(join(project, name)), { recursive: true });
  writeFileSync(join(project, name), text);
}

const run = (label, command) => {
  const child = spawnSync(process.execPath, command, { cwd: project, encoding: 'utf8' });
  console.log(`${label}: exit ${child.status}\n  ${(child.stdout + child.stderr).trim().split('\n').filter((line) => /^(HELLO|Error|allowlist)/.test(line)).join('\n  ')}`);
};
const app = ['--import', join(here, 'verify.mjs'), 'app.mjs'];

run('write the allowlist', [join(here, 'write-allowlist.mjs'), project]);
run('run as installed', app);
appendFileSync(join(project, 'node_modules/greet/index.js'), "require('node:fs').writeFileSync('pwned', '');\n");
run('run after tampering', app);
console.log(`the tampered code ran: ${existsSync(join(project, 'pwned'))}`);
