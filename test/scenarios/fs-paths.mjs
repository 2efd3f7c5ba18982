// Scenarios of test/fs-paths.test.ts, each run in its own process by runScenario(scenario('fs-paths/<name>')).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { via, errorData } from '../fixtures/outcome.mjs';

export async function createReadStreamRaisesOpenStream(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(D + '/a', 'abc'); harness.resume();
  const chunks = [];
  await new Promise((resolve) => fs.createReadStream(D + '/a', { flags: 'r+' }).on('data', (c) => chunks.push(c)).on('close', resolve));
  harness.done({ D, data: Buffer.concat(chunks).toString() });
}

export async function createWriteStreamRaisesOpenBlockingAllowed(harness) {
  const D = harness.tmp();
  const outcome = await via.stream(fs.createWriteStream(D + '/w'));
  harness.pause();
  harness.done({ D, outcome, written: fs.readFileSync(D + '/w', 'utf8') });
}

export async function createWriteStreamRaisesOpenBlockingBlocked(harness) {
  const D = harness.tmp();
  harness.block('open');
  const outcome = await via.stream(fs.createWriteStream(D + '/w'));
  harness.unblock();
  harness.done({ outcome, exists: fs.existsSync(D + '/w') });
}

export async function createReadStreamBlockedErrorEvent(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(D + '/a', 'abc'); harness.resume();
  harness.block('open');
  let thrown = null;
  let stream;
  try { stream = fs.createReadStream(D + '/a'); } catch (error) { thrown = errorData(error); }
  const outcome = thrown ? null : await via.stream(stream);
  harness.done({ thrown, outcome });
}

export async function fileHandleChmodChownTruncate(harness) {
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
}

export async function openAsBlobRaisesOpenReading(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(D + '/a', 'blob'); harness.resume();
  const text = await (await fs.openAsBlob(D + '/a')).text();
  harness.block('open');
  const blocked = via.sync(fs, 'openAsBlob', [D + '/a']);
  harness.done({ D, text, blocked });
}

export async function openAsBlobSyncNode26Raises(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(D + '/a', 'blob'); harness.resume();
  const text = await fs.openAsBlobSync(D + '/a').text();
  harness.block('open');
  const blocked = via.sync(fs, 'openAsBlobSync', [D + '/a']);
  harness.done({ D, text, blocked });
}

export async function fsWatchFsWatchFile(harness) {
  const D = harness.tmp();
  fs.watch(D, { recursive: false }).close();
  fs.watchFile(D, () => {}); fs.unwatchFile(D);
  const iterator = fsp.watch(D, { signal: AbortSignal.abort() });
  const aborted = await iterator.next().then(() => 'no', (error) => error.name);
  harness.block('fs.watch');
  const watchBlocked = via.sync(fs, 'watch', [D]);
  const iterated = await fsp.watch(D).next().then(() => 'resolved', (error) => error.code);
  harness.done({ D, aborted, watchBlocked, iterated });
}

export async function recursiveWatchIsOneEvent(harness) {
  const D = harness.tmp();
  harness.pause(); fs.mkdirSync(D + '/a/b', { recursive: true }); harness.resume();
  // A hook that refuses every listing and every watch of one directory: Node's own work for the
  // recursive watch must not reach it.
  harness.block('os.listdir');
  const watcher = fs.watch(D, { recursive: true });
  const seen = new Promise((resolve) => watcher.on('change', (_type, name) => { if (String(name).endsWith('late')) resolve(String(name)); }));
  // A directory made while watching is watched (and listed) too: still Node's own work.
  harness.unblock();
  fs.mkdirSync(D + '/a/b/new');
  harness.block('os.listdir');
  await new Promise((resolve) => setTimeout(resolve, 200));
  harness.pause(); fs.writeFileSync(D + '/a/b/new/late', 'x'); harness.resume();
  const name = await Promise.race([seen, new Promise((resolve) => setTimeout(() => resolve('no change seen'), 5000))]);
  watcher.close();
  // The program's own listing, after the watch, is still audited.
  const listed = via.sync(fs, 'readdirSync', [D + '/a']);
  harness.unblock();
  harness.done({ D, name, listed });
}

export async function invalidArgumentsRaiseNothing(harness) {
  const D = harness.tmp();
  const calls = [
    via.sync(fs, 'renameSync', [123, D + '/b']),
    via.sync(fs, 'openSync', [D + '/a', 'no-such-flag']),
    via.sync(fs, 'openSync', [D + '/a\u0000b']),
    via.sync(fs, 'mkdirSync', [D + '/m', { mode: 'rwx' }]),
    via.sync(fs, 'chmodSync', [D, {}]),
    via.sync(fs, 'openSync', [new URL('http://example.invalid/x')]),
    await via.callback(fs, 'open', [D + '/a', 'bogus']),
    await via.promise(fsp, 'rename', [null, D]),
    via.sync(fs, 'readFileSync', [D + '/missing']),
  ];
  harness.done({ D, calls: JSON.parse(JSON.stringify(calls).replaceAll(D, '$D')) });
}

export async function uRLOptionsObjectCannot(harness) {
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
}

export async function codeRunsInsideComposite(harness) {
  harness.pause();
  const D = harness.tmp();
  fs.mkdirSync(D + '/t/sub', { recursive: true }); fs.writeFileSync(D + '/t/f', 'x');
  harness.resume();
  fs.cpSync(D + '/t', D + '/c1', { recursive: true, filter: (src) => { fs.writeFileSync(D + '/from-filter', src); return true; } });
  await new Promise((resolve) => fs.rm(D + '/c1', { recursive: true }, () => { fs.mkdirSync(D + '/from-callback'); resolve(); }));
  await fsp.cp(D + '/t', D + '/c2', { recursive: true, filter: async () => { await fsp.readdir(D); return true; } });
  harness.done({ D });
}

export async function instrumentedFunctionsKeepName(harness) {
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
}

export async function eSMNamedImportsNode(harness) {
  const { writeFileSync } = await import('node:fs');
  const { readFile } = await import('node:fs/promises');
  const D = harness.tmp();
  writeFileSync(D + '/a', 'x');
  await readFile(D + '/a');
  harness.done({ D });
}

export async function referenceCapturedBeforeInstrumentation(harness) {
  const D = harness.tmp();
  globalThis.captured(D + '/early', 'x');
  fs.writeFileSync(D + '/late', 'x');
  harness.done({ D });
}

export async function globMatchesNotRe(harness) {
  const D = harness.tmp();
  harness.pause(); fs.mkdirSync(D + '/a/b/c', { recursive: true }); harness.resume();
  const found = [];
  for await (const entry of fsp.glob('**', { cwd: D })) found.push(entry);
  harness.done({ D, found: found.filter((entry) => entry !== '.').sort() });
}
