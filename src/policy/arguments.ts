/**
 * Which catalogue arguments a policy can match, and as what (CLI side: the compiled policy carries
 * each argument's kind to the agent). Decided by the argument's catalogue name, so an event added
 * to the catalogue gets the same treatment as its kin.
 */
import type { ArgSpec } from '../catalogue/index.js';
import type { ArgumentKind } from './types.js';

const KINDS: Readonly<Record<string, ArgumentKind>> = {
  path: 'path', src: 'path', dst: 'path', fullpath: 'path', root_dir: 'path', cwd: 'path',
  // os.truncate's `fd` is the path when truncating by name.
  fd: 'path',
  executable: 'command',
  address: 'address', sockaddr: 'address',
  host: 'host', hostname: 'host', ip_address: 'host',
  fullurl: 'url',
};

/** Objects and always-null arguments: nothing a glob could say anything about. */
const UNMATCHABLE_NAMES = new Set(['self', 'data', 'callback', 'env', 'headers', 'code_object']);

export function argumentKind(name: string): ArgumentKind {
  return KINDS[name] ?? 'text';
}

/** Null when a `match` may name the argument, otherwise why not. */
export function unmatchableReason(spec: ArgSpec): string | null {
  if (spec.type === 'null') return 'it is always null';
  if (spec.type === 'Record<string, string>' || UNMATCHABLE_NAMES.has(spec.name)) return 'it is an object, not a value a pattern can match';
  return null;
}
