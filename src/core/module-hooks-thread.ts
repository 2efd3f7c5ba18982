/**
 * Whether this is Node's own module hooks thread (where Node runs `-r` preloads too, and which serves
 * loads audited in the thread that asked for them).
 */
import { callSiteFileName, callSites } from './callsites.js';
import { workerThreads } from './thread.js';

let hooksThread: boolean | undefined;

/**
 * Whether this is Node's module hooks thread (Node 20's module.register, or any version once a
 * program registers off-thread hooks). That thread cannot register hooks itself.
 */
export function inNodeHooksThread(): boolean {
  hooksThread ??= detectHooksThread();
  return hooksThread;
}

function detectHooksThread(): boolean {
  const threads = workerThreads();
  if (threads === undefined) return false;
  const { isInternalThread } = threads;
  if (isInternalThread !== undefined) return isInternalThread;
  // Node 20 has no flag: its hooks thread loads the preloads from its own entry module, deep below here.
  const sites = callSites(detectHooksThread, 200) ?? [];
  for (let i = 0; i < sites.length; i++) {
    if (callSiteFileName(sites[i] as object) === 'node:internal/modules/esm/worker') return true;
  }
  return false;
}
