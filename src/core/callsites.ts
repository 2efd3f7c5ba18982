/**
 * The structured call stack, read one way wherever audithook needs it (telling Node's own callers
 * apart, attributing events to packages): with the `Error` of a context of audithook's own, made at
 * load. V8 takes a stack's limit from the `Error` it is captured with and Node's formatting callback
 * asks the holder's context for `Error.prepareStackTrace`, so nothing a program does to its own
 * `Error` (replace, lock or delete `prepareStackTrace`, `stackTraceLimit`, `globalThis.Error`) or to
 * its CallSite prototype reaches these: a program cannot fake, hide or cut a frame.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take its functions before anyone can replace them
import vm = require('node:vm');
import {
  ArrayIsArray, ErrorCtor, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectHasOwn, ReflectApply, ReflectDefineProperty,
  StringPrototypeIndexOf, StringPrototypeSlice, nullPrototype,
} from './primordials.js';

export type CallSite = object;
interface StackTraceApi {
  prepareStackTrace?: (error: unknown, sites: readonly CallSite[]) => unknown;
  stackTraceLimit: number;
  captureStackTrace(target: object, constructorOpt?: (...args: never[]) => unknown): void;
}
// Made at load, before the instrumentation (compiling this raises no event), and never handed out.
const realm = vm.runInContext('({ Error, holder: () => ({}) })', vm.createContext()) as { Error: StackTraceApi; holder: () => { stack?: unknown } };
const PrivateError = realm.Error;
const newHolder = realm.holder;
const captureStackTrace = PrivateError.captureStackTrace;
PrivateError.prepareStackTrace = (_error, sites) => sites;

/**
 * At most `frames` call sites of the current stack above `below` (it and what it called are left
 * out); undefined when the stack cannot be read.
 */
export function callSites(below: (...args: never[]) => unknown, frames: number): readonly CallSite[] | undefined {
  PrivateError.stackTraceLimit = frames;
  const holder = newHolder();
  ReflectApply(captureStackTrace, PrivateError, [holder, below]);
  const sites = holder.stack;
  return ArrayIsArray(sites) ? sites as readonly CallSite[] : undefined;
}

const callSitePrototype = ((): Record<string, unknown> | undefined => {
  const sites = callSites(callSites, 1);
  return sites?.[0] === undefined ? undefined : ObjectGetPrototypeOf(sites[0]) as Record<string, unknown>;
})();
const getFileName = callSitePrototype?.['getFileName'];
const getFunctionName = callSitePrototype?.['getFunctionName'];
const isEval = callSitePrototype?.['isEval'];
const getEvalOrigin = callSitePrototype?.['getEvalOrigin'];
const getLineNumber = callSitePrototype?.['getLineNumber'];
const getColumnNumber = callSitePrototype?.['getColumnNumber'];

/** A call site's file (a path, a URL or a `node:` id), by CallSite#getFileName as it was at load; undefined when unknown. */
export function callSiteFileName(site: CallSite): unknown {
  return typeof getFileName === 'function' ? ReflectApply(getFileName as (this: CallSite) => unknown, site, []) : undefined;
}

/** A call site's function name, by CallSite#getFunctionName as it was at load; null for a top-level or anonymous function. */
export function callSiteFunctionName(site: CallSite): unknown {
  return typeof getFunctionName === 'function' ? ReflectApply(getFunctionName as (this: CallSite) => unknown, site, []) : null;
}

/** `file:line:column` of a call site in `file`, as V8 numbers them (from 1); the file alone when V8 gives no position. */
export function callSiteLocation(site: CallSite, file: string): string {
  const line = typeof getLineNumber === 'function' ? ReflectApply(getLineNumber as (this: CallSite) => unknown, site, []) : undefined;
  const column = typeof getColumnNumber === 'function' ? ReflectApply(getColumnNumber as (this: CallSite) => unknown, site, []) : undefined;
  return typeof line === 'number' && typeof column === 'number' ? `${file}:${line}:${column}` : file;
}

/** This bundle's file as stack frames name it, from a frame of its own code at load. */
export const OWN_FILE = ((): string | undefined => {
  const probe = (): readonly CallSite[] | undefined => callSites(probe, 1);
  const sites = probe();
  const file = sites?.[0] === undefined ? undefined : callSiteFileName(sites[0]);
  return typeof file === 'string' ? file : undefined;
})();

/** Whether a call site runs code built from a string (eval, new Function): such code has no file. */
export function callSiteIsEval(site: CallSite): boolean {
  return typeof isEval === 'function' && ReflectApply(isEval as (this: CallSite) => unknown, site, []) === true;
}

/** Where a call site's code built from a string was built (`eval at f (file:1:2)`, nested for code built in such code); undefined when unknown. */
export function callSiteEvalOrigin(site: CallSite): unknown {
  return typeof getEvalOrigin === 'function' ? ReflectApply(getEvalOrigin as (this: CallSite) => unknown, site, []) : undefined;
}

// ---- the program's own stacks: what an error it catches shows ------------------------------

const ProgramError = ErrorCtor as unknown as StackTraceApi;
const captureProgramStackTrace = ProgramError.captureStackTrace;

/**
 * The frames of the current stack above `below` as the program's `Error` writes them (its
 * formatter, the lines after the first), at most `frames`; undefined when that is not text.
 */
export function stackLinesAbove(below: (...args: never[]) => unknown, frames: number): string | undefined {
  const limit = ObjectGetOwnPropertyDescriptor(ProgramError, 'stackTraceLimit');
  if (!ReflectDefineProperty(ProgramError, 'stackTraceLimit', nullPrototype({ value: frames, writable: true, enumerable: true, configurable: true }))) return undefined;
  try {
    const holder: { stack?: unknown } = {};
    ReflectApply(captureProgramStackTrace, ProgramError, [holder, below]);
    const text = holder.stack;
    if (typeof text !== 'string') return undefined;
    const firstFrame = StringPrototypeIndexOf(text, '\n');
    return firstFrame === -1 ? '' : StringPrototypeSlice(text, firstFrame);
  } finally {
    if (limit !== undefined) ReflectDefineProperty(ProgramError, 'stackTraceLimit', nullPrototype(limit));
  }
}

/** The program's Error.stackTraceLimit as V8 reads it: a number of frames, or 10 when it is not a number. */
export function stackTraceLimit(): number {
  const limit = ObjectGetOwnPropertyDescriptor(ProgramError, 'stackTraceLimit');
  const value = limit !== undefined && ObjectHasOwn(limit, 'value') ? limit.value as unknown : undefined;
  return typeof value === 'number' ? value : 10;
}
