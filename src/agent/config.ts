/**
 * How `audithook run` configures the agent in every audited process: the preload in NODE_OPTIONS,
 * the log path and the compiled policy in environment variables (re-added to every child's
 * environment by the agent itself, see src/instrument/propagation.ts).
 */

/** Absolute path of the JSONL log every audited process appends to. */
export const LOG_VARIABLE = 'AUDITHOOK_LOG';
/** The CompiledPolicy as JSON; absent without --policy. */
export const POLICY_VARIABLE = 'AUDITHOOK_POLICY';

/**
 * The NODE_OPTIONS option that preloads the agent: `--require`, because Node runs `--require`
 * preloads in worker threads too and `--import` ones only in the main thread (Node 20 and 24).
 * Quoted, as NODE_OPTIONS splits on spaces.
 */
export function agentPreload(agentFile: string): string {
  return `--require="${agentFile.replace(/["\\]/g, '\\$&')}"`;
}
