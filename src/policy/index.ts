/**
 * Policies: `loadPolicy` (CLI side: read, validate, compile a policy file; see load.ts) and
 * `decide` (agent side, in every audited process; see decide.ts, which imports nothing else: the
 * agent should import it from there so that the loader's libraries stay out of the preload).
 * A CompiledPolicy is plain JSON, handed from the CLI to the agents. docs/policy.md describes the
 * format and its semantics.
 */
export type { Action, ArgumentKind, CompiledMatch, CompiledPolicy, CompiledResource, CompiledRule, Verdict } from './types.js';
export { decide } from './decide.js';
export { loadPolicy, PolicyError } from './load.js';
