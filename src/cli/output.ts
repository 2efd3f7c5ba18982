/**
 * Everything the `audithook` command says on its own account: the exit codes, the coded errors and
 * their wording, and the escaping of untrusted text. Subcommands throw a CliError; main.ts prints it
 * once, with `fail`. docs/cli.md ("Exit status", "Errors") documents both tables.
 *
 * The one other code a user meets is ERR_ACCESS_DENIED, the policy's denial, which audited processes
 * throw (src/agent/index.ts), never this command.
 */
import { closeSync, openSync } from 'node:fs';

/** The statuses audithook exits with; `run` otherwise passes on COMMAND's own. */
export const EXIT = {
  OK: 0,
  /** A usage error, a broken policy, a file that cannot be read or written: nothing was started. */
  USAGE: 2,
  /** A bug in audithook. */
  INTERNAL: 70,
  /** `run --fail-on-deny`: something was denied (blocked or reported); sysexits' EX_NOPERM, as INTERNAL is EX_SOFTWARE. */
  DENIED: 77,
  /** COMMAND was found but could not be started. */
  CANNOT_RUN: 126,
  /** COMMAND was not found. */
  NOT_FOUND: 127,
  /** COMMAND died of signal N: this plus N, as a shell reports it. */
  SIGNAL: 128,
} as const;

const EXIT_BY_CODE = {
  ERR_AUDITHOOK_USAGE: EXIT.USAGE,
  ERR_AUDITHOOK_CANNOT_READ: EXIT.USAGE,
  ERR_AUDITHOOK_CANNOT_WRITE: EXIT.USAGE,
  ERR_AUDITHOOK_INVALID_POLICY: EXIT.USAGE,
} as const;

export type CliErrorCode = keyof typeof EXIT_BY_CODE;

/** A failure of the command itself, worded for the user: printed without a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(readonly code: CliErrorCode, message: string, readonly usage?: string) {
    super(message);
  }
}

/**
 * What is never printed raw but as `\uXXXX`, beside the C0 controls: DEL and the C1 controls (an
 * escape sequence that repaints the terminal), the line and paragraph separators, and the
 * bidirectional marks, embeddings, overrides and isolates that reorder what is shown.
 */
const UNPRINTABLE_BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNPRINTABLE = new RegExp(`[\\u0000-\\u001f${UNPRINTABLE_BEYOND_C0}]`, 'g');
const UNPRINTABLE_IN_JSON = new RegExp(`[${UNPRINTABLE_BEYOND_C0}]`, 'g');

/** Text from a log, a package.json or the command line (a newline in it would forge a line), as printable. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeChar);
}

/**
 * JSON text (a learned policy) as printable: JSON.stringify escapes the C0 controls but leaves the
 * rest raw, inside strings only, where `\uXXXX` is the same value. Its own newlines stay.
 */
export function printableJson(json: string): string {
  return json.replace(UNPRINTABLE_IN_JSON, escapeChar);
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'a parent is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/** What went wrong with a file, without the path and syscall that Node's message repeats. */
function fileProblem(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && code in FILE_PROBLEMS) return FILE_PROBLEMS[code] as string;
  if (typeof message !== 'string') return String(error);
  // libuv's wording: `EROFS: read-only file system, open '/x'`.
  return /^E[A-Z]+: ([^,]+),/.exec(message)?.[1] ?? message;
}

/** `what` names the file's role: "the log", "the policy", "the HTML report". */
export function cannotRead(what: string, file: string, error: unknown): CliError {
  return new CliError('ERR_AUDITHOOK_CANNOT_READ', `cannot read ${what} ${file}: ${fileProblem(error)}`);
}

export function cannotWrite(what: string, file: string, error: unknown): CliError {
  return new CliError('ERR_AUDITHOOK_CANNOT_WRITE', `cannot write ${what} ${file}: ${fileProblem(error)}`);
}

/** The collector could not write the log to its end: every record it received after that is lost, and counted. */
export function logNotWritten(file: string, error: Error, lost: number): string {
  return `cannot write the log ${file}: ${fileProblem(error)}; ${plural(lost, 'record')} received from the audited processes were lost`;
}

/** The log is not what audithook wrote (collector.ts logChanged): nothing it says can be trusted. */
export function logChangedByOthers(file: string, how: string): string {
  return `the log ${file} was changed by someone other than audithook (${how}): its records cannot be trusted, and no summary is made from them`;
}

/** Creates (or empties) an output file now, so that an unwritable path stops a run before it starts. */
export function createEmpty(what: string, file: string): void {
  try {
    closeSync(openSync(file, 'w'));
  } catch (error) {
    throw cannotWrite(what, file, error);
  }
}

/** `usage`, when given, is the command's usage line, printed below the problem. */
export function usageError(problem: string, usage?: string): CliError {
  return new CliError('ERR_AUDITHOOK_USAGE', problem, usage);
}

export function invalidPolicy(problem: string): CliError {
  return new CliError('ERR_AUDITHOOK_INVALID_POLICY', problem);
}

/** For logs with lines that are not records: read the same way by every command (log.ts). */
export function skippedLines(log: string, count: number): string {
  return `${log}: skipped ${plural(count, 'corrupt or truncated line')}`;
}

export function commandNotFound(file: string): string {
  return `${file}: command not found`;
}

export function cannotRun(file: string, error: unknown): string {
  return `cannot run ${file}: ${fileProblem(error)}`;
}

/** One line on stderr, as audithook. */
export function notice(message: string): void {
  process.stderr.write(`audithook: ${printable(message)}\n`);
}

/** Prints why the command failed and returns its exit status. */
export function fail(error: unknown): number {
  if (error instanceof CliError) {
    notice(error.message);
    if (error.usage !== undefined) process.stderr.write(`usage: ${printable(error.usage)}\n`);
    return EXIT_BY_CODE[error.code];
  }
  // A bug: its message helps a report; its stack would only bury it.
  notice(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.INTERNAL;
}
