/**
 * Whether Node itself is building code through a public API: a few of Node's own modules compile
 * through node:vm or WebAssembly. Their work is an internal layer of another operation (fetch,
 * web streams), not code the program builds, and a policy that denies `compile` must not break it.
 *
 * The caller is read from a structured stack trace taken with audithook's own formatter and
 * `CallSite#getFileName` captured at load, so `Error.prepareStackTrace` or a patched CallSite
 * cannot fake it. Anything unexpected answers false: the event is raised.
 */
import {
  ArrayIsArray,
  ErrorCtor,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetPrototypeOf,
  ReflectApply,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  StringPrototypeStartsWith,
} from '../primordials.js';

type CallSite = object;
interface StackTraceApi {
  prepareStackTrace?: (error: unknown, sites: readonly CallSite[]) => unknown;
  stackTraceLimit: number;
  captureStackTrace(target: object, constructorOpt?: (...args: never[]) => unknown): void;
}
const ErrorApi = ErrorCtor as unknown as StackTraceApi;
const captureStackTrace = ErrorApi.captureStackTrace;
const returnSites = (_error: unknown, sites: readonly CallSite[]): readonly CallSite[] => sites;
/** Enough for audithook's frames and node:vm's own (vm.runInNewContext is three deep) above the caller. */
const FRAMES = 12;

/** The structured frames of the current stack, read with our own formatter whatever the program set; undefined when that fails. */
function callSites(): readonly CallSite[] | undefined {
  const formatter = ObjectGetOwnPropertyDescriptor(ErrorApi, 'prepareStackTrace');
  const limit = ObjectGetOwnPropertyDescriptor(ErrorApi, 'stackTraceLimit');
  if (!ReflectDefineProperty(ErrorApi, 'prepareStackTrace', { value: returnSites, writable: true, configurable: true })) return undefined;
  try {
    if (!ReflectDefineProperty(ErrorApi, 'stackTraceLimit', { value: FRAMES, writable: true, enumerable: true, configurable: true })) return undefined;
    const holder: { stack?: unknown } = {};
    ReflectApply(captureStackTrace, ErrorApi, [holder, callSites]);
    const sites = holder.stack;
    return ArrayIsArray(sites) ? sites as readonly CallSite[] : undefined;
  } finally {
    if (formatter === undefined) ReflectDeleteProperty(ErrorApi, 'prepareStackTrace');
    else ReflectDefineProperty(ErrorApi, 'prepareStackTrace', formatter);
    if (limit !== undefined) ReflectDefineProperty(ErrorApi, 'stackTraceLimit', limit);
  }
}

/** CallSite#getFileName as it is at load, before user code can replace it. */
const callSiteFileName = ((): ((site: CallSite) => unknown) | undefined => {
  const sites = callSites();
  const getFileName = sites?.[0] === undefined ? undefined : (ObjectGetPrototypeOf(sites[0]) as { getFileName?: unknown }).getFileName;
  return typeof getFileName === 'function' ? (site) => ReflectApply(getFileName as (this: CallSite) => unknown, site, []) : undefined;
})();

/**
 * Node's modules that build code through public APIs: internal/util's getInternalGlobal runs
 * `vm.runInNewContext('this')` (web streams use it), and the bundled undici compiles its HTTP
 * parser (llhttp) with WebAssembly when it loads.
 */
function isNodeBuilder(file: unknown): boolean {
  return file === 'node:internal/util' || (typeof file === 'string' && StringPrototypeStartsWith(file, 'node:internal/deps/undici/'));
}

/** Whether the nearest caller outside audithook's own file and node:vm is one of Node's modules that build code. */
export function calledByNode(): boolean {
  const sites = callSites();
  if (sites === undefined || callSiteFileName === undefined) return false;
  try {
    const own = callSiteFileName(sites[0] as CallSite);
    for (let i = 1; i < sites.length; i++) {
      const file = callSiteFileName(sites[i] as CallSite);
      if (file === own || file === 'node:vm') continue;
      return isNodeBuilder(file);
    }
  } catch {
    // a formatter that returned other objects than CallSites
  }
  return false;
}
