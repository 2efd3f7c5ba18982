// `npm run bench`: every figure is a ratio (or a difference) against a baseline measured in the
// same run, on the same machine, interleaved round by round so that load from elsewhere hits both
// sides alike; medians over the rounds. Benchmarks report; they never fail the build.
// BENCH_QUICK=1 cuts iterations and rounds for a smoke run.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 2 : 7;
const scale = quick ? 0.2 : 1;
const REGISTER = ['--import', 'audithook/register'];

/** A configuration: the workload, its iterations, and how the process is started. */
const plain = (workload, iterations) => ({ workload, iterations: Math.round(iterations * scale), flags: [], hook: false });
const instrumented = (workload, iterations) => ({ ...plain(workload, iterations), flags: REGISTER });
const hooked = (workload, iterations) => ({ ...instrumented(workload, iterations), hook: true });

// Later issues add their hot paths here (spawn, http, module loading): one line per comparison.
const cases = [
  { name: 'audit(), no hooks, vs an empty call', baseline: plain('empty-call', 2e7), measured: plain('audit', 2e7), target: { ratio: 2 } },
  { name: 'audit(), one no-op hook, vs diagnostics_channel publish, one subscriber', baseline: plain('dc-publish', 5e6), measured: hooked('audit', 5e6), target: { ns: 60 } },
  { name: 'openSync+closeSync, instrumented, no hooks', baseline: plain('open-close', 1.5e5), measured: instrumented('open-close', 1.5e5), target: { ratio: 1.02 } },
  { name: 'openSync+closeSync, one no-op hook', baseline: plain('open-close', 1.5e5), measured: hooked('open-close', 1.5e5), target: { ratio: 1.05 } },
  { name: 'statSync, instrumented, no hooks', baseline: plain('stat', 3e5), measured: instrumented('stat', 3e5), target: { ratio: 1.02 } },
  { name: 'statSync, one no-op hook', baseline: plain('stat', 3e5), measured: hooked('stat', 3e5), target: { ratio: 1.05 } },
  { name: 'spawnSync(\'true\'), instrumented, no hooks', baseline: plain('spawn-sync', 300), measured: instrumented('spawn-sync', 300), target: { ratio: 1.02 } },
  { name: 'spawnSync(\'true\'), one no-op hook', baseline: plain('spawn-sync', 300), measured: hooked('spawn-sync', 300), target: { ratio: 1.02 } },
  { name: 'process.env read, instrumented, no hooks', baseline: plain('env-read', 1e6), measured: instrumented('env-read', 1e6), target: { ratio: 1.1 } },
  // With a hook, process.env is a Proxy (see docs/security-model.md); no target is set for it: reported as measured.
  { name: 'process.env read, one no-op hook', baseline: plain('env-read', 1e6), measured: hooked('env-read', 1e6), target: {} },
  { name: 'process.env write, instrumented, no hooks', baseline: plain('env-write', 5e5), measured: instrumented('env-write', 5e5), target: { ratio: 1.1 } },
  { name: 'process.env write, one no-op hook', baseline: plain('env-write', 5e5), measured: hooked('env-write', 5e5), target: {} },
];

function measure(config) {
  const args = [...config.flags, resolve(root, 'bench', 'workload.mjs'), config.workload, String(config.iterations)];
  if (config.hook) args.push('hook');
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`bench workload ${config.workload} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout).nsPerOp;
}

function timeStartup(flags) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [...flags, '-e', '0'], { cwd: root });
  if (child.status !== 0) throw new Error(`node ${flags.join(' ')} -e 0 failed`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const samples = cases.map(() => ({ baseline: [], measured: [] }));
const startup = { plain: [], register: [] };
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach((c, i) => {
    samples[i].baseline.push(measure(c.baseline));
    samples[i].measured.push(measure(c.measured));
  });
  for (let i = 0; i < 3; i++) {
    startup.plain.push(timeStartup([]));
    startup.register.push(timeStartup(REGISTER));
  }
}

const results = cases.map((c, i) => {
  const baseline = median(samples[i].baseline);
  const measured = median(samples[i].measured);
  const ratio = measured / baseline;
  const pass = c.target.ratio !== undefined ? ratio <= c.target.ratio : c.target.ns !== undefined ? measured <= c.target.ns : null;
  const target = c.target.ratio !== undefined ? `ratio <= ${c.target.ratio}` : c.target.ns !== undefined ? `<= ${c.target.ns} ns/op` : 'no target';
  return { name: c.name, baseline: `${baseline.toFixed(1)} ns/op`, measured: `${measured.toFixed(1)} ns/op`, result: `x${ratio.toFixed(3)}`, target, pass };
});
const plainMs = median(startup.plain);
const registerMs = median(startup.register);
results.push({
  name: 'startup: node -e 0 vs node --import audithook/register -e 0',
  baseline: `${plainMs.toFixed(1)} ms`,
  measured: `${registerMs.toFixed(1)} ms`,
  result: `+${(registerMs - plainMs).toFixed(1)} ms`,
  target: 'overhead < 15 ms',
  pass: registerMs - plainMs < 15,
});

const width = Math.max(...results.map((r) => r.name.length));
process.stdout.write(`audithook benchmarks on Node ${process.version}, ${ROUNDS} interleaved rounds, medians\n\n`);
for (const r of results) {
  process.stdout.write(`${r.name.padEnd(width)}  ${r.baseline.padStart(12)}  ${r.measured.padStart(12)}  ${r.result.padStart(9)}  ${r.target.padEnd(18)} ${r.pass === null ? '' : r.pass ? 'PASS' : 'MISS'}\n`);
}
writeFileSync(resolve(root, 'bench', 'results.json'), `${JSON.stringify({ node: process.version, rounds: ROUNDS, results }, null, 2)}\n`);
