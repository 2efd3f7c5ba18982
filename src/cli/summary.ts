/**
 * What `audithook run` says when COMMAND ends, from the report model (report-model.ts) of its log:
 * as text, a few lines (events per package and kind, most frequent first, then every distinct
 * denial with its package, event, subject and rule, in the order they first happened, and the
 * streams that were not intact), or as one
 * JSON document for CI (`--summary json`); on stderr, or in `--summary-file`. It also decides the
 * exit status: COMMAND's, or EXIT.DENIED with `--fail-on-deny` when anything was denied.
 */
import { writeFileSync } from 'node:fs';
import { scanLog } from './log.js';
import { FLUSH_TIMEOUT_MS } from './otlp.js';
import type { ExportOutcome } from './otlp.js';
import { EXIT, cannotRead, cannotWrite, notice, plural, printable, skippedLines } from './output.js';
import { ReportBuilder, packageLabel, streamText } from './report-model.js';
import type { Denial, Report } from './report-model.js';

const MAX_DENIALS = 20;
const MAX_SUBJECT = 100;

/** Most first; the sort is stable, so ties keep the model's order (by name). */
function mostFirst<T extends { readonly count: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.count - a.count);
}

function subjectText(subject: string): string {
  const text = printable(subject);
  return text.length <= MAX_SUBJECT ? text : `${text.slice(0, MAX_SUBJECT - 1)}…`;
}

/** In the order they first happened. */
function byFirstTime(a: Denial, b: Denial): number {
  return a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : 0;
}

function denialLine(denial: Denial): string {
  const times = denial.count === 1 ? '' : `, ${denial.count} times`;
  const rule = denial.rule === null ? 'no rule' : printable(denial.rule);
  return `  ${denial.blocked ? 'BLOCKED ' : 'REPORTED'} ${printable(packageLabel(denial.package))} ${printable(denial.event)} `
    + `${subjectText(denial.subject)} (${rule}${times})`;
}

export function summary(report: Report): string {
  const lines = [`audithook: ${plural(report.total, 'event')} from ${plural(report.processes, 'process', 'processes')}, logged to ${printable(report.source)}`];
  const packages = mostFirst(report.packages.map((pkg) => ({ ...pkg, label: printable(packageLabel(pkg.name)), count: pkg.total })));
  const width = Math.max(0, ...packages.map(({ label }) => label.length));
  for (const pkg of packages) {
    const kinds = mostFirst(pkg.events).map(({ event, count }) => `${printable(event)} ${count}`);
    lines.push(`  ${pkg.label.padEnd(width)}  ${kinds.join(', ')}`);
  }
  if (report.denied > 0) {
    lines.push(`audithook: ${report.denied} denied (${report.blocked} blocked, ${report.denied - report.blocked} reported only):`);
    const denials = report.packages.flatMap((pkg) => pkg.denials).sort(byFirstTime);
    lines.push(...denials.slice(0, MAX_DENIALS).map(denialLine));
    if (denials.length > MAX_DENIALS) lines.push(`  … and ${denials.length - MAX_DENIALS} more in the log`);
  }
  lines.push(...streamLines(report));
  return `${lines.join('\n')}\n`;
}

/** The streams that were not intact (records lost or forged): a problem, said even with --quiet. */
function streamLines(report: Report): string[] {
  if (report.streams.length === 0) return [];
  const lines = [`audithook: ${plural(report.streams.length, 'stream')} not intact:`];
  lines.push(...report.streams.slice(0, MAX_DENIALS).map((record) => `  ${printable(streamText(record))}`));
  if (report.streams.length > MAX_DENIALS) lines.push(`  … and ${report.streams.length - MAX_DENIALS} more in the log`);
  return lines;
}

export type SummaryFormat = 'text' | 'json';
export const SUMMARY_FORMATS: readonly SummaryFormat[] = ['text', 'json'];

/** How `audithook run` ends: its summary options (see docs/cli.md). */
export interface SummaryOptions {
  /** Default `text`. */
  readonly summary?: SummaryFormat;
  /** Where the summary goes instead of stderr (main.ts creates it before COMMAND starts). */
  readonly summaryFile?: string;
  /** No summary on stderr; problems are still said. */
  readonly quiet?: boolean;
  /** Exit with EXIT.DENIED when anything was denied (blocked or reported). */
  readonly failOnDeny?: boolean;
}

/** Bumped when a field changes meaning or goes away; new fields may appear without it. */
const SUMMARY_JSON_VERSION = 1;

/**
 * The summary as data: everything the text says, every denial (not only the first 20), unescaped
 * (JSON escapes what must be), with the statuses and the streams that were not intact. `name` is
 * null for the application's code, `<unknown>` for events whose chain is not known.
 */
export function summaryData(report: Report, commandStatus: number, status: number): object {
  return {
    version: SUMMARY_JSON_VERSION,
    log: report.source,
    commandStatus,
    status,
    events: report.total,
    processes: report.processes,
    skippedLines: report.skipped,
    denied: report.denied,
    blocked: report.blocked,
    reported: report.denied - report.blocked,
    packages: report.packages.map((pkg) => ({
      name: pkg.name,
      versions: pkg.versions,
      events: Object.fromEntries(pkg.events.map(({ event, count }) => [event, count])),
      total: pkg.total,
      denied: pkg.denied,
    })),
    denials: report.packages.flatMap((pkg) => pkg.denials).sort(byFirstTime),
    streams: report.streams.map((record) => ({ ...record, text: streamText(record) })),
  };
}

/**
 * One line of JSON. JSON.stringify escapes C0 controls but leaves raw what a terminal would still
 * act on (line separators, C1 controls, bidirectional overrides): printable writes those as the
 * `\uXXXX` escapes they are in JSON too, so the text stays the same JSON.
 */
export function summaryJsonText(data: object): string {
  return `${printable(JSON.stringify(data))}\n`;
}

function readReport(log: string): Report | null {
  const builder = new ReportBuilder();
  let skipped: number;
  try {
    skipped = scanLog(log, (record) => builder.add(record), (record) => builder.addStream(record));
  } catch (error) {
    notice(cannotRead('the log', log, error).message);
    return null;
  }
  if (skipped > 0) notice(skippedLines(log, skipped));
  return builder.report(log, skipped);
}

/**
 * After COMMAND ended with `commandStatus`: reads the log as `audithook report` does, says the
 * summary as `options` ask, and returns the status audithook exits with. `log` is null when it was
 * not written whole (run.ts says why). A log that cannot be read is a notice, not a failure of the
 * run, except with --fail-on-deny, which cannot then tell that nothing was denied (fail closed).
 */
export function finishRun(log: string | null, commandStatus: number, options: SummaryOptions): number {
  const report = log === null ? null : readReport(log);
  const denied = report === null ? null : report.denied;
  const status = options.failOnDeny === true && denied !== 0 ? EXIT.DENIED : commandStatus;
  if (report !== null) {
    const text = options.summary === 'json' ? summaryJsonText(summaryData(report, commandStatus, status)) : summary(report);
    if (options.summaryFile !== undefined) {
      try {
        writeFileSync(options.summaryFile, text);
      } catch (error) {
        notice(cannotWrite('the summary', options.summaryFile, error).message);
      }
    }
    if (options.summaryFile === undefined && options.quiet !== true) process.stderr.write(text);
    else if (report.streams.length > 0) process.stderr.write(`${streamLines(report).join('\n')}\n`);
  }
  if (status !== commandStatus) {
    const why = denied === null ? 'the log is not whole, so nothing shows that nothing was denied' : `${plural(denied, 'operation')} denied`;
    notice(`--fail-on-deny: ${why}; exit status ${status} (COMMAND's was ${commandStatus})`);
  }
  return status;
}

/** After the summary, with --otlp: what the collector took, and what it did not (the log has it). */
export function exportLine(outcome: ExportOutcome): string {
  const dropped = outcome.records - outcome.exported;
  if (dropped === 0) return `audithook: exported ${plural(outcome.records, 'record')} over OTLP\n`;
  const why = outcome.error === null ? `not accepted within ${FLUSH_TIMEOUT_MS / 1000} s` : `last error: ${printable(outcome.error)}`;
  return `audithook: OTLP export dropped ${dropped} of ${plural(outcome.records, 'record')} (${why}); the log has them all\n`;
}

/** With --quiet only a shortfall is said. */
export function printExport(outcome: ExportOutcome, quiet = false): void {
  if (!quiet || outcome.exported < outcome.records) process.stderr.write(exportLine(outcome));
}
