/**
 * `audithook report LOG [--html FILE]`: what each package did, from a log written by `audithook run`.
 * Exit 0, or 2 when the log cannot be read or the page cannot be written.
 */
import { writeFileSync } from 'node:fs';
import { scanLog, skippedWarning } from './log.js';
import { ReportBuilder } from './report-model.js';
import { renderHtml } from './report-html.js';
import { renderText } from './report-text.js';

const FILE_ERROR = 2;

function describe(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return typeof message === 'string' ? message : String(error);
}

export function runReport(log: string, options: { html?: string }): number {
  const builder = new ReportBuilder();
  let skipped: number;
  try {
    skipped = scanLog(log, (record) => builder.add(record));
  } catch (error) {
    process.stderr.write(`audithook report: cannot read the log ${log}: ${describe(error)}\n`);
    return FILE_ERROR;
  }
  const warning = skippedWarning(log, skipped);
  if (warning !== null) process.stderr.write(`${warning}\n`);
  const report = builder.report(log, skipped);
  if (options.html !== undefined) {
    try {
      writeFileSync(options.html, renderHtml(report));
    } catch (error) {
      process.stderr.write(`audithook report: cannot write the HTML report ${options.html}: ${describe(error)}\n`);
      return FILE_ERROR;
    }
  }
  process.stdout.write(renderText(report));
  return 0;
}
