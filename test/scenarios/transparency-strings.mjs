// Scenarios of code compiled from strings behaving as in plain Node: the referrer of import() in
// built code, and modules that mention eval compiled as written while no hook can observe them.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** `files` (paths relative to a fresh directory D, folders made as needed) and a require from D. */
async function withFiles(harness, files) {
  const D = harness.tmp();
  harness.pause();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(D, name)), { recursive: true });
    fs.writeFileSync(path.join(D, name), text);
  }
  harness.resume();
  const { createRequire } = await import('node:module');
  return { D, require: createRequire(D + '/') };
}

/** What each way of building code that calls import() got: the module's default export, or the error's code. */
export async function importFromBuiltCode(harness, { files }) {
  const { D, require } = await withFiles(harness, files);
  const cjs = await require('./caller.cjs');
  const esm = (await import(D + '/caller.mjs')).default;
  const compiles = harness.events.filter((e) => e[0] === 'compile').length;
  harness.done({ cjs, esm, compiled: compiles > 0 });
}

/** A function of a module that mentions eval, serialised with toString() and run in a fresh vm context. */
export async function functionTextRunsElsewhere(harness, { files }) {
  const { require } = await withFiles(harness, files);
  const add = require('./serial.cjs');
  const text = add.toString();
  let elsewhere;
  try { elsewhere = vm.runInNewContext(`(${text})(1, 2)`); } catch (error) { elsewhere = `${error.name}: ${error.message}`; }
  let withEval;
  try { withEval = require('./with.cjs'); } catch (error) { withEval = error.code; }
  harness.done({ text, elsewhere, here: add(1, 2), withEval });
}
