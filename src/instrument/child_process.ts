/**
 * Process events: every way Node starts a process raises `subprocess.Popen` once, with what is
 * actually started (for a shell command, the shell and its `-c` argument vector), and signalling a
 * child raises `os.kill`.
 *
 * Two points see every start, after Node has normalised the arguments: ChildProcess#spawn for the
 * asynchronous APIs (spawn, exec, execFile, fork, cluster.fork: each calls it once) and the
 * spawn_sync binding for the synchronous ones (spawnSync, execSync, execFileSync).
 */
import { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import {
  ObjectFreeze, ObjectHasOwn, StringCtor, StringPrototypeIndexOf, StringPrototypeSlice,
} from '../primordials.js';
import { instrument } from './wrap.js';
import type { Describe } from './wrap.js';

/** The options Node's normalizeSpawnArguments produces, as both start points receive them. */
interface SpawnOptions {
  file?: unknown;
  args?: unknown;
  cwd?: unknown;
  envPairs?: unknown;
}

function copyStrings(values: unknown): string[] {
  const result: string[] = [];
  if (values === null || typeof values !== 'object') return result;
  const list = values as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i++) result[i] = StringCtor(list[i]);
  return result;
}

/** The child's environment as an object, from Node's `KEY=value` pairs. */
function environment(pairs: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  const list = copyStrings(pairs);
  for (let i = 0; i < list.length; i++) {
    const pair = list[i] as string;
    const at = StringPrototypeIndexOf(pair, '=', 1);
    if (at === -1) env[pair] = '';
    else env[StringPrototypeSlice(pair, 0, at)] = StringPrototypeSlice(pair, at + 1);
  }
  return env;
}

const describeSpawn: Describe = (args) => {
  const options = args[0] as SpawnOptions | null | undefined;
  if (options === null || typeof options !== 'object' || typeof options.file !== 'string') return undefined;
  const cwd = typeof options.cwd === 'string' ? options.cwd : null;
  return {
    event: 'subprocess.Popen',
    args: [options.file, ObjectFreeze(copyStrings(options.args)), cwd, ObjectFreeze(environment(options.envPairs))],
    covers: undefined,
  };
};

/** A signal as ChildProcess#kill and process.kill read it: a number, or a name (SIGTERM by default). */
export function toSignal(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const name = value === undefined || value === null || value === '' ? 'SIGTERM' : value;
  if (typeof name !== 'string') return undefined;
  const signals = constants.signals as Readonly<Record<string, number | undefined>>;
  return ObjectHasOwn(signals, name) ? signals[name] : undefined;
}

const describeChildKill: Describe = (args, child) => {
  const pid = (child as ChildProcess).pid;
  const signal = toSignal(args[0]);
  if (typeof pid !== 'number' || signal === undefined) return undefined;
  return { event: 'os.kill', args: [pid, signal], covers: undefined };
};

export function installChildProcess(spawnSyncBinding: { spawn: unknown }): void {
  instrument(ChildProcess.prototype, 'spawn', describeSpawn, { delivery: 'throw' });
  instrument(ChildProcess.prototype, 'kill', describeChildKill, { delivery: 'throw' });
  instrument(spawnSyncBinding, 'spawn', describeSpawn, { delivery: 'throw' });
}
