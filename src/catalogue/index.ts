/**
 * The catalogue as the rest of the package sees it: the data, and the argument types derived from it.
 */
import { events } from './events.js';
import type { ArgSpec, ArgTypes } from './types.js';

export { events, unauditedApis } from './events.js';
export { cpythonGaps } from './cpython-gaps.js';
export type { ArgSpec, ArgTypeName, CpythonGap, EventSpec, UnauditedApi } from './types.js';

type ArgTuple<Specs extends readonly ArgSpec[]> = { readonly [I in keyof Specs]: ArgTypes[Specs[I]['type']] };

type CatalogueEvent = (typeof events)[number];

/** Each catalogued event name mapped to the tuple of its arguments. */
export type CatalogueEventArgs = {
  [E in CatalogueEvent as E['name']]: ArgTuple<E['args']>;
};

export type CatalogueEventName = CatalogueEvent['name'];
