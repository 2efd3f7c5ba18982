/**
 * audithook's preloaded code, the runtime (dist/runtime.js, 180 KB) and the agent
 * (dist/agent-main.js, 57 KB), loaded with V8's code cache by the preload entry (preload.ts, the
 * 3 KB dist/agent.js), which is all Node compiles itself. Compiling the runtime, and the functions the
 * agent's start runs, took about 10 ms of every audited process's start more than the cache does; the
 * agent, 2 to 3 ms more (Node 22 and 26, measured inside `node -e` children under `audithook run`:
 * docs/cli.md "Cost"). The first process of a Node version (V8 checks its version and flags)
 * compiles as usual and, once the agent has started, writes each file's cache (with the functions
 * compiled by then) into the package's `.code-cache/`; every later one reads them. Keyed by the
 * file's name, size and modification time too, because V8 checks only the source's length. Read and
 * written at load, before any program code, with functions taken before the instrumentation: no
 * event, nothing the program can replace (the preload refuses to run again once the runtime is
 * published, so a program cannot have it load and cache an agent of its own). Under `audithook run`
 * the program may not write, move or remove the cache (the agent's guard, as for the log); otherwise
 * the cache is as trusted as dist/ itself: who can write one can write the other.
 *
 * Each module goes into require.cache as Node's loader would put it, with its own `__filename` and
 * the preload as its parent, so that audithook's entry points (`require('audithook')`) share this
 * runtime, the runtime knows the agent loaded it, the agent's `require('./runtime.js')` finds it, and
 * the agent knows its own files by their folder.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Module class, as Node's loader makes modules
import Module = require('node:module');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects, to take their functions before anyone can replace them
import fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
import { Script } from 'node:vm';
// thread.ts imports nothing: this file, bundled into the small preload, takes nothing else of core/
// (its primordials, and callsites.ts's context, are the runtime's and the agent's to make).
import { currentThreadId } from '../core/thread.js';
import { codeCacheDirectory } from './code-cache-folder.js';

// writeFileSync is not among them: it opens through fs.openSync as the program has it then.
const { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } = fs;
const { basename, dirname, join } = path;
const { createRequire } = Module;
const { createCachedData, runInThisContext } = Script.prototype;
const { apply: ReflectApply } = Reflect;
const { byteLength: BufferByteLength } = Buffer;

export interface NodeModule {
  id: string;
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  parent?: NodeModule | null;
}
interface ModuleStatics {
  new (id: string, parent: unknown): NodeModule;
  _cache: Record<string, NodeModule>;
  _nodeModulePaths: (directory: string) => string[];
  wrap: (source: string) => string;
}

const NodeModuleClass = Module as unknown as ModuleStatics;

/** A script compiled without an accepted cache: its cache file is written once the agent has started. */
interface Unsaved {
  readonly script: Script;
  readonly cacheFile: string;
}
const unsaved: Unsaved[] = [];

/**
 * Loads `file` (one of dist/'s CommonJS bundles) as a module of `parent`, with its code cache when
 * there is one; a module already in require.cache is that one.
 */
export function loadCached(file: string, parent: NodeModule): unknown {
  const cached = NodeModuleClass._cache[file];
  if (cached !== undefined) return cached.exports;
  const directory = dirname(file);
  const source = readFileSync(file, 'utf8');
  const { size, mtimeMs } = statSync(file);
  const cacheFile = join(codeCacheDirectory(directory), `${basename(file, '.js')}-${process.versions.v8}-${process.arch}-${size}-${mtimeMs}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet: this process writes it.
  }
  const script = new Script(NodeModuleClass.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected === true) unsaved[unsaved.length] = { script, cacheFile };
  const loaded = new NodeModuleClass(file, parent);
  loaded.filename = file;
  loaded.paths = NodeModuleClass._nodeModulePaths(directory);
  NodeModuleClass._cache[file] = loaded;
  const wrapper = ReflectApply(runInThisContext, script, []) as (...args: unknown[]) => void;
  try {
    ReflectApply(wrapper, loaded.exports, [loaded.exports, createRequire(file), loaded, file, directory]);
  } catch (error) {
    delete NodeModuleClass._cache[file];
    throw error;
  }
  loaded.loaded = true;
  return loaded.exports;
}

/**
 * Once the agent has started (the functions it ran are compiled, and go into the caches): writes the
 * cache of each file that had none for this Node. A package folder the user cannot write keeps none.
 */
export function saveCodeCaches(): void {
  for (let i = 0; i < unsaved.length; i++) save(unsaved[i] as Unsaved);
  unsaved.length = 0;
}

function save({ script, cacheFile }: Unsaved): void {
  // Its own file per thread (workers of a process start together), renamed whole into place.
  const partial = `${cacheFile}.${process.pid}.${currentThreadId()}`;
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    // Opened first: where it cannot be written, the cache is not made (about a millisecond) either.
    const fd = openSync(partial, 'wx', 0o644);
    try {
      const data = ReflectApply(createCachedData, script, []) as Buffer;
      const size = BufferByteLength(data);
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
