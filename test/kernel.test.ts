/**
 * The kernel's PEP 578 semantics, after CPython's Lib/test/audit-tests.py, each in its own process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './helpers/scenario';

/**
 * Runs `body` with `audit` and `addAuditHook` imported from the package. The harness's recording
 * hook is the first hook unless `noHarnessHook` (for the scenarios that need a process without hooks).
 */
function kernelScenario(body: string, nodeArgs: string[] = [], noHarnessHook = false): unknown {
  const run = runScenario(`
    const { audit, addAuditHook } = await import('audithook');
    ${body}
  `, { nodeArgs, plain: noHarnessHook });
  return run.result;
}

test('hooks run in the order added, with the event and a frozen argument array', () => {
  const result = kernelScenario(`
    const calls = [];
    addAuditHook((event, args) => { if (event.startsWith('test.')) calls.push(['first', event, [...args], Object.isFrozen(args), Array.isArray(args)]); });
    addAuditHook((event, args) => { if (event.startsWith('test.')) calls.push(['second', event, [...args]]); });
    audit('test.event', 1, 'two', null);
    audit('test.empty');
    harness.done(calls);
  `);
  assert.deepEqual(result, [
    ['first', 'test.event', [1, 'two', null], true, true],
    ['second', 'test.event', [1, 'two', null]],
    ['first', 'test.empty', [], true, true],
    ['second', 'test.empty', []],
  ]);
});

test('the first exception a hook throws propagates and later hooks are not called', () => {
  const result = kernelScenario(`
    const calls = [];
    addAuditHook((event) => { if (event === 'test.fail') { calls.push('first'); throw new RangeError('no'); } });
    addAuditHook((event) => { if (event === 'test.fail') calls.push('second'); });
    let caught;
    try { audit('test.fail'); } catch (error) { caught = error.constructor.name + ': ' + error.message; }
    let nonError;
    addAuditHook((event) => { if (event === 'test.string') throw 'a string'; });
    try { audit('test.string'); } catch (error) { nonError = error; }
    harness.done({ calls, caught, nonError });
  `);
  assert.deepEqual(result, { calls: ['first'], caught: 'RangeError: no', nonError: 'a string' });
});

test('addAuditHook raises sys.addaudithook: an Error vetoes silently, anything else propagates', () => {
  const result = kernelScenario(`
    const seen = [];
    let mode = 'allow';
    const first = addAuditHook((event, args) => {
      if (event !== 'sys.addaudithook') return;
      seen.push(args.length);
      if (mode === 'error') throw new Error('no more hooks');
      if (mode === 'value') throw 42;
    });
    const vetoedHookCalls = [];
    mode = 'error';
    const vetoed = addAuditHook(() => vetoedHookCalls.push(1));
    mode = 'value';
    let propagated;
    try { addAuditHook(() => vetoedHookCalls.push(2)); } catch (error) { propagated = error; }
    mode = 'allow';
    audit('test.after');
    harness.done({ first, vetoed, propagated, seen, vetoedHookCalls });
  `);
  assert.deepEqual(result, { first: true, vetoed: false, propagated: 42, seen: [0, 0], vetoedHookCalls: [] });
});

test('events raised while a hook runs are not dispatched, so a hook can write its own log', () => {
  const result = kernelScenario(`
    const D = harness.tmp();
    const calls = [];
    addAuditHook((event, args) => {
      if (event === 'sys.addaudithook') return;
      calls.push(event);
      fs.appendFileSync(D + '/log', event + '\\n');
      audit('test.nested');
    });
    audit('test.outer');
    fs.writeFileSync(D + '/data', 'x');
    harness.done({ calls, log: fs.readFileSync(D + '/log', 'utf8').split('\\n').filter(Boolean) });
  `);
  assert.deepEqual(result, {
    calls: ['test.outer', 'open', 'open'],
    log: ['test.outer', 'open', 'open'],
  });
});

test('a non-string event and a non-function hook are TypeErrors', () => {
  const result = kernelScenario(`
    const errors = [];
    for (const bad of [undefined, 1, Symbol('s'), {}]) {
      try { audit(bad); } catch (error) { errors.push(error.constructor.name); }
    }
    for (const bad of [undefined, 'hook', {}, null]) {
      try { addAuditHook(bad); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); }
    }
    harness.done(errors);
  `);
  assert.deepEqual(result, [
    'TypeError', 'TypeError', 'TypeError', 'TypeError',
    'TypeError: addAuditHook(): expected the hook to be a function, received type undefined',
    'TypeError: addAuditHook(): expected the hook to be a function, received type string',
    'TypeError: addAuditHook(): expected the hook to be a function, received an object',
    'TypeError: addAuditHook(): expected the hook to be a function, received null',
  ]);
});

test('with no hook, audit() does nothing and builds nothing', () => {
  const result = kernelScenario(`
    let touched = false;
    const arg = { get x() { touched = true; return 1; } };
    const value = audit('test.nohook', arg);
    harness.done({ value: value === undefined, touched });
  `, [], true);
  assert.deepEqual(result, { value: true, touched: false });
});

test('hooks cannot be listed, replaced or removed', () => {
  const result = kernelScenario(`
    const calls = [];
    addAuditHook((event) => { if (event === 'test.kept') calls.push('hook'); });
    const key = Symbol.for('audithook.runtime');
    const runtime = globalThis[key];
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
    let replaced = true;
    try { globalThis[key] = {}; replaced = globalThis[key] !== runtime; } catch { replaced = false; }
    let redefined = true;
    try { Object.defineProperty(globalThis, key, { value: {} }); } catch { redefined = false; }
    audit('test.kept');
    harness.done({
      keys: Object.keys(runtime).sort(),
      frozen: Object.isFrozen(runtime),
      configurable: descriptor.configurable, writable: descriptor.writable, enumerable: descriptor.enumerable,
      replaced, redefined, calls,
    });
  `);
  assert.deepEqual(result, {
    keys: ['addAuditHook', 'announceStartup', 'audit', 'installInstrumentation', 'setOpenCodeHook'],
    frozen: true, configurable: false, writable: false, enumerable: false,
    replaced: false, redefined: false, calls: ['hook'],
  });
});

test('the ESM and CommonJS entry points share one hook list and one installation', () => {
  const result = kernelScenario(`
    const { createRequire } = await import('node:module');
    const cjs = createRequire(import.meta.url)('audithook');
    const calls = [];
    addAuditHook((event) => { if (event.startsWith('test.')) calls.push('esm-hook:' + event); });
    cjs.addAuditHook((event) => { if (event.startsWith('test.')) calls.push('cjs-hook:' + event); });
    audit('test.from-esm');
    cjs.audit('test.from-cjs');
    harness.done({ calls, same: cjs.audit === audit });
  `);
  assert.deepEqual(result, {
    calls: ['esm-hook:test.from-esm', 'cjs-hook:test.from-esm', 'esm-hook:test.from-cjs', 'cjs-hook:test.from-cjs'],
    same: true,
  });
});

test('two copies of the package in node_modules share one hook list', () => {
  const result = kernelScenario(`
    const { createRequire } = await import('node:module');
    const D = harness.tmp();
    fs.cpSync(path.resolve('package.json'), D + '/node_modules/audithook/package.json');
    fs.cpSync(path.resolve('dist'), D + '/node_modules/audithook/dist', { recursive: true });
    const copyRequire = createRequire(D + '/index.js');
    const copy = copyRequire('audithook');
    const separateCopy = copyRequire.resolve('audithook') !== createRequire(import.meta.url).resolve('audithook');
    const calls = [];
    copy.addAuditHook((event) => { if (event.startsWith('test.')) calls.push('copy-hook:' + event); });
    audit('test.original');
    fs.writeFileSync(D + '/written', 'x');
    addAuditHook((event, args) => { if (event === 'open') calls.push('original-hook:open'); });
    fs.readFileSync(D + '/written');
    harness.done({ calls, separateCopy });
  `);
  assert.deepEqual(result, {
    calls: ['copy-hook:test.original', 'original-hook:open'],
    separateCopy: true,
  });
});

for (const flag of ['--import', '-r']) {
  test(`${flag} audithook/register installs the instrumentation before the application runs`, () => {
    const result = kernelScenario(`
      const early = fs.writeFileSync;
      const D = harness.tmp();
      const calls = [];
      addAuditHook((event, args) => { if (event === 'open') calls.push(args[0].replace(D, '')); });
      early(D + '/a', 'x');
      harness.done(calls);
    `, [flag, 'audithook/register']);
    assert.deepEqual(result, ['/a']);
  });
}

test('addAuditHook installs the instrumentation when nothing preloaded it', () => {
  const result = kernelScenario(`
    // Wrappers show the original's source text: only identity tells them apart.
    const original = fs.openSync;
    const before = fs.openSync.toString().includes('binding');
    addAuditHook(() => {});
    const after = fs.openSync === original;
    harness.done({ before, after });
  `, [], true);
  assert.deepEqual(result, { before: true, after: false });
});

test('code that tampers with built-ins later can neither break nor skip the hooks', () => {
  const result = kernelScenario(`
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const D = harness.tmp();
    const calls = [];
    addAuditHook((event, args) => { if (event !== 'sys.addaudithook') calls[calls.length] = event + ' ' + String(args[0]).replace(D, ''); });
    const saved = [
      [Function.prototype, 'apply'], [Function.prototype, 'call'], [Function.prototype, 'bind'], [Reflect, 'apply'],
      [Object, 'freeze'], [Array.prototype, 'push'], [Array.prototype, 'slice'], [Array.prototype, Symbol.iterator],
      [String.prototype, 'includes'], [RegExp.prototype, 'test'], [RegExp.prototype, 'exec'], [Promise.prototype, 'then'],
      [AsyncLocalStorage.prototype, 'getStore'],
    ].map(([object, key]) => [object, key, object[key]]);
    const broken = () => { throw new Error('tampered'); };
    // Node's own lazily loaded internals break under this tampering: load them first.
    void process.stdout;
    void process.stderr;
    fs.rmSync(D + '/warm-up', { recursive: true, force: true });
    Function.prototype.apply = broken;
    Function.prototype.call = broken;
    Function.prototype.bind = broken;
    Reflect.apply = broken;
    Object.freeze = broken;
    Array.prototype.push = broken;
    Array.prototype.slice = broken;
    Array.prototype[Symbol.iterator] = broken;
    String.prototype.includes = () => true;
    RegExp.prototype.test = () => false;
    RegExp.prototype.exec = () => null;
    Promise.prototype.then = broken;
    AsyncLocalStorage.prototype.getStore = () => true;
    audit('test.tampered', 1);
    fs.writeFileSync(D + '/a', 'x');
    fs.chmodSync(D + '/a', '600');
    fs.mkdirSync(D + '/t/u', { recursive: true });
    fs.rmSync(D + '/t', { recursive: true });
    fs.writeFileSync(new URL('file://' + D + '/b'), 'y');
    for (let i = 0; i < saved.length; i++) saved[i][0][saved[i][1]] = saved[i][2];
    harness.done(calls);
  `);
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

test('a hook may add a hook: it sees later events, and events the adding hook raises stay undispatched', () => {
  const result = kernelScenario(`
    const calls = [];
    let added = false;
    addAuditHook((event) => {
      if (!event.startsWith('test.')) return;
      calls.push('first:' + event);
      if (!added) {
        added = true;
        addAuditHook((inner) => { if (inner.startsWith('test.')) calls.push('second:' + inner); });
        audit('test.raised-inside-a-hook');
      }
    });
    audit('test.one');
    audit('test.two');
    harness.done(calls);
  `);
  assert.deepEqual(result, ['first:test.one', 'first:test.two', 'second:test.two']);
});
