// node_modules/evil/index.mjs: evil builds code that mentions import, which audithook calls from a
// module compiled for evil's file, and looks through every frame of that call (the caller module's,
// audithook's) for a function or receiver to reuse: the original Function constructor or eval
// reached from them would build code without a compile event.
import { reportAtExit } from './attempt.mjs';

const functions = new Set();
const receivers = new Set();
const collect = (error, sites) => {
  for (const site of sites) {
    if (site.getFunction() !== undefined) functions.add(site.getFunction());
    if (site.getThis() !== undefined) receivers.add(site.getThis());
  }
  return '';
};
const built = new Function('a = import("./attempt.mjs")', 'return [a, new Error().stack];');
const previous = Error.prepareStackTrace;
Error.prepareStackTrace = collect;
const [fromBuilt] = built();
const fromEval = (0, eval)('const p = import("./attempt.mjs"); new Error().stack; p');
Error.prepareStackTrace = previous;
functions.delete(built);
receivers.delete(globalThis);
const report = { functions: functions.size, receivers: receivers.size };
const outcome = (promise) => promise.then((module) => typeof module.attempt, (error) => error.code ?? error.message);
report.fromBuilt = await outcome(fromBuilt);
report.fromEval = await outcome(fromEval);
reportAtExit(report);
