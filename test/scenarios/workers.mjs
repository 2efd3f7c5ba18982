// Scenarios of test/workers.test.ts, each run in its own process by runScenario(scenario('workers/<name>')).
import fs from 'node:fs';

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
