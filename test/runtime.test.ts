/**
 * The runtime domains: v8 serialisation and heap introspection, V8 flags, readline questions,
 * node:sqlite, the inspector, trace_events and async_hooks. Each API raises its event once with
 * its arguments, behaves as in plain Node when allowed, and has no effect when refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './helpers/scenario';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

interface Case {
  readonly name: string;
  /** Module code run in a scenario; `D` is a fresh directory; it ends by setting `result` (plain data). */
  readonly body: string;
  /** The events the allowed run raises (only those of `names`). */
  readonly expected: (dir: string) => unknown[][];
  readonly names: readonly string[];
  /** The event to refuse, and the blocked run's expected result. */
  readonly block: string;
  readonly blocked: unknown;
  readonly minMajor?: number;
}

const BLOCKED = { name: 'Error', code: 'TEST_BLOCKED' };
const caught = (code: string): string => `(() => { try { ${code}; return 'returned'; } catch (error) { return { name: error.name, code: error.code }; } })()`;

/** An interface on in-memory streams; `written` collects what it writes. */
const readlineSetup = (module: string): string => `const readline = await import('${module}');
  const { PassThrough } = await import('node:stream');
  const input = new PassThrough(); const output = new PassThrough(); let written = '';
  output.on('data', (chunk) => { written += chunk; });
  const rl = readline.createInterface({ input, output, terminal: false });`;

const CASES: readonly Case[] = [
  {
    name: 'v8.serialize / v8.deserialize',
    body: `const v8 = await import('node:v8');
      const thrown = ${caught('globalThis.bytes = v8.serialize({ a: [1, 2] })')};
      const back = globalThis.bytes === undefined ? null : v8.deserialize(globalThis.bytes);
      result = { thrown, back };`,
    names: ['marshal.dumps', 'marshal.loads'],
    expected: () => [['marshal.dumps', { a: [1, 2] }, null], ['marshal.loads', '<Buffer>']],
    block: 'marshal.dumps',
    blocked: { thrown: BLOCKED, back: null },
  },
  {
    name: 'v8.Serializer / v8.Deserializer',
    body: `const v8 = await import('node:v8');
      const ser = new v8.Serializer(); ser.writeHeader(); ser.writeValue('text');
      const der = new v8.DefaultDeserializer(ser.releaseBuffer()); der.readHeader();
      result = { read: ${caught('globalThis.value = der.readValue()')}, value: globalThis.value ?? null };`,
    names: ['marshal.dumps', 'marshal.loads'],
    expected: () => [['marshal.dumps', 'text', null], ['marshal.loads', '<Buffer>']],
    block: 'marshal.loads',
    blocked: { read: BLOCKED, value: null },
  },
  {
    name: 'v8.writeHeapSnapshot',
    body: `const v8 = await import('node:v8');
      const thrown = ${caught("v8.writeHeapSnapshot(D + '/heap.heapsnapshot')")};
      harness.pause();
      result = { thrown, written: fs.existsSync(D + '/heap.heapsnapshot') };`,
    names: ['gc.get_objects'],
    expected: () => [['gc.get_objects', null]],
    block: 'gc.get_objects',
    blocked: { thrown: BLOCKED, written: false },
  },
  {
    name: 'v8.getHeapSnapshot and v8.queryObjects',
    body: `const v8 = await import('node:v8');
      class Marker {}
      const kept = [new Marker(), new Marker()];
      const snapshot = ${caught('v8.getHeapSnapshot().destroy()')};
      const count = ${caught("globalThis.count = v8.queryObjects(Marker, { format: 'count' })")};
      result = { snapshot, count, found: globalThis.count ?? null, kept: kept.length };`,
    names: ['gc.get_objects', 'gc.get_referrers'],
    expected: () => [['gc.get_objects', null], ['gc.get_referrers', [null]]],
    block: 'gc.get_referrers',
    blocked: { snapshot: 'returned', count: BLOCKED, found: null, kept: 2 },
  },
  {
    name: 'v8.setFlagsFromString',
    body: `const v8 = await import('node:v8');
      result = { thrown: ${caught("v8.setFlagsFromString('--allow-natives-syntax')")} };`,
    names: ['v8.setFlagsFromString'],
    expected: () => [['v8.setFlagsFromString', '--allow-natives-syntax']],
    block: 'v8.setFlagsFromString',
    blocked: { thrown: BLOCKED },
  },
  {
    name: 'readline question (callback)',
    body: `${readlineSetup('node:readline')}
      let answer = null;
      const thrown = ${caught("rl.question('Name? ', (a) => { answer = a; })")};
      input.write('Ada\\n');
      await new Promise((resolve) => setImmediate(resolve));
      rl.close();
      result = { thrown, answer, written };`,
    names: ['builtins.input', 'builtins.input/result'],
    expected: () => [['builtins.input', 'Name? '], ['builtins.input/result', 'Ada']],
    block: 'builtins.input',
    blocked: { thrown: BLOCKED, answer: null, written: '' },
  },
  {
    name: 'readline/promises question',
    body: `${readlineSetup('node:readline/promises')}
      const pending = rl.question('Name? ');
      input.write('Ada\\n');
      const outcome = await pending.then((answer) => ({ answer }), (error) => ({ name: error.name, code: error.code }));
      rl.close();
      result = { outcome, written };`,
    names: ['builtins.input', 'builtins.input/result'],
    expected: () => [['builtins.input', 'Name? '], ['builtins.input/result', 'Ada']],
    block: 'builtins.input',
    blocked: { outcome: BLOCKED, written: '' },
  },
  {
    name: 'node:sqlite DatabaseSync',
    minMajor: 24,
    body: `const { DatabaseSync } = await import('node:sqlite');
      const url = await import('node:url');
      const opened = ${caught("new DatabaseSync(D + '/a.db').close()")};
      const lazy = new DatabaseSync(url.pathToFileURL(D + '/b.db'), { open: false });
      const reopened = ${caught('lazy.open(); lazy.close()')};
      harness.pause();
      result = { opened, reopened, a: fs.existsSync(D + '/a.db'), b: fs.existsSync(D + '/b.db') };`,
    names: ['sqlite3.connect'],
    expected: (d) => [['sqlite3.connect', `${d}/a.db`], ['sqlite3.connect', `${d}/b.db`]],
    block: 'sqlite3.connect',
    blocked: { opened: BLOCKED, reopened: BLOCKED, a: false, b: false },
  },
  {
    name: 'node:sqlite extensions',
    minMajor: 24,
    body: `const { DatabaseSync } = await import('node:sqlite');
      const db = new DatabaseSync(':memory:', { allowExtension: true });
      const enabled = ${caught('db.enableLoadExtension(true)')};
      const loaded = ${caught("db.loadExtension(D + '/missing.so')")};
      result = { enabled, loaded };`,
    names: ['sqlite3.enable_load_extension', 'sqlite3.load_extension'],
    expected: (d) => [
      ['sqlite3.enable_load_extension', null, true],
      ['sqlite3.enable_load_extension', '<DatabaseSync>', true],
      ['sqlite3.load_extension', '<DatabaseSync>', `${d}/missing.so`],
    ],
    block: 'sqlite3.load_extension',
    blocked: { enabled: 'returned', loaded: BLOCKED },
  },
  {
    name: 'inspector Session#connect',
    body: `const inspector = await import('node:inspector');
      const session = new inspector.Session();
      const connected = ${caught('session.connect()')};
      const posted = ${caught("session.post('Runtime.enable')")};
      result = { connected, posted };`,
    names: ['inspector.Session.connect'],
    expected: () => [['inspector.Session.connect', '<Session>', false]],
    block: 'inspector.Session.connect',
    blocked: { connected: BLOCKED, posted: { name: 'Error', code: 'ERR_INSPECTOR_NOT_CONNECTED' } },
  },
  // node:inspector/promises exports the same open, as its own property.
  ...(['node:inspector', 'node:inspector/promises'] as const).map((module): Case => ({
    name: `${module} open`,
    body: `const inspector = await import('${module}');
      const opened = ${caught("inspector.open(0, '127.0.0.1', false)")};
      const listening = inspector.url() !== undefined;
      inspector.close();
      result = { opened, listening };`,
    names: ['inspector.open'],
    expected: () => [['inspector.open', 0, '127.0.0.1', false]],
    block: 'inspector.open',
    blocked: { opened: BLOCKED, listening: false },
  })),
  {
    name: 'trace_events.createTracing',
    body: `const traceEvents = await import('node:trace_events');
      result = { created: ${caught("traceEvents.createTracing({ categories: ['node.perf'] })")} };`,
    names: ['trace_events.createTracing'],
    expected: () => [['trace_events.createTracing', ['node.perf']]],
    block: 'trace_events.createTracing',
    blocked: { created: BLOCKED },
  },
  {
    name: 'async_hooks.createHook',
    body: `const asyncHooks = await import('node:async_hooks');
      let inits = 0;
      const created = ${caught('asyncHooks.createHook({ init() { inits++; } }).enable()')};
      await new Promise((resolve) => setTimeout(resolve, 1));
      result = { created, sawOperations: inits > 0 };`,
    names: ['async_hooks.createHook'],
    expected: () => [['async_hooks.createHook', { }]],
    block: 'async_hooks.createHook',
    blocked: { created: BLOCKED, sawOperations: false },
  },
];

/** A Buffer argument reaches the report as its toJSON() form: named, as the other objects are. */
function namedBuffer(value: unknown): unknown {
  return (value as { type?: unknown } | null)?.type === 'Buffer' ? '<Buffer>' : value;
}

for (const c of CASES) {
  const skip = NODE_MAJOR < (c.minMajor ?? 0) ? `node:sqlite needs Node ${c.minMajor}` : false;
  test(`${c.name}: ${c.names.join(', ')} once each, as plain Node; refused, no effect`, { skip }, () => {
    const body = `const D = harness.tmp(); let result;\n${c.body}\nharness.done({ D, result });`;
    const allowed = runScenario(body);
    const plain = runScenario(body, { plain: true });
    const a = allowed.result as { D: string; result: unknown } | { uncaught: unknown };
    assert.ok('D' in a, `${JSON.stringify(a)}\n${allowed.stderr}`);
    assert.deepEqual(a.result, (plain.result as { result: unknown }).result, 'same outcome as plain Node');
    const seen = allowed.events.filter((e) => c.names.includes(e[0] as string)).map((e) => e.map(namedBuffer));
    assert.deepEqual(seen, c.expected(a.D));

    const blocked = runScenario(`harness.block(${JSON.stringify(c.block)});\n${body}`);
    assert.deepEqual((blocked.result as { result: unknown }).result, c.blocked, blocked.stderr);
  });
}
