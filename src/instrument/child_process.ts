/**
 * Process events: every way Node starts a process raises `subprocess.Popen` once, with what is
 * actually started (for a shell command, the shell and its `-c` argument vector), and signalling a
 * child raises `os.kill`.
 *
 * Two points see every start, after Node has normalised the arguments: the process_wrap binding's
 * Process#spawn for the asynchronous APIs (spawn, exec, execFile, fork, cluster.fork: each starts
 * one Process) and the spawn_sync binding for the synchronous ones (spawnSync, execSync,
 * execFileSync). Taking them from the bindings spares loading child_process at startup, and also
 * audits code that reaches the bindings directly. Inside Node's permission wall, where no code
 * reaches the spawn_sync binding, the synchronous APIs themselves are audited (natives.ts).
 */
import {
  ArrayIsArray, ObjectFreeze, ObjectHasOwn, StringPrototypeIndexOf, StringPrototypeSlice, isProxy, newRecord,
} from '../core/primordials.js';
import { nodeOptionsArgv, toInt32, toStringValue } from './args.js';
import type { Domain } from './domain.js';
import { isInspectFlag, opensInspector, withSignalInspector } from './inspector.js';
import { bindingsRefused, processPrototype, rawBinding } from './natives.js';
import { propagating, withPreload } from './propagation.js';
import { instrumentSyncStarts } from './public-callers.js';
import { THROWS, instrument, operation } from './wrap.js';
import type { Describe, WrapSpec } from './wrap.js';

/** The options Node's normalizeSpawnArguments produces. */
interface SpawnOptions {
  file?: unknown;
  args?: unknown;
  cwd?: unknown;
  envPairs?: unknown;
}

/**
 * Where a start point's arguments keep the normalised options: one options object (spawn_sync, and
 * Process#spawn in Node 20), or positional `(file, args, cwd, envPairs, stdio, flags, uid, gid)`
 * (Process#spawn in Node 24).
 */
function spawnOptions(args: unknown[]): SpawnOptions | undefined {
  if (typeof args[0] === 'string') return { file: args[0], args: args[1], cwd: args[2], envPairs: args[3] };
  const options = args[0];
  return options !== null && typeof options === 'object' ? options : undefined;
}

function setEnvPairs(args: unknown[], envPairs: string[]): void {
  if (typeof args[0] === 'string') args[3] = envPairs;
  else (args[0] as SpawnOptions).envPairs = envPairs;
}

/**
 * The arguments Node gets: the start point's options with the argument vector and environment
 * replaced by the strings audited. The binding converts each element with ToString (a second time,
 * were it given the original), and a copy of an options object keeps a getter from answering again.
 */
function withStrings(args: unknown[], options: SpawnOptions, read: SpawnOptions, argv: readonly string[] | undefined, envPairs: readonly string[] | undefined): void {
  if (typeof args[0] === 'string') {
    if (argv !== undefined) args[1] = argv;
    if (envPairs !== undefined) args[3] = envPairs;
    return;
  }
  const copy = newRecord<unknown>();
  for (const key in options) copy[key] = (options as Record<string, unknown>)[key];
  copy['file'] = read.file;
  if (argv !== undefined) copy['args'] = argv;
  copy['cwd'] = read.cwd;
  if (envPairs !== undefined) copy['envPairs'] = envPairs;
  args[0] = copy;
}

/** The elements of an array as the binding reads them, each converted once; undefined for what the binding ignores (a Proxy, a non-array). */
function strings(values: unknown): readonly string[] | undefined {
  if (!ArrayIsArray(values) || isProxy(values)) return undefined;
  const result: string[] = [];
  for (let i = 0; i < values.length; i++) result[i] = toStringValue(values[i]);
  return ObjectFreeze(result);
}

/** The child's environment as an object, from Node's `KEY=value` pairs. */
function environment(list: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (list === undefined) return env;
  for (let i = 0; i < list.length; i++) {
    const pair = list[i] as string;
    const at = StringPrototypeIndexOf(pair, '=', 1);
    if (at === -1) env[pair] = '';
    else env[StringPrototypeSlice(pair, 0, at)] = StringPrototypeSlice(pair, at + 1);
  }
  return env;
}

/**
 * A shape of arguments this version does not know (a future Node changing its bindings again)
 * still raises the event, with a null executable: a process start is never silently unaudited.
 * Options are read once.
 */
const describeSpawn: Describe = (args) => {
  const options = spawnOptions(args);
  const file = options?.file;
  if (options === undefined || typeof file !== 'string') {
    return operation('subprocess.Popen', [null, ObjectFreeze([]), null, ObjectFreeze({})]);
  }
  const cwd = options.cwd;
  const argv = strings(options.args);
  const envPairs = strings(options.envPairs);
  withStrings(args, options, { file, cwd }, argv, envPairs);
  const env = environment(envPairs);
  const popen = operation('subprocess.Popen', [file, argv ?? ObjectFreeze([]), typeof cwd === 'string' ? cwd : null, ObjectFreeze(env)]);
  return startsInspector(argv ?? [], env) ? opensInspector(popen) : popen;
};

/** Whether the child, if it is Node, opens its inspector: an --inspect flag among its arguments or in NODE_OPTIONS. */
function startsInspector(argv: readonly string[], env: Readonly<Record<string, string>>): boolean {
  for (let i = 1; i < argv.length; i++) if (isInspectFlag(argv[i] as string)) return true;
  const options = nodeOptionsArgv(ObjectHasOwn(env, 'NODE_OPTIONS') ? env['NODE_OPTIONS'] : undefined);
  for (let i = 0; i < options.length; i++) if (isInspectFlag(options[i] as string)) return true;
  return false;
}

/**
 * Process#kill(signal) is how ChildProcess#kill (and cluster's Worker#kill) signal a child, by
 * number: the native method converts its argument with ToInt32 (a name is NaN, signal 0), here once.
 */
const describeChildKill: Describe = (args, handle) => {
  const pid = (handle as { pid?: unknown }).pid;
  if (typeof pid !== 'number') return undefined;
  const signal = toInt32(args[0]);
  args[0] = signal;
  return withSignalInspector(operation('os.kill', [pid, signal]), signal);
};

/**
 * Every child gets the preload in its environment, hooks or not, before the start is described: the
 * event reports the environment the child really gets.
 */
function keepChildAudited(args: unknown[]): void {
  const envPairs = spawnOptions(args)?.envPairs;
  if (ArrayIsArray(envPairs)) setEnvPairs(args, withPreload(envPairs as string[]));
}

export const childProcessDomain: Domain = {
  atLoad() {
    const processHandle = processPrototype();
    const spawnSpec: WrapSpec = propagating() ? { delivery: 'throw', prepare: keepChildAudited } : THROWS;
    instrument(processHandle, 'spawn', describeSpawn, spawnSpec);
    instrument(processHandle, 'kill', describeChildKill, THROWS);
    if (bindingsRefused) instrumentSyncStarts(describeSpawn);
    else instrument(rawBinding('spawn_sync'), 'spawn', describeSpawn, spawnSpec);
  },
};
