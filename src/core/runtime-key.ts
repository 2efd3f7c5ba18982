/**
 * Where a thread's one runtime is published (src/runtime.ts), and the agent's refusal when it finds
 * one there before it ran. It imports nothing: the agent's preload (src/agent/preload.ts), which
 * checks before it loads the runtime, takes it without the rest of core/.
 */

/** The registered symbol's key: `Symbol.for(RUNTIME_KEY)` on globalThis. */
export const RUNTIME_KEY = 'audithook.runtime';

const PUBLISHED_BEFORE_AGENT = 'audithook agent: an audithook runtime was published before the agent';

// Code ran before the agent here, so anything captured now may be its own already: the throw after
// exit is what holds, whatever process.exit and process.stderr have become.
/* eslint-disable audithook/primordials */
/** Ends the thread before any more code runs (fail closed): code ran before the agent and published a runtime. */
export function refuseEarlierRuntime(): never {
  process.stderr.write(`${PUBLISHED_BEFORE_AGENT} (code ran before it): refusing to run\n`);
  // 2, as the agent's other configuration errors; a worker ends its own thread only.
  process.exit(2);
  throw new Error(PUBLISHED_BEFORE_AGENT);
}
/* eslint-enable audithook/primordials */
