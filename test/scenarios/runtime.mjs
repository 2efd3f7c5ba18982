// Scenarios of test/runtime.test.ts: each case by its name there, run in its own process by
// runScenario(scenario('runtime/runtimeCase', { name, block })).
import fs from 'node:fs';

/** 'returned', or the name and code of what `run` threw. */
function caught(run) {
  try { run(); return 'returned'; } catch (error) { return { name: error.name, code: error.code }; }
}

/** An interface on in-memory streams; `written()` is what it wrote. */
async function readlineSetup(module) {
  const readline = await import(module);
  const { PassThrough } = await import('node:stream');
  const input = new PassThrough(); const output = new PassThrough(); let written = '';
  output.on('data', (chunk) => { written += chunk; });
  const rl = readline.createInterface({ input, output, terminal: false });
  return { input, rl, written: () => written };
}

/** Each case uses the API on the fresh directory D and returns what happened, as plain data. */
const CASES = {
  'v8.serialize / v8.deserialize': async () => {
    const v8 = await import('node:v8');
    const thrown = caught(() => { globalThis.bytes = v8.serialize({ a: [1, 2] }); });
    const back = globalThis.bytes === undefined ? null : v8.deserialize(globalThis.bytes);
    return { thrown, back };
  },
  'v8.Serializer / v8.Deserializer': async () => {
    const v8 = await import('node:v8');
    const ser = new v8.Serializer(); ser.writeHeader(); ser.writeValue('text');
    const der = new v8.DefaultDeserializer(ser.releaseBuffer()); der.readHeader();
    return { read: caught(() => { globalThis.value = der.readValue(); }), value: globalThis.value ?? null };
  },
  'v8.writeHeapSnapshot': async (harness, D) => {
    const v8 = await import('node:v8');
    const thrown = caught(() => { v8.writeHeapSnapshot(D + '/heap.heapsnapshot'); });
    harness.pause();
    return { thrown, written: fs.existsSync(D + '/heap.heapsnapshot') };
  },
  'v8.getHeapSnapshot and v8.queryObjects': async () => {
    const v8 = await import('node:v8');
    class Marker {}
    const kept = [new Marker(), new Marker()];
    const snapshot = caught(() => { v8.getHeapSnapshot().destroy(); });
    const count = caught(() => { globalThis.count = v8.queryObjects(Marker, { format: 'count' }); });
    return { snapshot, count, found: globalThis.count ?? null, kept: kept.length };
  },
  'v8.setFlagsFromString': async () => {
    const v8 = await import('node:v8');
    return { thrown: caught(() => { v8.setFlagsFromString('--allow-natives-syntax'); }) };
  },
  // Node 26 checks the profilers' options (no event, Node's error); Node 24 ignores them.
  'v8.startCpuProfile': async () => {
    const v8 = await import('node:v8');
    const thrown = caught(() => { globalThis.profile = typeof v8.startCpuProfile({ sampleInterval: 1 }).stop(); });
    const invalid = caught(() => { v8.startCpuProfile({ sampleInterval: -1 }).stop(); });
    return { thrown, profile: globalThis.profile ?? null, invalid };
  },
  'v8.startHeapProfile': async () => {
    const v8 = await import('node:v8');
    const thrown = caught(() => { globalThis.profile = typeof v8.startHeapProfile({ stackDepth: 4 }).stop(); });
    const invalid = caught(() => { v8.startHeapProfile({ stackDepth: -1 }).stop(); });
    return { thrown, profile: globalThis.profile ?? null, invalid };
  },
  'v8.setHeapProfileNearHeapLimit': async () => {
    const v8 = await import('node:v8');
    return { thrown: caught(() => { v8.setHeapProfileNearHeapLimit(2); }), invalid: caught(() => { v8.setHeapProfileNearHeapLimit(0); }) };
  },
  'Worker#startCpuProfile and #startHeapProfile': async () => {
    const { Worker } = await import('node:worker_threads');
    const { once } = await import('node:events');
    const worker = new Worker('setInterval(() => {}, 1000);', { eval: true });
    await once(worker, 'online');
    const outcome = async (start) => {
      try { return typeof await (await start()).stop(); } catch (error) { return { name: error.name, code: error.code }; }
    };
    const cpu = await outcome(() => worker.startCpuProfile());
    const heap = await outcome(() => worker.startHeapProfile());
    await worker.terminate();
    return { cpu, heap };
  },
  /** Run with NODE_V8_COVERAGE=D: the files takeCoverage wrote before the process ends (when Node writes one anyway). */
  'v8.takeCoverage': async (harness) => {
    const v8 = await import('node:v8');
    const thrown = caught(() => { v8.takeCoverage(); });
    harness.pause();
    return { thrown, written: fs.readdirSync(process.env.NODE_V8_COVERAGE).length };
  },
  'readline question (callback)': async () => {
    const { input, rl, written } = await readlineSetup('node:readline');
    let answer = null;
    const errors = [];
    rl.on('error', (error) => errors.push(error.code));
    const thrown = caught(() => { rl.question('Name? ', (a) => { answer = a; }); });
    input.write('Ada\n');
    await new Promise((resolve) => setImmediate(resolve));
    rl.close();
    return { thrown, answer, errors, written: written() };
  },
  'readline/promises question': async () => {
    const { input, rl, written } = await readlineSetup('node:readline/promises');
    const pending = rl.question('Name? ');
    input.write('Ada\n');
    const outcome = await pending.then((answer) => ({ answer }), (error) => ({ name: error.name, code: error.code }));
    rl.close();
    return { outcome, written: written() };
  },
  'node:sqlite DatabaseSync': async (harness, D) => {
    const { DatabaseSync } = await import('node:sqlite');
    const url = await import('node:url');
    const opened = caught(() => { new DatabaseSync(D + '/a.db').close(); });
    const lazy = new DatabaseSync(url.pathToFileURL(D + '/b.db'), { open: false });
    const reopened = caught(() => { lazy.open(); lazy.close(); });
    harness.pause();
    return { opened, reopened, lazyOpen: lazy.isOpen, a: fs.existsSync(D + '/a.db'), b: fs.existsSync(D + '/b.db') };
  },
  'node:sqlite extensions': async (harness, D) => {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(':memory:', { allowExtension: true });
    const enabled = caught(() => { db.enableLoadExtension(true); });
    const loaded = caught(() => { db.loadExtension(D + '/missing.so'); });
    return { enabled, loaded };
  },
  'inspector Session#connect': async () => {
    const inspector = await import('node:inspector');
    const session = new inspector.Session();
    const connected = caught(() => { session.connect(); });
    const posted = caught(() => { session.post('Runtime.enable'); });
    return { connected, posted };
  },
  'trace_events.createTracing': async () => {
    const traceEvents = await import('node:trace_events');
    return { created: caught(() => { traceEvents.createTracing({ categories: ['node.perf'] }); }) };
  },
  'async_hooks.createHook': async () => {
    const asyncHooks = await import('node:async_hooks');
    let inits = 0;
    const created = caught(() => { asyncHooks.createHook({ init() { inits++; } }).enable(); });
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { created, sawOperations: inits > 0 };
  },
};
// node:inspector/promises exports the same open, as its own property.
for (const module of ['node:inspector', 'node:inspector/promises']) {
  CASES[`${module} open`] = async () => {
    const inspector = await import(module);
    const opened = caught(() => { inspector.open(0, '127.0.0.1', false); });
    const listening = inspector.url() !== undefined;
    inspector.close();
    return { opened, listening };
  };
}

/** The case `name`, with the hook refusing `block` (null: nothing) from the start. */
export async function runtimeCase(harness, { name, block }) {
  if (block !== null) harness.block(block);
  const D = harness.tmp();
  const result = await CASES[name](harness, D);
  harness.done({ D, result });
}
