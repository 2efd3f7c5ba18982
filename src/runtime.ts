/**
 * The one audithook runtime of a thread. Every copy of the package (the ESM and CommonJS entry
 * points, or two versions in node_modules) finds the first copy's runtime under a registered
 * symbol and uses it, so there is one hook list and one installation.
 *
 * The symbol property is frozen and non-configurable: code cannot replace the runtime once it
 * exists. It exposes functions only; the hook list stays in the kernel's closure. Only an own
 * property of globalThis counts: a getter on Object.prototype publishes nothing.
 *
 * The `audithook run` agent is the first code of every thread it audits (instrument/propagation.ts),
 * so the copy beside it, loaded by it, must be the one that publishes the runtime: a runtime already
 * there was published by code that ran before the agent, a fake that would install nothing and
 * drop every hook. The thread then stops before any more code runs (fail closed).
 */
import { addHook, audit } from './core/kernel.js';
import { RUNTIME_KEY, refuseEarlierRuntime } from './core/runtime-key.js';
import type { Hook } from './core/kernel.js';
import { announceStartup, deferEsmHooksThread, installForHooks, installInstrumentation, openCodeHookSet } from './instrument/index.js';
import { buildersOf } from './core/built-code.js';
import { currentCause } from './core/cause.js';
import type { Cause } from './core/cause.js';
import { setHook } from './core/opencode.js';
import type { OpenCodeHook } from './core/opencode.js';
import { AGENT_BESIDE, setSpawner } from './instrument/propagation.js';
import {
  ObjectDefineProperty, ObjectFreeze, ObjectGetOwnPropertyDescriptor, SymbolFor, nullPrototype,
} from './core/primordials.js';

export interface Runtime {
  readonly audit: (event: string, ...args: unknown[]) => void;
  /** `strict`: the hook performs no audited operation, so events raised while it runs are refused (the agent's). */
  readonly addAuditHook: (hook: Hook, strict?: boolean) => boolean;
  readonly installInstrumentation: () => void;
  /** The startup event (cpython.run_*), raised by audithook/register; `requirePreload` when it was loaded by -r. */
  readonly announceStartup: (requirePreload: boolean) => void;
  readonly setOpenCodeHook: (hook: OpenCodeHook) => void;
  /** The stack that asked for the deferred work raising the current event (core/cause.ts), for the agent's attribution. */
  readonly currentCause: () => Cause | undefined;
  /** The stacks that built code under a file name (core/built-code.ts), for the agent's attribution. */
  readonly buildersOf: (filename: string) => Cause | undefined;
  /** The agent's description of a call starting a child or worker (instrument/propagation.ts); once, by the agent. */
  readonly setSpawner: (describe: () => string) => void;
}

const RUNTIME_SYMBOL = SymbolFor(RUNTIME_KEY);

function addAuditHook(hook: Hook, strict?: boolean): boolean {
  const added = addHook(hook, strict === true);
  if (added) installForHooks();
  return added;
}

/** Sets the thread's one open-code hook and installs the instrumentation, whose module loaders call it. */
function setOpenCodeHook(hook: OpenCodeHook): void {
  setHook(hook);
  installInstrumentation();
  openCodeHookSet();
}

/** Whether this copy was loaded by the `audithook run` agent beside it (dist/agent.js). */
const loadedByAgent = module.parent?.filename === AGENT_BESIDE;

function findOrCreateRuntime(): Runtime {
  const existing = ObjectGetOwnPropertyDescriptor(globalThis, RUNTIME_SYMBOL);
  if (existing !== undefined) return loadedByAgent ? refuseEarlierRuntime() : existing.value as Runtime;
  const runtime: Runtime = ObjectFreeze({ audit, addAuditHook, installInstrumentation, announceStartup, setOpenCodeHook, currentCause, buildersOf, setSpawner });
  ObjectDefineProperty(globalThis, RUNTIME_SYMBOL, nullPrototype({ value: runtime, enumerable: false, writable: false, configurable: false }));
  return runtime;
}

export const runtime: Runtime = findOrCreateRuntime();
// The agent adds its hook before any code of the program: Node 20's module hooks thread can wait for a way to an ES module (instrument/module/node20/esm-start.ts).
if (loadedByAgent) deferEsmHooksThread();
