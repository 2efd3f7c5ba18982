/**
 * The kernel's PEP 578 semantics, after CPython's Lib/test/audit-tests.py, each in its own process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

/**
 * Runs the export `name` of test/scenarios/kernel.mjs. The harness's recording hook is the first
 * hook unless `noHarnessHook` (for the scenarios that need a process without hooks).
 */
function kernelScenario(name: string, nodeArgs: string[] = [], noHarnessHook = false): unknown {
  return runScenario(scenario(`kernel/${name}`), { nodeArgs, plain: noHarnessHook }).result;
}

test('hooks run in the order added, with the event and a frozen argument array', () => {
  const result = kernelScenario('hooksRunOrderAdded');
  assert.deepEqual(result, [
    ['first', 'test.event', [1, 'two', null], true, true],
    ['second', 'test.event', [1, 'two', null]],
    ['first', 'test.empty', [], true, true],
    ['second', 'test.empty', []],
  ]);
});

test('the first exception a hook throws propagates and later hooks are not called', () => {
  const result = kernelScenario('firstExceptionHookThrows');
  assert.deepEqual(result, { calls: ['first'], caught: 'RangeError: no', nonError: 'a string' });
});

test('addAuditHook raises sys.addaudithook: an Error vetoes silently, anything else propagates', () => {
  const result = kernelScenario('addAuditHookRaisesSysAddaudithook');
  assert.deepEqual(result, { first: true, vetoed: false, propagated: 42, seen: [0, 0], vetoedHookCalls: [] });
});

test('events a hook raises reach the other hooks, not the hook itself, so a hook can write its own log', () => {
  const result = kernelScenario('eventsRaisedWhileHook');
  assert.deepEqual(result, {
    calls: ['test.outer', 'open', 'open'],
    log: ['test.outer', 'open', 'open'],
    // Each event, then the append and the nested event of the hook that saw it.
    others: ['test.outer', 'open /log', 'test.nested', 'open /data', 'open /log', 'test.nested', 'open /log', 'open /log', 'test.nested'],
  });
});

test('an event raised while a strict hook runs (the agent\'s) is refused, never dropped, and nothing happens', () => {
  const result = kernelScenario('strictHookRefusesWhatItReaches');
  assert.deepEqual(result, { added: true, reached: 'ERR_ACCESS_DENIED', exists: false, seen: ['test.outer'] });
});

test('a non-string event and a non-function hook are TypeErrors', () => {
  const result = kernelScenario('nonStringEventNon');
  assert.deepEqual(result, [
    'TypeError', 'TypeError', 'TypeError', 'TypeError',
    'TypeError: addAuditHook(): expected the hook to be a function, received type undefined',
    'TypeError: addAuditHook(): expected the hook to be a function, received type string',
    'TypeError: addAuditHook(): expected the hook to be a function, received an object',
    'TypeError: addAuditHook(): expected the hook to be a function, received null',
  ]);
});

test('with no hook, audit() does nothing and builds nothing', () => {
  const result = kernelScenario('noHookAuditDoes', [], true);
  assert.deepEqual(result, { value: true, touched: false });
});

test('hooks cannot be listed, replaced or removed', () => {
  const result = kernelScenario('hooksCannotListedReplaced');
  assert.deepEqual(result, {
    keys: ['addAuditHook', 'announceStartup', 'audit', 'buildersOf', 'currentCause', 'installInstrumentation', 'setOpenCodeHook', 'setSpawner'],
    frozen: true, configurable: false, writable: false, enumerable: false,
    replaced: false, redefined: false, calls: ['hook'],
  });
});

test('the ESM and CommonJS entry points share one hook list and one installation', () => {
  const result = kernelScenario('eSMCommonJSEntryPoints');
  assert.deepEqual(result, {
    calls: ['esm-hook:test.from-esm', 'cjs-hook:test.from-esm', 'esm-hook:test.from-cjs', 'cjs-hook:test.from-cjs'],
    same: true,
  });
});

test('two copies of the package in node_modules share one hook list', () => {
  const result = kernelScenario('twoCopiesPackageNode');
  assert.deepEqual(result, {
    calls: ['copy-hook:test.original', 'original-hook:open'],
    separateCopy: true,
  });
});

for (const flag of ['--import', '-r']) {
  test(`${flag} audithook/register installs the instrumentation before the application runs`, () => {
    const result = kernelScenario('flagAudithookRegisterInstalls', [flag, 'audithook/register']);
    assert.deepEqual(result, ['/a']);
  });
}

test('addAuditHook installs the instrumentation when nothing preloaded it', () => {
  const result = kernelScenario('addAuditHookInstallsInstrumentationWhen', [], true);
  assert.deepEqual(result, { before: true, after: false });
});

test('code that tampers with built-ins later can neither break nor skip the hooks', () => {
  const result = kernelScenario('codeTampersBuiltIns');
  assert.deepEqual(result, [
    'shutil.rmtree /warm-up',
    'test.tampered 1',
    'open /a',
    'os.chmod /a',
    'os.mkdir /t/u',
    'shutil.rmtree /t',
    'open /b',
  ]);
});

test('a hook may add a hook: it sees later events, those the adding hook raises included', () => {
  const result = kernelScenario('hookMayAddHook');
  assert.deepEqual(result, ['first:test.one', 'second:test.raised-inside-a-hook', 'first:test.two', 'second:test.two']);
});

test('a first hook whose instrumentation cannot be installed (a target made read-only before) fails every later hook too, never silently', () => {
  const child = spawnSync(process.execPath, ['--import', 'audithook/register', resolve(REPO_ROOT, 'test', 'attacks', 'first-hook-readonly.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { evil: 'ERR_AUDITHOOK_NOT_INSTRUMENTED', app: 'ERR_AUDITHOOK_NOT_INSTRUMENTED' });
});
