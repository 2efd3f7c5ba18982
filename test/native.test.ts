/**
 * Native code, with a real Node-API addon (test/fixtures/addon.c, built here with cc): every way
 * Node loads one raises ctypes.dlopen once, before the library is loaded (refused, its constructor
 * never runs and the caller gets the hook's error); what the native code then does raises nothing
 * (its setenv is no os.putenv), as docs/security-model.md says. And SQLite extensions: loadExtension
 * raises sqlite3.load_extension before SQLite loads the library; the SQL function load_extension()
 * is never authorized, whether extensions were enabled or not. Scenarios: test/scenarios/native.mjs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const D = mkdtempSync(join(tmpdir(), 'audithook-addon-'));
process.on('exit', () => rmSync(D, { recursive: true, force: true }));
const addon = join(D, 'addon.node');
// Node-API is stable across versions: headers of any Node build an addon every Node loads.
const headers = [resolve(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].find((dir) => existsSync(join(dir, 'node_api.h')));
const compiled = headers === undefined ? null : spawnSync('cc', ['-shared', '-fPIC', `-I${headers}`, '-o', addon, resolve(REPO_ROOT, 'test', 'fixtures', 'addon.c')]);
const skip = compiled?.status === 0 ? false : 'needs a C compiler (cc) and Node\'s node_api.h to build the addon fixture';

let runs = 0;
/** The scenario in a process of its own, with a fresh marker the library creates when it is loaded. */
function inProcess(name: string, params: Record<string, unknown>, plain = false) {
  const marker = join(D, `marker-${runs++}`);
  return runScenario(scenario(`native/${name}`, params), { env: { ADDON_MARKER: marker }, plain });
}

for (const api of ['require', 'module.createRequire()', 'process.dlopen']) {
  test(`${api} of a real addon: ctypes.dlopen once before it loads; refused, it never loads; allowed, its native setenv raises nothing`, { skip }, () => {
    const refused = inProcess('loadAddon', { api, addon, block: true });
    assert.deepEqual(refused.result, {
      thrown: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: ctypes.dlopen' }, loaded: false, environment: null,
    });
    assert.deepEqual(refused.events.filter((e) => e[0] !== 'import'), [['ctypes.dlopen', addon]]);

    const allowed = inProcess('loadAddon', { api, addon, block: false });
    const plain = inProcess('loadAddon', { api, addon, block: false }, true);
    assert.deepEqual(plain.result, { thrown: null, loaded: true, environment: 'set by C' }, 'plain Node loads it (so the refusal can fail)');
    assert.deepEqual(allowed.result, plain.result);
    // The variable the C library set is seen by the program, and no os.putenv was raised for it.
    assert.deepEqual(allowed.events.filter((e) => e[0] !== 'import'), [['ctypes.dlopen', addon]]);
    assert.deepEqual(allowed.events.filter((e) => e[0] === 'import').map((e) => e[2]), api === 'process.dlopen' ? [] : [addon]);
  });
}

test('SQLite: loadExtension raises sqlite3.load_extension before the library loads; refused, it never loads; the SQL function load_extension() is never authorized', { skip: skip || (NODE_MAJOR < 24 ? 'node:sqlite is instrumented from Node 24' : false) }, () => {
  const notAuthorized = { name: 'Error', code: 'ERR_SQLITE_ERROR', message: 'not authorized' };
  const refused = inProcess('sqliteExtensions', { library: addon, block: true });
  assert.deepEqual(refused.result, {
    sqlAllowed: notAuthorized, sqlEnabled: notAuthorized, loadedBySql: false,
    api: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: sqlite3.load_extension' }, loaded: false,
  });
  const allowed = inProcess('sqliteExtensions', { library: addon, block: false });
  const plain = inProcess('sqliteExtensions', { library: addon, block: false }, true);
  const r = plain.result as { api: { code: string }; loaded: boolean };
  assert.equal(r.api.code, 'ERR_LOAD_SQLITE_EXTENSION', 'SQLite loaded the library and found no entry point in it');
  assert.equal(r.loaded, true);
  assert.deepEqual(allowed.result, plain.result);
  for (const run of [refused, allowed]) {
    assert.deepEqual(run.events.filter((e) => e[0] !== 'import'), [
      ['sqlite3.connect', ':memory:'], ['sqlite3.enable_load_extension', null, true], ['sqlite3.connect/handle', '<DatabaseSync>'],
      ['sqlite3.enable_load_extension', '<DatabaseSync>', true],
      ['sqlite3.load_extension', '<DatabaseSync>', addon],
    ], 'the SQL function raised nothing and loaded nothing');
  }
});
