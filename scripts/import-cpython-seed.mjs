// Maintenance tool, run by hand: converts CPython's "Audit events table" (the docs page as text,
// e.g. ../shared/seed/audit-events-table.txt) into data/cpython-audit-events.json, which the project
// keeps as its own data so that it builds and tests without the seed.
//   node scripts/import-cpython-seed.mjs ../shared/seed/audit-events-table.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [seedPath] = process.argv.slice(2);
if (!seedPath) {
  process.stderr.write('usage: node scripts/import-cpython-seed.mjs SEED_TABLE.txt\n');
  process.exit(2);
}
const lines = readFileSync(seedPath, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '');
const isReference = (line) => /^(\[\d+\])+$/.test(line);
const isEventName = (line) => !line.includes(', ') && !line.includes(' ') && (line.includes('.') || line.startsWith('_') || /^[a-z]+$/.test(line));
const splitArgs = (line) => line.split(',').map((arg) => arg.trim()).filter(Boolean);

const publicStart = lines.indexOf('References') + 1;
const internalMarker = lines.findIndex((line) => line.startsWith('The following events are raised internally'));
const events = [];

// The public table: an event name, an optional argument line, then its reference line.
let entry = [];
for (const line of lines.slice(publicStart, internalMarker)) {
  if (!isReference(line)) {
    entry.push(line);
    continue;
  }
  const [name, args, extra] = entry;
  if (name === undefined || extra !== undefined) throw new Error(`unexpected entry: ${JSON.stringify(entry)}`);
  events.push({ name, args: args === undefined ? [] : splitArgs(args), internal: false });
  entry = [];
}

// The internal table has no references: a dotted or underscored name starts an entry, anything else is its arguments.
const internal = lines.slice(internalMarker + 1).filter((line) => line !== 'Audit event' && line !== 'Arguments');
for (const line of internal) {
  const last = events.at(-1);
  const startsEntry = (line.includes('.') || line.startsWith('_')) && !line.includes(', ');
  if (startsEntry) events.push({ name: line, args: [], internal: true });
  else if (last?.internal && last.args.length === 0) last.args = splitArgs(line);
  else throw new Error(`unexpected line in the internal table: ${line}`);
}

const names = new Set(events.map((event) => event.name));
if (names.size !== events.length) throw new Error('duplicate event names');
for (const event of events) if (!isEventName(event.name)) throw new Error(`not an event name: ${event.name}`);

const out = resolve(fileURLToPath(import.meta.url), '..', '..', 'data', 'cpython-audit-events.json');
writeFileSync(out, `${JSON.stringify({ source: 'CPython documentation, Audit events table', events }, null, 2)}\n`);
process.stdout.write(`${events.length} events (${events.filter((e) => e.internal).length} internal) -> ${out}\n`);
