/**
 * The supervisor's end of the channels (src/contract/channel.ts): it keeps the FIFO pool the agents
 * claim theirs from, reads every stream, checks it, and is the only writer of the log.
 *
 * A stream is checked, not trusted: its Hello must match what the kernel says (the claimed process
 * holds this FIFO at the claimed descriptor, read from /proc), its records must be JSON with the
 * stream's own pid and thread and the next sequence number, and its end must follow a Goodbye. What
 * does not hold becomes a StreamRecord in the log, so a reader sees where a stream was cut, had a
 * gap or carried lines that were not its agent's; records of a forged stream are not logged at all.
 */
import { execFileSync, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, readSync, readdir, readlinkSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FIFO_PREFIX } from '../contract/channel.js';
import { asSpawner } from '../contract/launch.js';
import { LineSplitter } from './log.js';
import { mayCarrySecrets, redactArgs } from './redact.js';
import type { StreamRecord, StreamStatus } from '../contract/channel.js';

/** FIFOs kept ready; below LOW_WATER free ones the pool is refilled, off the agents' path. */
const POOL_SIZE = 64;
const LOW_WATER = 32;
/** How often the pool is checked besides after each claim: claims can outrun a refill. */
const REFILL_CHECK_MS = 50;
/** After COMMAND ends: how long a stream may stay silent before it counts as outliving the run. */
const DRAIN_QUIET_MS = 500;
/** A FIFO's name until the supervisor holds both its ends. */
const NEW_PREFIX = 'new-';

interface Stream {
  readonly path: string;
  readonly socket: Socket;
  /** The supervisor's own write end, held until the Hello so that the read end sees no early EOF. */
  writeEnd: number;
  readonly inode: number;
  readonly device: number;
  state: 'waiting' | 'open' | 'done' | 'forged' | 'malformed';
  pid: number | null;
  thread: number | null;
  records: number;
  malformed: number;
  goodbye: { readonly records: number; readonly code: number } | null;
  lastEvent: string;
  readonly lines: LineSplitter;
}

/** What the run reports of the log itself when COMMAND ends. */
export interface CollectorOutcome {
  /** Records received from the agents. */
  readonly records: number;
  /** Why the log could not be written (a full disk), and how many lines were lost to it. */
  readonly writeError: Error | null;
  readonly unwritten: number;
  /** How the log is not what the collector wrote (another writer, a file put in its place), or null: see logChanged. */
  readonly changed: string | null;
}

export interface Collector {
  /** The pool's directory, for the agents (CHANNEL_VARIABLE). */
  readonly directory: string;
  /** COMMAND's pid: its stream's end is told with its exit status. */
  command(pid: number): void;
  /** After COMMAND's exit: drains what the agents sent, writes the last records, removes the pool. */
  finish(code: number | null, signal: string | null): Promise<CollectorOutcome>;
}

type HelloFields = { pid: number; thread: number; fd: number; origin?: unknown; spawnedBy?: unknown; permissionModel?: unknown };

function isHello(value: unknown): value is { hello: HelloFields } {
  const hello = (value as { hello?: Record<string, unknown> } | null)?.hello;
  return typeof hello === 'object' && hello !== null
    && Number.isSafeInteger(hello['pid']) && Number.isSafeInteger(hello['thread']) && Number.isSafeInteger(hello['fd']);
}

function isGoodbye(value: unknown): value is { goodbye: { records: number; code: number } } {
  const goodbye = (value as { goodbye?: Record<string, unknown> } | null)?.goodbye;
  return typeof goodbye === 'object' && goodbye !== null && Number.isSafeInteger(goodbye['records']) && Number.isSafeInteger(goodbye['code']);
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * Whether the kernel says process `pid` holds this FIFO at descriptor `fd`; null when that cannot
 * be known: the process has already ended (a short one), or the system has no /proc.
 */
function kernelConfirms(stream: Stream, pid: number, fd: number): boolean | null {
  try {
    const target = statSync(`/proc/${pid}/fd/${fd}`);
    return target.ino === stream.inode && target.dev === stream.device;
  } catch {
    return null;
  }
}

/**
 * What the kernel says of a process that has just said hello: its parent, argv and working
 * directory; when it has already ended (a zombie has no cwd and an empty cmdline) or the system
 * has no /proc, what its Hello said of them (`told`), if that has their shape.
 */
function processOrigin(pid: number, told: unknown): Partial<StreamRecord> {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    if (argv.length > 0) return { ppid, argv, cwd };
  } catch {
    // ended, or no /proc: as the agent said
  }
  const origin = told as { ppid?: unknown; argv?: unknown; cwd?: unknown } | null;
  if (typeof origin !== 'object' || origin === null || !Number.isSafeInteger(origin.ppid) || typeof origin.cwd !== 'string'
    || !Array.isArray(origin.argv) || !origin.argv.every((word) => typeof word === 'string')) return {};
  return { ppid: origin.ppid as number, argv: origin.argv, cwd: origin.cwd };
}

/**
 * Starts the pool and the log (created 0600, emptied): throws the fs error for the caller to report.
 * Records are written with their secrets redacted (redact.ts) unless `logSecrets`. The log's first
 * line is the `run` record: `command` and the directory it runs in.
 */
export function openCollector(log: string, logSecrets: boolean, command: readonly string[], cwd: string): Collector {
  const logFd = openSync(log, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND, 0o600);
  const directory = mkdtempSync(join(tmpdir(), 'audithook-'));
  const streams = new Set<Stream>();
  let created = 0;
  let refilling = false;
  let refillAgain = false;
  let received = 0;
  let lastData = Date.now();
  let commandPid: number | null = null;
  let commandStream: Stream | null = null;
  let pendingOutput = '';
  let flushScheduled = false;
  let writeError: Error | null = null;
  let unwritten = 0;
  let onQuiet: (() => void) | null = null;
  /** What the collector wrote into the log, to tell at the end whether anyone else did. */
  const written = createHash('sha256');
  let writtenBytes = 0;

  const flush = (): void => {
    flushScheduled = false;
    if (pendingOutput === '') return;
    const text = pendingOutput;
    pendingOutput = '';
    if (writeError !== null) {
      unwritten += lineCount(text);
      return;
    }
    const data = Buffer.from(text, 'utf8');
    let offset = 0;
    try {
      while (offset < data.length) {
        const wrote = writeSync(logFd, data, offset, data.length - offset);
        written.update(data.subarray(offset, offset + wrote));
        writtenBytes += wrote;
        offset += wrote;
      }
    } catch (error) {
      writeError = error as Error;
      unwritten += lineCount(data.subarray(offset).toString('utf8'));
    }
  };
  const append = (line: string): void => {
    pendingOutput += `${line}\n`;
    if (pendingOutput.length >= 1 << 20) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const streamRecord = (stream: Stream, status: StreamStatus, extra: Partial<StreamRecord> = {}): void => {
    const record: StreamRecord = {
      time: new Date().toISOString(), pid: stream.pid, thread: stream.thread, stream: status, records: stream.records, ...extra,
    };
    append(JSON.stringify(record));
  };

  const runRecord: StreamRecord = { time: new Date().toISOString(), pid: null, thread: null, stream: 'run', records: 0, argv: command, cwd };
  append(JSON.stringify(runRecord));

  /** Whether every stream left is a pooled FIFO no agent has claimed: nothing more can arrive. */
  const noneClaimed = (): boolean => [...streams].every((stream) => stream.state === 'waiting');

  const retire = (stream: Stream): void => {
    streams.delete(stream);
    stream.socket.destroy();
    if (stream.writeEnd !== -1) closeSync(stream.writeEnd);
    stream.writeEnd = -1;
    // A FIFO no agent took yet (garbage came first): no agent may take it now.
    if (stream.state === 'malformed') rmSync(stream.path, { force: true });
    if (noneClaimed()) onQuiet?.();
  };

  const onHello = (stream: Stream, hello: HelloFields): void => {
    stream.pid = hello.pid;
    stream.thread = hello.thread;
    const confirmed = kernelConfirms(stream, hello.pid, hello.fd);
    if (confirmed === false) {
      stream.state = 'forged';
      // The claim was not an agent's: no agent may take this FIFO after it.
      rmSync(stream.path, { force: true });
      streamRecord(stream, 'forged', { detail: `process ${hello.pid} does not hold this channel at descriptor ${hello.fd}` });
    } else {
      stream.state = 'open';
      // A process's first line in the log says where it came from, for a process tree.
      if (hello.thread === 0) {
        const spawnedBy = asSpawner(hello.spawnedBy);
        const origin = processOrigin(hello.pid, hello.origin);
        const permissionModel = typeof hello.permissionModel === 'boolean' ? { permissionModel: hello.permissionModel } : {};
        streamRecord(stream, 'start', { ...origin, ...permissionModel, ...spawnedBy === undefined ? {} : { spawnedBy } });
      }
    }
    // The agent holds its write end now: the read end's EOF will be the agent's end.
    closeSync(stream.writeEnd);
    stream.writeEnd = -1;
    refill();
  };

  const onRecordLine = (stream: Stream, line: string): void => {
    const value = parse(line) as Record<string, unknown> | undefined;
    if (isGoodbye(value) && stream.goodbye === null) {
      stream.goodbye = value.goodbye;
      return;
    }
    const seq = value?.['seq'];
    // A `stream` key would make the line read back as what the supervisor says (log.ts).
    if (typeof value !== 'object' || value === null || !Number.isSafeInteger(seq) || (seq as number) <= stream.records
      || value['pid'] !== stream.pid || value['thread'] !== stream.thread || typeof value['event'] !== 'string' || 'stream' in value) {
      stream.malformed++;
      return;
    }
    const missing = (seq as number) - stream.records - 1;
    if (missing > 0) streamRecord(stream, 'gap', { missing });
    const event = value['event'];
    stream.records = seq as number;
    stream.lastEvent = event;
    received++;
    append(!logSecrets && mayCarrySecrets(event) && Array.isArray(value['args'])
      ? JSON.stringify({ ...value, args: redactArgs(event, value['args'] as unknown[]) }) : line);
  };

  const onLine = (stream: Stream, line: string): void => {
    if (line === '') return;
    switch (stream.state) {
      case 'waiting': {
        const value = parse(line);
        if (isHello(value)) onHello(stream, value.hello);
        else {
          // Not an agent: whoever wrote it, the FIFO is nobody's stream now.
          stream.state = 'malformed';
          stream.malformed++;
          onEnd(stream);
        }
        return;
      }
      case 'open':
        onRecordLine(stream, line);
        return;
      case 'forged':
        stream.records++;
        return;
      default:
        stream.malformed++;
    }
  };

  const onEnd = (stream: Stream): void => {
    if (!streams.has(stream)) return;
    // A stream found malformed mid-line is dropped as it is: its unended rest is not a line to count.
    if (stream.state !== 'malformed') stream.lines.end();
    if (stream.malformed > 0) streamRecord(stream, 'malformed', { missing: stream.malformed });
    if (stream.state === 'open') {
      stream.state = 'done';
      endRecord(stream);
    }
    retire(stream);
  };

  const endRecord = (stream: Stream): void => {
    const goodbye = stream.goodbye;
    if (goodbye !== null) {
      const missing = goodbye.records - stream.records;
      if (missing > 0) streamRecord(stream, 'gap', { missing });
      streamRecord(stream, 'exit', { code: goodbye.code });
    } else if (stream.lastEvent === 'os.exec') {
      streamRecord(stream, 'exec');
    } else if (stream.pid === commandPid && stream.thread === 0) {
      // COMMAND's own end is known by its exit status, which may come after its stream's EOF.
      commandStream = stream;
    } else if (stream.thread === 0 || stream.records > 0) {
      // A thread that sent nothing and ended without a goodbye (Node 20's module hooks thread, a
      // worker stopped by terminate() or its process's end) has nothing to account for.
      streamRecord(stream, 'cut');
    }
  };

  /**
   * Opens both ends of a new FIFO, then gives it its pool name: an agent never finds a FIFO the
   * supervisor does not read yet (its open would fail, or block).
   */
  const addFifo = (newPath: string): void => {
    const writeEnd = openSync(newPath, constants.O_RDWR);
    const readEnd = openSync(newPath, constants.O_RDONLY | constants.O_NONBLOCK);
    const { ino, dev } = fstatSync(readEnd);
    const path = join(directory, `${FIFO_PREFIX}${basename(newPath).slice(NEW_PREFIX.length)}`);
    renameSync(newPath, path);
    const socket = new Socket({ fd: readEnd, readable: true, writable: false });
    const stream: Stream = {
      path, socket, writeEnd, inode: ino, device: dev, state: 'waiting', pid: null, thread: null,
      records: 0, malformed: 0, goodbye: null, lastEvent: '',
      lines: new LineSplitter((line) => {
        if (!streams.has(stream)) return;
        if (line === null) stream.malformed++;
        else onLine(stream, line);
      }),
    };
    streams.add(stream);
    socket.on('data', (chunk: Buffer) => {
      lastData = Date.now();
      stream.lines.write(chunk);
    });
    socket.on('end', () => onEnd(stream));
    socket.on('error', () => onEnd(stream));
  };

  const fifoPaths = (count: number): string[] => {
    const paths: string[] = [];
    for (let i = 0; i < count; i++) paths.push(join(directory, `${NEW_PREFIX}${created++}`));
    return paths;
  };

  /** Tops the pool up to POOL_SIZE free FIFOs when it runs low, without blocking the streams. */
  const refill = (): void => {
    if (refilling) {
      refillAgain = true;
      return;
    }
    refilling = true;
    const settled = (): void => {
      refilling = false;
      if (refillAgain) {
        refillAgain = false;
        refill();
      }
    };
    readdir(directory, (error, names) => {
      const free = error === null ? names.filter((name) => name.startsWith(FIFO_PREFIX)).length : POOL_SIZE;
      if (free >= LOW_WATER) {
        settled();
        return;
      }
      const paths = fifoPaths(POOL_SIZE - free);
      execFile('mkfifo', ['-m', '600', ...paths], (mkfifoError) => {
        if (mkfifoError === null) for (const path of paths) addFifo(path);
        settled();
      });
    });
  };

  const initial = fifoPaths(POOL_SIZE);
  execFileSync('mkfifo', ['-m', '600', ...initial]);
  for (const path of initial) addFifo(path);
  const refillCheck = setInterval(refill, REFILL_CHECK_MS).unref();

  return {
    directory,
    command(pid: number): void {
      commandPid = pid;
    },
    async finish(code: number | null, signal: string | null): Promise<CollectorOutcome> {
      clearInterval(refillCheck);
      // What is still in the pipes arrives; a process that outlived COMMAND keeps its stream open.
      await new Promise<void>((resolveDrained) => {
        const check = setInterval(() => {
          if (Date.now() - lastData >= DRAIN_QUIET_MS) done();
        }, DRAIN_QUIET_MS / 5);
        const done = (): void => {
          clearInterval(check);
          onQuiet = null;
          resolveDrained();
        };
        onQuiet = done;
        if (noneClaimed()) done();
      });
      if (commandStream !== null) streamRecord(commandStream, 'cut', { code, signal });
      for (const stream of [...streams]) {
        if (stream.state === 'open') streamRecord(stream, 'open');
        stream.state = 'done';
        retire(stream);
      }
      flush();
      const changed = logChanged(log, logFd, writtenBytes, written.digest());
      closeSync(logFd);
      rmSync(directory, { recursive: true, force: true });
      return { records: received, writeError, unwritten, changed };
    },
  };
}

/**
 * How the log is not exactly what the collector wrote, or null. The agents' guard refuses the log's
 * names, but a program the policy lets make links reaches the file by a name of its own (a link to
 * its folder), and one that ran before the agent by any: so the end of the run checks the file
 * itself. The path still names the collector's file (not removed, nothing put in its place), and
 * that file holds the bytes written, no more, no fewer, no other.
 */
function logChanged(path: string, fd: number, bytes: number, digest: Buffer): string | null {
  const own = fstatSync(fd);
  // A device or a pipe given as the log (/dev/stdout, /dev/full) keeps nothing to check.
  if (!own.isFile()) return null;
  if (own.nlink === 0) return 'it was removed';
  let read;
  try {
    read = openSync(path, constants.O_RDONLY);
  } catch {
    return 'it was moved away';
  }
  try {
    const atPath = fstatSync(read);
    if (atPath.ino !== own.ino || atPath.dev !== own.dev) return 'another file was put in its place';
    if (own.size !== bytes) return own.size > bytes ? `${own.size - bytes} bytes were added to it` : `${bytes - own.size} bytes were cut from it`;
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let got = readSync(read, chunk); got > 0; got = readSync(read, chunk)) hash.update(chunk.subarray(0, got));
    return hash.digest().equals(digest) ? null : 'its content was rewritten';
  } finally {
    closeSync(read);
  }
}

function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
