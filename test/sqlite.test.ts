/**
 * node:sqlite files attached to an open connection (ATTACH DATABASE, VACUUM INTO) raise
 * sqlite3.connect through SQLite's authorizer (Node 24 on); refused, nothing is attached; the
 * program's own authorizer keeps working. Scenarios: test/scenarios/sqlite.mjs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, scenario } from './helpers/scenario';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

test('ATTACH and VACUUM INTO raise sqlite3.connect with the file; refused, nothing is attached', { skip: NODE_MAJOR < 24 ? 'DatabaseSync#setAuthorizer is Node 24' : false }, () => {
  const run = runScenario(scenario('sqlite/attach'));
  const r = run.result as { D: string };
  const { D } = r;
  assert.deepEqual(run.result, {
    D, attached: 'ran', vacuumed: 'ran', bound: 'ran', denied: 'ERR_SQLITE_ERROR', reopened: 'ran',
    refused: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: sqlite3.connect' },
    seen: [`${D}/denied.db`],
    files: ['copy.db', 'later.db', 'one.db', 'two.db'],
  });
  assert.deepEqual(run.events.filter((e) => e[0] === 'sqlite3.connect'), [
    ['sqlite3.connect', ':memory:'],
    ['sqlite3.connect', `${D}/one.db`], ['sqlite3.connect', `${D}/copy.db`], ['sqlite3.connect', null],
    ['sqlite3.connect', `${D}/denied.db`], ['sqlite3.connect', `${D}/refused.db`],
    ['sqlite3.connect', ':memory:'], ['sqlite3.connect', `${D}/later.db`],
  ]);
});

test('sqlite.backup raises sqlite3.connect for the destination; refused, the promise rejects and nothing is written', { skip: NODE_MAJOR < 24 ? 'node:sqlite is instrumented from Node 24' : false }, () => {
  const run = runScenario(scenario('sqlite/backup'));
  const { D } = run.result as { D: string };
  assert.deepEqual(run.result, { D, refused: 'TEST_BLOCKED', pages: 'number', files: ['copy.db'] });
  assert.deepEqual(run.events.filter((e) => e[0] === 'sqlite3.connect'), [
    ['sqlite3.connect', ':memory:'], ['sqlite3.connect', `${D}/refused.db`], ['sqlite3.connect', `${D}/copy.db`],
  ]);
});
