/**
 * The fs paths that are not a plain function call: streams, FileHandle methods, openAsBlob,
 * watchers, invalid arguments, arguments that try to answer the audit differently from the
 * operation, callbacks that run inside composite operations, and transparency details.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolve } from 'node:path';
import { O_CLOEXEC, REPO_ROOT, runScenario, scenario } from './helpers/scenario';
import { fromSince } from './helpers/since';
import fs from 'node:fs';


test('createReadStream raises open once, from the stream\'s own fs.open', () => {
  const seen = runScenario(scenario('fs-paths/createReadStreamRaisesOpenStream'));
  const { D, data } = seen.result as { D: string; data: string };
  assert.equal(data, 'abc');
  assert.deepEqual(seen.events, [['open', `${D}/a`, 'r+', 2 | O_CLOEXEC]]);
});

test('createWriteStream raises open once; a blocking hook becomes an error event and no file', () => {
  const allowed = runScenario(scenario('fs-paths/createWriteStreamRaisesOpenBlockingAllowed'));
  const a = allowed.result as { D: string; outcome: { kind: string }; written: string };
  assert.deepEqual(allowed.events, [['open', `${a.D}/w`, 'w', 577 | O_CLOEXEC]]);
  assert.equal(a.outcome.kind, 'closed');
  assert.equal(a.written, 'data');

  const blocked = runScenario(scenario('fs-paths/createWriteStreamRaisesOpenBlockingBlocked'));
  const b = blocked.result as { outcome: { kind: string; error: { code: string } }; exists: boolean };
  assert.equal(b.outcome.kind, 'error-event');
  assert.equal(b.outcome.error.code, 'TEST_BLOCKED');
  assert.equal(b.exists, false);
});

test('createReadStream blocked: an error event, not a throw', () => {
  const run = runScenario(scenario('fs-paths/createReadStreamBlockedErrorEvent'));
  const r = run.result as { thrown: unknown; outcome: { kind: string; error: { code: string } } };
  assert.equal(r.thrown, null);
  assert.equal(r.outcome.kind, 'error-event');
  assert.equal(r.outcome.error.code, 'TEST_BLOCKED');
});

test('FileHandle chmod, chown, truncate and utimes raise their events with the descriptor', () => {
  const run = runScenario(scenario('fs-paths/fileHandleChmodChownTruncate'));
  const r = run.result as { D: string; blocked: string; content: string; mode: number };
  assert.equal(r.blocked, 'TEST_BLOCKED');
  assert.equal(r.content, 'he');
  assert.equal(r.mode, 0o600);
  const [open, ...rest] = run.events;
  assert.deepEqual(open, ['open', `${r.D}/a`, 'r+', 2 | O_CLOEXEC]);
  const fd = rest[0]?.[1];
  assert.equal(typeof fd, 'number');
  assert.deepEqual(rest, [
    ['os.chmod', fd, 0o600, null],
    ['os.chown', fd, process.getuid?.(), process.getgid?.(), null],
    ['os.truncate', fd, 2],
    ['os.utime', fd, [1000, 2000], null, null],
    ['os.truncate', fd, 0],
  ]);
});

test('openAsBlob raises open for reading; blocked, it throws as its validation does', () => {
  const run = runScenario(scenario('fs-paths/openAsBlobRaisesOpenReading'));
  const r = run.result as { D: string; text: string; blocked: { kind: string; error: { code: string } } };
  assert.equal(r.text, 'blob');
  assert.equal(r.blocked.kind, 'thrown');
  assert.equal(r.blocked.error.code, 'TEST_BLOCKED');
  assert.deepEqual(run.events, [['open', `${r.D}/a`, 'r', 0 | O_CLOEXEC], ['open', `${r.D}/a`, 'r', 0 | O_CLOEXEC]]);
});

test('openAsBlobSync (Node 26) raises open for reading; blocked, it throws and opens nothing', { skip: typeof (fs as { openAsBlobSync?: unknown }).openAsBlobSync !== 'function' && 'needs Node 26' }, () => {
  const run = runScenario(scenario('fs-paths/openAsBlobSyncNode26Raises'));
  const r = run.result as { D: string; text: string; blocked: { kind: string; error: { code: string } } };
  assert.equal(r.text, 'blob');
  assert.equal(r.blocked.kind, 'thrown');
  assert.equal(r.blocked.error.code, 'TEST_BLOCKED');
  assert.deepEqual(run.events, [['open', `${r.D}/a`, 'r', 0 | O_CLOEXEC], ['open', `${r.D}/a`, 'r', 0 | O_CLOEXEC]]);
});

test('fs.watch, fs.watchFile and fsPromises.watch raise fs.watch; blocked, no watcher starts', () => {
  const run = runScenario(scenario('fs-paths/fsWatchFsWatchFile'));
  const r = run.result as { D: string; aborted: string; watchBlocked: { kind: string }; iterated: string };
  assert.equal(r.aborted, 'AbortError');
  assert.equal(r.watchBlocked.kind, 'thrown');
  assert.equal(r.iterated, 'TEST_BLOCKED', 'the promise form reports through its iterator, as Node reports its validation errors');
  assert.deepEqual(run.events, Array.from({ length: 5 }, () => ['fs.watch', r.D, false]));
});

test('a recursive fs.watch is one event: the watches and listings Node makes for each directory raise nothing', () => {
  const run = runScenario(scenario('fs-paths/recursiveWatchIsOneEvent'));
  const r = run.result as { D: string; name: string; listed: { kind: string; error?: { code: string } } };
  assert.match(r.name, /new.late$/, 'the watch sees a change in a directory made after it started');
  assert.equal(r.listed.error?.code, 'TEST_BLOCKED', "the program's own listing is audited");
  assert.deepEqual(run.events, [['fs.watch', r.D, true], ['os.mkdir', `${r.D}/a/b/new`, 0o777, null], ['os.listdir', `${r.D}/a`]]);
});

test('invalid arguments raise nothing and fail exactly as in plain Node', () => {
  const body = scenario('fs-paths/invalidArgumentsRaiseNothing');
  const audited = runScenario(body);
  const plain = runScenario(body, { plain: true });
  const { D, calls } = audited.result as { D: string; calls: { kind: string }[] };
  assert.deepEqual(audited.events, [['open', `${D}/missing`, 'r', 0 | O_CLOEXEC]], 'only the valid read of a missing file raises open');
  assert.deepEqual(calls, (plain.result as { calls: unknown }).calls);
  for (const outcome of calls) assert.match(outcome.kind, /^(thrown|rejected)$/);
});

test('a URL or options object cannot answer the audit one way and the operation another', () => {
  const run = runScenario(scenario('fs-paths/uRLOptionsObjectCannot'));
  const r = run.result as { D: string; viaUrl: string; viaOptions: string; flagReads: number; allowedStill: string };
  assert.equal(r.viaUrl, 'ok', 'the file that was audited is the file that was read');
  assert.equal(r.viaOptions, 'ok');
  assert.equal(r.flagReads, 1, 'the options were read once');
  assert.equal(r.allowedStill, 'ok', 'no second reading turned the read into a truncating write');
  assert.deepEqual(run.events.slice(0, 2), [['open', `${r.D}/allowed`, 'r', 0 | O_CLOEXEC], ['open', `${r.D}/allowed`, 'r', 0 | O_CLOEXEC]]);
});

test('code that runs inside a composite operation (cp filter, callbacks) is audited', () => {
  const run = runScenario(scenario('fs-paths/codeRunsInsideComposite'));
  const { D } = run.result as { D: string };
  const names = run.events.map((e) => `${String(e[0])} ${String(e[1]).replace(D, '')}`);
  assert.deepEqual(names.filter((n) => !n.startsWith('open /from-filter') && !n.startsWith('os.listdir ')), [
    'shutil.copytree /t',
    'shutil.rmtree /c1',
    'os.mkdir /from-callback',
    'shutil.copytree /t',
  ]);
  assert.ok(names.filter((n) => n === 'open /from-filter').length >= 3, 'the filter\'s writes are audited');
  assert.ok(names.filter((n) => n === 'os.listdir ').length >= 3, 'the async filter\'s reads are audited');
});

test('instrumented functions keep name, length, source text, this and promisify behaviour', () => {
  const body = scenario('fs-paths/instrumentedFunctionsKeepName');
  const audited = runScenario(body);
  const plain = runScenario(body, { plain: true });
  assert.deepEqual(audited.result, plain.result);
});

test('ESM named imports of node:fs and node:fs/promises see the instrumented functions', () => {
  const run = runScenario(scenario('fs-paths/eSMNamedImportsNode'));
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/a`, 'w', 577 | O_CLOEXEC], ['open', `${D}/a`, 'r', 0 | O_CLOEXEC]]);
});

test('a reference captured before the instrumentation is installed is not audited (documented limit)', () => {
  const capture = 'data:text/javascript,import fs from "node:fs"; globalThis.captured = fs.writeFileSync;';
  const run = runScenario(scenario('fs-paths/referenceCapturedBeforeInstrumentation'), { nodeArgs: ['--import', capture] });
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/late`, 'w', 577 | O_CLOEXEC]]);
});

test('with --import audithook/register, nothing loaded afterwards can capture an uninstrumented function', () => {
  const capture = 'data:text/javascript,import fs from "node:fs"; globalThis.captured = fs.writeFileSync;';
  const run = runScenario(scenario('fs-paths/referenceCapturedBeforeInstrumentation'), { nodeArgs: ['--import', 'audithook/register', '--import', capture] });
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/early`, 'w', 577 | O_CLOEXEC], ['open', `${D}/late`, 'w', 577 | O_CLOEXEC]]);
});

test('glob matches are not re-audited as directory listings', { skip: fromSince('glob.glob', 'glob.glob/2') }, () => {
  const run = runScenario(scenario('fs-paths/globMatchesNotRe'));
  const r = run.result as { D: string; found: string[] };
  assert.deepEqual(r.found, ['a', 'a/b', 'a/b/c'], 'the walk itself works (Node 24 also yields \'.\')');
  assert.deepEqual(run.events, [['glob.glob', '**', true], ['glob.glob/2', '**', true, r.D, null]]);
});

test('every function fs exports is instrumented or deliberately unaudited (a new Node API fails here)', () => {
  const run = runScenario(scenario('inventory/fsFunctions'), { nodeArgs: ['--import', resolve(REPO_ROOT, 'test', 'fixtures', 'fs-functions-before.mjs')] });
  const { unaudited, untouched } = run.result as { unaudited: string[]; untouched: string[] };
  assert.deepEqual(untouched.filter((api) => !unaudited.includes(api)), [], 'exported, not instrumented, not documented');
});
