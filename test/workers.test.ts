/**
 * Workers: new Worker() raises worker_threads.Worker once (and compile for eval code), in the
 * parent; refused, no thread starts. The hooks of preloads (-r, --import, NODE_OPTIONS) run inside
 * workers too, also when a worker's options drop them, on this Node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runScenario, scenario } from './helpers/scenario';
import { HOOK_PRELOAD, named, runPreloaded } from './helpers/preloaded';

interface WorkerCase {
  /** Also selects how test/scenarios/workers.mjs creates the worker, which writes the marker. */
  readonly name: string;
  readonly source: (dir: string) => string;
  readonly isEval: boolean;
}

const WORKER_BODY = "require('fs').writeFileSync(require('worker_threads').workerData, 'ran')";
/** Eval workers inherit the scenario's --input-type=module: code that runs as a script or a module. */
const EVAL_BODY = "Promise.all([import('fs'), import('worker_threads')]).then(([fs, w]) => fs.writeFileSync(w.workerData, 'ran'))";
const CASES: readonly WorkerCase[] = [
  { name: 'absolute path', source: (d) => `${d}/worker.cjs`, isEval: false },
  { name: 'file URL', source: (d) => `${d}/worker.cjs`, isEval: false },
  { name: 'relative path', source: (d) => `${d}/worker.cjs`, isEval: false },
  { name: 'eval code', source: () => EVAL_BODY, isEval: true },
];

/** What the worker scenarios run: the worker file's code and the eval worker's. */
const SOURCES = { workerBody: WORKER_BODY, evalBody: EVAL_BODY };

for (const c of CASES) {
  test(`new Worker (${c.name}): worker_threads.Worker once with what runs; refused, no thread starts`, () => {
    const body = scenario('workers/createAllowed', { ...SOURCES, name: c.name });
    const allowed = runScenario(body);
    const plain = runScenario(body, { plain: true });
    const a = allowed.result as { D: string; ran: boolean };
    assert.equal(a.ran, true, allowed.stderr);
    assert.deepEqual({ ...a, D: null }, { ...(plain.result as object), D: null }, 'same as plain Node');
    const starts = allowed.events.filter((e) => e[0] === 'worker_threads.Worker');
    assert.deepEqual(starts, [['worker_threads.Worker', c.source(a.D), c.isEval]]);
    const compiles = allowed.events.filter((e) => e[0] === 'compile');
    assert.deepEqual(compiles, c.isEval ? [['compile', EVAL_BODY, '[worker eval]']] : []);

    const blocked = runScenario(scenario('workers/createBlocked', { ...SOURCES, name: c.name }));
    assert.deepEqual(blocked.result, { thrown: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: worker_threads.Worker' }, ran: false });
  });
}

test('new Worker with invalid arguments raises nothing and throws Node\'s own error', () => {
  const body = scenario('workers/invalidArguments', SOURCES);
  const allowed = runScenario(body);
  assert.deepEqual(allowed.result, runScenario(body, { plain: true }).result);
  assert.deepEqual(allowed.events.filter((e) => e[0] === 'worker_threads.Worker'), []);
});

const MAIN = `
  const { Worker } = require('node:worker_threads');
  const given = JSON.parse(process.argv[2]);
  // An env without NODE_OPTIONS, which only the hook's log file is carried into.
  if (given.env) given.env.AUDIT_LOG = process.env.AUDIT_LOG;
  // Options inherited from a prototype count as own ones do.
  const options = given.inherited ? Object.setPrototypeOf({}, given.inherited) : given;
  const source = options.eval ? "require('fs').readFileSync('$DIR/data.txt')" : '$DIR/worker.cjs';
  const worker = new Worker(source, options);
  worker.on('error', (error) => { console.error('worker error', error); process.exitCode = 3; });
`;
const FILES = { 'main.cjs': MAIN, 'worker.cjs': "require('fs').readFileSync('$DIR/data.txt')", 'data.txt': 'data', 'hook.mjs': `import ${JSON.stringify(HOOK_PRELOAD)};` };
const PRELOADS: Readonly<Record<string, { args: string[]; env?: NodeJS.ProcessEnv }>> = {
  '-r': { args: ['-r', HOOK_PRELOAD] },
  '--import': { args: ['--import', '$DIR/hook.mjs'] },
  'NODE_OPTIONS=-r': { args: [], env: { NODE_OPTIONS: `--require ${HOOK_PRELOAD}` } },
  'NODE_OPTIONS=--import': { args: [], env: { NODE_OPTIONS: `--import ${HOOK_PRELOAD}` } },
  // The form absolute --import paths take: an eval worker gets it as a path to require.
  '--import=file: URL': { args: [`--import=${pathToFileURL(HOOK_PRELOAD).href}`] },
};
const OPTIONS = ['{}', '{"execArgv":[]}', '{"env":{}}', '{"eval":true}', '{"eval":true,"execArgv":[]}', '{"inherited":{"eval":true,"execArgv":[]}}'];

for (const [preload, { args, env }] of Object.entries(PRELOADS)) {
  test(`a hook preloaded with ${preload} runs inside workers, whatever execArgv and env they get`, () => {
    for (const options of OPTIONS) {
      const run = runPreloaded([...args, '$DIR/main.cjs', options], FILES, { env: env ?? {} });
      assert.equal(run.status, 0, `${options}: ${run.stderr}`);
      const workerOpens = run.events.filter((e) => e[0] !== 0 && e[1] === 'open' && e[2] === `${run.dir}/data.txt`);
      assert.equal(workerOpens.length, 1, `${options}: the worker's own hook saw its open: ${JSON.stringify(run.events)}`);
      assert.equal(named(run, 'worker_threads.Worker', 0).length, 1, `${options}: the parent raised the start once`);
    }
  });
}

test('a getter on options.eval cannot answer the audit one way and Node another', () => {
  const { result } = runScenario(scenario('workers/getterOptionsEvalCannot'));
  const r = result as { outcome: string; reads: number; ran: boolean };
  assert.equal(r.reads, 1, JSON.stringify(r));
  assert.equal(r.ran, false, 'the code never ran as an eval worker');
});
