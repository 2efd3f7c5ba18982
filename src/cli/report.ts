/**
 * `audithook report LOG [--html FILE]`: what each package did, from a log written by `audithook run`.
 * Throws a CliError when the log cannot be read or the page cannot be written.
 */
import { writeFileSync } from 'node:fs';
import { scanLog } from './log.js';
import { EXIT, cannotRead, cannotWrite, notice, skippedLines } from './output.js';
import { ReportBuilder } from './report-model.js';
import { renderHtml } from './report-html.js';
import { renderText } from './report-text.js';

export function runReport(log: string, options: { html?: string }): number {
  const builder = new ReportBuilder();
  let skipped: number;
  try {
    skipped = scanLog(log, (record) => builder.add(record), (record) => builder.addStream(record));
  } catch (error) {
    throw cannotRead('the log', log, error);
  }
  if (skipped > 0) notice(skippedLines(log, skipped));
  const report = builder.report(log, skipped);
  if (options.html !== undefined) {
    try {
      writeFileSync(options.html, renderHtml(report));
    } catch (error) {
      throw cannotWrite('the HTML report', options.html, error);
    }
  }
  process.stdout.write(renderText(report));
  return EXIT.OK;
}
