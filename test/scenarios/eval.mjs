// Scenarios of the tests of direct and indirect evaluation, each run in its own process by runScenario(scenario('<area>/<name>')).
import fs from 'node:fs';
import path from 'node:path';
import { errorData } from '../fixtures/outcome.mjs';

/** `files` in a fresh directory D, a require from D, and `compiles()`: the compile events, with D as $D. */
async function withFiles(harness, files) {
  const D = harness.tmp();
  harness.pause();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(D, name), text);
  harness.resume();
  const { createRequire } = await import('node:module');
  const require = createRequire(D + '/');
  globalThis.ran = [];
  const rel = (value) => typeof value === 'string' ? value.split(D).join('$D') : value;
  const compiles = () => harness.events.filter((e) => e[0] === 'compile').map((e) => e.map(rel));
  return { D, require, compiles };
}

export async function directEvalStaysDirect(harness, { files }) {
  const { D, require, compiles } = await withFiles(harness, files);
  const cjs = require('./scope.cjs');
  const esm = (await import(D + '/scope.mjs')).default;
  const indirect = require('./indirect.cjs');
  const local = require('./local.cjs');
  harness.done({ values: { cjs, esm, indirect, local }, compiles: compiles() });
}

export async function blockedCompileStopsBoth(harness, { files }) {
  const { D, require } = await withFiles(harness, files);
  harness.block('compile');
  const outcomes = [];
  for (const name of ['./direct.cjs', './indirect.cjs']) {
    try { require(name); outcomes.push('ran'); } catch (error) { outcomes.push(errorData(error).code); }
  }
  outcomes.push(await import(D + '/direct.mjs').then(() => 'ran', (error) => errorData(error).code));
  harness.done({ outcomes, ran: globalThis.ran });
}

export async function errorLineNumbers(harness, { files }) {
  const { require } = await withFiles(harness, files);
  harness.done(require('./lines.cjs'));
}

export async function unauditableSourcesRefused(harness, { files }) {
  const { D, require } = await withFiles(harness, files);
  const codes = [];
  for (const name of ['./with.cjs', './reserved.cjs']) {
    try { require(name); codes.push('ran'); } catch (error) { codes.push(error.code); }
  }
  codes.push(await import(D + '/reserved.mjs').then(() => 'ran', (error) => error.code));
  const source = require('./no-eval.cjs').toString();
  let replaced;
  // By a string key: this file mentions eval, and audithook refuses a source with the identifier __audithook.
  try { globalThis['__audithook'] = {}; replaced = globalThis['__audithook'].direct === undefined; } catch (error) { replaced = error.name; }
  harness.done({ codes, ran: globalThis.ran, source, replaced });
}
