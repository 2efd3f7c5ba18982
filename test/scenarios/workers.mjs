// Scenarios of test/workers.test.ts, each run in its own process by runScenario(scenario('workers/<name>')).
import fs from 'node:fs';
import { errorData } from '../fixtures/outcome.mjs';

/** A directory D holding worker.cjs (`workerBody`), and where the worker writes its marker. */
async function workerScope(harness, { workerBody }) {
  const { Worker } = await import('node:worker_threads');
  const url = await import('node:url');
  const D = harness.tmp();
  const marker = D + '/marker';
  harness.pause();
  fs.writeFileSync(D + '/worker.cjs', workerBody);
  harness.resume();
  const exited = (worker) => new Promise((resolve) => worker.on('exit', resolve));
  return { Worker, url, D, marker, exited };
}

/** Each way of test/workers.test.ts to create a worker which writes the marker. */
const CREATES = {
  'absolute path': ({ Worker, D, marker }) => new Worker(D + '/worker.cjs', { workerData: marker }),
  'file URL': ({ Worker, url, D, marker }) => new Worker(url.pathToFileURL(D + '/worker.cjs'), { workerData: marker }),
  'relative path': ({ Worker, D, marker }) => (process.chdir(D), new Worker('./worker.cjs', { workerData: marker })),
  'eval code': ({ Worker, marker }, evalBody) => new Worker(evalBody, { eval: true, workerData: marker }),
};

export async function createAllowed(harness, params) {
  const scope = await workerScope(harness, params);
  const { Worker, D, marker, exited } = scope;
  const worker = CREATES[params.name](scope, params.evalBody);
  const code = await exited(worker);
  harness.pause();
  harness.done({ D, code, ran: fs.existsSync(marker), isWorker: worker instanceof Worker, ctor: worker.constructor === Worker });
}

export async function createBlocked(harness, params) {
  const scope = await workerScope(harness, params);
  harness.block('worker_threads.Worker');
  let thrown = null;
  try { CREATES[params.name](scope, params.evalBody); } catch (error) { thrown = errorData(error); }
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 200));
  harness.pause();
  harness.done({ thrown, ran: fs.existsSync(scope.marker) });
}

export async function invalidArguments(harness, params) {
  const { Worker } = await workerScope(harness, params);
  const outcomes = [];
  for (const args of [['worker.cjs'], [42], [{}, { eval: true }]]) {
    try { new Worker(...args); outcomes.push('created'); } catch (error) { outcomes.push(error.code); }
  }
  harness.done(outcomes);
}

export async function getterOptionsEvalCannot(harness) {
  const { Worker } = await import('node:worker_threads');
  const marker = harness.tmp() + '/ran';
  let reads = 0;
  const options = { get eval() { reads++; return reads > 1; } };
  harness.block('worker_threads.Worker');
  let outcome;
  try {
    const worker = new Worker("require('fs').writeFileSync(" + JSON.stringify(marker) + ", '')", options);
    outcome = await new Promise((resolve) => { worker.on('exit', () => resolve('exited')); worker.on('error', () => resolve('error')); });
  } catch {
    outcome = 'thrown';
  }
  harness.unblock();
  harness.done({ outcome, reads, ran: fs.existsSync(marker) });
}
