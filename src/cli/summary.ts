/**
 * The few lines `audithook run` prints to stderr when COMMAND ends: events per package and kind,
 * then every denial with the package, the event, its first arguments and the rule.
 */
import type { LogRecord } from '../contract/record.js';

const APPLICATION = '(application)';
const MAX_DENIALS = 20;
const MAX_ARGS_TEXT = 100;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Most frequent first, then by name: the same log always reads the same. */
function ranked(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Scalars and lists as JSON; an object as its kind (`<ClientRequest>`, an environment as `{…}`): the log has the rest. */
function argText(arg: unknown): string {
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) return JSON.stringify(arg);
  const type = (arg as { $type?: unknown }).$type;
  return typeof type === 'string' ? `<${type}>` : '{…}';
}

function argsText(args: readonly unknown[]): string {
  const text = args.map(argText).join(' ');
  return text.length <= MAX_ARGS_TEXT ? text : `${text.slice(0, MAX_ARGS_TEXT - 1)}…`;
}

export function summary(records: readonly LogRecord[], log: string): string {
  const processes = new Set(records.map((r) => r.pid)).size;
  const lines = [`audithook: ${records.length} event${records.length === 1 ? '' : 's'} from ${processes} process${processes === 1 ? '' : 'es'}, logged to ${log}`];
  const byPackage = new Map<string, LogRecord[]>();
  for (const r of records) {
    const name = r.package ?? APPLICATION;
    const list = byPackage.get(name) ?? [];
    list.push(r);
    byPackage.set(name, list);
  }
  const width = Math.max(0, ...[...byPackage.keys()].map((name) => name.length));
  for (const [name] of ranked(new Map([...byPackage].map(([n, list]) => [n, list.length])))) {
    const kinds = ranked(countBy(byPackage.get(name) ?? [], (r) => r.event)).map(([event, count]) => `${event} ${count}`);
    lines.push(`  ${name.padEnd(width)}  ${kinds.join(', ')}`);
  }
  const denials = records.filter((r) => r.decision === 'deny');
  if (denials.length > 0) {
    const blocked = denials.filter((r) => r.blocked).length;
    lines.push(`audithook: ${denials.length} denied (${blocked} blocked, ${denials.length - blocked} reported only):`);
    for (const r of denials.slice(0, MAX_DENIALS)) {
      lines.push(`  ${r.blocked ? 'BLOCKED ' : 'REPORTED'} ${r.package ?? APPLICATION} ${r.event} ${argsText(r.args)} (${r.rule ?? 'policy'})`);
    }
    if (denials.length > MAX_DENIALS) lines.push(`  … and ${denials.length - MAX_DENIALS} more in the log`);
  }
  return `${lines.join('\n')}\n`;
}
