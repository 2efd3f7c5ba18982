/**
 * The structured call stack, read one way wherever audithook needs it (telling Node's own callers
 * apart, attributing events to packages): with audithook's own formatter whatever the program set
 * as `Error.prepareStackTrace` (even as a non-writable property), and with CallSite#getFileName as
 * it was at load, so that neither a formatter nor a patched CallSite prototype can fake a frame.
 */
import {
  ArrayIsArray, ErrorCtor, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectHasOwn, ReflectApply, ReflectDefineProperty, ReflectDeleteProperty,
  StringPrototypeIndexOf, StringPrototypeSlice, nullPrototype,
} from './primordials.js';

export type CallSite = object;
interface StackTraceApi {
  prepareStackTrace?: (error: unknown, sites: readonly CallSite[]) => unknown;
  stackTraceLimit: number;
  captureStackTrace(target: object, constructorOpt?: (...args: never[]) => unknown): void;
}
const ErrorApi = ErrorCtor as unknown as StackTraceApi;
const captureStackTrace = ErrorApi.captureStackTrace;
const GLOBAL = globalThis;
const returnSites = (_error: unknown, sites: readonly CallSite[]): readonly CallSite[] => sites;

/**
 * At most `frames` call sites of the current stack above `below` (it and what it called are left
 * out); undefined when the stack cannot be read.
 */
export function callSites(below: (...args: never[]) => unknown, frames: number): readonly CallSite[] | undefined {
  // Node's formatting callback asks `globalThis.Error.prepareStackTrace`: that must be ours too.
  const globalError = ObjectGetOwnPropertyDescriptor(GLOBAL, 'Error');
  const foreign = globalError === undefined || !ObjectHasOwn(globalError, 'value') || globalError.value !== ErrorCtor;
  if (foreign && !ReflectDefineProperty(GLOBAL, 'Error', nullPrototype({ value: ErrorCtor, writable: true, enumerable: false, configurable: true }))) return undefined;
  try {
    return capture(below, frames);
  } finally {
    if (foreign) {
      if (globalError === undefined) ReflectDeleteProperty(GLOBAL, 'Error');
      else ReflectDefineProperty(GLOBAL, 'Error', nullPrototype(globalError));
    }
  }
}

function capture(below: (...args: never[]) => unknown, frames: number): readonly CallSite[] | undefined {
  const formatter = ObjectGetOwnPropertyDescriptor(ErrorApi, 'prepareStackTrace');
  const limit = ObjectGetOwnPropertyDescriptor(ErrorApi, 'stackTraceLimit');
  if (!ReflectDefineProperty(ErrorApi, 'prepareStackTrace', nullPrototype({ value: returnSites, writable: true, configurable: true }))) return undefined;
  try {
    if (!ReflectDefineProperty(ErrorApi, 'stackTraceLimit', nullPrototype({ value: frames, writable: true, enumerable: true, configurable: true }))) return undefined;
    const holder: { stack?: unknown } = {};
    ReflectApply(captureStackTrace, ErrorApi, [holder, below]);
    const sites = holder.stack;
    return ArrayIsArray(sites) ? sites as readonly CallSite[] : undefined;
  } finally {
    if (formatter === undefined) ReflectDeleteProperty(ErrorApi, 'prepareStackTrace');
    else ReflectDefineProperty(ErrorApi, 'prepareStackTrace', nullPrototype(formatter));
    if (limit !== undefined) ReflectDefineProperty(ErrorApi, 'stackTraceLimit', nullPrototype(limit));
  }
}

const getFileName = ((): unknown => {
  const sites = callSites(callSites, 1);
  return sites?.[0] === undefined ? undefined : (ObjectGetPrototypeOf(sites[0]) as { getFileName?: unknown }).getFileName;
})();

/** A call site's file (a path, a URL or a `node:` id), by CallSite#getFileName as it was at load; undefined when unknown. */
export function callSiteFileName(site: CallSite): unknown {
  return typeof getFileName === 'function' ? ReflectApply(getFileName as (this: CallSite) => unknown, site, []) : undefined;
}

/**
 * The frames of the current stack above `below`, as the formatter now installed writes them (the
 * lines after its first), at most `frames`; undefined when that is not text.
 */
export function stackLinesAbove(below: (...args: never[]) => unknown, frames: number): string | undefined {
  const limit = ObjectGetOwnPropertyDescriptor(ErrorApi, 'stackTraceLimit');
  if (!ReflectDefineProperty(ErrorApi, 'stackTraceLimit', nullPrototype({ value: frames, writable: true, enumerable: true, configurable: true }))) return undefined;
  try {
    const holder: { stack?: unknown } = {};
    ReflectApply(captureStackTrace, ErrorApi, [holder, below]);
    const text = holder.stack;
    if (typeof text !== 'string') return undefined;
    const firstFrame = StringPrototypeIndexOf(text, '\n');
    return firstFrame === -1 ? '' : StringPrototypeSlice(text, firstFrame);
  } finally {
    if (limit !== undefined) ReflectDefineProperty(ErrorApi, 'stackTraceLimit', nullPrototype(limit));
  }
}

/** Error.stackTraceLimit as V8 reads it: a number of frames, or 10 when it is not a number. */
export function stackTraceLimit(): number {
  const limit = ObjectGetOwnPropertyDescriptor(ErrorApi, 'stackTraceLimit');
  const value = limit !== undefined && ObjectHasOwn(limit, 'value') ? limit.value as unknown : undefined;
  return typeof value === 'number' ? value : 10;
}
