/**
 * Which catalogue arguments a policy can match, and as what (CLI side: the compiled policy carries
 * each argument's kind to the agent), from the kind the catalogue states for each argument.
 */
import { argKind } from '../catalogue/index.js';
import type { ArgSpec } from '../catalogue/index.js';
import type { ArgumentKind } from './types.js';

/** How a policy matches the argument (see ArgumentKind); undefined when it cannot be matched. */
export function argumentKind(spec: ArgSpec): ArgumentKind {
  switch (argKind(spec)) {
    case 'path': case 'cwd': return 'path';
    case 'command': return 'command';
    case 'address': return 'address';
    case 'host': return 'host';
    case 'url': return 'url';
    default: return 'text';
  }
}

/** Null when a `match` may name the argument, otherwise why not. */
export function unmatchableReason(spec: ArgSpec): string | null {
  if (spec.type === 'null') return 'it is always null';
  if (argKind(spec) === 'opaque') return 'it is an object, not a value a pattern can match';
  return null;
}
