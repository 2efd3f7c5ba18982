/**
 * The runtime domains: v8 serialisation and heap introspection, V8 flags, readline questions,
 * node:sqlite, the inspector, trace_events and async_hooks. Each API raises its event once with
 * its arguments, behaves as in plain Node when allowed, and has no effect when refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { CatalogueEventName } from '../src/catalogue/index';
import { O_CLOEXEC, runScenario, scenario } from './helpers/scenario';
import { fromSince } from './helpers/since';


interface Case {
  /** Also selects what test/scenarios/runtime.mjs does, on a fresh directory, for plain data as its result. */
  readonly name: string;
  /** The events the allowed run raises (only those of `names`). */
  readonly expected: (dir: string) => unknown[][];
  /** Each case runs from the catalogue's since of these on. */
  readonly names: readonly CatalogueEventName[];
  /** The event to refuse, and the blocked run's expected result. */
  readonly block: string;
  readonly blocked: unknown;
  /** Why this Node cannot run the case, beyond the catalogue's since. */
  readonly skip?: string | false;
}

const BLOCKED = { name: 'Error', code: 'TEST_BLOCKED' };
/** Node 26's profilers check their options; Node 24's ignore them, and it has no v8.startHeapProfile. */
const PROFILER_OPTIONS = (v8 as { startCpuProfile?: { length: number } }).startCpuProfile?.length === 1;
const OUT_OF_RANGE = { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' };
const workerProfiles = typeof (Worker.prototype as { startHeapProfile?: unknown }).startHeapProfile === 'function';
const CASES: readonly Case[] = [
  {
    name: 'v8.serialize / v8.deserialize',
    names: ['marshal.dumps', 'marshal.loads'],
    expected: () => [['marshal.dumps', { a: [1, 2] }, null], ['marshal.loads', '<Buffer>']],
    block: 'marshal.dumps',
    blocked: { thrown: BLOCKED, back: null },
  },
  {
    name: 'v8.Serializer / v8.Deserializer',
    names: ['marshal.dumps', 'marshal.loads'],
    expected: () => [['marshal.dumps', 'text', null], ['marshal.loads', '<Buffer>']],
    block: 'marshal.loads',
    blocked: { read: BLOCKED, value: null },
  },
  {
    name: 'v8.writeHeapSnapshot',
    names: ['gc.get_objects', 'open'],
    expected: (dir) => [['gc.get_objects', null], ['open', `${dir}/heap.heapsnapshot`, 'w', 577 | O_CLOEXEC]],
    block: 'open',
    blocked: { thrown: BLOCKED, written: false },
  },
  {
    name: 'v8.getHeapSnapshot and v8.queryObjects',
    names: ['gc.get_objects', 'gc.get_referrers'],
    expected: () => [['gc.get_objects', null], ['gc.get_referrers', [null]]],
    block: 'gc.get_referrers',
    blocked: { snapshot: 'returned', count: BLOCKED, found: null, kept: 2 },
  },
  {
    name: 'v8.setFlagsFromString',
    names: ['v8.setFlagsFromString'],
    expected: () => [['v8.setFlagsFromString', '--allow-natives-syntax']],
    block: 'v8.setFlagsFromString',
    blocked: { thrown: BLOCKED },
  },
  {
    name: 'v8.startCpuProfile',
    names: ['v8.startCpuProfile'],
    expected: () => PROFILER_OPTIONS ? [['v8.startCpuProfile']] : [['v8.startCpuProfile'], ['v8.startCpuProfile']],
    block: 'v8.startCpuProfile',
    blocked: { thrown: BLOCKED, profile: null, invalid: PROFILER_OPTIONS ? OUT_OF_RANGE : BLOCKED },
  },
  {
    name: 'v8.startHeapProfile',
    names: ['v8.startHeapProfile'],
    expected: () => [['v8.startHeapProfile']],
    block: 'v8.startHeapProfile',
    blocked: { thrown: BLOCKED, profile: null, invalid: OUT_OF_RANGE },
    skip: typeof (v8 as { startHeapProfile?: unknown }).startHeapProfile === 'function' ? false : 'no v8.startHeapProfile on this Node',
  },
  {
    name: 'v8.setHeapProfileNearHeapLimit',
    names: ['v8.setHeapProfileNearHeapLimit'],
    expected: () => [['v8.setHeapProfileNearHeapLimit', 2]],
    block: 'v8.setHeapProfileNearHeapLimit',
    blocked: { thrown: BLOCKED, invalid: OUT_OF_RANGE },
  },
  {
    name: 'Worker#startCpuProfile and #startHeapProfile',
    names: ['v8.startCpuProfile', 'v8.startHeapProfile'],
    expected: () => [['v8.startCpuProfile'], ['v8.startHeapProfile']],
    block: 'v8.startHeapProfile',
    blocked: { cpu: 'string', heap: BLOCKED },
    skip: workerProfiles ? false : 'no Worker#startHeapProfile on this Node',
  },
  {
    name: 'readline question (callback)',
    names: ['builtins.input', 'builtins.input/result'],
    expected: () => [['builtins.input', 'Name? '], ['builtins.input/result', 'Ada']],
    block: 'builtins.input',
    blocked: { thrown: BLOCKED, answer: null, errors: [], written: '' },
  },
  {
    // A refused answer is kept from the callback and reaches the program as readline's errors do.
    name: 'readline question (callback)',
    names: ['builtins.input/result'],
    expected: () => [['builtins.input/result', 'Ada']],
    block: 'builtins.input/result',
    blocked: { thrown: 'returned', answer: null, errors: ['TEST_BLOCKED'], written: 'Name? ' },
  },
  {
    name: 'readline/promises question',
    names: ['builtins.input', 'builtins.input/result'],
    expected: () => [['builtins.input', 'Name? '], ['builtins.input/result', 'Ada']],
    block: 'builtins.input',
    blocked: { outcome: BLOCKED, written: '' },
  },
  {
    name: 'readline/promises question',
    names: ['builtins.input/result'],
    expected: () => [['builtins.input/result', 'Ada']],
    block: 'builtins.input/result',
    blocked: { outcome: BLOCKED, written: 'Name? ' },
  },
  {
    name: 'node:sqlite DatabaseSync',
    names: ['sqlite3.connect'],
    expected: (d) => [['sqlite3.connect', `${d}/a.db`], ['sqlite3.connect', `${d}/b.db`]],
    block: 'sqlite3.connect',
    blocked: { opened: BLOCKED, reopened: BLOCKED, lazyOpen: false, a: false, b: false },
  },
  {
    // The same calls: the handle event follows each open, and refused, the connection is closed again.
    name: 'node:sqlite DatabaseSync',
    names: ['sqlite3.connect', 'sqlite3.connect/handle'],
    expected: (d) => [
      ['sqlite3.connect', `${d}/a.db`], ['sqlite3.connect/handle', '<DatabaseSync>'],
      ['sqlite3.connect', `${d}/b.db`], ['sqlite3.connect/handle', '<DatabaseSync>'],
    ],
    block: 'sqlite3.connect/handle',
    blocked: { opened: BLOCKED, reopened: BLOCKED, lazyOpen: false, a: true, b: true },
  },
  {
    name: 'node:sqlite extensions',
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
    names: ['inspector.Session.connect'],
    expected: () => [['inspector.Session.connect', '<Session>', false]],
    block: 'inspector.Session.connect',
    blocked: { connected: BLOCKED, posted: { name: 'Error', code: 'ERR_INSPECTOR_NOT_CONNECTED' } },
  },
  // node:inspector/promises exports the same open, as its own property.
  ...(['node:inspector', 'node:inspector/promises'] as const).map((module): Case => ({
    name: `${module} open`,
    names: ['inspector.open'],
    expected: () => [['inspector.open', 0, '127.0.0.1', false]],
    block: 'inspector.open',
    blocked: { opened: BLOCKED, listening: false },
  })),
  {
    name: 'trace_events.createTracing',
    names: ['trace_events.createTracing'],
    expected: () => [['trace_events.createTracing', ['node.perf']]],
    block: 'trace_events.createTracing',
    blocked: { created: BLOCKED },
  },
  {
    name: 'async_hooks.createHook',
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
  const skip = c.skip || fromSince(...c.names);
  test(`${c.name}: ${c.names.join(', ')} once each, as plain Node; refused, no effect`, { skip }, () => {
    const body = scenario('runtime/runtimeCase', { name: c.name, block: null });
    const allowed = runScenario(body);
    const plain = runScenario(body, { plain: true });
    const a = allowed.result as { D: string; result: unknown } | { uncaught: unknown };
    assert.ok('D' in a, `${JSON.stringify(a)}\n${allowed.stderr}`);
    assert.deepEqual(a.result, (plain.result as { result: unknown }).result, 'same outcome as plain Node');
    const seen = allowed.events.filter((e) => c.names.includes(e[0] as CatalogueEventName)).map((e) => e.map(namedBuffer));
    assert.deepEqual(seen, c.expected(a.D));

    const blocked = runScenario(scenario('runtime/runtimeCase', { name: c.name, block: c.block }));
    assert.deepEqual((blocked.result as { result: unknown }).result, c.blocked, blocked.stderr);
  });
}

test('v8.takeCoverage raises v8.takeCoverage with the NODE_V8_COVERAGE directory, as plain Node; refused, no file written', () => {
  const directory = mkdtempSync(join(tmpdir(), 'audithook-coverage-'));
  const run = (options: { plain?: boolean; block?: string }): { result: unknown; events: unknown[][] } => {
    const written = mkdtempSync(join(directory, 'run-'));
    const r = runScenario(scenario('runtime/runtimeCase', { name: 'v8.takeCoverage', block: options.block ?? null }), { plain: options.plain === true, env: { NODE_V8_COVERAGE: written } });
    return { result: { ...(r.result as { result: object }).result, directory: written }, events: r.events.filter((e) => e[0] === 'v8.takeCoverage') };
  };
  const allowed = run({});
  const { directory: dir } = allowed.result as { directory: string };
  assert.deepEqual(allowed.result, { thrown: 'returned', written: 1, directory: dir });
  assert.deepEqual(allowed.events, [['v8.takeCoverage', dir]]);
  assert.deepEqual((run({ plain: true }).result as { written: number }).written, 1);
  const blocked = run({ block: 'v8.takeCoverage' });
  assert.deepEqual(blocked.result, { thrown: BLOCKED, written: 0, directory: (blocked.result as { directory: string }).directory });
  rmSync(directory, { recursive: true, force: true });
});

test('a program that dresses the main thread as a worker (process.abort.disabled) before the first hook still has trace_events audited', () => {
  // Workers are told apart by that mark on Node's process.abort stub: read once, when audithook loads.
  const disguise = 'data:text/javascript,process.abort.disabled = true;';
  const run = runScenario(scenario('runtime/runtimeCase', { name: 'trace_events.createTracing', block: 'trace_events.createTracing' }), {
    nodeArgs: ['--import', 'audithook/register', '--import', disguise],
  });
  assert.deepEqual((run.result as { result: unknown }).result, { created: BLOCKED }, run.stderr);
});
