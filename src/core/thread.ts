/**
 * Which kind of thread this is: the main thread, a worker, or Node's own module hooks thread (where
 * Node runs `-r` preloads too, and which serves loads audited in the thread that asked for them).
 */
import { callSiteFileName, callSites } from './callsites.js';

/**
 * A worker's process.abort is Node's unavailableInWorker stub, marked `disabled`: telling threads
 * apart by it spares loading worker_threads at startup.
 */
export function inWorker(): boolean {
  return (process.abort as { disabled?: unknown }).disabled === true;
}

interface WorkerThreads {
  readonly threadId: number;
  readonly isInternalThread?: boolean;
  readonly getEnvironmentData: (key: string) => unknown;
}

/** node:worker_threads, loaded in workers only, where Node has loaded most of it already. */
function workerThreads(): WorkerThreads {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only in workers, where it is loaded already
  return require('node:worker_threads') as WorkerThreads;
}

/** worker_threads.threadId: the main thread's is 0, known without loading worker_threads (about 2 ms). */
export function currentThreadId(): number {
  return inWorker() ? workerThreads().threadId : 0;
}

/** worker_threads.getEnvironmentData, for a worker: what its creator left it. */
export function workerEnvironmentData(key: string): unknown {
  return workerThreads().getEnvironmentData(key);
}

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
  if (!inWorker()) return false;
  const { isInternalThread } = workerThreads();
  if (isInternalThread !== undefined) return isInternalThread;
  // Node 20 has no flag: its hooks thread loads the preloads from its own entry module, deep below here.
  const sites = callSites(detectHooksThread, 200) ?? [];
  for (let i = 0; i < sites.length; i++) {
    if (callSiteFileName(sites[i] as object) === 'node:internal/modules/esm/worker') return true;
  }
  return false;
}
