/**
 * dist/agent.js, the file `audithook run` preloads (`--require`) in every audited process and worker
 * thread: it only loads the runtime and the agent (index.ts, dist/agent-main.js) with V8's code cache
 * (code-cache.ts), so that Node compiles no more than this small file itself, then announces the
 * program's start and writes the caches a first process of its Node lacked.
 */
import { join } from 'node:path';
import { loadCached, saveCodeCaches } from './code-cache.js';
import type { NodeModule } from './code-cache.js';

type RuntimeModule = typeof import('../runtime.js');

const preload = module as unknown as NodeModule;
const preloaded = module.parent?.id === 'internal/preload';
// Once per thread, before any program code: a runtime published already (src/runtime.ts's key) means
// code ran first, or the program requires this file again (to have it load and cache its own agent).
if (Object.getOwnPropertyDescriptor(globalThis, Symbol.for('audithook.runtime')) !== undefined) {
  if (!preloaded) throw new Error('audithook agent: the agent runs once per thread, preloaded by audithook run');
  process.stderr.write('audithook agent: an audithook runtime was published before the agent (code ran before it): refusing to run\n');
  process.exit(2);
}
// The runtime first, as this module's child: it knows by its parent that the agent loaded it
// (src/runtime.ts), and the agent's `require('./runtime.js')` finds it in require.cache.
const { runtime } = loadCached(join(__dirname, 'runtime.js'), preload) as RuntimeModule;
// The agent: its instrumentation and its hook, added before any code of the program.
loadCached(join(__dirname, 'agent-main.js'), preload);
// After the hook: the program's start (cpython.run_file, cpython.run_command, ...) is logged and decided too.
runtime.announceStartup(preloaded);
saveCodeCaches();
