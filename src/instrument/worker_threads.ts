/**
 * Workers: `new Worker(...)` raises `worker_threads.Worker` (source, eval) once, in the parent,
 * after Node's own argument checks and before the thread exists; `eval: true` also raises
 * `compile` (code, '[worker eval]'). A hook that throws stops the constructor: no thread starts.
 *
 * A worker is a new isolate with its own module graph, not a function run on a shared heap, so the
 * Node-only name fits better than CPython's `_thread.start_new_thread(function, args, kwargs)`.
 *
 * Workers stay audited: under the register, the parent's preloads (-r, --import, from execArgv or
 * NODE_OPTIONS), which add its hooks, are put back into a worker's execArgv when its options would
 * drop them (`execArgv: []`, an `env` without NODE_OPTIONS), and, because Node runs no --import
 * preload in an `eval: true` worker, they are given to such workers as --require (require() of an
 * ES module, synchronous). Under `audithook run` only the agent is forced into a worker, through
 * its environment (propagation.ts).
 */
import {
  ArrayIsArray, FileURLToPath, ObjectSetPrototypeOf, ProcessEnvironment, asArray, newList, PathIsAbsolute, PathResolve, StringCtor, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeStartsWith, URLPrototypeGetHref, URLPrototypeGetProtocol,
} from '../core/primordials.js';
import { guardedURL, isURL, nodeOptionsArgv } from './args.js';
import { agentForcedIntoWorkers, assertSharedEnvironmentStartsAgent, tellWorkerItsCreator, workerEnvironment } from './propagation.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { REJECTS, andThen, instrument, instrumentConstructor, operation } from './wrap.js';
import { describeStartCpuProfile, describeStartHeapProfile, takesArguments } from './v8.js';
import type { Describe } from './wrap.js';

type Preload = readonly [flag: '--require' | '--import', specifier: string];

const PRELOAD_FLAGS: Readonly<Record<string, '--require' | '--import' | undefined>> = {
  '-r': '--require', '--require': '--require', '--import': '--import',
};

/** The preloads an argument vector names (`-r x`, `--require=x`, `--import x`, ...). */
function preloadsOf(argv: readonly string[]): Preload[] {
  const found = newList<Preload>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const equals = StringPrototypeIndexOf(arg, '=');
    const flag = PRELOAD_FLAGS[equals === -1 ? arg : StringPrototypeSlice(arg, 0, equals)];
    if (flag === undefined) continue;
    if (equals !== -1) found[found.length] = [flag, StringPrototypeSlice(arg, equals + 1)];
    else if (i + 1 < argv.length) found[found.length] = [flag, argv[++i] as string];
  }
  return found;
}


/**
 * The preloads this thread started with, on its command line and in NODE_OPTIONS: code that later
 * edits process.execArgv or process.env does not remove them from workers.
 */
const STARTUP_PRELOADS: readonly Preload[] = ((): Preload[] => {
  const all = preloadsOf(process.execArgv);
  const fromNodeOptions = preloadsOf(nodeOptionsArgv(process.env['NODE_OPTIONS']));
  for (let i = 0; i < fromNodeOptions.length; i++) all[all.length] = fromNodeOptions[i] as Preload;
  return all;
})();

function has(preloads: readonly Preload[], specifier: string, countImports: boolean): boolean {
  for (let i = 0; i < preloads.length; i++) {
    const preload = preloads[i] as Preload;
    if (preload[1] === specifier && (countImports || preload[0] === '--require')) return true;
  }
  return false;
}

interface WorkerOptions {
  eval?: unknown;
  execArgv?: unknown;
  env?: unknown;
}

/** A preload specifier as --require takes it: a file: URL becomes its path. */
function requirable(specifier: string): string {
  if (!StringPrototypeStartsWith(specifier, 'file:')) return specifier;
  try {
    return FileURLToPath(specifier);
  } catch {
    return specifier;
  }
}

/**
 * The execArgv a worker needs so that every preload of this thread runs in it too, or undefined
 * when its options already give it all of them. Under `audithook run` the agent reaches every
 * worker through its environment, so a worker keeps the options it was given: `execArgv: []` drops
 * the application's own preloads as in plain Node (a preload that starts a worker would recurse).
 */
function keepPreloads(options: WorkerOptions, isEval: boolean): string[] | undefined {
  if (agentForcedIntoWorkers()) return undefined;
  const required = newList<Preload>();
  for (let i = 0; i < STARTUP_PRELOADS.length; i++) required[i] = STARTUP_PRELOADS[i] as Preload;
  if (required.length === 0) return undefined;
  // Node inherits execArgv when the option is falsy and rejects a truthy non-array itself.
  const given = options.execArgv;
  if (given && !ArrayIsArray(given)) return undefined;
  const execArgv = given ? given as unknown[] : process.execArgv;
  // Lists with no prototype: an index setter on Array.prototype cannot drop a preload.
  const base = newList<string>();
  for (let i = 0; i < execArgv.length; i++) base[i] = StringCtor(execArgv[i]);
  // Node reads the NODE_OPTIONS of the worker's env, or of this thread's environment (not process.env, which a program can replace).
  const env = options.env;
  const workerNodeOptions = env !== null && typeof env === 'object' ? (env as Record<string, unknown>)['NODE_OPTIONS'] : ProcessEnvironment['NODE_OPTIONS'];
  const present = preloadsOf(base);
  const fromNodeOptions = preloadsOf(nodeOptionsArgv(workerNodeOptions));
  for (let i = 0; i < fromNodeOptions.length; i++) present[present.length] = fromNodeOptions[i] as Preload;
  let added = false;
  for (let i = 0; i < required.length; i++) {
    const preload = required[i] as Preload;
    const flag = preload[0];
    const specifier = preload[1];
    if (has(present, specifier, !isEval)) continue;
    // An eval worker runs no --import: the preload is required, and require takes a path, not a file: URL.
    const given = isEval ? requirable(specifier) : specifier;
    base[base.length] = isEval ? '--require' : flag;
    base[base.length] = given;
    present[present.length] = ['--require', given];
    added = true;
  }
  return added ? asArray(base) : undefined;
}

/**
 * What the worker runs, as Node's Worker constructor reads it: the code (eval), a data: URL, or a
 * file path made absolute; undefined when Node will reject the arguments itself.
 */
function workerSource(filename: unknown, isEval: boolean): string | undefined {
  if (isEval) return typeof filename === 'string' ? filename : undefined;
  if (isURL<URL>(filename)) {
    if (URLPrototypeGetProtocol(filename) === 'data:') return URLPrototypeGetHref(filename);
    try {
      return FileURLToPath(filename);
    } catch {
      return undefined;
    }
  }
  if (typeof filename !== 'string') return undefined;
  const relative = filename[0] === '.' && (filename[1] === '/' || (filename[1] === '.' && filename[2] === '/'));
  return PathIsAbsolute(filename) || relative ? PathResolve(filename) : undefined;
}

/**
 * Every worker's options, hooks or not: read once into an object of their own, which Node then
 * reads, so that a getter cannot answer the audit one way and Node another; and with this thread's
 * preloads kept (see keepPreloads) and the agent's variables forced into a given env. The caller's
 * options stay the prototype: their other properties still count. null options make Node throw.
 */
function keepWorkerAudited(args: unknown[]): void {
  const given = args[1];
  if (given === null || (given !== undefined && typeof given !== 'object')) return;
  const options = (given ?? {}) as WorkerOptions;
  const read: WorkerOptions = { eval: options.eval, execArgv: options.execArgv, env: options.env };
  const isEval = !!read.eval;
  const env = workerEnvironment(read.env) ?? read.env;
  const execArgv = keepPreloads({ execArgv: read.execArgv, env }, isEval) ?? read.execArgv;
  // Node parses the environment's NODE_OPTIONS for a worker given execArgv.
  if (typeof env === 'symbol') assertSharedEnvironmentStartsAgent(ArrayIsArray(execArgv));
  const kept: WorkerOptions = { eval: read.eval, execArgv, env };
  args[1] = ObjectSetPrototypeOf(kept, options);
  tellWorkerItsCreator(setEnvironmentData);
}

/** worker_threads' own, taken when the module is first loaded: the agent loads it before any program code. */
let setEnvironmentData: (key: string, value: string) => void = () => undefined;

/**
 * new Worker(filename, options): what runs; an eval worker's code is also compiled code. Node gets
 * what was audited: a file URL as its path (Node would read its getters again), a data: URL as a
 * URL answering with the audited text (Node converts it with `${url}`).
 */
const describeWorker: Describe = (args) => {
  const options = args[1];
  if (options === null) return undefined;
  const isEval = typeof options === 'object' && !!(options as WorkerOptions).eval;
  const source = workerSource(args[0], isEval);
  if (source === undefined) return undefined;
  if (!isEval && isURL(args[0])) args[0] = StringPrototypeStartsWith(source, 'data:') ? guardedURL(source) : source;
  const start = operation('worker_threads.Worker', [source, isEval]);
  return isEval ? andThen(start, operation('compile', [source, '[worker eval]'])) : start;
};

/** Worker#getHeapSnapshot: the worker's heap, handed to this thread (gc.get_objects, as v8's snapshots). */
const describeHeapSnapshot: Describe = () => operation('gc.get_objects', [null]);

/**
 * worker_threads costs ~1 ms to load (with the streams it loads, ~5) and wraps process.chdir as it is
 * then: instrumented when the program loads it, as plain Node would load it then.
 */
export const workerThreadsDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('worker_threads', (workerThreads) => {
      setEnvironmentData = workerThreads['setEnvironmentData'] as typeof setEnvironmentData;
      const workerPrototype = (workerThreads['Worker'] as { prototype: object }).prototype;
      instrument(workerPrototype, 'getHeapSnapshot', describeHeapSnapshot, REJECTS);
      // Node 26 checks their options synchronously, and a worker not running rejects.
      instrument(workerPrototype, 'startCpuProfile', describeStartCpuProfile(takesArguments(workerPrototype, 'startCpuProfile')), REJECTS);
      instrument(workerPrototype, 'startHeapProfile', describeStartHeapProfile(takesArguments(workerPrototype, 'startHeapProfile')), REJECTS);
      instrumentConstructor(workerThreads, 'Worker', describeWorker, { prepare: keepWorkerAudited });
    });
  },
};
