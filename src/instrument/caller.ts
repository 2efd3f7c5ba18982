/**
 * Whether Node itself is calling a public API as part of another operation: a few of Node's own
 * modules compile through node:vm or WebAssembly (fetch, web streams), and a recursive fs.watch on
 * Linux watches and lists each directory of the tree through fs.watch and fs.readdirSync. That work
 * is an internal layer of an operation already audited, not something the program does, and a
 * policy that denies the inner event must not break it.
 *
 * The caller is read from a structured stack trace (src/callsites.ts) that `Error.prepareStackTrace`
 * or a patched CallSite cannot fake. Anything unexpected answers false: the event is raised.
 */
import { callSiteFileName, callSites } from '../core/callsites.js';
import { StringPrototypeStartsWith } from '../core/primordials.js';

/** Enough for audithook's frames and node:vm's own (vm.runInNewContext is three deep) above the caller. */
const FRAMES = 12;

/**
 * Node's modules that build code through public APIs: internal/util's getInternalGlobal runs
 * `vm.runInNewContext('this')` (web streams use it), and the bundled undici compiles its HTTP
 * parser (llhttp) with WebAssembly when it loads.
 */
function isNodeBuilder(file: unknown): boolean {
  return file === 'node:internal/util' || isUndici(file);
}

/** Whether the nearest caller outside audithook's own file and node:vm is one of Node's modules that build code. */
export function calledByNode(): boolean {
  return nearestCallerIs(isNodeBuilder, calledByNode);
}

function isUndici(file: unknown): boolean {
  return typeof file === 'string' && StringPrototypeStartsWith(file, 'node:internal/deps/undici/');
}

/** Whether the nearest caller outside audithook's own file is the bundled undici (fetch, WebSocket, EventSource). */
export function calledByUndici(): boolean {
  return nearestCallerIs(isUndici, calledByUndici);
}

/** Node's implementation of recursive fs.watch where the system has none (Linux): one module, in every Node version. */
function isRecursiveWatch(file: unknown): boolean {
  return file === 'node:internal/fs/recursive_watch';
}

/** Whether the nearest caller outside audithook's own file is Node's recursive fs.watch, at its own work. */
export function calledByRecursiveWatch(): boolean {
  return nearestCallerIs(isRecursiveWatch, calledByRecursiveWatch);
}

function nearestCallerIs(isCaller: (file: unknown) => boolean, below: () => boolean): boolean {
  const sites = callSites(below, FRAMES);
  if (sites === undefined || sites.length === 0) return false;
  try {
    // The audited wrapper that asks: audithook's own file (one bundle).
    const own = callSiteFileName(sites[0] as object);
    for (let i = 1; i < sites.length; i++) {
      const file = callSiteFileName(sites[i] as object);
      if (file === own || file === 'node:vm') continue;
      return isCaller(file);
    }
  } catch {
    // a formatter that returned other objects than CallSites
  }
  return false;
}
