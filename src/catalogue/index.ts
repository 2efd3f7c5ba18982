/**
 * The catalogue as the rest of the package sees it: the data, and the argument types derived from it.
 */
import { events } from './events.js';
import type { ArgKind, ArgSpec, ArgTypes } from './types.js';

export { events, unauditedApis } from './events.js';
export { cpythonGaps } from './cpython-gaps.js';
export type { ArgKind, ArgSpec, ArgTypeName, Capability, CpythonGap, EventSpec, SecretKind, UnauditedApi } from './types.js';

/** An argument's kind, as the catalogue states it. */
export function argKind(spec: ArgSpec): ArgKind {
  if (spec.kind !== undefined) return spec.kind;
  return spec.type === 'null' || spec.type === 'Record<string, string>' ? 'opaque' : 'text';
}

type ArgTuple<Specs extends readonly ArgSpec[]> = { readonly [I in keyof Specs]: ArgTypes[Specs[I]['type']] };

type CatalogueEvent = (typeof events)[number];

/** Each catalogued event name mapped to the tuple of its arguments. */
export type CatalogueEventArgs = {
  [E in CatalogueEvent as E['name']]: ArgTuple<E['args']>;
};

export type CatalogueEventName = CatalogueEvent['name'];
