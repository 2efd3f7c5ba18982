// Attacks of test/arguments.test.ts: arguments that show the audit one value and Node another (a
// second coercion, bytes rewritten during Node's own checks, options read through the prototype,
// a relative path resolved after a chdir). Each reports what was audited (the harness's events)
// and what Node used, observed through the result or the side effect.
import childProcess from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import module from 'node:module';
import fsp from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
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
 * new Worker(url): Node reads a file: URL's pathname again (fileURLToPath) and turns a data: URL into
 * text with `${url}`: an own getter or toString runs another script than the one audited.
 */
export async function workerURL(harness) {
  const D = harness.tmp();
  harness.pause();
  for (const name of ['audited', 'other']) fs.writeFileSync(`${D}/${name}.cjs`, `require('fs').writeFileSync(${JSON.stringify(`${D}/ran-${name}-file`)}, '')`);
  harness.resume();
  const file = new URL(`file://${D}/audited.cjs`);
  let reads = 0;
  Object.defineProperty(file, 'pathname', { get: () => (reads++ === 0 ? `${D}/audited.cjs` : `${D}/other.cjs`) });
  const data = (name) => `data:text/javascript,import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(`${D}/ran-${name}-data`)}, '')`;
  const url = new URL(data('audited'));
  url.toString = () => data('other');
  const done = (worker) => new Promise((resolve) => worker.once('exit', resolve));
  await done(new Worker(file));
  await done(new Worker(url));
  harness.pause();
  harness.done({ D, ran: fs.readdirSync(D).filter((name) => name.startsWith('ran-')).sort() });
}

/** new DatabaseSync(url, options): the binding reads the URL's href and each option again, after the audit. */
export async function sqliteArguments(harness) {
  const D = harness.tmp();
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
  const url = new URL(`file://${D}/audited.db`);
  Object.defineProperty(url, 'href', { get: () => `file://${D}/other.db` });
  new DatabaseSync(url).close();
  let opens = 0;
  let allows = 0;
  const db = new DatabaseSync(`${D}/late.db`, {
    get open() { return opens++ !== 0; },
    get allowExtension() { return allows++ !== 0; },
  });
  const extension = attempt(() => db.loadExtension(`${D}/none.so`));
  harness.pause();
  harness.done({ D, files: fs.readdirSync(D).sort(), extension: extension.thrown?.code ?? null });
}

/** module.register converts its specifier with `${specifier}`: any object will do, converted once by Node. */
export async function registerSpecifier(harness) {
  const D = harness.tmp();
  const hooks = (name) => `data:text/javascript,import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(`${D}/ran-${name}`)}, '');`;
  module.register(twoFaced(hooks('audited'), hooks('other')));
  module.register(hooks('options'), { parentURL: twoFaced('data:', 'file:///') });
  await import('node:path');
  harness.pause();
  await new Promise((resolve) => setTimeout(resolve, 200));
  harness.done({ D, ran: fs.readdirSync(D).sort() });
}

/** process.setgroups reads each element when validating, in the binding, and for its error message. */
export async function setgroupsElements(harness) {
  const groups = [];
  let reads = 0;
  Object.defineProperty(groups, 0, { enumerable: true, get: () => (reads++ === 0 ? 'audithook-audited' : 'audithook-other') });
  harness.done({ result: attempt(() => process.setgroups(groups)) });
}

/** fsPromises.glob walks when its matches are read: a chdir after the call moved the walk (unaudited: it runs inside the operation). */
export async function globAfterChdir(harness) {
  const D = harness.tmp();
  harness.pause();
  for (const dir of ['audited', 'other']) {
    fs.mkdirSync(`${D}/${dir}`);
    fs.writeFileSync(`${D}/${dir}/in-${dir}`, '');
  }
  process.chdir(`${D}/audited`);
  harness.resume();
  const matches = fsp.glob('*');
  const sync = fs.globSync('*');
  harness.pause();
  process.chdir(`${D}/other`);
  const seen = [];
  for await (const name of matches) seen.push(name);
  harness.done({ D, seen, sync });
}

/** An agent's own options override the request's (Node's addRequest spreads them last): the request names one host, the agent dials another. */
export async function agentHost(harness) {
  harness.pause();
  const server = http.createServer((_request, response) => response.end('reached'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const agent = new http.Agent({ host: '127.0.0.1' });
  const body = await new Promise((resolve, reject) => {
    http.get({ host: 'audited.invalid', port: server.address().port, agent }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
  harness.pause();
  agent.destroy();
  server.close();
  harness.done({ body, port: server.address()?.port ?? null });
}

/** utimes with Date objects: Node's path check reads `href` on the path string, where a getter can move the dates. */
export async function datesRewrittenDuringCheck(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(`${D}/f`, ''); harness.resume();
  const atime = new Date(1_000_000);
  const mtime = new Date(2_000_000);
  Object.defineProperty(String.prototype, 'href', { configurable: true, get() { mtime.setTime(5_000_000); return undefined; } });
  fs.utimesSync(`${D}/f`, atime, mtime);
  delete String.prototype.href;
  harness.pause();
  harness.done({ mtime: fs.statSync(`${D}/f`).mtimeMs / 1000 });
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

// ---- the property test's cases: recipes (plain data from the parent) built into hostile values ----

/**
 * `$D/` in a recipe's strings is the case's directory (absolute; other paths are relative to it,
 * the working directory); `$SELF` is this process's pid.
 */
function text(value, dir) {
  if (value === '$SELF') return process.pid;
  return typeof value === 'string' ? value.replaceAll('$D/', `${dir}/`) : value;
}

/** A function answering seq[0], seq[1], ... and then its last element. */
function sequence(seq, dir) {
  let i = 0;
  return () => text(seq[Math.min(i++, seq.length - 1)], dir);
}

/** A hostile value: a primitive, an object converting through toString, valueOf or Symbol.toPrimitive, a file: URL with a rewriting getter, a Buffer rewritten from its href. */
function hostile(recipe, dir) {
  const next = recipe.seq === undefined ? undefined : sequence(recipe.seq, dir);
  switch (recipe.kind) {
    case 'plain': return text(recipe.v, dir);
    case 'toString': return { toString: next };
    case 'valueOf': return { valueOf: next };
    case 'toPrimitive': return { [Symbol.toPrimitive]: next };
    case 'url': {
      const url = new URL(`file://${text(recipe.seq[0], dir)}`);
      Object.defineProperty(url, 'pathname', { get: next });
      return url;
    }
    case 'buffer': {
      const bytes = Buffer.from(text(recipe.v, dir));
      const later = Buffer.from(text(recipe.rewrite, dir));
      Object.defineProperty(bytes, 'href', { get() { bytes.set(later.subarray(0, bytes.length)); return undefined; } });
      return bytes;
    }
    default: throw new Error(`unknown value recipe ${recipe.kind}`);
  }
}

/** Options as plain own keys, inherited (`__proto__`), inherited non-enumerable, own getters, or a Proxy; each key's value a sequence. */
function hostileOptions(recipe, dir) {
  if (recipe.kind === 'none') return undefined;
  const keys = Object.keys(recipe.keys);
  const nexts = Object.fromEntries(keys.map((key) => [key, sequence(recipe.keys[key], dir)]));
  const getters = Object.fromEntries(keys.map((key) => [key, { get: nexts[key], enumerable: recipe.kind !== 'hidden', configurable: true }]));
  switch (recipe.kind) {
    case 'own': return Object.defineProperties({}, getters);
    case 'proto': return { __proto__: Object.defineProperties({}, getters) };
    case 'hidden': return Object.create(Object.defineProperties({}, getters));
    case 'proxy': return new Proxy({}, {
      get: (_target, key) => (Object.hasOwn(nexts, key) ? nexts[key]() : undefined),
      has: (_target, key) => Object.hasOwn(nexts, key),
      ownKeys: () => keys,
      getOwnPropertyDescriptor: (_target, key) => (Object.hasOwn(nexts, key) ? { value: undefined, enumerable: true, configurable: true } : undefined),
    });
    default: throw new Error(`unknown options recipe ${recipe.kind}`);
  }
}

function callCase(c, dir) {
  const v = (i) => hostile(c.values[i], dir);
  switch (c.api) {
    case 'writeFileSync': return fs.writeFileSync(v(0), 'X', hostileOptions(c.options, dir));
    case 'readFileSync': return fs.readFileSync(v(0), hostileOptions(c.options, dir));
    case 'openSync': return fs.closeSync(fs.openSync(v(0), v(1)));
    case 'renameSync': return fs.renameSync(v(0), v(1));
    case 'mkdirSync': return fs.mkdirSync(v(0), hostileOptions(c.options, dir));
    case 'writeFile': return fsp.writeFile(v(0), 'X', hostileOptions(c.options, dir));
    case 'spawnSync': {
      const child = childProcess.spawnSync('echo', c.values.map((_, i) => v(i)), { encoding: 'utf8' });
      return child.error ? Promise.reject(child.error) : child.stdout;
    }
    case 'kill': return process.kill(v(0), v(1));
    default: throw new Error(`unknown api ${c.api}`);
  }
}

/** The files and directories under `dir`: content of files, permission bits of directories. */
function state(dir, prefix = '') {
  const out = {};
  for (const entry of fs.readdirSync(`${dir}/${prefix}`, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      out[`${name}/`] = fs.statSync(`${dir}/${name}`).mode & 0o777;
      Object.assign(out, state(dir, `${name}/`));
    } else out[name] = fs.readFileSync(`${dir}/${name}`, 'latin1');
  }
  return out;
}

/**
 * Runs each case in a fresh directory (files a and b, the working directory): what the hook saw,
 * how the call ended and what the directory holds afterwards, with the directory written `$D`.
 */
export async function property(harness, cases) {
  const root = harness.tmp();
  const results = [];
  for (let i = 0; i < cases.length; i++) {
    const dir = `${root}/${i}`;
    harness.pause();
    fs.mkdirSync(dir);
    fs.writeFileSync(`${dir}/a`, 'A');
    fs.writeFileSync(`${dir}/b`, 'B');
    process.chdir(dir);
    harness.clear();
    harness.resume();
    let outcome;
    try {
      outcome = { returned: await callCase(cases[i], dir) ?? null };
    } catch (error) {
      outcome = { thrown: errorData(error) };
    }
    harness.pause();
    const seen = JSON.stringify({ events: harness.events, outcome, state: state(dir), pid: process.pid });
    results.push(JSON.parse(seen.replaceAll(`${dir}/`, '$D/').replaceAll(dir, '$D')));
  }
  harness.done({ results, umask: process.umask() });
}
