/**
 * node:ffi (Node 26): libraries, symbols, native calls and native memory raise CPython's ctypes
 * events (and the Node-only ffi.write), on every way the program reaches the module; a refusal
 * stops the operation; without a use of node:ffi nothing of it is loaded. Scenario:
 * test/scenarios/ffi.cjs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/scenario';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const skip = NODE_MAJOR < 26 ? 'node:ffi is Node 26' : false;
const SCENARIO = resolve(REPO_ROOT, 'test', 'scenarios', 'ffi.cjs');
// The suite's recording hook too, so that the coverage check sees these events.
const RECORDING_HOOK = resolve(REPO_ROOT, 'test', 'fixtures', 'hook-preload.js');

interface FfiRun { readonly events: unknown[][]; readonly results: Record<string, unknown> }

function run(how: string, refuse = ''): FfiRun {
  const child = spawnSync(process.execPath, ['--no-warnings', '-r', RECORDING_HOOK, SCENARIO, how, refuse], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as FfiRun;
}

const EVENTS = [
  ['ctypes.dlopen', 'libc.so.6'],
  ['ctypes.addressof', 'buffer'],
  ['ctypes.dlsym', 'libc.so.6', 'strlen'],
  ['ctypes.call_function', 'ptr', 1],
  ['ctypes.string_at', 'ptr', -1],
  ['ctypes.cdata', 'ptr'],
  ['ctypes.cdata/buffer', 'ptr', 3, 0],
  ['ffi.write', 'ptr'],
  ['ffi.write', 'ptr'],
  ['ctypes.dlsym', 'libc.so.6', 'getpid'],
  ['ctypes.dlsym', 'libc.so.6', 'system'],
  ['ctypes.dlopen', null],
  ['ctypes.dlsym', null, 'getpid'],
  ['ctypes.call_function', 'ptr', 0],
];
const RESULTS = {
  strlen: '5', toString: 'hello', getUint8: 101, toBuffer: 'hel', setUint8: 'Hello', exportString: 'ab',
  sameFunction: true, identity: true, getFunctions: ['getpid'], system: 'function', dlopenNull: true,
};

for (const how of ['require', 'getBuiltinModule', 'before-hook']) {
  test(`node:ffi by ${how}: every library, symbol, call and memory access raises its event once, in order; the results are right`, { skip }, () => {
    const { events, results } = run(how);
    assert.deepEqual(events, EVENTS);
    assert.deepEqual(results, RESULTS);
  });
}

test('node:ffi: a refused ctypes.dlsym resolves nothing; a refused ctypes.call_function calls nothing', { skip }, () => {
  assert.equal(run('require', 'ctypes.dlsym:system').results['system'], 'error: refused ctypes.dlsym');
  const refusedCall = run('require', 'ctypes.call_function').results;
  assert.equal(refusedCall['strlen'], 'error: refused ctypes.call_function');
  assert.equal(refusedCall['dlopenNull'], 'error: refused ctypes.call_function');
});

test('node:ffi by a static ESM import: audited through the module loader', { skip }, () => {
  const child = spawnSync(process.execPath, ['--no-warnings', '-r', RECORDING_HOOK, '--input-type=module', '-e', [
    "import { addAuditHook } from 'audithook';",
    "import { dlopen } from 'node:ffi';",
    'const seen = [];',
    "addAuditHook((event) => { if (event.startsWith('ctypes.')) seen.push(event); });",
    "dlopen(null, { getpid: { return: 'int32', arguments: [] } }).functions.getpid();",
    'console.log(JSON.stringify(seen));',
  ].join('\n')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(child.stdout), ['ctypes.dlopen', 'ctypes.dlsym', 'ctypes.call_function']);
});

test('with a hook and no use of node:ffi, node:ffi is never loaded (no ExperimentalWarning, no cost)', { skip }, () => {
  const child = spawnSync(process.execPath, ['-r', RECORDING_HOOK, '-e', "console.log(process.moduleLoadList.includes('NativeModule ffi'))"], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(child.stdout.trim(), 'false');
  assert.doesNotMatch(child.stderr, /FFI/);
});
