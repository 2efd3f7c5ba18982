// One measurement in a fresh process, started by bench/run.mjs:
//
//   node [--import audithook/register] bench/workload.mjs NAME ITERATIONS ROUNDS [hook]
//
// Runs workload NAME: a warm-up, then ROUNDS timed rounds of ITERATIONS operations each, and
// prints {"workload", "nsPerOp" (median of the rounds), "rounds": [ns/op...], "sink"} as JSON.
//
// Why a process per measurement: hooks cannot be removed, so "no hook" is only true in a process
// where none was ever added; and plain, instrumented and hooked need different process flags.
// Why the median of several rounds: one round hit by a GC or by other work on the machine then
// does not move the figure.
//
// To add a benchmark: add a workload here (a setup returning `(n) => sink`), then a case in run.mjs.
import fs from 'node:fs';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [name, iterationsText, roundsText, mode] = process.argv.slice(2);
const iterations = Number(iterationsText);
const rounds = Number(roundsText);
if (!(iterations > 0) || !(rounds > 0)) throw new Error(`usage: workload.mjs NAME ITERATIONS ROUNDS [hook], got ${process.argv.slice(2).join(' ')}`);

if (mode === 'hook') {
  // The hooked configuration: exactly one hook, doing nothing, added before the workload is set up.
  const { addAuditHook } = await import('audithook');
  if (!addAuditHook(() => {})) throw new Error('addAuditHook refused the hook');
}

/** A file that exists, for the fs workloads; removed on exit. */
function scratchFile() {
  const dir = fs.mkdtempSync(join(tmpdir(), 'audithook-bench-'));
  const file = join(dir, 'file');
  fs.writeFileSync(file, 'x');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

// Each setup returns the loop `(n) => sink`. The sink depends on every iteration and is printed,
// so V8 cannot drop the loop or the calls in it. Each process runs one workload, so every call
// site in it stays monomorphic, as in an application's hot loop.
const workloads = {
  // The baseline of audit() without hooks: a call with the same arguments to a function that does nothing.
  'empty-call': () => {
    function empty(event, a, b) {} // eslint-disable-line no-unused-vars
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) if (empty('bench.event', 1, 2) === undefined) sink++;
      return sink;
    };
  },
  'audit': async () => {
    const { audit } = await import('audithook');
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) if (audit('bench.event', 1, 2) === undefined) sink++;
      return sink;
    };
  },
  // Node's own publish/subscribe instrumentation, with one subscriber that does nothing (like the
  // no-op hook), publishing a fresh message (as audit() builds a fresh argument tuple).
  'dc-publish': () => {
    const ch = channel('bench.event');
    ch.subscribe(() => {});
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) {
        ch.publish({ a: 1, b: 2 });
        sink++;
      }
      return sink;
    };
  },
  'open-close': () => {
    const file = scratchFile();
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) {
        const fd = fs.openSync(file, 'r');
        sink += fd;
        fs.closeSync(fd);
      }
      return sink;
    };
  },
  'stat': () => {
    const file = scratchFile();
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink += fs.statSync(file).size;
      return sink;
    };
  },
  'spawn-sync': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += spawnSync('true').status;
    return sink;
  },
  'env-read': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += process.env.PATH.length;
    return sink;
  },
  'env-write': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) {
      process.env.AUDITHOOK_BENCH = (i & 1) === 0 ? 'even' : 'odd';
      sink++;
    }
    return sink;
  },
};

/** A loopback HTTP server in this process (the client side is what is measured), and a keep-alive agent. */
async function loopback() {
  const server = http.createServer((request, response) => response.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const get = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    }).on('error', reject);
  });
  return { url: `http://127.0.0.1:${port}/`, get };
}

// HTTP over loopback: sequential requests, then 16 at a time, through http and through fetch.
Object.assign(workloads, {
  'http-sequential': async () => {
    const { get } = await loopback();
    return async (n) => { let sink = 0; for (let i = 0; i < n; i++) sink += await get(); return sink; };
  },
  'http-concurrent': async () => {
    const { get } = await loopback();
    return async (n) => {
      let sink = 0;
      for (let i = 0; i < n; i += 16) sink += (await Promise.all(Array.from({ length: Math.min(16, n - i) }, get))).length;
      return sink;
    };
  },
  'fetch-sequential': async () => {
    const { url } = await loopback();
    return async (n) => { let sink = 0; for (let i = 0; i < n; i++) sink += (await (await fetch(url)).text()).length; return sink; };
  },
});

// decide() alone, as the agent calls it on every event: a 50-rule policy with package rules (the
// shape `policy learn` writes: per package, allow rules matching paths, addresses, commands), over
// a mix of events from the application and from chains of one to three packages, most of them
// allowed by a late rule and some denied by the default.
Object.assign(workloads, {
  'policy-decide': async () => {
    const { createRequire } = await import('node:module');
    const { loadPolicy, decide } = createRequire(import.meta.url)('../dist/policy/index.js');
    const packages = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? `@scope/pkg-${i}` : `pkg-${i}`));
    const rules = [
      { event: 'open', match: { path: ['/app/src/**', '/app/package.json', '/tmp/**'] }, action: 'allow' },
      { event: 'socket.connect', match: { address: ['127.0.0.1:*', '*:443'] }, action: 'allow' },
    ];
    for (const name of packages) {
      rules.push(
        { event: 'open', package: name, match: { path: [`/app/node_modules/${name}/**`, '/etc/hosts'] }, action: 'allow' },
        { event: 'socket.connect', package: name, match: { address: '10.0.0.*:5432' }, action: 'allow' },
        { event: 'subprocess.Popen', package: name, match: { executable: ['git', '/usr/bin/*'] }, action: 'allow' },
        { event: 'os.putenv', package: name, match: { key: `${name.toUpperCase()}_*` }, action: 'allow' },
      );
    }
    if (rules.length !== 50) throw new Error(`the policy has ${rules.length} rules, not 50`);
    const file = join(fs.mkdtempSync(join(tmpdir(), 'audithook-bench-')), 'policy.json');
    fs.writeFileSync(file, JSON.stringify({ default: 'deny', rules }));
    const policy = JSON.parse(JSON.stringify(loadPolicy(file)));
    const chain = (k, length) => Array.from({ length }, (_, j) => packages[(k + j * 5) % packages.length]);
    const calls = [];
    for (let k = 0; k < 64; k++) {
      const inner = chain(k, 1)[0];
      const which = k % 4;
      const packagesOnStack = chain(k, k % 4);
      if (which === 0) calls.push(['open', [`/app/node_modules/${inner}/lib/file-${k}.js`, 'r', 0], packagesOnStack.length ? packagesOnStack : []]);
      else if (which === 1) calls.push(['socket.connect', [{}, [`10.0.0.${k}`, 5432]], packagesOnStack]);
      else if (which === 2) calls.push(['subprocess.Popen', [k % 8 === 2 ? '/bin/sh' : 'git', ['git'], null, {}], packagesOnStack]);
      else calls.push(['open', [`/app/src/deep/dir/file-${k}.ts`, 'r', 0], []]);
    }
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) {
        const [event, args, stack] = calls[i & 63];
        if (decide(policy, event, args, stack).decision === 'allow') sink++;
      }
      return sink;
    };
  },
});

const setup = workloads[name];
if (setup === undefined) throw new Error(`unknown workload ${name}; known: ${Object.keys(workloads).join(', ')}`);
const loop = await setup();

// Loops may be async (HTTP): awaiting a sync loop's number costs one microtask per round, not per operation.
// Warm-up: a tenth of the timed work (at least 1000 operations) lets the optimising compiler settle.
// Several calls, not one: one long call gets only on-stack-replacement code, and the first timed
// call would then still run unoptimised (or be compiled) while it is timed.
const warmUp = Math.max(200, Math.round((iterations * rounds) / 50));
let sink = 0;
for (let k = 0; k < 5; k++) sink += await loop(warmUp);
const perOp = [];
for (let r = 0; r < rounds; r++) {
  const start = process.hrtime.bigint();
  sink += await loop(iterations);
  perOp.push(Number(process.hrtime.bigint() - start) / iterations);
}
const sorted = [...perOp].sort((a, b) => a - b);
const middle = sorted.length >> 1;
const nsPerOp = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
process.stdout.write(`${JSON.stringify({ workload: name, nsPerOp, rounds: perOp, sink })}\n`);
