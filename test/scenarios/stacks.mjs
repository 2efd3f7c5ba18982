// Scenarios of test/stacks.test.ts: the stacks of errors Node throws from audited APIs, as plain data.
import fs from 'node:fs';

function stackOf(run) {
  try {
    run();
    return null;
  } catch (error) {
    return error.stack;
  }
}

export async function errorStacks(harness) {
  const cp = await import('node:child_process');
  const withLimit = (limit, run) => () => {
    const was = Error.stackTraceLimit;
    Error.stackTraceLimit = limit;
    try {
      return run();
    } finally {
      Error.stackTraceLimit = was;
    }
  };
  harness.done({
    enoent: stackOf(() => fs.openSync('/nonexistent/x')),
    invalidArgument: stackOf(() => fs.mkdirSync(123n)),
    spawn: stackOf(() => cp.execFileSync('/nonexistent/binary')),
    // The frame audithook's wrapper took from a short limit is given back: the caller's callers.
    limited: stackOf(withLimit(3, () => fs.openSync('/nonexistent/y'))),
    noFrames: stackOf(withLimit(0, () => fs.openSync('/nonexistent/z'))),
    // The wrappers are synchronous: an asynchronous error's trace has no frame of theirs.
    rejected: await fs.promises.readFile('/nonexistent/p').catch((error) => error.stack),
    callback: await new Promise((resolve) => fs.stat('/nonexistent/c', (error) => resolve(error.stack))),
    // The scheduling functions a hook wraps (src/instrument/callbacks.ts), given what they refuse.
    setTimeout: stackOf(() => setTimeout('not a function')),
    nextTick: stackOf(() => process.nextTick(42)),
    then: stackOf(() => Promise.prototype.then.call({}, () => {})),
    bind: stackOf(() => Function.prototype.bind.call({})),
  });
}
