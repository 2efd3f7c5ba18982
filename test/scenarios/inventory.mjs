// Scenarios of test/fs-paths.test.ts and test/exports.test.ts: what the catalogue names, beside what
// a preload (test/fixtures/*-before.mjs) saw left untouched by the instrumentation.
const catalogue = () => import('audithook/catalogue');

/** fs and fs/promises functions still the originals (fixtures/fs-functions-before.mjs), and the APIs left unaudited on purpose. */
export async function fsFunctions(harness) {
  const { unauditedApis } = await catalogue();
  harness.done({ unaudited: unauditedApis.flatMap((entry) => entry.apis), untouched: globalThis.untouched() });
}

/** Every export of the audited built-ins still the original (fixtures/exports-before.mjs), and every API the catalogue names. */
export async function builtinExports(harness) {
  const { events, unauditedApis } = await catalogue();
  harness.done({
    entries: [...events.flatMap((event) => event.raisedBy), ...unauditedApis.flatMap((entry) => entry.apis)],
    untouched: globalThis.untouchedExports(),
  });
}
