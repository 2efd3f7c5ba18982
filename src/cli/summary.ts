/**
 * The few lines `audithook run` prints to stderr when COMMAND ends, from the report model
 * (report-model.ts) of its log: events per package and kind, most frequent first, then every
 * distinct denial with its package, event, subject and rule, in the order they first happened.
 */
import { scanLog } from './log.js';
import { FLUSH_TIMEOUT_MS } from './otlp.js';
import type { ExportOutcome } from './otlp.js';
import { cannotRead, notice, plural, printable, skippedLines } from './output.js';
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
    const denials = report.packages.flatMap((pkg) => pkg.denials).sort((a, b) => (a.firstTime < b.firstTime ? -1 : a.firstTime > b.firstTime ? 1 : 0));
    lines.push(...denials.slice(0, MAX_DENIALS).map(denialLine));
    if (denials.length > MAX_DENIALS) lines.push(`  … and ${denials.length - MAX_DENIALS} more in the log`);
  }
  if (report.streams.length > 0) {
    lines.push(`audithook: ${plural(report.streams.length, 'stream')} not intact:`);
    lines.push(...report.streams.slice(0, MAX_DENIALS).map((record) => `  ${printable(streamText(record))}`));
    if (report.streams.length > MAX_DENIALS) lines.push(`  … and ${report.streams.length - MAX_DENIALS} more in the log`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads the log as `audithook report` does; a log that cannot be read is a notice, not a failure of the run. */
export function printSummary(log: string): void {
  const builder = new ReportBuilder();
  let skipped: number;
  try {
    skipped = scanLog(log, (record) => builder.add(record), (record) => builder.addStream(record));
  } catch (error) {
    notice(cannotRead('the log', log, error).message);
    return;
  }
  if (skipped > 0) notice(skippedLines(log, skipped));
  process.stderr.write(summary(builder.report(log, skipped)));
}

/** After the summary, with --otlp: what the collector took, and what it did not (the log has it). */
export function exportLine(outcome: ExportOutcome): string {
  const dropped = outcome.records - outcome.exported;
  if (dropped === 0) return `audithook: exported ${plural(outcome.records, 'record')} over OTLP\n`;
  const why = outcome.error === null ? `not accepted within ${FLUSH_TIMEOUT_MS / 1000} s` : `last error: ${printable(outcome.error)}`;
  return `audithook: OTLP export dropped ${dropped} of ${plural(outcome.records, 'record')} (${why}); the log has them all\n`;
}

export function printExport(outcome: ExportOutcome): void {
  process.stderr.write(exportLine(outcome));
}
