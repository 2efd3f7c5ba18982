/**
 * The catalogue is the single source of truth: it is well formed, agrees with CPython's table, and
 * the committed docs are what it generates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { cpythonGaps, events, unauditedApis } from '../src/catalogue/index';
import type { SeedEvent } from '../src/catalogue/markdown';
import { REPO_ROOT } from './helpers/scenario';

const seed = (JSON.parse(readFileSync(resolve(REPO_ROOT, 'data', 'cpython-audit-events.json'), 'utf8')) as { events: SeedEvent[] }).events;
const seedByName = new Map(seed.map((event) => [event.name, event]));

test('event names are unique and well formed', () => {
  const names = events.map((event) => event.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z_][\w]*(\.[\w]+)*(\/(\d+|[a-z_]+))?$/);
  for (const event of events) {
    assert.match(event.since, /^\d+\.\d+\.\d+$/, `${event.name}: since`);
    assert.ok(event.raisedBy.length > 0, `${event.name}: raisedBy`);
    assert.ok(event.description.length > 0, `${event.name}: description`);
  }
});

test('an event with a CPython counterpart has its name and argument names', () => {
  for (const event of events) {
    if (event.cpython === null) {
      assert.equal(seedByName.has(event.name), false, `${event.name} is in CPython's table but not mapped to it`);
      continue;
    }
    const cpython = seedByName.get(event.cpython);
    assert.ok(cpython, `${event.name}: ${event.cpython} is not in CPython's table`);
    assert.equal(event.name, event.cpython, 'Node raises CPython\'s name where it has the capability');
    assert.deepEqual(event.args.map((arg) => arg.name), cpython.args, `${event.name}: CPython's argument order`);
  }
});

test('every CPython event is either raised or explained, and nothing else is explained', () => {
  const mapped = new Set<string | null>(events.map((event) => event.cpython));
  for (const event of seed) {
    assert.ok(mapped.has(event.name) !== (event.name in cpythonGaps), `${event.name}: exactly one of catalogued or explained`);
  }
  for (const name of Object.keys(cpythonGaps)) assert.ok(seedByName.has(name), `${name} is not a CPython event`);
  assert.ok(unauditedApis.length > 0);
});

test('a CPython event covered by another names a catalogued event', () => {
  const names = new Set<string>(events.map((event) => event.name));
  const covered = Object.entries(cpythonGaps).filter(([, gap]) => gap.status === 'covered');
  assert.ok(covered.length > 0);
  for (const [name, gap] of covered) assert.ok(gap.by !== undefined && names.has(gap.by), `${name}: covered by ${gap.by}`);
});

test('docs/events.md and docs/cpython-parity.md are what the catalogue generates', () => {
  const check = spawnSync(process.execPath, ['scripts/generate-docs.mjs', '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});
