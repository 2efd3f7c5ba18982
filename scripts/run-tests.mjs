// `npm test`: the suite on this Node (process.execPath), each test file in its own process and each
// scenario in a child of its own; then the catalogue coverage check over the events they recorded.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const testDir = resolve(root, 'build', 'test');
const recordDir = resolve(root, 'build', 'event-record');
rmSync(recordDir, { recursive: true, force: true });
mkdirSync(recordDir, { recursive: true });

const files = readdirSync(testDir).filter((name) => name.endsWith('.test.js')).sort().map((name) => resolve(testDir, name));
const env = { ...process.env, AUDITHOOK_TEST_RECORD: recordDir };
const run = (args) => spawnSync(process.execPath, ['--test', ...args], { cwd: root, env, stdio: 'inherit' }).status;

process.stdout.write(`audithook tests on Node ${process.version}\n`);
const suite = run(files);
const coverage = run([resolve(testDir, 'coverage.check.js')]);
process.exitCode = suite === 0 && coverage === 0 ? 0 : 1;
