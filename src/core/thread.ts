/**
 * Which kind of thread this is: the main thread, a worker, or Node's own module hooks thread (where
 * Node runs `-r` preloads too, and which serves loads audited in the thread that asked for them).
 */
import { callSiteFileName, callSites } from './callsites.js';

interface WorkerThreads {
  readonly threadId: number;
  readonly isInternalThread?: boolean;
  readonly getEnvironmentData: (key: string) => unknown;
}

/**
 * A worker's process.abort is Node's unavailableInWorker stub, marked `disabled`: telling threads
 * apart by it spares loading worker_threads at startup. Read once, at load, before any program code
 * (a program can mark the main thread's process.abort too).
 */
const IN_WORKER = (process.abort as { disabled?: unknown }).disabled === true;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- only in workers, where Node has loaded most of it already
const WORKER_THREADS = IN_WORKER ? require('node:worker_threads') as WorkerThreads : undefined;
/** worker_threads.threadId: the main thread's is 0, known without loading worker_threads (about 2 ms). */
const THREAD_ID = WORKER_THREADS?.threadId ?? 0;
const getEnvironmentData = WORKER_THREADS?.getEnvironmentData;

export function inWorker(): boolean {
  return IN_WORKER;
}

export function currentThreadId(): number {
  return THREAD_ID;
}

/** worker_threads.getEnvironmentData, for a worker: what its creator left it (undefined in the main thread). */
export function workerEnvironmentData(key: string): unknown {
  return getEnvironmentData?.(key);
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
  if (WORKER_THREADS === undefined) return false;
  const { isInternalThread } = WORKER_THREADS;
  if (isInternalThread !== undefined) return isInternalThread;
  // Node 20 has no flag: its hooks thread loads the preloads from its own entry module, deep below here.
  const sites = callSites(detectHooksThread, 200) ?? [];
  for (let i = 0; i < sites.length; i++) {
    if (callSiteFileName(sites[i] as object) === 'node:internal/modules/esm/worker') return true;
  }
  return false;
}
