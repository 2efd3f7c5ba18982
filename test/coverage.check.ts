/**
 * Runs after the rest of the suite (scripts/run-tests.mjs), over the events every scenario saw:
 * each catalogued event was raised by some test on every Node from its `since` on, no test saw an
 * event the catalogue lacks, and every row docs/cpython-parity.md marks raised was raised.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { events } from '../src/catalogue/index';
import { REPO_ROOT } from './helpers/scenario';

const recordDir = process.env['AUDITHOOK_TEST_RECORD'];
const skip = recordDir === undefined ? 'run through npm test' : false;

/** Whether version `a` (major.minor.patch) is at most `b`. */
function atMost(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return true;
}

/** Every event name the suite's scenarios saw on this Node. */
function seenBySuite(): Set<string> {
  const seen = new Set<string>();
  for (const file of readdirSync(recordDir as string)) {
    for (const name of readFileSync(join(recordDir as string, file), 'utf8').split('\n')) if (name !== '') seen.add(name);
  }
  return seen;
}

test('the suite recorded what it saw', { skip }, () => {
  const seen = seenBySuite();
  assert.ok(seen.size > 0, 'no scenario recorded any event');

  const catalogued = new Set<string>(events.map((event) => event.name));
  const uncatalogued = [...seen].filter((name) => !catalogued.has(name) && !name.startsWith('test.'));
  assert.deepEqual(uncatalogued, [], 'events raised by instrumented APIs but missing from the catalogue');

  const available = events.filter((event) => atMost(event.since, process.versions.node));
  const untested = available.map((event) => event.name).filter((name) => !seen.has(name));
  assert.deepEqual(untested, [], 'catalogued events that no test raised');
});

test('every row docs/cpython-parity.md marks raised was raised by the suite on this Node (from its since on)', { skip }, () => {
  const seen = seenBySuite();
  const table = readFileSync(resolve(REPO_ROOT, 'docs', 'cpython-parity.md'), 'utf8');
  const raisedRows = [...table.matchAll(/^\| `([^`]+)` \| [^|]* \| raised \(([^)]*)\) \|/gm)].map((match) => ({ seed: match[1], how: match[2] }));
  assert.ok(raisedRows.length > 0, 'the table has raised rows');
  const bySeed = new Map(events.filter((event) => event.cpython !== null).map((event) => [event.cpython as string, event]));
  const unraised = raisedRows.filter(({ seed }) => {
    const event = bySeed.get(seed);
    assert.ok(event !== undefined, `${seed}: a raised row with no catalogue event`);
    return atMost(event.since, process.versions.node) && !seen.has(event.name);
  }).map(({ seed }) => seed);
  assert.deepEqual(unraised, [], 'rows that say raised, but no scenario raised their event');
});
