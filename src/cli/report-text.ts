/**
 * `audithook report` for a terminal: one block per package, then the total.
 */
import { plural, printable } from './output.js';
import { packageLabel, streamText } from './report-model.js';
import type { Denial, PackageSummary, ProcessNode, Report } from './report-model.js';

/** Longer lists of paths, hosts or commands are cut here in the terminal (the HTML page has them all). */
const LIST_LIMIT = 20;

function heading(pkg: PackageSummary): string {
  const name = printable(packageLabel(pkg.name));
  const versions = pkg.versions.length === 0 ? '' : `@${pkg.versions.map(printable).join(', @')}`;
  const denied = pkg.denied === 0 ? '' : `, ${pkg.denied} denied`;
  return `${name}${versions}  (${plural(pkg.total, 'event')}${denied})`;
}

function listSection(title: string, values: readonly string[]): string[] {
  if (values.length === 0) return [];
  const lines = [`  ${title} (${values.length})`, ...values.slice(0, LIST_LIMIT).map((value) => `    ${printable(value)}`)];
  if (values.length > LIST_LIMIT) lines.push(`    ... ${values.length - LIST_LIMIT} more (see --html)`);
  return lines;
}

function outcome(denial: Denial): string {
  const rule = denial.rule === null ? 'no rule' : printable(denial.rule);
  const times = denial.count === 1 ? '' : `, ${denial.count} times`;
  const at = denial.frame === null ? '' : ` at ${printable(denial.frame)}`;
  return `denied by ${rule}, ${denial.blocked ? 'blocked' : 'not blocked (report mode)'}${times}${at}`;
}

function packageBlock(pkg: PackageSummary): string[] {
  const width = Math.max(...pkg.events.map(({ event }) => printable(event).length));
  const digits = String(Math.max(...pkg.events.map(({ count }) => count))).length;
  const lines = [heading(pkg), '  events'];
  for (const { event, count, denied } of pkg.events) {
    const deniedNote = denied === 0 ? '' : `  (${denied} denied)`;
    lines.push(`    ${printable(event).padEnd(width)}  ${String(count).padStart(digits)}${deniedNote}`);
  }
  lines.push(
    ...listSection('commands', pkg.commands), ...listSection('hosts', pkg.hosts), ...listSection('writes', pkg.writes),
    ...listSection('reads', pkg.reads), ...listSection('loads', pkg.loads),
  );
  if (pkg.denials.length > 0) {
    lines.push('  denials');
    for (const denial of pkg.denials) {
      lines.push(`    ${printable(denial.event)} ${printable(denial.subject)}`, `      ${outcome(denial)}`);
    }
  }
  return lines;
}

/** Which packages started a process, when it was not the application's own code. */
function startedBy(node: ProcessNode): string {
  return node.spawnedBy === null || node.spawnedBy === 'the application' ? '' : `  (started by ${printable(node.spawnedBy)})`;
}

export function renderText(report: Report): string {
  const lines = [`audithook report: ${printable(report.source)}`];
  if (report.firstTime !== null && report.lastTime !== null) {
    lines.push(`${plural(report.processes, 'process', 'processes')}, ${printable(report.firstTime)} to ${printable(report.lastTime)}`);
  }
  lines.push('');
  for (const pkg of report.packages) lines.push(...packageBlock(pkg), '');
  const packages = report.packages.filter((pkg) => pkg.name !== null).length;
  const app = report.packages.some((pkg) => pkg.name === null) ? ' and the app' : '';
  if (report.processTree.length > 1) {
    lines.push(`processes (${report.processTree.length})`, ...report.processTree.slice(0, LIST_LIMIT * 5)
      .map((node) => `  ${'  '.repeat(node.depth)}${node.pid} ${printable(node.command)}${startedBy(node)}${node.denied === 0 ? '' : `  (${node.denied} denied)`}`), '');
  }
  if (report.streams.length > 0) {
    lines.push(`streams not intact (${report.streams.length})`, ...report.streams.map((record) => `  ${printable(streamText(record))}`), '');
  }
  lines.push(`total: ${plural(report.total, 'event')} from ${plural(packages, 'package')}${app}; `
    + `${report.denied} denied (${report.blocked} blocked)`);
  return `${lines.join('\n')}\n`;
}
