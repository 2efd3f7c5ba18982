/**
 * Runs after the rest of the suite (scripts/run-tests.mjs), over the events every scenario saw:
 * each catalogued event was raised by some test, and no test saw an event the catalogue lacks.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { events } from '../src/catalogue/index';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const recordDir = process.env['AUDITHOOK_TEST_RECORD'];

test('the suite recorded what it saw', { skip: recordDir === undefined ? 'run through npm test' : false }, () => {
  const seen = new Set<string>();
  for (const file of readdirSync(recordDir as string)) {
    for (const name of readFileSync(join(recordDir as string, file), 'utf8').split('\n')) if (name !== '') seen.add(name);
  }
  assert.ok(seen.size > 0, 'no scenario recorded any event');

  const catalogued = new Set<string>(events.map((event) => event.name));
  const uncatalogued = [...seen].filter((name) => !catalogued.has(name) && !name.startsWith('test.'));
  assert.deepEqual(uncatalogued, [], 'events raised by instrumented APIs but missing from the catalogue');

  const available = events.filter((event) => Number(event.since.split('.')[0]) <= NODE_MAJOR);
  const untested = available.map((event) => event.name).filter((name) => !seen.has(name));
  assert.deepEqual(untested, [], 'catalogued events that no test raised');
});
