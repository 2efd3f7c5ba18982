/**
 * Reading `audithook run` logs: every command that reads one (report, policy learn, the run summary)
 * goes through here, so that corrupt or truncated lines are skipped and counted the same way.
 */
import { readFileSync } from 'node:fs';
import type { LogRecord } from './record.js';

export interface LogContents {
  readonly records: LogRecord[];
  /** Lines that were not a JSON log record (corrupt, or cut short by a killed process). */
  readonly skipped: number;
}

function isRecord(value: unknown): value is LogRecord {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record['event'] === 'string' && Array.isArray(record['args']) && typeof record['pid'] === 'number'
    && (record['package'] === null || typeof record['package'] === 'string') && Array.isArray(record['packages'])
    && (record['decision'] === 'allow' || record['decision'] === 'deny');
}

export function parseLog(text: string): LogContents {
  const records: LogRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (isRecord(value)) records.push(value);
    else skipped++;
  }
  return { records, skipped };
}

/** Reads a log file; throws the fs error (ENOENT, EACCES) for the caller to report. */
export function readLog(file: string): LogContents {
  return parseLog(readFileSync(file, 'utf8'));
}

/** The warning for skipped lines, or null when there were none. */
export function skippedWarning(file: string, skipped: number): string | null {
  return skipped === 0 ? null : `audithook: ${file}: skipped ${skipped} corrupt or truncated line${skipped === 1 ? '' : 's'}`;
}
