// The compatibility suite's scenarios (test/compat/), each in its own child process, one mode for all:
// `node bench/compat-suite.mjs plain|register|hook|run`. bench/run.mjs times the whole of it per mode.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const compat = resolve(root, 'test', 'compat');
const scratch = mkdtempSync(join(tmpdir(), 'audithook-bench-compat-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const noOpHook = join(scratch, 'no-op-hook.cjs');
writeFileSync(noOpHook, `require(${JSON.stringify(resolve(root, 'dist', 'index.js'))}).addAuditHook(() => {});\n`);
const register = ['--import', resolve(root, 'dist', 'esm', 'register.mjs')];
const MODES = {
  plain: (script) => [script],
  register: (script) => [...register, script],
  hook: (script) => [...register, '--require', noOpHook, script],
  run: (script) => [resolve(root, 'dist', 'cli', 'main.js'), 'run', '--quiet', '--log', join(scratch, 'run.jsonl'), '--', process.execPath, script],
};
const mode = MODES[process.argv[2]];
if (mode === undefined) throw new Error(`usage: compat-suite.mjs ${Object.keys(MODES).join('|')}`);
for (const name of readdirSync(compat).filter((file) => file.endsWith('.mjs') && file !== 'report.mjs').sort()) {
  const child = spawnSync(process.execPath, mode(join(compat, name)), { cwd: compat, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${name} (${process.argv[2]}) failed: ${child.stderr}`);
}
