// One measurement in a fresh process, started by bench/run.mjs:
//
//   node [--import audithook/register] bench/workload.mjs NAME ITERATIONS ROUNDS [hook]
//   node bench/workload.mjs NAME ITERATIONS ROUNDS paired
//
// Runs workload NAME: a warm-up, then ROUNDS timed rounds of ITERATIONS operations each, and
// prints {"workload", "nsPerOp" (median of the rounds), "rounds": [ns/op...], "sink"} as JSON.
//
// `paired` measures plain Node and one no-op hook in the same process: the workload is set up
// once before audithook loads (its loop holds Node's own functions) and once after, with the hook;
// their rounds alternate, and "baselineNsPerOp" is the plain side's median. Differences between
// processes (where the heap and the file land, the CPU each gets) are ±10-25% of a 5 µs system
// call on a small VM, far above a wrapper's cost; within one process they cancel. For workloads
// whose setup captures the functions it calls.
//
// Why a process per measurement: hooks cannot be removed, so "no hook" is only true in a process
// where none was ever added; and plain, instrumented and hooked need different process flags.
// Why the median of several rounds: one round hit by a GC or by other work on the machine then
// does not move the figure.
//
// To add a benchmark: add a workload here (a setup returning `(n) => sink`), then a case in run.mjs.
import fs from 'node:fs';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { channel } from 'node:diagnostics_channel';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [name, iterationsText, roundsText, mode] = process.argv.slice(2);
const iterations = Number(iterationsText);
const rounds = Number(roundsText);
if (!(iterations > 0) || !(rounds > 0)) throw new Error(`usage: workload.mjs NAME ITERATIONS ROUNDS [hook|opencode|paired], got ${process.argv.slice(2).join(' ')}`);

if (mode === 'hook' || mode === 'opencode') {
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
  // The functions are taken at setup, so that a paired run's plain loop calls Node's own.
  'open-close': () => {
    const file = scratchFile();
    const { openSync, closeSync } = fs;
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) {
        const fd = openSync(file, 'r');
        sink += fd;
        closeSync(fd);
      }
      return sink;
    };
  },
  // A file stream opens its file on a later tick, with the stack that made it as the cause (core/cause.ts).
  'read-stream': () => {
    const file = scratchFile();
    const readOnce = () => new Promise((resolve, reject) => {
      let size = 0;
      fs.createReadStream(file).on('data', (chunk) => { size += chunk.length; }).on('end', () => resolve(size)).on('error', reject);
    });
    return async (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink += await readOnce();
      return sink;
    };
  },
  'stat': () => {
    const file = scratchFile();
    const { statSync } = fs;
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink += statSync(file).size;
      return sink;
    };
  },
  // Each child a Node process of its own, which under audithook run starts its agent (#16 §4).
  // Its warm-up is one child a call: there is no loop to optimise, only the disk cache to fill.
  'node-children': () => Object.assign((n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += spawnSync(process.execPath, ['-e', '0']).status;
    return sink;
  }, { warmUp: 1 }),
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
  // Scheduling: with a hook, then, nextTick and bind look at each callback (src/instrument/callbacks.ts).
  'promise-then': () => async (n) => {
    const increment = (value) => value + 1;
    let chain = Promise.resolve(0);
    for (let i = 0; i < n; i++) chain = chain.then(increment);
    return chain;
  },
  'next-tick': () => (n) => new Promise((resolve) => {
    let ticks = 0;
    const step = () => { if (++ticks >= n) resolve(ticks); else process.nextTick(step); };
    process.nextTick(step);
  }),
  'bind': () => (n) => {
    let sink = 0;
    const add = (a, b) => a + b;
    for (let i = 0; i < n; i++) sink += add.bind(null, i)(1);
    return sink;
  },
  // With a hook, EventEmitter.init is an accessor whose wrapper looks at each new emitter's prototype
  // for a FileHandle (src/instrument/file-handles.ts): streams, sockets and requests each make some.
  'new-emitter': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += new EventEmitter()._eventsCount + 1;
    return sink;
  },
  // The same source each time, as a template engine's hot path: V8's compilation cache answers,
  // so the figure is the constructor call itself, where audithook's share is largest.
  'new-function': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += new Function('a', 'return a + 1')(i);
    return sink;
  },
  'vm-script': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += new vm.Script('1 + 1', { filename: 'bench.js' }).runInThisContext();
    return sink;
  },
  // Under a path, as a test runner compiles a module: with a hook, the compiling stack is kept (core/built-code.ts).
  'vm-script-path': () => (n) => {
    let sink = 0;
    for (let i = 0; i < n; i++) sink += new vm.Script('1 + 1', { filename: '/bench/module.js' }).runInThisContext();
    return sink;
  },
};

// v8.serialize and v8.deserialize of a small object: marshal.dumps and marshal.loads with a hook.
Object.assign(workloads, {
  'v8-roundtrip': () => {
    const value = { name: 'bench', list: [1, 2, 3] };
    return (n) => {
      let sink = 0;
      for (let i = 0; i < n; i++) sink += v8.deserialize(v8.serialize(value)).list.length;
      return sink;
    };
  },
});

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
    // The policy module ships inside the CLI bundle only: built here on its own, as the CLI loads it.
    const { build } = await import('esbuild');
    const outfile = new URL('../build/bench/policy.cjs', import.meta.url);
    await build({ entryPoints: [new URL('../src/policy/index.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: outfile.pathname, logLevel: 'warning' });
    const { loadPolicy, decide } = createRequire(import.meta.url)(outfile.pathname);
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

/**
 * Module loading: each loop call loads a fresh tree of `iterations` small modules (a binary tree:
 * module i loads 2i+1 and 2i+2), so ns/op is per module. CommonJS trees are reloaded after
 * clearing require.cache; ES modules cannot be unloaded, so every call gets its own copy, written
 * during setup. Mode 'opencode' sets an open-code hook that checks each file's sha256 against an
 * allowlist computed during setup (the examples/integrity check).
 */
function moduleTrees(extension, withEval) {
  const root = fs.mkdtempSync(join(tmpdir(), 'audithook-bench-tree-'));
  process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  const copies = 5 + rounds;
  const allowlist = new Map();
  for (let copy = 0; copy < copies; copy++) {
    fs.mkdirSync(join(root, String(copy)));
    for (let i = 0; i < iterations; i++) {
      const children = [2 * i + 1, 2 * i + 2].filter((child) => child < iterations);
      const evalPart = withEval ? " + eval('0')" : '';
      const source = extension === 'cjs'
        ? `${children.map((c) => `const m${c} = require('./m${c}.cjs');`).join(' ')}\nmodule.exports = 1${children.map((c) => ` + m${c}`).join('')}${evalPart};\n`
        : `${children.map((c) => `import m${c} from './m${c}.mjs';`).join(' ')}\nexport default 1${children.map((c) => ` + m${c}`).join('')}${evalPart};\n`;
      const file = join(root, String(copy), `m${i}.${extension}`);
      fs.writeFileSync(file, source);
      allowlist.set(file, createHash('sha256').update(source).digest('hex'));
    }
  }
  return { root, allowlist };
}

async function treeWorkload(extension, withEval = false) {
  const { root, allowlist } = moduleTrees(extension, withEval);
  if (mode === 'opencode') {
    const { setOpenCodeHook } = await import('audithook');
    setOpenCodeHook((path, source) => {
      if (allowlist.get(path) !== createHash('sha256').update(source).digest('hex')) throw new Error(`not on the allowlist: ${path}`);
    });
  }
  const require = createRequire(join(root, 'x'));
  let copy = 0;
  if (extension === 'cjs') {
    return (n) => {
      const entry = join(root, String(copy++ % 2), 'm0.cjs');
      for (const key of Object.keys(require.cache)) if (key.startsWith(root)) delete require.cache[key];
      return require(entry) + n * 0;
    };
  }
  return async (n) => (await import(pathToFileURL(join(root, String(copy++), 'm0.mjs')).href)).default + n * 0;
}

Object.assign(workloads, {
  'require-tree': () => treeWorkload('cjs'),
  'require-tree-eval': () => treeWorkload('cjs', true),
  'import-tree': () => treeWorkload('mjs'),
});

const setup = workloads[name];
if (setup === undefined) throw new Error(`unknown workload ${name}; known: ${Object.keys(workloads).join(', ')}`);
const plainLoop = mode === 'paired' ? await setup() : undefined;
if (mode === 'paired') {
  await import('audithook/register');
  const { addAuditHook } = await import('audithook');
  if (!addAuditHook(() => {})) throw new Error('addAuditHook refused the hook');
}
const loop = await setup();

// Loops may be async (HTTP): awaiting a sync loop's number costs one microtask per round, not per operation.
// Warm-up: a tenth of the timed work (at least 1000 operations) lets the optimising compiler settle.
// Several calls, not one: one long call gets only on-stack-replacement code, and the first timed
// call would then still run unoptimised (or be compiled) while it is timed. A workload whose
// operation is a process of its own says how many it needs (`loop.warmUp`).
const warmUp = loop.warmUp ?? Math.max(200, Math.round((iterations * rounds) / 50));
let sink = 0;
for (let k = 0; k < 5; k++) {
  sink += await loop(warmUp);
  if (plainLoop !== undefined) sink += await plainLoop(warmUp);
}
/** The time per operation of one round of `run`. */
async function timed(run) {
  const start = process.hrtime.bigint();
  sink += await run(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}
const perOp = [];
const plainPerOp = [];
for (let r = 0; r < rounds; r++) {
  if (plainLoop === undefined) {
    perOp.push(await timed(loop));
  } else if (r % 2 === 0) {
    plainPerOp.push(await timed(plainLoop));
    perOp.push(await timed(loop));
  } else {
    perOp.push(await timed(loop));
    plainPerOp.push(await timed(plainLoop));
  }
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const baseline = plainLoop === undefined ? {} : { baselineNsPerOp: median(plainPerOp) };
process.stdout.write(`${JSON.stringify({ workload: name, nsPerOp: median(perOp), ...baseline, rounds: perOp, sink })}\n`);
