// Scenarios of test/kernel.test.ts, each run in its own process by kernelScenario('<name>'), which
// selects scenario('kernel/<name>'). Each imports the package first, as a program would.
import fs from 'node:fs';
import path from 'node:path';

export async function hooksRunOrderAdded(harness) {
  const { audit, addAuditHook } = await import('audithook');
  const calls = [];
  addAuditHook((event, args) => { if (event.startsWith('test.')) calls.push(['first', event, [...args], Object.isFrozen(args), Array.isArray(args)]); });
  addAuditHook((event, args) => { if (event.startsWith('test.')) calls.push(['second', event, [...args]]); });
  audit('test.event', 1, 'two', null);
  audit('test.empty');
  harness.done(calls);
}

export async function firstExceptionHookThrows(harness) {
  const { audit, addAuditHook } = await import('audithook');
  const calls = [];
  addAuditHook((event) => { if (event === 'test.fail') { calls.push('first'); throw new RangeError('no'); } });
  addAuditHook((event) => { if (event === 'test.fail') calls.push('second'); });
  let caught;
  try { audit('test.fail'); } catch (error) { caught = error.constructor.name + ': ' + error.message; }
  let nonError;
  addAuditHook((event) => { if (event === 'test.string') throw 'a string'; });
  try { audit('test.string'); } catch (error) { nonError = error; }
  harness.done({ calls, caught, nonError });
}

export async function addAuditHookRaisesSysAddaudithook(harness) {
  const { audit, addAuditHook } = await import('audithook');
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
}

export async function eventsRaisedWhileHook(harness) {
  const { audit, addAuditHook } = await import('audithook');
  const D = harness.tmp();
  const calls = [];
  addAuditHook((event) => {
    if (event === 'sys.addaudithook') return;
    calls.push(event);
    fs.appendFileSync(D + '/log', event + '\n');
    audit('test.nested');
  });
  audit('test.outer');
  fs.writeFileSync(D + '/data', 'x');
  const log = fs.readFileSync(D + '/log', 'utf8').split('\n').filter(Boolean);
  // The harness's hook, added first, saw what this hook did while it ran.
  const others = harness.events.map(([event, path]) => event === 'open' ? `open ${path.slice(D.length)}` : event);
  harness.done({ calls, log, others });
}

export async function strictHookRefusesWhatItReaches(harness) {
  const runtime = globalThis[Symbol.for('audithook.runtime')];
  const { audit } = await import('audithook');
  const D = harness.tmp();
  let reached = 'nothing';
  const strict = (event) => {
    if (event !== 'test.outer') return;
    // Stands for program code a strict hook reaches without meaning to (a getter, a replaced built-in).
    try {
      fs.writeFileSync(D + '/x', 'x');
      reached = 'written';
    } catch (error) {
      reached = error.code;
    }
  };
  const added = runtime.addAuditHook(strict, true);
  audit('test.outer');
  harness.done({ added, reached, exists: fs.existsSync(D + '/x'), seen: harness.events.map(([event]) => event) });
}

export async function nonStringEventNon(harness) {
  const { audit, addAuditHook } = await import('audithook');
  const errors = [];
  for (const bad of [undefined, 1, Symbol('s'), {}]) {
    try { audit(bad); } catch (error) { errors.push(error.constructor.name); }
  }
  for (const bad of [undefined, 'hook', {}, null]) {
    try { addAuditHook(bad); } catch (error) { errors.push(error.constructor.name + ': ' + error.message); }
  }
  harness.done(errors);
}

export async function noHookAuditDoes(harness) {
  const { audit } = await import('audithook');
  let touched = false;
  const arg = { get x() { touched = true; return 1; } };
  const value = audit('test.nohook', arg);
  harness.done({ value: value === undefined, touched });
}

export async function hooksCannotListedReplaced(harness) {
  const { audit, addAuditHook } = await import('audithook');
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
}

export async function eSMCommonJSEntryPoints(harness) {
  const { audit, addAuditHook } = await import('audithook');
  const { createRequire } = await import('node:module');
  const cjs = createRequire(import.meta.url)('audithook');
  const calls = [];
  addAuditHook((event) => { if (event.startsWith('test.')) calls.push('esm-hook:' + event); });
  cjs.addAuditHook((event) => { if (event.startsWith('test.')) calls.push('cjs-hook:' + event); });
  audit('test.from-esm');
  cjs.audit('test.from-cjs');
  harness.done({ calls, same: cjs.audit === audit });
}

export async function twoCopiesPackageNode(harness) {
  const { audit, addAuditHook } = await import('audithook');
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
  addAuditHook((event) => { if (event === 'open') calls.push('original-hook:open'); });
  fs.readFileSync(D + '/written');
  harness.done({ calls, separateCopy });
}

export async function flagAudithookRegisterInstalls(harness) {
  const { addAuditHook } = await import('audithook');
  const early = fs.writeFileSync;
  const D = harness.tmp();
  const calls = [];
  addAuditHook((event, args) => { if (event === 'open') calls.push(args[0].replace(D, '')); });
  early(D + '/a', 'x');
  harness.done(calls);
}

export async function addAuditHookInstallsInstrumentationWhen(harness) {
  const { addAuditHook } = await import('audithook');
  // Wrappers show the original's source text: only identity tells them apart.
  const original = fs.openSync;
  const before = fs.openSync.toString().includes('binding');
  addAuditHook(() => {});
  const after = fs.openSync === original;
  harness.done({ before, after });
}

export async function codeTampersBuiltIns(harness) {
  const { audit, addAuditHook } = await import('audithook');
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
}

export async function hookMayAddHook(harness) {
  const { audit, addAuditHook } = await import('audithook');
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
}
