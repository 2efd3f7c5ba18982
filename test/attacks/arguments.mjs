// Attacks of test/arguments.test.ts: arguments that show the audit one value and Node another (a
// second coercion, bytes rewritten during Node's own checks, options read through the prototype,
// a relative path resolved after a chdir). Each reports what was audited (the harness's events)
// and what Node used, observed through the result or the side effect.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { errorData } from '../fixtures/outcome.mjs';

/** An object whose string or number value is `first` on the first conversion and `then` after. */
function twoFaced(first, then) {
  let calls = 0;
  const answer = () => (calls++ === 0 ? first : then);
  return { toString: answer, valueOf: answer };
}

function attempt(run) {
  try {
    return { returned: run() };
  } catch (error) {
    return { thrown: errorData(error) };
  }
}

export async function bindingName(harness) {
  const fsBinding = process.binding('fs');
  harness.clear();
  const viaObject = process.binding({ toString: () => 'fs' }) === fsBinding;
  // Audited as 'constants', loaded as 'fs' if Node converts a second time.
  const twoFacedResult = process.binding(twoFaced('constants', 'fs'));
  const linked = attempt(() => process._linkedBinding(twoFaced('audithook_a', 'audithook_b')));
  harness.done({ viaObject, gotFs: twoFacedResult === fsBinding, linked });
}

export async function dlopenName(harness) {
  const D = harness.tmp();
  const loaded = attempt(() => process.dlopen({ exports: {} }, twoFaced(`${D}/audited.node`, `${D}/loaded.node`)));
  harness.done({ D, loaded });
}

/** process.kill reads the pid three times (twice in JS, once in _kill): the last one signals. */
export async function killPid(harness) {
  const absent = 2 ** 30;
  let calls = 0;
  const pid = { valueOf: () => (++calls <= 2 ? process.pid : absent) };
  const sent = attempt(() => process.kill(pid, 0));
  const direct = attempt(() => process._kill({ valueOf: () => process.pid }, { valueOf: () => 0 }));
  harness.done({ pid: process.pid, absent, sent, direct });
}

/** A child's handle signals with whatever number its argument converts to. */
export async function childKillSignal(harness) {
  harness.pause();
  const child = childProcess.spawn('sleep', ['10']);
  await new Promise((resolve) => child.once('spawn', resolve));
  harness.resume();
  child._handle.kill({ valueOf: () => 9 });
  const signal = await new Promise((resolve) => child.once('exit', (_code, name) => resolve(name)));
  harness.done({ pid: child.pid, signal });
}

/** An argv element is converted by the audit, then again by the spawn binding. */
export async function argvElement(harness) {
  const sync = childProcess.spawnSync('echo', [twoFaced('audited', 'executed')], { encoding: 'utf8' }).stdout.trim();
  const child = childProcess.spawn('echo', [twoFaced('audited', 'executed')]);
  let out = '';
  child.stdout.on('data', (chunk) => { out += chunk; });
  await new Promise((resolve) => child.once('close', resolve));
  harness.done({ sync, async: out.trim() });
}

/** Node's path checks read `href` (and, for whole-file APIs, ToPrimitive) on a Buffer path: code that can rewrite it. */
export async function bufferRewrittenDuringCheck(harness) {
  const D = harness.tmp();
  const rewriting = (name) => {
    const bytes = Buffer.from(`${D}/audited-${name}`);
    const later = Buffer.from(`${D}/written-${name}`);
    Object.defineProperty(bytes, 'href', { get() { bytes.set(later); return undefined; } });
    return bytes;
  };
  fs.writeFileSync(rewriting('own'), 'x');
  // A getter every Buffer inherits reaches copies too.
  Object.defineProperty(Uint8Array.prototype, 'href', {
    configurable: true,
    get() { if (this.length > 0 && this[this.length - 1] === 0x7e) this.set(Buffer.from(`${D}/written-inherited~`)); return undefined; },
  });
  fs.writeFileSync(Buffer.from(`${D}/audited-inherited~`), 'x');
  delete Uint8Array.prototype.href;
  // writeFile's descriptor check converts the path to a number: Buffer.prototype.valueOf runs with it as `this`.
  const valueOf = Buffer.prototype.valueOf;
  Buffer.prototype.valueOf = function () { if (this.length > 0 && this[this.length - 1] === 0x7e) this.set(Buffer.from(`${D}/written-valueof~`)); return this; };
  fs.writeFileSync(Buffer.from(`${D}/audited-valueof~`), 'x');
  // An undecodable byte: Node gets the bytes, still as audited.
  const lossy = Buffer.concat([Buffer.from(`${D}/audited-lossy-`), Buffer.from([0xff, 0x7e])]);
  fs.writeFileSync(lossy, 'x');
  Buffer.prototype.valueOf = valueOf;
  // An own utf8Slice or toString does not decide what the event shows.
  const decoy = Buffer.from(`${D}/audited-decoy`);
  decoy.utf8Slice = () => `${D}/decoy-shown`;
  decoy.toString = () => `${D}/decoy-shown`;
  fs.writeFileSync(decoy, 'x');
  harness.pause();
  harness.done({ D, files: fs.readdirSync(D, { encoding: 'buffer' }).map((name) => name.toString('latin1')).sort() });
}

/**
 * Options Node reads through the prototype chain (options.flag): inherited non-enumerable keys, a
 * getter on Object.prototype that answers differently later, a copy rewritten from a getter.
 */
export async function inheritedOptions(harness) {
  const D = harness.tmp();
  harness.pause();
  fs.writeFileSync(`${D}/hidden`, 'kept');
  fs.writeFileSync(`${D}/getter`, 'kept');
  harness.resume();
  const hidden = Object.create(Object.defineProperty({}, 'flag', { value: 'a', enumerable: false }));
  hidden.encoding = 'utf8';
  const viaHidden = attempt(() => fs.writeFileSync(`${D}/hidden`, 'written', hidden));
  // readFile reads options.encoding, then options.flag: a getter on an unread key rewrites the copy's flag.
  let armed = true;
  Object.defineProperty(Object.prototype, 'signal', {
    configurable: true,
    get() { if (armed && 'flag' in this) { this.flag = 'w'; } return undefined; },
  });
  const viaGetter = attempt(() => fs.readFileSync(`${D}/getter`, { flag: 'r', encoding: 'utf8' }));
  armed = false;
  delete Object.prototype.signal;
  // mkdir reads options.recursive through the prototype; rm spreads own keys only (an inherited recursive is ignored).
  const mkdirInherited = attempt(() => fs.mkdirSync(`${D}/a/b`, { __proto__: Object.defineProperty({}, 'recursive', { value: true }) })?.slice(D.length));
  harness.pause();
  fs.mkdirSync(`${D}/full/sub`, { recursive: true });
  harness.resume();
  const rmInherited = attempt(() => fs.rmSync(`${D}/full`, { __proto__: { recursive: true } }));
  harness.pause();
  harness.done({
    D, viaHidden, viaGetter, mkdirInherited, rmInherited,
    hidden: fs.readFileSync(`${D}/hidden`, 'utf8'), getter: fs.readFileSync(`${D}/getter`, 'utf8'),
    made: fs.existsSync(`${D}/a/b`), full: fs.existsSync(`${D}/full`),
  });
}

/**
 * An async open of a relative path is audited in one directory; libuv's thread resolves it later.
 * With the only pool thread busy (UV_THREADPOOL_SIZE=1, a FIFO nobody writes yet), a chdir after
 * the call decides which file is written.
 */
export async function relativeAfterChdir(harness) {
  const D = harness.tmp();
  harness.pause();
  fs.mkdirSync(`${D}/audited`);
  fs.mkdirSync(`${D}/other`);
  childProcess.execFileSync('mkfifo', [`${D}/fifo`]);
  const busy = fsp.open(`${D}/fifo`, 'r');
  process.chdir(`${D}/audited`);
  harness.resume();
  const written = fsp.writeFile('target', 'x');
  const opened = new Promise((resolve) => fs.open('target-cb', 'w', (error, fd) => resolve(error ?? fs.closeSync(fd))));
  harness.pause();
  process.chdir(`${D}/other`);
  fs.closeSync(fs.openSync(`${D}/fifo`, 'w'));
  await (await busy).close();
  await written;
  await opened;
  harness.done({ D, audited: fs.readdirSync(`${D}/audited`).sort(), other: fs.readdirSync(`${D}/other`).sort() });
}
