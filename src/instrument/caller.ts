/**
 * Whether Node itself is building code through a public API: a few of Node's own modules compile
 * through node:vm or WebAssembly. Their work is an internal layer of another operation (fetch,
 * web streams), not code the program builds, and a policy that denies `compile` must not break it.
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
  return file === 'node:internal/util' || (typeof file === 'string' && StringPrototypeStartsWith(file, 'node:internal/deps/undici/'));
}

/** Whether the nearest caller outside audithook's own file and node:vm is one of Node's modules that build code. */
export function calledByNode(): boolean {
  const sites = callSites(calledByNode, FRAMES);
  if (sites === undefined || sites.length === 0) return false;
  try {
    // The audited wrapper that asks: audithook's own file (one bundle).
    const own = callSiteFileName(sites[0] as object);
    for (let i = 1; i < sites.length; i++) {
      const file = callSiteFileName(sites[i] as object);
      if (file === own || file === 'node:vm') continue;
      return isNodeBuilder(file);
    }
  } catch {
    // a formatter that returned other objects than CallSites
  }
  return false;
}
