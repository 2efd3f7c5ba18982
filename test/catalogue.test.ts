/**
 * The catalogue is the single source of truth: it is well formed, agrees with CPython's table, and
 * the committed docs are what it generates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { argKind, cpythonGaps, events, unauditedApis } from '../src/catalogue/index';
import type { SeedEvent } from '../src/catalogue/markdown';
import type { ArgSpec } from '../src/catalogue/types';
import { FILE_HANDLE_APIS, FS_APIS } from '../src/instrument/fs';
import { QUERY_TYPES } from '../src/instrument/net';
import { REPORT_SETTINGS } from '../src/instrument/process';
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

test('only text arguments are marked learnt (policy learn reads every other kind by its kind)', () => {
  const learnt = events.flatMap((event) => (event.args as readonly ArgSpec[]).filter((arg) => arg.learnt === true).map((arg) => [event.name, arg.name, argKind(arg)]));
  assert.ok(learnt.length > 0);
  for (const [event, arg, kind] of learnt) assert.equal(kind, 'text', `${event} ${arg}`);
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

/** Sorted lists of names per event, for comparing two sources of them. */
function namesByEvent(pairs: readonly (readonly [string, string])[]): Record<string, string[]> {
  const byEvent: Record<string, string[]> = {};
  for (const [event, name] of pairs) (byEvent[event] ??= []).push(name);
  for (const names of Object.values(byEvent)) names.sort();
  return byEvent;
}

/** The raisedBy entries that name an API of `pattern` (the API is the entry's first word: 'fsPromises.rm (without recursive)'). */
function catalogued(pattern: RegExp): Record<string, string[]> {
  return namesByEvent(events.flatMap((event) => event.raisedBy.flatMap((entry) => {
    const api = pattern.exec(entry)?.[0];
    return api === undefined ? [] : [[event.name, api] as const];
  })));
}

/** fs APIs that raise through another, not through a table of their own: a stream opens its file with fs.open (test/fs-paths.test.ts). */
const FS_THROUGH_OTHERS = [['open', 'fs.createReadStream'], ['open', 'fs.createWriteStream']] as const;

test('the fs APIs each raisedBy list names are the ones the fs instrumentation\'s tables raise the event for (FS_APIS, FILE_HANDLE_APIS)', () => {
  const forms = (api: (typeof FS_APIS)[number]): string[] => [
    ...api.callback === undefined ? [] : [`fs.${api.callback}`],
    ...api.sync === undefined ? [] : [`fs.${api.sync}`],
    ...api.promise === undefined ? [] : [`fsPromises.${api.promise}`],
  ];
  const byTable = namesByEvent([
    ...FS_APIS.flatMap((api) => api.events.flatMap((event) => forms(api).map((name) => [event, name] as const))),
    ...FILE_HANDLE_APIS.flatMap(([method, , raised]) => raised.map((event) => [event, `filehandle.${method}`] as const)),
    ...FS_THROUGH_OTHERS,
  ]);
  assert.deepEqual(catalogued(/^(fs|fsPromises|filehandle)\.\w+/), byTable);
});

test('the process.report settings process.report\'s raisedBy names are the ones the instrumentation audits (REPORT_SETTINGS)', () => {
  assert.deepEqual(catalogued(/^process\.report\.\w+ =/), namesByEvent(REPORT_SETTINGS.map((setting) => ['process.report', `process.report.${setting} =`] as const)));
});

/** dns's function for one record type: resolve4 for A, resolve6 for AAAA, resolveMx for MX. */
const resolveFunction = (rrtype: string): string =>
  rrtype === 'A' ? 'resolve4' : rrtype === 'AAAA' ? 'resolve6' : `resolve${rrtype[0]}${rrtype.slice(1).toLowerCase()}`;

test('the dns functions dns.resolve\'s raisedBy names are those of the record types the instrumentation audits (QUERY_TYPES), and dns.resolve', () => {
  const functions = ['resolve', ...Object.values(QUERY_TYPES).map(resolveFunction)];
  const byTable = namesByEvent(functions.flatMap((name) => [['dns.resolve', `dns.${name}`], ['dns.resolve', `dnsPromises.${name}`]] as const));
  assert.deepEqual(catalogued(/^(dns|dnsPromises)\.resolve\w*$/), byTable);
});
