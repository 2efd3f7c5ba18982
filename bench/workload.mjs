// One measurement in a fresh process: `node [--import audithook/register] bench/workload.mjs NAME ITERATIONS [hook]`.
// Prints {"nsPerOp": N}. A fresh process per measurement because hooks cannot be removed and
// because each configuration (plain, instrumented, hooked) needs its own process anyway.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { channel } from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [name, iterationsText, withHook] = process.argv.slice(2);
const iterations = Number(iterationsText);

if (withHook === 'hook') {
  const { addAuditHook } = await import('audithook');
  addAuditHook(() => {});
}

const file = join(mkdtempSync(join(tmpdir(), 'audithook-bench-')), 'file');
writeFileSync(file, 'x');

// Each workload returns a value that depends on every iteration, so V8 cannot drop the loop.
const workloads = {
  'empty-call': () => {
    const empty = (event, a, b) => (a + b) | 0;
    let sink = 0;
    return (n) => { for (let i = 0; i < n; i++) sink += empty('bench.event', i, 2); return sink; };
  },
  'audit': async () => {
    const { audit } = await import('audithook');
    let sink = 0;
    return (n) => { for (let i = 0; i < n; i++) { audit('bench.event', i, 2); sink += i; } return sink; };
  },
  'dc-publish': () => {
    const ch = channel('bench.event');
    let sink = 0;
    ch.subscribe((message) => { sink += message.a; });
    return (n) => { for (let i = 0; i < n; i++) ch.publish({ a: i, b: 2 }); return sink; };
  },
  'open-close': () => (n) => { let sink = 0; for (let i = 0; i < n; i++) { const fd = openSync(file, 'r'); sink += fd; closeSync(fd); } return sink; },
  'stat': () => (n) => { let sink = 0; for (let i = 0; i < n; i++) sink += statSync(file).size; return sink; },
  'spawn-sync': () => (n) => { let sink = 0; for (let i = 0; i < n; i++) sink += spawnSync('true').status; return sink; },
  'env-read': () => (n) => { let sink = 0; for (let i = 0; i < n; i++) sink += process.env.PATH.length; return sink; },
  'env-write': () => (n) => { for (let i = 0; i < n; i++) process.env.AUDITHOOK_BENCH = 'value'; return n; },
};

const run = await workloads[name]();
run(Math.max(1000, iterations / 10)); // warm up: let the optimising compiler settle
const start = process.hrtime.bigint();
const sink = run(iterations);
const elapsed = Number(process.hrtime.bigint() - start);
process.stdout.write(`${JSON.stringify({ nsPerOp: elapsed / iterations, sink: typeof sink })}\n`);
