// Scenarios of test/transparency.test.ts: what a program sees, as plain data to compare with plain Node.
/* global structuredClone, Blob, WebAssembly, setInterval */

/** What `run` returned, or the error it threw as `Name: message`. */
async function outcome(run) {
  try {
    return await run();
  } catch (error) {
    return `${error?.name}: ${error?.message}`;
  }
}

/** The environment, structured-cloned every way a program clones it: each answer holds the variable set below. */
export async function cloneEnvironment(harness) {
  const { MessageChannel, Worker } = await import('node:worker_threads');
  process.env.TRANSPARENCY_MARK = 'set';
  const viaPort = (value) => new Promise((resolve, reject) => {
    const { port1, port2 } = new MessageChannel();
    port2.once('message', (message) => {
      port1.close();
      resolve(message);
    });
    try {
      port1.postMessage(value);
    } catch (error) {
      port1.close();
      reject(error);
    }
  });
  const shared = { env: process.env };
  const cycle = { env: process.env };
  cycle.self = cycle;
  const run = async () => ({
    clone: await outcome(() => structuredClone(process.env).TRANSPARENCY_MARK),
    nested: await outcome(() => {
      const copy = structuredClone({ list: [process.env, shared, shared], map: new Map([['env', process.env]]), set: new Set([process.env]) });
      return [copy.list[0].TRANSPARENCY_MARK, copy.list[1] === copy.list[2], copy.map.get('env').TRANSPARENCY_MARK, [...copy.set][0].TRANSPARENCY_MARK];
    }),
    cycle: await outcome(() => {
      const copy = structuredClone(cycle);
      return [copy.self === copy, copy.env.TRANSPARENCY_MARK];
    }),
    // What cannot be cloned still throws Node's own error.
    uncloneable: await outcome(() => structuredClone({ env: process.env, f() {} })),
    port: await outcome(async () => (await viaPort(process.env)).TRANSPARENCY_MARK),
    workerData: await outcome(() => new Promise((resolve, reject) => {
      const worker = new Worker("const { parentPort, workerData } = require('worker_threads'); parentPort.postMessage(workerData.env.TRANSPARENCY_MARK)", { eval: true, workerData: { env: process.env } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })),
  });
  const own = await run();
  // A program's own replacement of the whole environment is cloned the same way.
  process.env = { ...process.env };
  harness.done({ own, replaced: await run() });
}

const WATCHED_BUILTINS = ['worker_threads', 'internal/worker', 'http', 'https', 'http2', 'v8', 'readline', 'inspector', 'trace_events', 'tls', 'crypto', 'sqlite', 'internal/deps/undici/undici'];

/**
 * Which of the built-ins audithook instruments lazily are loaded before the program loads any; then
 * the program replaces process.chdir and loads worker_threads (which wraps the chdir of that
 * moment), and uses the lazily instrumented modules (the events show they are audited).
 */
export async function lazyBuiltins(harness) {
  const loaded = () => WATCHED_BUILTINS.filter((id) => process.moduleLoadList.includes(`NativeModule ${id}`));
  const before = loaded();
  const original = process.chdir;
  const own = function chdir(directory) {
    return Reflect.apply(original, process, [directory]);
  };
  process.chdir = own;
  const { Worker } = await import('node:worker_threads');
  const chdirWrapped = process.chdir !== own;
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  harness.clear();
  const worker = new Worker('0', { eval: true });
  await new Promise((resolve) => worker.once('exit', resolve));
  require('trace_events').createTracing({ categories: ['node.perf'] });
  require('v8').setFlagsFromString('--no-expose-gc');
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  session.connect();
  session.disconnect();
  const events = harness.events.map((event) => event[0])
    .filter((name) => ['worker_threads.Worker', 'trace_events.createTracing', 'v8.setFlagsFromString', 'inspector.Session.connect'].includes(name));
  harness.done({ before, chdirWrapped, events });
}

/**
 * A program that gives the real Response class a Symbol.hasInstance that accepts anything, and
 * hides it (the global and the prototype's constructor replaced by a look-alike), then streams a
 * fake response's bytes: they are compiled only after the hook saw them.
 */
export async function forgedResponseClass(harness) {
  const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const Real = globalThis.Response;
  Object.defineProperty(Real, Symbol.hasInstance, { value: () => true });
  const LookAlike = class Response {};
  Object.defineProperty(Real.prototype, 'constructor', { value: LookAlike });
  globalThis.Response = LookAlike;
  const fake = { ok: true, url: '', bodyUsed: false, headers: { get: () => 'application/wasm' }, body: new Blob([wasm]).stream(), arrayBuffer: async () => wasm.buffer };
  harness.clear();
  const compiled = await WebAssembly.compileStreaming(fake).then((module) => module instanceof WebAssembly.Module, (error) => `${error.name}: ${error.message}`);
  harness.done({ compiled, events: harness.events.map((event) => event[0]) });
}

/**
 * Callbacks that keep their scheduler's cause with a hook (src/instrument/callbacks.ts): Node's
 * functions, bound copies and built-ins scheduled every way run with the same `this`, arguments,
 * results and errors, a cleared timer never runs, and the scheduling functions look as in plain Node.
 */
export async function scheduledCallbacks(harness) {
  const fs = await import('node:fs');
  const timers = await import('node:timers');
  const { join } = await import('node:path');
  const dir = fs.mkdtempSync(join((await import('node:os')).tmpdir(), 'audithook-scheduled-'));
  const seen = [];
  function record(...args) { seen.push([this?.name ?? null, ...args]); return args.length; }
  const settle = (run) => new Promise((resolve) => run(resolve));
  const results = {
    reflect: await settle((resolve) => setTimeout(Reflect.apply, 0, (...a) => resolve(a), null, [1, 2])),
    bound: setImmediate(record.bind({ name: 'bound' }, 'a'), 'b') && await new Promise((resolve) => setImmediate(resolve, 'immediate')),
    then: await Promise.resolve(16).then(Math.sqrt),
    thenBound: await Promise.resolve('x').then(record.bind({ name: 'then' })),
    catchReplacement: await Promise.reject(join(dir, 'made')).catch(fs.mkdirSync).then(() => fs.existsSync(join(dir, 'made'))),
    finallyBound: await Promise.resolve('kept').finally(record.bind(null, 'finally')),
    thrown: await new Promise((resolve) => queueMicrotask(() => {
      try { fs.readFileSync.bind(null, join(dir, 'missing'))(); } catch (error) { resolve(error.code); }
    })),
    rejected: await Promise.resolve(join(dir, 'missing')).then(fs.readFileSync).catch((error) => error.code),
    tick: await settle((resolve) => process.nextTick(Reflect.apply, resolve, null, ['tick'])),
  };
  const cleared = setTimeout(fs.writeFileSync, 0, join(dir, 'cleared'), 'x');
  clearTimeout(cleared);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const shape = (fn) => [fn.name, fn.length, Function.prototype.toString.call(fn)];
  harness.done({
    results,
    seen,
    cleared: fs.existsSync(join(dir, 'cleared')),
    shapes: [setTimeout, setInterval, setImmediate, queueMicrotask, process.nextTick, Promise.prototype.then, Promise.prototype.finally, Function.prototype.bind].map(shape),
    sameTimers: [timers.setTimeout === setTimeout, timers.setInterval === setInterval, timers.setImmediate === setImmediate],
    boundName: fs.writeFileSync.bind(null).name,
  });
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * EventEmitter.init set, restored, set through a subclass and wrapped by Node's domain module: what
 * runs and what the program sees (src/instrument/file-handles.ts answers it wrapped from the first hook).
 */
export async function eventEmitterInit(harness) {
  const { EventEmitter } = await import('node:events');
  const { inherits } = await import('node:util');
  const saved = EventEmitter.init;
  const calls = [];
  const mine = function (opts) {
    calls.push(this.constructor.name);
    return saved.call(this, opts);
  };
  EventEmitter.init = mine;
  new EventEmitter();
  const { PassThrough } = await import('node:stream');
  new PassThrough();
  const set = { same: EventEmitter.init === mine, name: EventEmitter.init.name, length: EventEmitter.init.length, source: Function.prototype.toString.call(EventEmitter.init) === Function.prototype.toString.call(mine) };
  EventEmitter.init = saved;
  const restored = EventEmitter.init === saved;
  function Sub() {
    EventEmitter.call(this);
  }
  inherits(Sub, EventEmitter);
  Sub.init = function subInit() {};
  const subclass = { own: Object.hasOwn(Sub, 'init'), base: EventEmitter.init === saved, made: new Sub() instanceof EventEmitter };
  const descriptor = Object.getOwnPropertyDescriptor(EventEmitter, 'init');
  const shape = { accessor: 'get' in descriptor, enumerable: descriptor.enumerable, configurable: descriptor.configurable, ownCall: Object.hasOwn(EventEmitter.init, 'call') };
  const domain = (await import('node:domain')).create();
  let inDomain;
  domain.run(() => {
    inDomain = new EventEmitter().domain === domain;
  });
  harness.done({ calls, set, restored, subclass, inDomain, shape });
}
