/**
 * How an agent hands its records to `audithook run` (the supervisor), which alone writes the log.
 *
 * The channel is a FIFO. The supervisor keeps a pool of them in a private directory (0700) and
 * holds each one's read end open; an agent claims one by opening it for writing and removing its
 * name (only the remover keeps it: the others close theirs), so each thread of each process has a
 * stream of its own that no other process can open. Every line is written with one write(2) before
 * the operation it describes goes on: once written it is in the kernel's pipe buffer, and a
 * SIGKILL the next instant loses nothing. A FIFO, not a Unix socket: Node opens and writes a FIFO
 * synchronously, while a socket's connect completes only on a later turn of the event loop, and the
 * records raised before it would wait in memory.
 *
 * On its stream an agent writes, one JSON object a line: a Hello, then records (record.ts) each with
 * the next `seq`, then a Goodbye when its thread ends normally. The supervisor checks the Hello
 * against the kernel (the claimed process must hold the FIFO open at the claimed descriptor), takes
 * pid and thread from the stream, never from a record, and writes a StreamRecord into the log for
 * everything that is not an intact stream: a gap, a line that is not a record, a forged claim, an
 * end without a Goodbye.
 */

import type { Spawner } from './launch.js';

/** The directory of the supervisor's FIFO pool. */
export const CHANNEL_VARIABLE = 'AUDITHOOK_CHANNEL';

/** A pooled FIFO's name starts with this; nothing else in the directory does. */
export const FIFO_PREFIX = 'fifo-';

/**
 * An agent's first line: who it says it is and the descriptor the supervisor can check that by; a
 * process's main thread adds its parent, command line and working directory (`origin`, for when
 * the process has ended before the supervisor can ask the kernel) and, for a process `audithook
 * run` did not start itself, who started it (launch.ts Spawner).
 */
export interface Hello {
  readonly hello: {
    readonly pid: number; readonly thread: number; readonly fd: number;
    readonly origin?: { readonly ppid: number; readonly argv: readonly string[]; readonly cwd: string };
    readonly spawnedBy?: Spawner;
    /** Whether Node's permission model (`--permission`, or `--permission-audit`) is on in the process. */
    readonly permissionModel?: boolean;
  };
}

/** An agent's last line, from the thread's 'exit': everything it sent is accounted for. */
export interface Goodbye {
  readonly goodbye: { readonly records: number; readonly code: number };
}

/**
 * What the supervisor says of a stream, in the log beside the records:
 * - `run`: the log's first line, of `audithook run` itself (no stream: pid and thread null):
 *   COMMAND as `argv` and the directory it runs in as `cwd`, which is its policy's `${PROJECT}`.
 * - `start`: a process's main thread said hello: the process's first line, with its parent's pid,
 *   its argv and its working directory as the kernel has them (as its Hello says when it had already ended),
 *   and the packages whose call started it as its agent says (`spawnedBy`; absent for COMMAND).
 * - `exit`: the thread said goodbye; `records` arrived, none missing.
 * - `cut`: the stream ended without a goodbye (SIGKILL, abort, process.reallyExit, a removed
 *   'exit' listener, a worker stopped by its process's end); everything sent arrived.
 * - `exec`: the process replaced its image (the last record is its os.exec).
 * - `gap`: records were missing: `missing` sequence numbers between the ones that arrived.
 * - `malformed`: lines on the stream that were not this agent's records, dropped.
 * - `forged`: a Hello the kernel contradicts; the stream's records are dropped, not logged in the
 *   name of a process that did not send them.
 * - `open`: still open when `audithook run` ended (a process that outlived COMMAND).
 */
export type StreamStatus = 'run' | 'start' | 'exit' | 'cut' | 'exec' | 'gap' | 'malformed' | 'forged' | 'open';

export interface StreamRecord {
  readonly time: string;
  /** The process and thread the stream's Hello named (for `forged`, the claim); null before any Hello. */
  readonly pid: number | null;
  readonly thread: number | null;
  readonly stream: StreamStatus;
  /** Records received on the stream so far. */
  readonly records: number;
  /** `exit`: the exit code; `cut` for COMMAND itself: its exit code, or null when a signal ended it. */
  readonly code?: number | null;
  /** `cut` for COMMAND itself: the signal that ended it. */
  readonly signal?: string | null;
  /** `start`: the parent process, the command line and the working directory; `run`: COMMAND and where it runs. */
  readonly ppid?: number;
  readonly argv?: readonly string[];
  readonly cwd?: string;
  /** `start`: who started the process, a package chain (empty: the application's code); absent for COMMAND. */
  readonly spawnedBy?: Spawner;
  /** `start`: whether Node's permission model (the wall) is on in the process, as its agent saw at start. */
  readonly permissionModel?: boolean;
  /** `gap`: how many sequence numbers did not arrive; `malformed`: how many lines were dropped. */
  readonly missing?: number;
  readonly detail?: string;
}
