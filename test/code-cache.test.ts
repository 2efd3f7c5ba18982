/**
 * The agent's preload loads the runtime and the agent with V8's code cache (src/agent/code-cache.ts),
 * kept in the package's `.code-cache/`. Each test runs `audithook run` from a copy of dist/ in a folder of its own (its
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

/** The cache files of the two bundles the preload loads, by name. */
const CACHED = ['agent-main', 'runtime'];
const cacheName = (name: string): RegExp => new RegExp(`^${name}-${process.versions.v8.replace(/\./g, '\\.')}-${process.arch}-\\d+-[\\d.]+\\.bin$`);

/** Each cache file's inode and time: a rejected cache would be written again (a new file renamed over it). */
function cacheStats(root: string): [string, number, number][] {
  return cacheFiles(root).sort().map((name) => {
    const { ino, mtimeMs } = statSync(join(root, '.code-cache', name));
    return [name, ino, mtimeMs];
  });
}

test('the first process writes the caches for its Node (the runtime and the agent), raising no event; the next ones load them as they are', () => {
  const root = packageCopy();
  const first = runEvents(root, PROGRAM);
  assert.deepEqual(first, ['cpython.run_command [' + JSON.stringify(PROGRAM) + ']', 'open ["/dev/null","r",524288]']);
  const files = cacheFiles(root).sort();
  assert.equal(files.length, CACHED.length, files.join(', '));
  CACHED.forEach((name, i) => assert.match(files[i], cacheName(name)));
  for (const file of files) assert.ok(statSync(join(root, '.code-cache', file)).size > 10_000, file);
  const written = cacheStats(root);
  // Accepted, both: the second process compiles neither the runtime nor the agent.
  assert.deepEqual(runEvents(root, PROGRAM), first);
  assert.deepEqual(cacheStats(root), written);
});

test('a cache V8 rejects (not one it wrote) is compiled past and written again; a changed runtime gets a cache of its own', () => {
  const root = packageCopy();
  const expected = runEvents(root, PROGRAM);
  for (const name of cacheFiles(root)) {
    const file = join(root, '.code-cache', name);
    writeFileSync(file, Buffer.alloc(4096, 0x5a));
    assert.deepEqual(runEvents(root, PROGRAM), expected);
    assert.notEqual(readFileSync(file)[0], 0x5a, name);
  }
  // A rebuilt runtime: V8 checks only the source's length, the key has its size and time too.
  utimesSync(join(root, 'dist', 'runtime.js'), new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(runEvents(root, PROGRAM), expected);
  assert.equal(cacheFiles(root).length, CACHED.length + 1);
});

test('processes a shell starts together without a cache: one whole cache of each file is left (each writer renames its own file into place), which the next process accepts', () => {
  const root = packageCopy();
  // A shell, not Node, starts them: none finds a cache another wrote first.
  runEvents(root, '', ['sh', '-c', 'for i in 1 2 3 4 5 6; do node -e 0 & done; wait; echo ran']);
  assert.equal(cacheFiles(root).length, CACHED.length, cacheFiles(root).join(', '));
  const written = cacheStats(root);
  runEvents(root, PROGRAM);
  assert.deepEqual(cacheStats(root), written);
});
