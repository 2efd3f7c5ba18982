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
