/**
 * The export guard: every function that child_process, net, dgram, dns, http, https, http2, tls, os,
 * v8, vm, worker_threads, inspector, module, sqlite, ffi, vfs and wasi export (and process's, and
 * crypto.setEngine) is instrumented, named by an event's raisedBy (audited where every path meets,
 * such as the socket handles), or listed in unauditedApis with its reason, on the running Node. An
 * API a new Node version adds fails here until it is decided. fs has its own (test/fs-paths.test.ts).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

/** `api` is named by `entry`: exactly, as a constructor (`new api`), or as one of its forms (`api#method`, `api (...)`). */
function names(entry: string, api: string): boolean {
  for (const form of [api, `new ${api}`]) {
    if (entry === form) return true;
    for (const separator of [' ', '(', '#', '.']) if (entry.startsWith(form + separator)) return true;
  }
  return false;
}

const INVENTORY = ['--no-warnings', '--import', resolve(REPO_ROOT, 'test', 'fixtures', 'exports-before.mjs')];

/** The untouched exports (after `preload`, when given) that nothing in the catalogue names. */
function undecided(preload: readonly string[] = []): { undecided: string[]; untouched: string[] } {
  const run = runScenario(scenario('inventory/builtinExports'), { nodeArgs: [...preload, ...INVENTORY] });
  const { entries, untouched } = run.result as { entries: string[]; untouched: string[] };
  return { undecided: untouched.filter((api) => !entries.some((entry) => names(entry, api))), untouched };
}

test('every export of the audited built-ins is instrumented, raises an event below it, or is deliberately unaudited', () => {
  const result = undecided();
  assert.ok(result.untouched.includes('os.cpus'), 'the inventory saw the modules');
  assert.deepEqual(result.undecided, [], 'exported, not instrumented, not documented');
});

test('the guard fails on an export nobody decided', () => {
  const result = undecided(['--import', 'data:text/javascript,import os from "node:os"; os.newApi = () => 0;']);
  assert.deepEqual(result.undecided, ['os.newApi']);
});
