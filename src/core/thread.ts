/**
 * Which kind of thread this is: the main thread or a worker (Node's own module hooks thread is
 * module-hooks-thread.ts's). It imports nothing: the agent's preload (src/agent/preload.ts) takes it
 * without the rest of core/.
 */

export interface WorkerThreads {
  readonly threadId: number;
  readonly isInternalThread?: boolean;
  readonly getEnvironmentData: (key: string) => unknown;
  readonly workerData?: unknown;
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
/** A worker's workerData as Node deserialized it, before its preloads ran: what it holds, as given. */
const WORKER_DATA = WORKER_THREADS?.workerData;

export function inWorker(): boolean {
  return IN_WORKER;
}

/** node:worker_threads as it was at load, in a worker; undefined in the main thread. */
export function workerThreads(): WorkerThreads | undefined {
  return WORKER_THREADS;
}

export function currentThreadId(): number {
  return THREAD_ID;
}

/** worker_threads.getEnvironmentData, for a worker: what its creator left it (undefined in the main thread). */
export function workerEnvironmentData(key: string): unknown {
  return getEnvironmentData?.(key);
}

/** This worker's workerData as it was at load (undefined in the main thread). */
export function workerDataAtLoad(): unknown {
  return WORKER_DATA;
}
