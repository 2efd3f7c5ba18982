/**
 * The agent's end of its channel to `audithook run` (src/contract/channel.ts): a FIFO of the
 * supervisor's pool, claimed at load by each thread, written one whole line per write(2), before
 * the operation the line describes goes on. Nothing is buffered in the process, so nothing is lost
 * when it dies: what is written is the kernel's until the supervisor reads it.
 *
 * The fs functions are taken before the instrumentation is installed: they raise no event.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take its functions before the instrumentation wraps them
import fs = require('node:fs');
import { FIFO_PREFIX } from '../contract/channel.js';
import { currentThreadId } from '../core/thread.js';
import { BufferByteLength, BufferFrom, DateNow, ErrorCtor, EventEmitterPrototypeOn, StringPrototypeStartsWith } from '../core/primordials.js';

const { closeSync, openSync, readdirSync, unlinkSync, writeSync } = fs;
const { O_NONBLOCK, O_WRONLY } = fs.constants;
const atomicsWait = Atomics.wait;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** How long a thread waits for the supervisor to refill an empty pool (a burst of processes). */
const CLAIM_TIMEOUT_MS = 10_000;
const CLAIM_RETRY_MS = 2;

/** Why the agent cannot run: the caller stops the thread before any user code (fail closed). */
export class ChannelError extends ErrorCtor {}

export interface Channel {
  /** Sends one record, given as its JSON fields without the braces: `seq` is put first. */
  send(fields: string): void;
}

/** The FIFO's descriptor once this thread holds it alone, or undefined when another thread took it first. */
function take(path: string): number | undefined {
  let fd: number;
  try {
    // Non-blocking first: with no reader (the supervisor is gone: it reads every pooled FIFO) it
    // fails at once (ENXIO) instead of waiting forever; the FIFO's writes must block, so it is
    // opened again without.
    closeSync(openSync(path, O_WRONLY | O_NONBLOCK));
    fd = openSync(path, O_WRONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    unlinkSync(path);
    return fd;
  } catch {
    // Another thread removed it first: it is theirs.
    closeSync(fd);
    return undefined;
  }
}

function claim(directory: string): number {
  const deadline = DateNow() + CLAIM_TIMEOUT_MS;
  for (;;) {
    const names = readdirSync(directory);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (!StringPrototypeStartsWith(name, FIFO_PREFIX)) continue;
      const fd = take(`${directory}/${name}`);
      if (fd !== undefined) return fd;
    }
    if (DateNow() > deadline) throw new ChannelError(`no free channel to audithook run in ${directory} after ${CLAIM_TIMEOUT_MS / 1000} s`);
    atomicsWait(sleeper, 0, 0, CLAIM_RETRY_MS);
  }
}

/**
 * Claims this thread's channel and says who it is, with `about` (more fields of the Hello, as JSON
 * text after a comma, or ''); throws a ChannelError (or the fs error) when it cannot.
 */
export function openChannel(directory: string, about: string): Channel {
  const fd = claim(directory);
  let sequence = 0;
  let broken: string | undefined;

  const writeLine = (line: string): void => {
    if (broken !== undefined) throw new ChannelError(broken);
    try {
      // A string is written by Node without reading any property of ours; a Buffer is measured
      // through its (replaceable) byteLength getter, so it is only the rare rest of a partial write.
      const written = writeSync(fd, line);
      const size = BufferByteLength(line, 'utf8');
      if (written === size) return;
      const data = BufferFrom(line, 'utf8');
      for (let offset = written; offset < size;) offset += writeSync(fd, data, offset, size - offset);
    } catch (error) {
      // Refused from now on: an operation whose record cannot be kept does not go on.
      broken = `the channel to audithook run is broken (${(error as NodeJS.ErrnoException).code ?? 'unknown error'}): operations are refused`;
      throw new ChannelError(broken);
    }
  };

  writeLine(`{"hello":{"pid":${process.pid},"thread":${currentThreadId()},"fd":${fd}${about}}}\n`);
  EventEmitterPrototypeOn(process, 'exit', (code: number) => {
    if (broken === undefined) writeLine(`{"goodbye":{"records":${sequence},"code":${code}}}\n`);
  });
  return {
    send(fields: string): void {
      writeLine(`{"seq":${sequence + 1},${fields}}\n`);
      sequence++;
    },
  };
}
