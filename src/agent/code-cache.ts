/**
 * The runtime (dist/runtime.js, 180 KB) loaded with V8's code cache: compiling it, and the functions
 * the agent's start runs, took about 10 ms of every audited process's start more than the cache
 * does (Node 22 and 26, measured inside `node -e 0` under `audithook run`). The first process of a Node version (V8 checks its version and flags)
 * compiles as usual and, once the agent has started, writes the cache (with the functions compiled by
 * then) into the package's `.code-cache/`; every later one reads it. Keyed by the runtime's size and
 * modification time too, because V8 checks only the source's length. Read and written at load, before
 * any program code, with functions taken before the instrumentation: no event, nothing the program
 * can replace. The cache is as trusted as dist/ itself: who can write one can write the other.
 *
 * The module goes into require.cache as Node's loader would put it, so that audithook's entry points
 * (`require('audithook')`) share this runtime.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Module class, as Node's loader makes modules
import Module = require('node:module');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects, to take their functions before anyone can replace them
import fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
import { Script } from 'node:vm';
import { ReflectApply, TypedArrayPrototypeGetByteLength } from '../core/primordials.js';
import { currentThreadId } from '../core/thread.js';

// writeFileSync is not among them: it opens through fs.openSync as the program has it then.
const { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } = fs;
const { dirname, join } = path;
const { createRequire } = Module;
const { createCachedData, runInThisContext } = Script.prototype;

type RuntimeModule = typeof import('../runtime.js');

interface NodeModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}
interface ModuleStatics {
  new (id: string, parent: unknown): NodeModule;
  _cache: Record<string, NodeModule>;
  _nodeModulePaths: (directory: string) => string[];
  wrap: (source: string) => string;
}

const NodeModuleClass = Module as unknown as ModuleStatics;
let script: Script | undefined;
let cacheFile = '';
let cacheWanted = false;

/** Loads dist/runtime.js beside `agent` (the agent's module) with the code cache, when there is one. */
export function loadRuntime(agent: { filename: string }): RuntimeModule {
  const directory = dirname(agent.filename);
  const file = join(directory, 'runtime.js');
  const cached = NodeModuleClass._cache[file];
  if (cached !== undefined) return cached.exports as RuntimeModule;
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  cacheFile = join(dirname(directory), '.code-cache', `runtime-${process.versions.v8}-${process.arch}-${size}-${mtimeMs}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: this process writes it.
  }
  script = new Script(NodeModuleClass.wrap(source), { filename: file, cachedData });
  cacheWanted = cachedData === undefined || script.cachedDataRejected === true;
  const runtimeModule = new NodeModuleClass(file, agent);
  runtimeModule.filename = file;
  runtimeModule.paths = NodeModuleClass._nodeModulePaths(directory);
  NodeModuleClass._cache[file] = runtimeModule;
  const wrapper = ReflectApply(runInThisContext, script, []) as (...args: unknown[]) => void;
  try {
    ReflectApply(wrapper, runtimeModule.exports, [runtimeModule.exports, createRequire(file), runtimeModule, file, directory]);
  } catch (error) {
    delete NodeModuleClass._cache[file];
    throw error;
  }
  runtimeModule.loaded = true;
  return runtimeModule.exports as RuntimeModule;
}

/**
 * Once the agent has started (the functions it ran are compiled, and go into the cache): writes the
 * cache if there was none for this Node. A package folder the user cannot write keeps none.
 */
export function saveCodeCache(): void {
  if (!cacheWanted || script === undefined) return;
  cacheWanted = false;
  // Its own file per thread (workers of a process start together), renamed whole into place.
  const partial = `${cacheFile}.${process.pid}.${currentThreadId()}`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    // Opened first: where it cannot be written, the cache is not made (about a millisecond) either.
    const fd = openSync(partial, 'wx', 0o644);
    try {
      const data = ReflectApply(createCachedData, script, []) as Uint8Array;
      const size = TypedArrayPrototypeGetByteLength(data);
      for (let written = 0; written < size;) written += writeSync(fd, data, written);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, cacheFile);
  } catch {
    // Read-only or full: the next process compiles, as this one did.
    try {
      unlinkSync(partial);
    } catch {
      // Never made.
    }
  }
}
