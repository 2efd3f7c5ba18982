/**
 * Reading `audithook run` logs: every command that reads one (report, policy learn, the run summary)
 * goes through here, so that corrupt or truncated lines are skipped and counted the same way.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { StreamRecord } from '../contract/channel.js';
import type { LogRecord } from '../contract/record.js';

export interface LogContents {
  readonly records: LogRecord[];
  /** Lines that were not a JSON log record (corrupt, or cut short by a killed process). */
  readonly skipped: number;
  /** The log's first line when it is the `run` record (written before any agent could write). */
  readonly run: StreamRecord | null;
}

function isRecord(value: unknown): value is LogRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record['event'] === 'string' && Array.isArray(record['args']) && typeof record['pid'] === 'number'
    && (record['package'] === null || typeof record['package'] === 'string') && Array.isArray(record['packages'])
    && (record['decision'] === 'allow' || record['decision'] === 'deny');
}

/** What `audithook run` itself says of a process's stream (src/contract/channel.ts). */
function isStreamRecord(value: unknown): value is StreamRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record['stream'] === 'string' && typeof record['records'] === 'number'
    && (record['pid'] === null || typeof record['pid'] === 'number') && (record['thread'] === null || typeof record['thread'] === 'number');
}

/** The record on one line; undefined for a blank line, null for a line that is neither kind of record. */
function parseLine(line: string): LogRecord | StreamRecord | null | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) || isStreamRecord(value) ? value : null;
  } catch {
    return null;
  }
}

const CHUNK_BYTES = 1 << 20;
/** A longer line is corrupt (the agent cuts huge arguments): it is skipped, never held in memory. */
const MAX_LINE_CHARS = 16 << 20;

/**
 * Turns bytes, as they come, into lines: a line not yet ended waits for the rest of it, and one
 * longer than MAX_LINE_CHARS is dropped as it comes (`onLine(null)` once, at its end).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private discarding = false;

  constructor(private readonly onLine: (line: string | null) => void) {}

  write(bytes: Buffer): void {
    const lines = this.decoder.write(bytes).split('\n');
    for (let index = 0; index < lines.length - 1; index++) this.endLine(this.pending + lines[index]);
    if (!this.discarding) this.pending += lines[lines.length - 1];
    if (this.pending.length > MAX_LINE_CHARS) {
      this.discarding = true;
      this.pending = '';
    }
  }

  /** The end of the bytes: the last line needs no newline. */
  end(): void {
    this.endLine(this.pending + this.decoder.end());
  }

  private endLine(line: string): void {
    const discarded = this.discarding;
    this.discarding = false;
    this.pending = '';
    this.onLine(discarded ? null : line);
  }
}

/**
 * Turns a log's bytes, as they come, into records: the whole file at once (scanLog) or what was
 * appended since the last read (`audithook run --otlp` follows the log while COMMAND runs).
 */
export class RecordReader {
  /** Lines so far that were not a record. */
  skipped = 0;
  private readonly lines: LineSplitter;

  constructor(onRecord: (record: LogRecord) => void, onStream: (record: StreamRecord) => void = () => {}) {
    this.lines = new LineSplitter((line) => {
      const record = line === null ? null : parseLine(line);
      if (record === null) this.skipped++;
      else if (record !== undefined) {
        if ('stream' in record) onStream(record);
        else onRecord(record);
      }
    });
  }

  write(bytes: Buffer): void {
    this.lines.write(bytes);
  }

  /** The end of the log: its last line needs no newline. */
  end(): void {
    this.lines.end();
  }
}

/**
 * Reads a log a chunk at a time and hands each record to `onRecord` (and what `audithook run` said
 * of each stream to `onStream`): a log larger than one string
 * can hold (a busy program logs fast) is read whole, and its records need not all fit in memory.
 * Returns how many lines were skipped; throws the fs error (ENOENT, EACCES) for the caller to report.
 */
export function scanLog(file: string, onRecord: (record: LogRecord) => void, onStream?: (record: StreamRecord) => void): number {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK_BYTES);
    const reader = new RecordReader(onRecord, onStream);
    for (let bytes; (bytes = readSync(fd, buffer, 0, CHUNK_BYTES, null)) > 0;) reader.write(buffer.subarray(0, bytes));
    reader.end();
    return reader.skipped;
  } finally {
    closeSync(fd);
  }
}

/** Reads a log file; throws the fs error (ENOENT, EACCES) for the caller to report. */
export function readLog(file: string): LogContents {
  const records: LogRecord[] = [];
  let run: StreamRecord | null = null;
  let first = true;
  const skipped = scanLog(file, (record) => {
    records.push(record);
    first = false;
  }, (record) => {
    if (first && record.stream === 'run') run = record;
    first = false;
  });
  return { records, skipped, run };
}
