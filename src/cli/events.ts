/**
 * `audithook events [--json]`: the event catalogue, in its own order (related events together).
 * Text for a terminal: each event with its arguments, then its description wrapped below it.
 */
import { events } from '../catalogue/index.js';
import { EXIT } from './output.js';
import type { EventSpec } from '../catalogue/index.js';

const WIDTH = 100;
const INDENT = '    ';

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function signature(spec: EventSpec): string {
  return `${spec.name}(${spec.args.map((arg) => `${arg.name}: ${arg.type}`).join(', ')})`;
}

export function renderEventsText(specs: readonly EventSpec[]): string {
  const blocks = specs.map((spec) => [
    signature(spec),
    ...[spec.description, `raised by: ${spec.raisedBy.join(', ')}`]
      .flatMap((paragraph) => wrap(paragraph, WIDTH - INDENT.length)).map((line) => `${INDENT}${line}`),
  ].join('\n'));
  return `${blocks.join('\n\n')}\n\n${specs.length} events (audithook events --json for the data)\n`;
}

export function runEvents(options: { json?: boolean }): number {
  process.stdout.write(options.json === true ? `${JSON.stringify(events, null, 2)}\n` : renderEventsText(events));
  return EXIT.OK;
}
