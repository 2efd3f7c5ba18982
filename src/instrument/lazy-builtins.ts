/**
 * Built-in modules instrumented only when the program can reach them, because loading them costs
 * milliseconds, prints Node's ExperimentalWarning (node:ffi, node:wasi) or changes Node's state
 * (worker_threads wraps process.chdir as it is when it loads): a program that never uses one pays
 * nothing and its process is as in plain Node. The loaders call loadingBuiltin before Node loads a
 * built-in for the program (require, import, process.getBuiltinModule, which is wrapped at load so
 * that no program holds the original); one the program loaded before the first hook is instrumented
 * with it. Each entry names the other built-ins that hand out the same objects (https's agents are
 * http's), which load it too.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take syncBuiltinESMExports at load
import Module = require('node:module');
import { ProcessGetBuiltinModule, ProcessModuleLoadList, ReflectApply } from '../core/primordials.js';
import { replaceFunction } from './wrap.js';

type BuiltinModule = Record<string, unknown>;

interface LazyBuiltin {
  /** The name without `node:` ('ffi'). */
  readonly id: string;
  /** Other built-ins (without `node:`) through which the program reaches what `install` instruments. */
  readonly reachedThrough: readonly string[];
  readonly install: (module: BuiltinModule) => void;
  done: boolean;
}

const { syncBuiltinESMExports } = Module;
const pending: LazyBuiltin[] = [];

/** Wraps process.getBuiltinModule (at load: a program never holds the original). */
export function watchBuiltinLoads(): void {
  replaceFunction(process, 'getBuiltinModule', (original) => function getBuiltinModule(this: unknown, name: unknown) {
    loadingBuiltin(name);
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    return ReflectApply(original, this, arguments as unknown as unknown[]);
  });
}

/**
 * The built-in `id`, loaded now, undefined when this Node has none: through the original
 * process.getBuiltinModule, or require where Node has none (before 20.16, which then has every
 * module instrumented at once).
 */
export function builtinModule(id: string): BuiltinModule | undefined {
  if (ProcessGetBuiltinModule !== undefined) return ProcessGetBuiltinModule(`node:${id}`) as BuiltinModule | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node 20 before 20.16 has no process.getBuiltinModule
    return require(`node:${id}`) as BuiltinModule;
  } catch {
    return undefined;
  }
}

/**
 * From a domain's withFirstHook: `install` runs with the module `id` once the program loads it or
 * one of `reachedThrough` (now, if it did). Ids and aliases are listed for Node 20's hooks thread in
 * node20/protocol.ts LAZY_BUILTIN_URLS.
 */
export function instrumentWhenLoaded(id: string, install: (module: BuiltinModule) => void, reachedThrough: readonly string[] = []): void {
  const entry: LazyBuiltin = { id, reachedThrough, install, done: false };
  pending[pending.length] = entry;
  if (ProcessGetBuiltinModule === undefined || isLoaded(id) || someLoaded(reachedThrough)) installEntry(entry);
}

function installEntry(entry: LazyBuiltin): void {
  entry.done = true;
  const module = builtinModule(entry.id);
  if (module === undefined) return;
  entry.install(module);
  // ESM named imports (`import { connect } from 'node:http2'`) are bindings to a copy of the exports.
  syncBuiltinESMExports();
}

function names(request: unknown, id: string): boolean {
  return request === id || request === `node:${id}`;
}

/** Called before Node loads a built-in for the program: a lazily instrumented one is instrumented first. */
export function loadingBuiltin(request: unknown): void {
  for (let i = 0; i < pending.length; i++) {
    const entry = pending[i] as LazyBuiltin;
    if (entry.done) continue;
    let reaches = names(request, entry.id);
    for (let j = 0; !reaches && j < entry.reachedThrough.length; j++) reaches = names(request, entry.reachedThrough[j] as string);
    if (reaches) installEntry(entry);
  }
}

/** Whether the built-in `id` (`internal/...` too) is loaded already: Node lists every built-in it compiled. */
export function isLoaded(id: string): boolean {
  const list = ProcessModuleLoadList;
  if (list === undefined) return false;
  const entry = `NativeModule ${id}`;
  for (let i = 0; i < list.length; i++) if (list[i] === entry) return true;
  return false;
}

function someLoaded(ids: readonly string[]): boolean {
  for (let i = 0; i < ids.length; i++) if (isLoaded(ids[i] as string)) return true;
  return false;
}
