/**
 * Attacks by a program that has read audithook's source (the scenarios are in test/attacks/), each
 * run under `audithook run` on this test's Node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { REPO_ROOT } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Runs test/attacks/<name> under `audithook run` in a fresh directory; its last stdout line is JSON. */
function attack(name: string, args: readonly string[]): { records: LogRecord[]; result: unknown; work: string } {
  const work = mkdtempSync(join(tmpdir(), 'audithook-attack-'));
  const log = join(work, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--', 'node', resolve(REPO_ROOT, 'test', 'attacks', name), ...args, work], {
    cwd: work, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  const records = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord);
  return { records, result: JSON.parse(lines[lines.length - 1] ?? 'null'), work };
}

test('every built-in method, getter and Symbol.hasInstance replaced: nothing of the replacements runs inside a hook', () => {
  const { records, result } = attack('tamper-builtins.mjs', ['count']);
  assert.deepEqual(result, []);
  // Every kind of operation was raised and logged.
  const events = new Set(records.map((record) => record.event));
  for (const event of ['open', 'os.rename', 'os.putenv', 'subprocess.Popen', 'compile', 'socket.connect', 'attack.rich']) assert.ok(events.has(event), event);
});

test('replacements that forge what formats a log line (time, URL, strings, JSON) do not reach the log', () => {
  const { records, work } = attack('tamper-builtins.mjs', ['forge']);
  const text = JSON.stringify(records);
  assert.doesNotMatch(text, /FORGED|1999-/);
  const file = join(work, 'file.txt');
  assert.deepEqual(records.filter((record) => record.event === 'open' && record.args[0] === file).map((record) => record.args), [
    [file, 'w', 577], // written before the attack starts
    [file, 'r', 0], [file, 'r', 0], [file, 'r', 0], // a string, a file: URL, a Buffer
  ]);
  const rich = records.find((record) => record.event === 'attack.rich');
  assert.deepEqual(rich?.args, [
    { $type: 'Map', size: 1, entries: [['k', 1]] }, { $type: 'Set', size: 1, values: ['v'] }, '1970-01-01T00:00:00.000Z', '/re/g',
    'https://example.test/p?q', { $type: 'Buffer', size: 5, utf8: 'bytes' }, { $type: 'DataView', size: 2, hex: '0000' }, 'Symbol(s)',
    { nested: [1, 'two'] }, 1.5, 'Infinity', '10n',
  ]);
  for (const record of records) assert.match(record.time, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('a package denied all but reading its own files cannot get past its policy with two-faced arguments', () => {
  const app = resolve(REPO_ROOT, 'test', 'attacks', 'arguments-app');
  const log = join(mkdtempSync(join(tmpdir(), 'audithook-attack-')), 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--policy', join(app, 'policy.json'), '--', 'node', join(app, 'app.mjs')], {
    cwd: app, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(lines[lines.length - 1] ?? 'null'), { kill: 'ERR_ACCESS_DENIED', binding: 'ERR_ACCESS_DENIED', read: 'decoy', childAlive: true });
  const records = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord);
  const evil = records.filter((record) => record.package === 'evil' && record.event !== 'import').map((record) => [record.event, record.decision]);
  assert.deepEqual(evil, [['os.kill', 'deny'], ['process.binding', 'deny'], ['open', 'allow']]);
});
