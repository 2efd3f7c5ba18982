/**
 * Appending the log: one file shared by every audited process and thread, opened with O_APPEND
 * and written whole lines per write(2), so that lines of different writers never interleave.
 *
 * The main thread buffers lines and writes them 20 ms after the first of them (an unref'd timer, so
 * it keeps no process alive), or sooner every 64 KiB: a busy server makes one write every 20 ms
 * instead of one per event or per request. It flushes on
 * 'exit' (normal exit, process.exit(), an uncaught exception) and writes every later line at once;
 * on SIGINT, SIGTERM and SIGHUP it flushes, and when the program has no listener of its own for
 * the signal, re-raises it so that the process dies of it as it would have. Worker threads write
 * each line at once: a worker stopped by its process's exit runs no 'exit' listener.
 *
 * The writes use fs functions taken before the instrumentation is installed; they raise no event.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take its functions before the instrumentation wraps them
import fs = require('node:fs');
import { isMainThread } from 'node:worker_threads';
import {
  BufferFrom, EventEmitterPrototypeListenerCount, EventEmitterPrototypeOn, EventEmitterPrototypeRemoveListener,
  BufferByteLength, TimeoutPrototypeUnref, setTimeoutCaptured,
} from '../core/primordials.js';

const { openSync, writeSync } = fs;
const { O_APPEND, O_CREAT, O_WRONLY } = fs.constants;
const FLUSH_BYTES = 64 * 1024;
/** How long a line may wait in the buffer: what a SIGKILL can lose, at most. */
export const FLUSH_MS = 20;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface LogWriter {
  /** Appends one line (without its newline); `now`: written at once, with everything before it. */
  write(line: string, now: boolean): void;
}

export function openLog(file: string, kill: (pid: number, signal: string) => void): LogWriter {
  const fd = openSync(file, O_APPEND | O_CREAT | O_WRONLY, 0o644);
  let pending = '';
  let scheduled = false;
  // From 'exit' on (and always in workers), no later turn comes: lines are written at once.
  let immediate = !isMainThread;

  const writeAll = (text: string): void => {
    // A string is written by Node without reading any property of ours; a Buffer is measured through
    // its (replaceable) byteLength getter, so it is only the rare rest of a partial write.
    const written = writeSync(fd, text);
    const size = BufferByteLength(text, 'utf8');
    if (written === size) return;
    const data = BufferFrom(text, 'utf8');
    for (let offset = written; offset < size;) offset += writeSync(fd, data, offset, size - offset);
  };
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    writeAll(text);
  };

  if (isMainThread) {
    EventEmitterPrototypeOn(process, 'exit', () => {
      flush();
      immediate = true;
    });
    for (let i = 0; i < SIGNALS.length; i++) {
      const signal = SIGNALS[i] as (typeof SIGNALS)[number];
      const onSignal = (): void => {
        flush();
        // Only this listener: the default action (death by the signal) is what the program had.
        if (EventEmitterPrototypeListenerCount(process, signal) === 1) {
          EventEmitterPrototypeRemoveListener(process, signal, onSignal);
          kill(process.pid, signal);
        }
      };
      EventEmitterPrototypeOn(process, signal, onSignal);
    }
  }

  return {
    write(line: string, now: boolean): void {
      if (immediate) {
        writeAll(`${line}\n`);
        return;
      }
      pending += `${line}\n`;
      if (now || pending.length >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        TimeoutPrototypeUnref(setTimeoutCaptured(flush, FLUSH_MS));
      }
    },
  };
}
