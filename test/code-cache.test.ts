/**
 * The agent loads the runtime with V8's code cache (src/agent/code-cache.ts), kept in the package's
 * `.code-cache/`. Each test runs `audithook run` from a copy of dist/ in a folder of its own (its
 * node_modules linked to the repository's), so that it owns that folder's cache.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { REPO_ROOT } from './helpers/scenario';

/** A package folder holding a copy of dist/ and package.json. */
function packageCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'audithook-code-cache-'));
  cpSync(resolve(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(resolve(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(resolve(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** The program's events (every record with an event), from one run of COMMAND (default `node -e CODE`). */
function runEvents(root: string, code: string, command: readonly string[] = ['node', '-e', code]): string[] {
  const log = join(root, `log-${Math.random()}.jsonl`);
  const child = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'run', '--log', log, '--', ...command], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'ran\n');
  const records = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord);
  return records.filter((record) => typeof record.event === 'string').map((record) => `${record.event} ${JSON.stringify(record.args)}`);
}

const PROGRAM = "require('node:fs').readFileSync('/dev/null'); console.log('ran')";

function cacheFiles(root: string): string[] {
  const folder = join(root, '.code-cache');
  return existsSync(folder) ? readdirSync(folder) : [];
}

test('the first process writes the cache for its Node, raising no event; the next ones load it as it is', () => {
  const root = packageCopy();
  const first = runEvents(root, PROGRAM);
  assert.deepEqual(first, ['cpython.run_command [' + JSON.stringify(PROGRAM) + ']', 'open ["/dev/null","r",524288]']);
  const files = cacheFiles(root);
  assert.equal(files.length, 1);
  assert.match(files[0], new RegExp(`^runtime-${process.versions.v8.replace(/\./g, '\\.')}-${process.arch}-\\d+-[\\d.]+\\.bin$`));
  const file = join(root, '.code-cache', files[0]);
  const written = statSync(file);
  assert.ok(written.size > 10_000);
  // Accepted: a rejected cache would be written again (a new file renamed over it).
  assert.deepEqual(runEvents(root, PROGRAM), first);
  const after = statSync(file);
  assert.deepEqual([after.ino, after.mtimeMs], [written.ino, written.mtimeMs]);
});

test('a cache V8 rejects (not one it wrote) is compiled past and written again; a changed runtime gets a cache of its own', () => {
  const root = packageCopy();
  const expected = runEvents(root, PROGRAM);
  const [name] = cacheFiles(root);
  const file = join(root, '.code-cache', name);
  writeFileSync(file, Buffer.alloc(4096, 0x5a));
  assert.deepEqual(runEvents(root, PROGRAM), expected);
  assert.notEqual(readFileSync(file)[0], 0x5a);
  // A rebuilt runtime: V8 checks only the source's length, the key has its size and time too.
  utimesSync(join(root, 'dist', 'runtime.js'), new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(runEvents(root, PROGRAM), expected);
  assert.equal(cacheFiles(root).length, 2);
});

test('processes a shell starts together without a cache: one whole cache is left (each writer renames its own file into place), which the next process accepts', () => {
  const root = packageCopy();
  // A shell, not Node, starts them: none finds a cache another wrote first.
  runEvents(root, '', ['sh', '-c', 'for i in 1 2 3 4 5 6; do node -e 0 & done; wait; echo ran']);
  assert.equal(cacheFiles(root).length, 1, cacheFiles(root).join(', '));
  const file = join(root, '.code-cache', cacheFiles(root)[0]);
  const written = statSync(file);
  runEvents(root, PROGRAM);
  const after = statSync(file);
  assert.deepEqual([after.ino, after.mtimeMs], [written.ino, written.mtimeMs]);
});
