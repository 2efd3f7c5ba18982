/**
 * The fs paths that are not a plain function call: streams, FileHandle methods, openAsBlob,
 * watchers, invalid arguments, arguments that try to answer the audit differently from the
 * operation, callbacks that run inside composite operations, and transparency details.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './helpers/scenario';
import fs from 'node:fs';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

test('createReadStream raises open once, from the stream\'s own fs.open', () => {
  const seen = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/a', 'abc'); harness.resume();
    const chunks = [];
    await new Promise((resolve) => fs.createReadStream(D + '/a', { flags: 'r+' }).on('data', (c) => chunks.push(c)).on('close', resolve));
    harness.done({ D, data: Buffer.concat(chunks).toString() });
  `);
  const { D, data } = seen.result as { D: string; data: string };
  assert.equal(data, 'abc');
  assert.deepEqual(seen.events, [['open', `${D}/a`, 'r+', 2]]);
});

test('createWriteStream raises open once; a blocking hook becomes an error event and no file', () => {
  const allowed = runScenario(`
    const D = harness.tmp();
    const outcome = await via.stream(fs.createWriteStream(D + '/w'));
    harness.pause();
    harness.done({ D, outcome, written: fs.readFileSync(D + '/w', 'utf8') });
  `);
  const a = allowed.result as { D: string; outcome: { kind: string }; written: string };
  assert.deepEqual(allowed.events, [['open', `${a.D}/w`, 'w', 577]]);
  assert.equal(a.outcome.kind, 'closed');
  assert.equal(a.written, 'data');

  const blocked = runScenario(`
    const D = harness.tmp();
    harness.block('open');
    const outcome = await via.stream(fs.createWriteStream(D + '/w'));
    harness.unblock();
    harness.done({ outcome, exists: fs.existsSync(D + '/w') });
  `);
  const b = blocked.result as { outcome: { kind: string; error: { code: string } }; exists: boolean };
  assert.equal(b.outcome.kind, 'error-event');
  assert.equal(b.outcome.error.code, 'TEST_BLOCKED');
  assert.equal(b.exists, false);
});

test('createReadStream blocked: an error event, not a throw', () => {
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/a', 'abc'); harness.resume();
    harness.block('open');
    let thrown = null;
    let stream;
    try { stream = fs.createReadStream(D + '/a'); } catch (error) { thrown = errorData(error); }
    const outcome = thrown ? null : await via.stream(stream);
    harness.done({ thrown, outcome });
  `);
  const r = run.result as { thrown: unknown; outcome: { kind: string; error: { code: string } } };
  assert.equal(r.thrown, null);
  assert.equal(r.outcome.kind, 'error-event');
  assert.equal(r.outcome.error.code, 'TEST_BLOCKED');
});

test('FileHandle chmod, chown, truncate and utimes raise their events with the descriptor', () => {
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/a', 'hello'); harness.resume();
    const handle = await fsp.open(D + '/a', 'r+');
    await handle.chmod(0o600);
    await handle.chown(process.getuid(), process.getgid());
    await handle.truncate(2);
    await handle.utimes(1000, 2000);
    harness.block('os.truncate');
    const blocked = await handle.truncate(0).then(() => 'resolved', (error) => error.code);
    harness.unblock();
    await handle.close();
    harness.pause();
    harness.done({ D, fd: handle.fd, blocked, content: fs.readFileSync(D + '/a', 'utf8'), mode: fs.statSync(D + '/a').mode & 0o777 });
  `);
  const r = run.result as { D: string; blocked: string; content: string; mode: number };
  assert.equal(r.blocked, 'TEST_BLOCKED');
  assert.equal(r.content, 'he');
  assert.equal(r.mode, 0o600);
  const [open, ...rest] = run.events;
  assert.deepEqual(open, ['open', `${r.D}/a`, 'r+', 2]);
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
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/a', 'blob'); harness.resume();
    const text = await (await fs.openAsBlob(D + '/a')).text();
    harness.block('open');
    const blocked = via.sync(fs, 'openAsBlob', [D + '/a']);
    harness.done({ D, text, blocked });
  `);
  const r = run.result as { D: string; text: string; blocked: { kind: string; error: { code: string } } };
  assert.equal(r.text, 'blob');
  assert.equal(r.blocked.kind, 'thrown');
  assert.equal(r.blocked.error.code, 'TEST_BLOCKED');
  assert.deepEqual(run.events, [['open', `${r.D}/a`, 'r', 0], ['open', `${r.D}/a`, 'r', 0]]);
});

test('openAsBlobSync (Node 26) raises open for reading; blocked, it throws and opens nothing', { skip: typeof (fs as { openAsBlobSync?: unknown }).openAsBlobSync !== 'function' && 'needs Node 26' }, () => {
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/a', 'blob'); harness.resume();
    const text = await fs.openAsBlobSync(D + '/a').text();
    harness.block('open');
    const blocked = via.sync(fs, 'openAsBlobSync', [D + '/a']);
    harness.done({ D, text, blocked });
  `);
  const r = run.result as { D: string; text: string; blocked: { kind: string; error: { code: string } } };
  assert.equal(r.text, 'blob');
  assert.equal(r.blocked.kind, 'thrown');
  assert.equal(r.blocked.error.code, 'TEST_BLOCKED');
  assert.deepEqual(run.events, [['open', `${r.D}/a`, 'r', 0], ['open', `${r.D}/a`, 'r', 0]]);
});

test('fs.watch, fs.watchFile and fsPromises.watch raise fs.watch; blocked, no watcher starts', () => {
  const run = runScenario(`
    const D = harness.tmp();
    fs.watch(D, { recursive: false }).close();
    fs.watchFile(D, () => {}); fs.unwatchFile(D);
    const iterator = fsp.watch(D, { signal: AbortSignal.abort() });
    const aborted = await iterator.next().then(() => 'no', (error) => error.name);
    harness.block('fs.watch');
    const watchBlocked = via.sync(fs, 'watch', [D]);
    const iterated = await fsp.watch(D).next().then(() => 'resolved', (error) => error.code);
    harness.done({ D, aborted, watchBlocked, iterated });
  `);
  const r = run.result as { D: string; aborted: string; watchBlocked: { kind: string }; iterated: string };
  assert.equal(r.aborted, 'AbortError');
  assert.equal(r.watchBlocked.kind, 'thrown');
  assert.equal(r.iterated, 'TEST_BLOCKED', 'the promise form reports through its iterator, as Node reports its validation errors');
  assert.deepEqual(run.events, Array.from({ length: 5 }, () => ['fs.watch', r.D, false]));
});

test('invalid arguments raise nothing and fail exactly as in plain Node', () => {
  const body = `
    const D = harness.tmp();
    const calls = [
      via.sync(fs, 'renameSync', [123, D + '/b']),
      via.sync(fs, 'openSync', [D + '/a', 'no-such-flag']),
      via.sync(fs, 'openSync', [D + '/a\\u0000b']),
      via.sync(fs, 'mkdirSync', [D + '/m', { mode: 'rwx' }]),
      via.sync(fs, 'chmodSync', [D, {}]),
      via.sync(fs, 'openSync', [new URL('http://example.invalid/x')]),
      await via.callback(fs, 'open', [D + '/a', 'bogus']),
      await via.promise(fsp, 'rename', [null, D]),
      via.sync(fs, 'readFileSync', [D + '/missing']),
    ];
    harness.done({ D, calls: JSON.parse(JSON.stringify(calls).replaceAll(D, '$D')) });
  `;
  const audited = runScenario(body);
  const plain = runScenario(body, { plain: true });
  const { D, calls } = audited.result as { D: string; calls: { kind: string }[] };
  assert.deepEqual(audited.events, [['open', `${D}/missing`, 'r', 0]], 'only the valid read of a missing file raises open');
  assert.deepEqual(calls, (plain.result as { calls: unknown }).calls);
  for (const outcome of calls) assert.match(outcome.kind, /^(thrown|rejected)$/);
});

test('a URL or options object cannot answer the audit one way and the operation another', () => {
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.writeFileSync(D + '/allowed', 'ok'); fs.writeFileSync(D + '/secret', 'secret'); harness.resume();
    let reads = 0;
    const url = new URL('file://' + D + '/allowed');
    const twoFaced = {
      href: url.href, protocol: 'file:', hostname: '',
      get pathname() { return reads++ === 0 ? D + '/allowed' : D + '/secret'; },
    };
    const viaUrl = fs.readFileSync(twoFaced, 'utf8');
    let flagReads = 0;
    const options = { get flag() { return flagReads++ === 0 ? 'r' : 'w'; } };
    const viaOptions = fs.readFileSync(D + '/allowed', options).toString();
    harness.pause();
    harness.done({ D, viaUrl, viaOptions, flagReads, allowedStill: fs.readFileSync(D + '/allowed', 'utf8') });
  `);
  const r = run.result as { D: string; viaUrl: string; viaOptions: string; flagReads: number; allowedStill: string };
  assert.equal(r.viaUrl, 'ok', 'the file that was audited is the file that was read');
  assert.equal(r.viaOptions, 'ok');
  assert.equal(r.flagReads, 1, 'the options were read once');
  assert.equal(r.allowedStill, 'ok', 'no second reading turned the read into a truncating write');
  assert.deepEqual(run.events.slice(0, 2), [['open', `${r.D}/allowed`, 'r', 0], ['open', `${r.D}/allowed`, 'r', 0]]);
});

test('code that runs inside a composite operation (cp filter, callbacks) is audited', () => {
  const run = runScenario(`
    harness.pause();
    const D = harness.tmp();
    fs.mkdirSync(D + '/t/sub', { recursive: true }); fs.writeFileSync(D + '/t/f', 'x');
    harness.resume();
    fs.cpSync(D + '/t', D + '/c1', { recursive: true, filter: (src) => { fs.writeFileSync(D + '/from-filter', src); return true; } });
    await new Promise((resolve) => fs.rm(D + '/c1', { recursive: true }, () => { fs.mkdirSync(D + '/from-callback'); resolve(); }));
    await fsp.cp(D + '/t', D + '/c2', { recursive: true, filter: async () => { await fsp.readdir(D); return true; } });
    harness.done({ D });
  `);
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
  const body = `
    import('node:util').then(async ({ promisify }) => {
      const D = harness.tmp();
      fs.writeFileSync(D + '/a', 'x');
      const shape = (o, names) => names.map((n) => [n, o[n].name, o[n].length, Object.getOwnPropertySymbols(o[n]).length, Function.prototype.toString.call(o[n])]);
      const existsPromisified = await promisify(fs.exists)(D + '/a');
      const readPromisified = await promisify(fs.readFile)(D + '/a', 'utf8');
      let thisInCallback = 'unset';
      await new Promise((resolve) => fs.readFile(D + '/a', function () { thisInCallback = this === undefined ? 'undefined' : typeof this; resolve(); }));
      const sync = fs.readFileSync.call(fs, D + '/a', 'utf8');
      harness.done({
        fs: shape(fs, ['open', 'openSync', 'readFile', 'writeFileSync', 'rm', 'cp', 'mkdtemp', 'watch', 'read']),
        fsp: shape(fsp, ['open', 'readFile', 'rm', 'cp']),
        existsPromisified, readPromisified, thisInCallback, sync,
        constructorName: fsp.readFile.constructor.name,
      });
    });
  `;
  const audited = runScenario(body);
  const plain = runScenario(body, { plain: true });
  assert.deepEqual(audited.result, plain.result);
});

test('ESM named imports of node:fs and node:fs/promises see the instrumented functions', () => {
  const run = runScenario(`
    const { writeFileSync } = await import('node:fs');
    const { readFile } = await import('node:fs/promises');
    const D = harness.tmp();
    writeFileSync(D + '/a', 'x');
    await readFile(D + '/a');
    harness.done({ D });
  `);
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/a`, 'w', 577], ['open', `${D}/a`, 'r', 0]]);
});

test('a reference captured before the instrumentation is installed is not audited (documented limit)', () => {
  const capture = 'data:text/javascript,import fs from "node:fs"; globalThis.captured = fs.writeFileSync;';
  const run = runScenario(`
    const D = harness.tmp();
    globalThis.captured(D + '/early', 'x');
    fs.writeFileSync(D + '/late', 'x');
    harness.done({ D });
  `, { nodeArgs: ['--import', capture] });
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/late`, 'w', 577]]);
});

test('with --import audithook/register, nothing loaded afterwards can capture an uninstrumented function', () => {
  const capture = 'data:text/javascript,import fs from "node:fs"; globalThis.captured = fs.writeFileSync;';
  const run = runScenario(`
    const D = harness.tmp();
    globalThis.captured(D + '/early', 'x');
    harness.done({ D });
  `, { nodeArgs: ['--import', 'audithook/register', '--import', capture] });
  const { D } = run.result as { D: string };
  assert.deepEqual(run.events, [['open', `${D}/early`, 'w', 577]]);
});

test('glob matches are not re-audited as directory listings', { skip: NODE_MAJOR < 22 ? 'needs Node 22' : false }, () => {
  const run = runScenario(`
    const D = harness.tmp();
    harness.pause(); fs.mkdirSync(D + '/a/b/c', { recursive: true }); harness.resume();
    const found = [];
    for await (const entry of fsp.glob('**', { cwd: D })) found.push(entry);
    harness.done({ D, found: found.filter((entry) => entry !== '.').sort() });
  `);
  const r = run.result as { D: string; found: string[] };
  assert.deepEqual(r.found, ['a', 'a/b', 'a/b/c'], 'the walk itself works (Node 24 also yields \'.\')');
  assert.deepEqual(run.events, [['glob.glob/2', '**', true, r.D, null]]);
});

test('every function fs exports is instrumented or deliberately unaudited (a new Node API fails here)', () => {
  const run = runScenario(`
    const { unauditedApis } = await import('audithook/catalogue');
    harness.done({ unaudited: unauditedApis.flatMap((entry) => entry.apis), untouched: globalThis.untouched() });
  `, { nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(`
    import fs from 'node:fs';
    const before = [
      ...Object.keys(fs).map((name) => ['fs.' + name, fs, name, fs[name]]),
      ...Object.keys(fs.promises).map((name) => ['fsPromises.' + name, fs.promises, name, fs.promises[name]]),
    ].filter(([api, , name, value]) => typeof value === 'function' && !/^[A-Z]/.test(name));
    globalThis.untouched = () => before.filter(([, object, name, value]) => object[name] === value).map(([api]) => api);
  `)}`] });
  const { unaudited, untouched } = run.result as { unaudited: string[]; untouched: string[] };
  assert.deepEqual(untouched.filter((api) => !unaudited.includes(api)), [], 'exported, not instrumented, not documented');
});
