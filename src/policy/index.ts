/**
 * Policies: `loadPolicy` (CLI side: read, validate, compile a policy file) and `decide` (agent side,
 * in every audited process: no dependencies, RegExps only). A CompiledPolicy is plain JSON, handed
 * from the CLI to the agents.
 *
 * Contract (the implementation is issue #6's policy slice):
 * - `loadPolicy(file)` returns the compiled policy, or throws a PolicyError whose message is the
 *   whole user-facing text: the file, the location (line:column) and the problem.
 * - `decide(policy, event, args, packages)` returns the verdict for one event; `packages` are the
 *   package names on the call stack, innermost first (empty for the application's own code).
 */
export type Action = 'allow' | 'deny';

export interface CompiledPolicy {
  /** Absolute path of the policy file, for messages. */
  readonly file: string;
  readonly default: Action;
  readonly mode: 'enforce' | 'report';
  /** Implementation-defined, JSON-serialisable. */
  readonly rules: readonly unknown[];
}

export interface Verdict {
  readonly decision: Action;
  /** `rules[N]` or `default`. */
  readonly rule: string;
  /** The package the decision was made for (null: the application), for the denial message. */
  readonly package: string | null;
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

export function loadPolicy(file: string): CompiledPolicy {
  throw new PolicyError(`${file}: policies are not implemented yet`);
}

export function decide(policy: CompiledPolicy, _event: string, _args: readonly unknown[], _packages: readonly string[]): Verdict {
  return { decision: policy.default, rule: 'default', package: null };
}
