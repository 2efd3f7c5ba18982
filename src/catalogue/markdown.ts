/**
 * Renders the catalogue as the docs' tables: docs/events.md and docs/cpython-parity.md are these
 * functions' output (scripts/generate-docs.mjs writes them; a test fails when they are stale).
 */
import { cpythonGaps } from './cpython-gaps.js';
import { events, unauditedApis } from './events.js';
import type { EventSpec } from './types.js';

/** An event of CPython's audit table, as data/cpython-audit-events.json keeps it. */
export interface SeedEvent {
  readonly name: string;
  readonly args: readonly string[];
  readonly internal: boolean;
}

const GENERATED = '<!-- Generated from src/catalogue by `npm run docs`. Do not edit by hand. -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function code(items: readonly string[]): string {
  return items.map((item) => `\`${item}\``).join(', ');
}

function argumentList(spec: EventSpec): string {
  return spec.args.map((arg) => `\`${arg.name}\`: ${cell(arg.type)}`).join('<br>');
}

export function renderEventsMarkdown(): string {
  const lines = [
    GENERATED,
    '',
    '# Audit events',
    '',
    'Every event audithook raises, generated from the catalogue (`src/catalogue/events.ts`). Where Node has a',
    'capability CPython audits, the event has CPython\'s name and argument order; Node-only events are named',
    '`<node module>.<api>`. Arguments that have no Node meaning (such as `dir_fd`) are always null.',
    'The capability (process, native, network, write, read, code, runtime) is what `audithook report` orders by risk.',
    '',
    '| Event | Arguments | Raised by | Since Node | CPython event | Capability | Description |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const spec of events as readonly EventSpec[]) {
    lines.push(`| \`${spec.name}\` | ${argumentList(spec)} | ${code(spec.raisedBy)} | ${spec.since} | ${spec.cpython === null ? 'Node only' : `\`${spec.cpython}\``} | ${spec.capability} | ${cell(spec.description)} |`);
  }
  lines.push('', '## APIs that raise no event', '', '| APIs | Why |', '| --- | --- |');
  for (const entry of unauditedApis) lines.push(`| ${code(entry.apis)} | ${cell(entry.reason)} |`);
  lines.push('');
  return lines.join('\n');
}

export function renderParityMarkdown(seed: readonly SeedEvent[]): string {
  const analogs = new Map<string, EventSpec[]>();
  for (const spec of events as readonly EventSpec[]) {
    if (spec.cpython === null) continue;
    const list = analogs.get(spec.cpython) ?? [];
    list.push(spec);
    analogs.set(spec.cpython, list);
  }
  const counts = { raised: 0, covered: 0, planned: 0, 'not applicable': 0 };
  const rows = seed.map((event) => {
    const mapped = analogs.get(event.name);
    const args = event.args.length === 0 ? '' : code(event.args);
    if (mapped !== undefined) {
      counts.raised++;
      const apis = mapped.flatMap((spec) => spec.raisedBy);
      const names = mapped.map((spec) => spec.name === event.name ? 'same name' : `as \`${spec.name}\``).join(', ');
      return `| \`${event.name}\` | ${args} | raised (${names}) | ${code(apis)} |`;
    }
    const gap = cpythonGaps[event.name];
    if (gap === undefined) throw new Error(`CPython event ${event.name} is neither catalogued nor in cpythonGaps`);
    counts[gap.status]++;
    const status = gap.status === 'covered' ? `covered by \`${gap.by ?? ''}\`` : gap.status;
    return `| \`${event.name}\` | ${args} | ${status} | ${cell(gap.reason)} |`;
  });
  return [
    GENERATED,
    '',
    '# CPython parity',
    '',
    'Every event of CPython\'s audit events table (kept in `data/cpython-audit-events.json`), with the Node',
    'APIs that raise it under audithook, or why none does.',
    '',
    `Raised: ${counts.raised}. Covered by another event: ${counts.covered}. Planned: ${counts.planned}. Not applicable: ${counts['not applicable']}. Total: ${seed.length}.`,
    '',
    '| CPython event | Arguments | Status | Node analog, or why there is none |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
