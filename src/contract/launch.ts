/**
 * How `audithook run` starts the agent in every audited process: the preload in NODE_OPTIONS and
 * the agent's configuration in environment variables. The CLI writes them; the runtime that the
 * agent installs reads them at load (src/instrument/propagation.ts) and forces them into every
 * child's environment, whatever env the child was given.
 */

/**
 * Absolute path of the JSONL log, which only `audithook run` writes: the agents refuse any event
 * that names it. Their records go over the channel whose directory is CHANNEL_VARIABLE (channel.ts).
 */
export const LOG_VARIABLE = 'AUDITHOOK_LOG';
import { CHANNEL_VARIABLE } from './channel.js';
import type { Attribution, PackageRef } from './record.js';
import {
  ArrayIsArray, JSONParse, JSONStringify, NumberParseInt, ObjectFreeze, ObjectHasOwn, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeStartsWith, asArray, newList,
} from '../core/primordials.js';

/**
 * The SHA-256 (hex) of the CompiledPolicy's JSON, which the supervisor wrote to POLICY_FILE in the
 * channel directory; absent without --policy. A file, because a learned policy can be larger than
 * the 128 KiB Linux allows one environment string; the digest, because the agent must take only
 * the policy the supervisor wrote: a file swapped behind its back (by a program that is not Node,
 * which the agent's guard of the channel does not stop) no longer has it, and the process stops.
 */
export const POLICY_VARIABLE = 'AUDITHOOK_POLICY';

/** The compiled policy's file in the channel directory; nothing else there is named so (FIFOs are `fifo-*`). */
export const POLICY_FILE = 'policy.json';

/**
 * The flags of Node's permission model the run starts every process with (src/policy/wall.ts), as
 * NODE_OPTIONS text; absent without a wall. Every child and worker gets them right after the
 * agent in its NODE_OPTIONS (src/instrument/propagation.ts).
 */
export const WALL_VARIABLE = 'AUDITHOOK_WALL';

/**
 * Who started a process or worker: the packages on the stack (and cause) of the call that started
 * it, its own starter's included, and whether that chain was known. Every event of the process is
 * then theirs too (src/agent/index.ts): a package cannot shed its rules by having the application's
 * own code, or Node's, run in a process of its own starting.
 */
export interface Spawner {
  /** Innermost first, each once; empty: the application's own code started it. */
  readonly packages: readonly PackageRef[];
  readonly attribution: Attribution;
}

/**
 * A child's Spawner, as JSON (spawnerText). The agent of the parent forces it into every child's
 * environment, replacing any value the caller gave; the child's agent reads it at load, before any
 * program code. Absent: `audithook run` started the process (COMMAND), or a program that is not
 * Node removed it on the way (see docs/security-model.md).
 */
export const SPAWNER_VARIABLE = 'AUDITHOOK_SPAWNED_BY';

/**
 * A worker's Spawner, as JSON, in the environment data Node copies into every new worker
 * (worker_threads.setEnvironmentData), set by the creating thread's agent just before it creates
 * the worker: a worker's environment is a copy the program could have changed, or shared with it.
 */
export const SPAWNER_DATA_KEY = 'audithook.spawnedBy';

export function spawnerText(spawner: Spawner): string {
  return JSONStringify({ packages: spawner.packages, attribution: spawner.attribution });
}

const ATTRIBUTIONS: Readonly<Record<string, true | undefined>> = { complete: true, truncated: true, unreadable: true, anonymous: true, 'no-caller': true };

/** A Spawner as spawnerText wrote it; undefined for any other text. */
export function parseSpawner(text: string): Spawner | undefined {
  let value: unknown;
  try {
    value = JSONParse(text);
  } catch {
    return undefined;
  }
  return asSpawner(value);
}

/** A parsed value as a Spawner (frozen, only its known fields), or undefined when it is not one. */
export function asSpawner(value: unknown): Spawner | undefined {
  if (value === null || typeof value !== 'object' || !ObjectHasOwn(value, 'packages') || !ObjectHasOwn(value, 'attribution')) return undefined;
  const { packages, attribution } = value as { packages: unknown; attribution: unknown };
  if (!ArrayIsArray(packages) || typeof attribution !== 'string' || ATTRIBUTIONS[attribution] !== true) return undefined;
  const refs = newList<PackageRef>();
  for (let i = 0; i < packages.length; i++) {
    const ref = (packages as unknown[])[i] as { name?: unknown; version?: unknown; manifest?: unknown } | null;
    if (ref === null || typeof ref !== 'object' || typeof ref.name !== 'string' || (ref.version !== null && typeof ref.version !== 'string')) return undefined;
    refs[i] = ObjectFreeze(typeof ref.manifest === 'string' ? { name: ref.name, version: ref.version, manifest: ref.manifest } : { name: ref.name, version: ref.version });
  }
  return ObjectFreeze({ packages: ObjectFreeze(asArray(refs)), attribution: attribution as Attribution });
}

/** The agent bundle's file name, beside dist/runtime.js. */
export const AGENT_FILE = 'agent.js';

/**
 * `text` quoted for NODE_OPTIONS, which Node splits on spaces: inside `"`, a backslash takes the
 * next character as it is, so `"` and `\` are escaped. Node reads back exactly `text`.
 */
export function nodeOptionsQuoted(text: string): string {
  let escaped = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    escaped += char === '"' || char === '\\' ? `\\${char}` : char;
  }
  return `"${escaped}"`;
}

/**
 * The NODE_OPTIONS option that preloads the agent: `--require`, because Node runs `--require`
 * preloads in worker threads too and `--import` ones only in the main thread (Node 20 and 24),
 * and before every `--import` preload.
 */
export function agentPreload(agentFile: string): string {
  return `--require=${nodeOptionsQuoted(agentFile)}`;
}

/**
 * The `KEY=value` pairs that configure the agent, as this process received them; undefined when
 * this process was not started by `audithook run`.
 */
export function agentVariables(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const log = env[LOG_VARIABLE];
  const channel = env[CHANNEL_VARIABLE];
  if (log === undefined || log === '' || channel === undefined || channel === '') return undefined;
  const variables = [`${LOG_VARIABLE}=${log}`, `${CHANNEL_VARIABLE}=${channel}`];
  const policy = env[POLICY_VARIABLE];
  if (policy !== undefined && policy !== '') variables[variables.length] = `${POLICY_VARIABLE}=${policy}`;
  const wall = env[WALL_VARIABLE];
  if (wall !== undefined && wall !== '') variables[variables.length] = `${WALL_VARIABLE}=${wall}`;
  return variables;
}

/**
 * Node 24 and later read a configuration file (`--experimental-config-file[=]FILE`,
 * `--experimental-default-config-file`) when its flag is anywhere in a process's arguments, after
 * the script name too, and apply the file's `permission` settings over the command line's and
 * NODE_OPTIONS' permission flags: one would widen the wall, and `audithook run -- node
 * --experimental-config-file=F app.js` would run F's preloads in the supervisor itself.
 */
export function namesNodeConfigFile(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--experimental-config-file' || word === '--experimental-default-config-file' || StringPrototypeStartsWith(word, '--experimental-config-file=')) return true;
  }
  return false;
}

/**
 * What this Node does with a configuration file named in its arguments: nothing before 22.16 and
 * 23.10 (no such flag); from then on it applies its `nodeOptions`; from 23.10 on also its
 * `permission` settings, over the permission flags (checked on 22, 24 and 26).
 */
export function nodeConfigFiles(version: string = process.versions.node): 'none' | 'options' | 'permission' {
  const dot = StringPrototypeIndexOf(version, '.');
  const major = NumberParseInt(version, 10);
  const minor = NumberParseInt(StringPrototypeSlice(version, dot + 1), 10);
  if (major >= 24 || (major === 23 && minor >= 10)) return 'permission';
  return major === 22 && minor >= 16 ? 'options' : 'none';
}
