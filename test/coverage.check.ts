/**
 * Runs after the rest of the suite (scripts/run-tests.mjs), over the events every scenario saw:
 * each catalogued event was raised by some test on every Node from its `since` on, no test saw an
 * event the catalogue lacks, and every row docs/cpython-parity.md marks raised (or covered by another
 * event) was raised.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { events } from '../src/catalogue/index';
import { REPO_ROOT } from './helpers/scenario';
import { atMost } from './helpers/since';

const recordDir = process.env['AUDITHOOK_TEST_RECORD'];
const skip = recordDir === undefined ? 'run through npm test' : false;

/** Every event name the suite's scenarios saw on this Node. */
/**
 * Events only the `audithook run` agent raises, inside Node's permission model: test/wall-run.test.ts
 * asserts them in the log of its runs, which this recorder (scenario processes) does not see.
 */
const RAISED_UNDER_RUN_ONLY = new Set(['node.permission']);

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
  const untested = available.map((event) => event.name).filter((name) => !seen.has(name) && !RAISED_UNDER_RUN_ONLY.has(name));
  assert.deepEqual(untested, [], 'catalogued events that no test raised');
});

test('every row docs/cpython-parity.md marks raised or covered was raised by the suite on this Node (from its since on)', { skip }, () => {
  const seen = seenBySuite();
  const table = readFileSync(resolve(REPO_ROOT, 'docs', 'cpython-parity.md'), 'utf8');
  const raisedRows = [...table.matchAll(/^\| `([^`]+)` \| [^|]* \| raised \(([^)]*)\) \|/gm)].map((match) => ({ seed: match[1], how: match[2] }));
  const coveredRows = [...table.matchAll(/^\| `([^`]+)` \| [^|]* \| covered by `([^`]+)` \|/gm)].map((match) => ({ seed: match[1], by: match[2] }));
  // Every row the header counts was read, so none escapes the check.
  const counts = /^Raised: (\d+)\. Covered by another event: (\d+)\./m.exec(table);
  assert.deepEqual([raisedRows.length, coveredRows.length], [Number(counts?.[1]), Number(counts?.[2])], 'the rows read are the rows the header counts');
  const bySeed = new Map(events.filter((event) => event.cpython !== null).map((event) => [event.cpython as string, event]));
  const byName = new Map(events.map((event) => [event.name as string, event]));
  const unraised = [
    ...raisedRows.map(({ seed }) => {
      const event = bySeed.get(seed);
      assert.ok(event !== undefined, `${seed}: a raised row with no catalogue event`);
      return { seed, event };
    }),
    ...coveredRows.map(({ seed, by }) => {
      const event = byName.get(by);
      assert.ok(event !== undefined, `${seed}: covered by ${by}, which is not catalogued`);
      return { seed, event };
    }),
  ].filter(({ event }) => atMost(event.since, process.versions.node) && !seen.has(event.name)).map(({ seed }) => seed);
  assert.deepEqual(unraised, [], 'rows that say raised or covered, but no scenario raised their event');
});
