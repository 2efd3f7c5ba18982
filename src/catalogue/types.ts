/**
 * The shape of the event catalogue. The catalogue is data: types, docs and tests derive from it.
 */

/** The TypeScript type an event argument carries, named as written in the docs. */
export interface ArgTypes {
  string: string;
  'string | null': string | null;
  number: number;
  'number | null': number | null;
  'string | number': string | number;
  boolean: boolean;
  null: null;
  'string | string[]': string | readonly string[];
  '[number, number]': readonly [number, number];
  'string[]': readonly string[];
  'string[] | null': readonly string[] | null;
  'Record<string, string>': Readonly<Record<string, string>>;
  'string | ArrayBuffer | ArrayBufferView': string | ArrayBufferLike | ArrayBufferView;
  unknown: unknown;
}

export type ArgTypeName = keyof ArgTypes;

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgTypeName;
}

export interface EventSpec {
  /** The event name passed to hooks. CPython's name where Node has the capability. */
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly description: string;
  /** The public Node APIs that raise the event. */
  readonly raisedBy: readonly string[];
  /** The first Node version in which audithook raises the event. */
  readonly since: string;
  /** The CPython audit event this corresponds to (the seed table's name), or null for Node-only events. */
  readonly cpython: string | null;
}

/** A public API that deliberately raises no event, and why. */
export interface UnauditedApi {
  readonly apis: readonly string[];
  readonly reason: string;
}

/** Why a CPython seed event has no Node analog (yet). */
export interface CpythonGap {
  readonly status: 'not applicable' | 'planned';
  readonly reason: string;
}
