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
