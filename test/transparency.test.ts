/**
 * Transparency (issue #17): with no hook refusing anything, an audited Node behaves as plain Node
 * does, under the register with hooks and under `audithook run`. Each test compares with plain Node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const ROOT = mkdtempSync(join(tmpdir(), 'audithook-transparency-'));
let counter = 0;

/** A fresh directory with `files` written into it, `$DIR` in their text replaced by it. */
function project(files: Readonly<Record<string, string>>): string {
  const dir = join(ROOT, `p${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll('$DIR', dir));
  return dir;
}

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node ...args` in `dir`, plain, or under `audithook run --log <dir>/log.jsonl`. */
function node(dir: string, args: readonly string[], underRun: boolean): Outcome {
  const command = underRun ? [CLI, 'run', '--log', join(dir, 'log.jsonl'), '--', process.execPath, ...args] : args;
  const child = spawnSync(process.execPath, command, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function records(dir: string): LogRecord[] {
  return readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n').filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogRecord | { stream: string })
    .filter((line): line is LogRecord => !('stream' in line));
}

// ---- workers started without the parent's preloads -------------------------------------------

const APP_PRELOAD = 'globalThis.appPreloadRan = true;\n';
const WORKER_CODE = "require('fs').writeFileSync('$DIR/' + require('worker_threads').workerData, ''); require('worker_threads').parentPort.postMessage(globalThis.appPreloadRan === true)";
const STARTS_WORKERS = `
const { Worker } = require('worker_threads');
const start = (name, source, options) => new Promise((done, fail) => {
  const worker = new Worker(source, { workerData: name, execArgv: [], ...options });
  worker.on('message', done);
  worker.on('error', fail);
});
(async () => {
  const seen = {};
  seen.eval = await start('eval-worker', ${JSON.stringify(WORKER_CODE)}, { eval: true });
  seen.file = await start('file-worker', '$DIR/worker.js', {});
  console.log(JSON.stringify(seen));
})();
`;

for (const flag of ['--require', '--import']) {
  test(`a worker given execArgv: [] runs none of the application's ${flag} preloads under audithook run, and the agent still audits it`, () => {
    const dir = project({ 'preload.cjs': APP_PRELOAD, 'main.cjs': STARTS_WORKERS, 'worker.js': WORKER_CODE });
    const args = [flag, './preload.cjs', 'main.cjs'];
    const plain = node(dir, args, false);
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual(JSON.parse(plain.stdout), { eval: false, file: false }, 'plain Node drops them');
    const audited = node(dir, args, true);
    assert.equal(audited.status, 0, audited.stderr);
    assert.equal(audited.stdout, plain.stdout);
    for (const name of ['eval-worker', 'file-worker']) {
      const opens = records(dir).filter((r) => r.event === 'open' && r.args[0] === join(dir, name));
      assert.equal(opens.length, 1, `${name}: the agent ran in it`);
      assert.ok(opens[0].thread > 0);
    }
  });
}

// ---- the environment -----------------------------------------------------------------------------

const REGISTER = ['--import', 'audithook/register'];

test('process.env is structured-cloned as in plain Node, with hooks (structuredClone, postMessage, workerData)', () => {
  const body = scenario('transparency/cloneEnvironment');
  const plain = runScenario(body, { plain: true }).result;
  const { own } = plain as { own: Record<string, unknown> };
  assert.equal(own['clone'], 'set', JSON.stringify(plain));
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'instrumented, no hook');
  assert.deepEqual(runScenario(body).result, plain, 'with a hook');
});

test('callbacks that keep their scheduler\'s cause run as in plain Node, and the scheduling functions look the same, with hooks', () => {
  const body = scenario('transparency/scheduledCallbacks');
  const plain = runScenario(body, { plain: true }).result as { results: Record<string, unknown> };
  assert.deepEqual(plain.results['then'], 4, JSON.stringify(plain));
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'instrumented, no hook');
  assert.deepEqual(runScenario(body).result, plain, 'with a hook');
});

test('EventEmitter.init set, restored, set through a subclass or wrapped by domain runs as in plain Node, with hooks; its property is an accessor then', () => {
  const body = scenario('transparency/eventEmitterInit');
  const plain = runScenario(body, { plain: true }).result as Record<string, unknown>;
  assert.deepEqual(plain['calls'], ['EventEmitter', 'PassThrough'], JSON.stringify(plain));
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'instrumented, no hook');
  // The differences docs/security-model.md lists: the value set is answered wrapped (its name,
  // length and source text kept), by a non-configurable accessor, with Function.prototype.call as its own `call`.
  const set = plain['set'] as Record<string, unknown>;
  const shape = plain['shape'] as Record<string, unknown>;
  assert.deepEqual(runScenario(body).result, {
    ...plain,
    set: { ...set, same: false },
    shape: { ...shape, accessor: true, configurable: false, ownCall: true },
  }, 'with a hook');
});

// ---- built-ins loaded when the program loads them ---------------------------------------------

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

test('a hook loads none of the built-ins instrumented lazily; each is audited once the program loads it', () => {
  const body = scenario('transparency/lazyBuiltins');
  const plain = runScenario(body, { plain: true }).result as { before: string[]; chdirWrapped: boolean };
  const hooked = runScenario(body).result as { before: string[]; chdirWrapped: boolean; events: string[] };
  // Node 20's module.register, which the first hook starts ES module auditing with, starts a worker itself.
  const ownWorker = (ids: string[]): string[] => (NODE_MAJOR === 20 ? ids.filter((id) => id !== 'worker_threads' && id !== 'internal/worker') : ids);
  assert.deepEqual(ownWorker(hooked.before), ownWorker(plain.before), 'loaded before the program loads them');
  if (NODE_MAJOR > 20) assert.equal(hooked.chdirWrapped, plain.chdirWrapped, 'worker_threads wraps the program\'s process.chdir');
  assert.deepEqual(hooked.events, ['worker_threads.Worker', 'trace_events.createTracing', 'v8.setFlagsFromString', 'inspector.Session.connect']);
});

test('a Response class given a Symbol.hasInstance and hidden behind a look-alike cannot stream bytes past the hook', () => {
  const { result } = runScenario(scenario('transparency/forgedResponseClass'));
  assert.deepEqual(result, { compiled: true, events: ['compile'] });
});
