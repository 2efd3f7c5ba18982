/**
 * Built-in modules instrumented only when the program loads them, because loading them costs
 * milliseconds or prints Node's ExperimentalWarning (node:ffi, node:wasi): a program that never
 * uses one pays nothing and sees no warning. The loaders call loadingBuiltin before Node loads a
 * built-in for the program (require, import; process.getBuiltinModule is patched here); one the
 * program loaded before the first hook is instrumented with it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take syncBuiltinESMExports at load
import Module = require('node:module');
import { ProcessGetBuiltinModule, ReflectApply } from '../core/primordials.js';
import { replaceFunction } from './wrap.js';

interface LazyBuiltin {
  /** The name without `node:` ('ffi'). */
  readonly id: string;
  readonly install: (module: Record<string, unknown>) => void;
  done: boolean;
}

const { syncBuiltinESMExports } = Module;
const pending: LazyBuiltin[] = [];
let getBuiltinModulePatched = false;

/** From a domain's withFirstHook: `install` runs with the module once the program loads it (now, if it did). */
export function instrumentWhenLoaded(id: string, install: (module: Record<string, unknown>) => void): void {
  if (ProcessGetBuiltinModule === undefined) return;
  pending[pending.length] = { id, install, done: false };
  if (!getBuiltinModulePatched) {
    getBuiltinModulePatched = true;
    replaceFunction(process, 'getBuiltinModule', (original) => function getBuiltinModule(this: unknown, name: unknown) {
      loadingBuiltin(name);
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(original, this, arguments as unknown as unknown[]);
    });
  }
  if (isLoaded(id)) loadingBuiltin(id);
}

/** Called before Node loads a built-in for the program: a lazily instrumented one is instrumented first. */
export function loadingBuiltin(request: unknown): void {
  for (let i = 0; i < pending.length; i++) {
    const entry = pending[i] as LazyBuiltin;
    if (entry.done || (request !== entry.id && request !== `node:${entry.id}`)) continue;
    entry.done = true;
    const module = ProcessGetBuiltinModule?.(`node:${entry.id}`) as Record<string, unknown> | undefined;
    if (module === undefined) continue;
    entry.install(module);
    // ESM named imports (`import { connect } from 'node:http2'`) are bindings to a copy of the exports.
    syncBuiltinESMExports();
  }
}

/** Whether the program loaded the built-in already (Node lists every built-in it compiled). */
function isLoaded(id: string): boolean {
  const list = (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList;
  if (list === undefined) return false;
  const entry = `NativeModule ${id}`;
  for (let i = 0; i < list.length; i++) if (list[i] === entry) return true;
  return false;
}
