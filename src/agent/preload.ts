/**
 * dist/agent.js, the file `audithook run` preloads (`--require`) in every audited process and worker
 * thread: it only loads the runtime and the agent (index.ts, dist/agent-main.js) with V8's code cache
 * (code-cache.ts), so that Node compiles no more than this small file itself, then announces the
 * program's start and writes the caches a first process of its Node lacked.
 */
import { join } from 'node:path';
import { RUNTIME_KEY, refuseEarlierRuntime } from '../core/runtime-key.js';
import { loadCached, saveCodeCaches } from './code-cache.js';
import type { NodeModule } from './code-cache.js';

type RuntimeModule = typeof import('../runtime.js');

const preload = module as unknown as NodeModule;
const preloaded = module.parent?.id === 'internal/preload';
// Once per thread, before any program code: a runtime published already means code ran first, or
// the program requires this file again (to have it load and cache its own agent). A runtime that
// came first without this check (one already in require.cache) is refused by runtime.ts.
if (Object.getOwnPropertyDescriptor(globalThis, Symbol.for(RUNTIME_KEY)) !== undefined) {
  if (!preloaded) throw new Error('audithook agent: the agent runs once per thread, preloaded by audithook run');
  refuseEarlierRuntime();
}
// The runtime first, as this module's child: it knows by its parent that the agent loaded it
// (src/runtime.ts), and the agent's `require('./runtime.js')` finds it in require.cache.
const { runtime } = loadCached(join(__dirname, 'runtime.js'), preload) as RuntimeModule;
// The agent: its instrumentation and its hook, added before any code of the program.
loadCached(join(__dirname, 'agent-main.js'), preload);
// After the hook: the program's start (cpython.run_file, cpython.run_command, ...) is logged and decided too.
runtime.announceStartup(preloaded);
saveCodeCaches();
