/**
 * The one audithook runtime of a thread. Every copy of the package (the ESM and CommonJS entry
 * points, or two versions in node_modules) finds the first copy's runtime under a registered
 * symbol and uses it, so there is one hook list and one installation.
 *
 * The symbol property is frozen and non-configurable: code cannot replace the runtime once it
 * exists. It exposes functions only; the hook list stays in the kernel's closure.
 */
import { addHook, audit } from './core/kernel.js';
import type { Hook } from './core/kernel.js';
import { announceStartup, installForHooks, installInstrumentation, openCodeHookSet } from './instrument/index.js';
import { setHook } from './core/opencode.js';
import type { OpenCodeHook } from './core/opencode.js';
import { ObjectDefineProperty, ObjectFreeze, SymbolFor } from './core/primordials.js';

export interface Runtime {
  readonly audit: (event: string, ...args: unknown[]) => void;
  /** `strict`: the hook performs no audited operation, so events raised while it runs are refused (the agent's). */
  readonly addAuditHook: (hook: Hook, strict?: boolean) => boolean;
  readonly installInstrumentation: () => void;
  /** The startup event (cpython.run_*), raised by audithook/register; `requirePreload` when it was loaded by -r. */
  readonly announceStartup: (requirePreload: boolean) => void;
  readonly setOpenCodeHook: (hook: OpenCodeHook) => void;
}

const RUNTIME_KEY = SymbolFor('audithook.runtime');

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

function findOrCreateRuntime(): Runtime {
  const existing = (globalThis as Record<symbol, Runtime | undefined>)[RUNTIME_KEY];
  if (existing !== undefined) return existing;
  const runtime: Runtime = ObjectFreeze({ audit, addAuditHook, installInstrumentation, announceStartup, setOpenCodeHook });
  ObjectDefineProperty(globalThis, RUNTIME_KEY, { value: runtime, enumerable: false, writable: false, configurable: false });
  return runtime;
}

export const runtime: Runtime = findOrCreateRuntime();
