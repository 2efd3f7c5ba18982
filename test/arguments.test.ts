/**
 * Issue #11 §3: every wrapped API audits exactly the value Node then uses. The attacks are
 * test/attacks/arguments.mjs; each compares the event with what Node did (a result, a file, a signal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, scenario } from './helpers/scenario';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

test('process.binding and _linkedBinding convert the name once: the event names the binding loaded', () => {
  const run = runScenario(scenario('arguments/bindingName'));
  const r = run.result as { viaObject: boolean; gotFs: boolean; linked: { thrown: { message: string } } };
  assert.equal(r.viaObject, true);
  assert.equal(r.gotFs, false, 'the binding loaded is the one audited (constants), not a second conversion');
  assert.match(r.linked.thrown.message, /audithook_a/);
  assert.deepEqual(run.events, [['process.binding', 'fs'], ['process.binding', 'constants'], ['process._linkedBinding', 'audithook_a']]);
});

test('process.dlopen converts the filename once: the event names the file Node tries to load', () => {
  const run = runScenario(scenario('arguments/dlopenName'));
  const r = run.result as { D: string; loaded: { thrown: { message: string } } };
  assert.match(r.loaded.thrown.message, /audited\.node/);
  assert.deepEqual(run.events, [['ctypes.dlopen', `${r.D}/audited.node`]]);
});

test('process.kill with a pid object: the pid audited is the pid signalled', () => {
  const run = runScenario(scenario('arguments/killPid'));
  const r = run.result as { pid: number; absent: number; sent: { thrown?: { code: string } }; direct: { returned: number } };
  assert.equal(r.sent.thrown?.code, 'ESRCH', 'the pid the third conversion gave was signalled');
  assert.equal(r.direct.returned, 0);
  assert.deepEqual(run.events.filter((e) => e[0] === 'os.kill'), [['os.kill', r.absent, 0], ['os.kill', r.pid, 0]]);
});

test('a child handle\'s kill with a signal object: audited as the number sent', () => {
  const run = runScenario(scenario('arguments/childKillSignal'));
  const r = run.result as { pid: number; signal: string };
  assert.equal(r.signal, 'SIGKILL');
  assert.deepEqual(run.events.filter((e) => e[0] === 'os.kill'), [['os.kill', r.pid, 9]]);
});

test('an argv element is converted once: the program runs with the audited argument', () => {
  const run = runScenario(scenario('arguments/argvElement'));
  const r = run.result as { sync: string; async: string };
  assert.deepEqual(r, { sync: 'audited', async: 'audited' });
  const argv = run.events.filter((e) => e[0] === 'subprocess.Popen').map((e) => e[2]);
  assert.deepEqual(argv, [['echo', 'audited'], ['echo', 'audited']]);
});

test('a Buffer path rewritten from Node\'s own checks (an href getter, valueOf) opens the file audited', () => {
  const run = runScenario(scenario('arguments/bufferRewrittenDuringCheck'));
  const { D, files } = run.result as { D: string; files: string[] };
  const lossy = Buffer.from([0xff, 0x7e]).toString('latin1');
  assert.deepEqual(files, ['audited-decoy', 'audited-inherited~', `audited-lossy-${lossy}`, 'audited-own', 'audited-valueof~']);
  assert.deepEqual(run.events.map((e) => e.slice(0, 2)), [
    ['open', `${D}/audited-own`], ['open', `${D}/audited-inherited~`], ['open', `${D}/audited-valueof~`],
    ['open', `${D}/audited-lossy-\ufffd~`], ['open', `${D}/audited-decoy`],
  ]);
});

test('new Worker with a URL whose getters or toString answer again: the script audited is the script run', () => {
  const run = runScenario(scenario('arguments/workerURL'));
  const { D, ran } = run.result as { D: string; ran: string[] };
  assert.deepEqual(ran, ['ran-audited-data', 'ran-audited-file']);
  const starts = run.events.filter((e) => e[0] === 'worker_threads.Worker').map((e) => String(e[1]));
  assert.equal(starts.length, 2);
  assert.equal(starts[0], `${D}/audited.cjs`);
  assert.match(starts[1], /ran-audited-data/);
});

test('new DatabaseSync with a rewriting URL or option getters: what opens, and with what, is what was audited', { skip: NODE_MAJOR < 24 && 'node:sqlite is instrumented from Node 24' }, () => {
  const run = runScenario(scenario('arguments/sqliteArguments'));
  const { D, files, extension } = run.result as { D: string; files: string[]; extension: string | null };
  const connects = run.events.filter((e) => e[0] === 'sqlite3.connect').map((e) => e[1]);
  // The binding opens the URL's href (a SQLite URI): read once, it is what is audited.
  assert.deepEqual(files, ['other.db']);
  assert.deepEqual(connects, [`${D}/other.db`]);
  assert.equal(extension, 'ERR_INVALID_STATE', 'extensions stay off as audited (no enable_load_extension)');
  assert.deepEqual(run.events.filter((e) => e[0] === 'sqlite3.enable_load_extension'), []);
});

test('module.register with an object specifier: raised, with the specifier and parent Node registers', () => {
  const run = runScenario(scenario('arguments/registerSpecifier'));
  const { ran } = run.result as { ran: string[] };
  assert.deepEqual(ran, ['ran-audited', 'ran-options']);
  const registers = run.events.filter((e) => e[0] === 'module.register').map((e) => [/ran-(\w+)/.exec(String(e[1]))?.[1], e[2]]);
  assert.deepEqual(registers, [['audited', null], ['options', 'data:']]);
});

test('utimes with Date objects: the times audited are the times set', () => {
  const run = runScenario(scenario('arguments/datesRewrittenDuringCheck'));
  const { mtime } = run.result as { mtime: number };
  const utime = run.events.find((e) => e[0] === 'os.utime');
  assert.deepEqual(utime?.[2], [1000, mtime]);
});

test('options read through the prototype: audited as Node reads them, and Node reads the audited copy', () => {
  const audited = runScenario(scenario('arguments/inheritedOptions'));
  const r = audited.result as Record<string, unknown> & { D: string };
  const opens = audited.events.filter((e) => e[0] === 'open').map((e) => [String(e[1]).slice(r.D.length), e[2]]);
  assert.deepEqual(opens, [['/hidden', 'a'], ['/getter', 'r']]);
  assert.equal(r.getter, 'kept', 'a getter run during Node\'s reads cannot turn the audited read into a write');
  assert.deepEqual(audited.events.filter((e) => e[0] !== 'open').map((e) => [e[0], String(e[1]).slice(r.D.length)]), [
    ['os.mkdir', '/a/b'], ['os.remove', '/full'],
  ]);
  // Everything else is as in plain Node: the inherited flag and recursive count where Node reads them.
  const plain = runScenario(scenario('arguments/inheritedOptions'), { plain: true }).result as Record<string, unknown> & { D: string };
  const seen = (result: Record<string, unknown> & { D: string }, key: string) => JSON.stringify(result[key]).replaceAll(result.D, '$D');
  for (const key of ['viaHidden', 'hidden', 'mkdirInherited', 'made', 'rmInherited', 'full']) assert.equal(seen(r, key), seen(plain, key), key);
});

test('a relative path is resolved at the call: a chdir before libuv runs it changes nothing', () => {
  const run = runScenario(scenario('arguments/relativeAfterChdir'), { env: { UV_THREADPOOL_SIZE: '1' } });
  const r = run.result as { D: string; audited: string[]; other: string[] };
  assert.deepEqual(r, { D: r.D, audited: ['target', 'target-cb'], other: [] });
  assert.deepEqual(run.events.filter((e) => e[0] === 'open').map((e) => e[1]), [`${r.D}/audited/target`, `${r.D}/audited/target-cb`]);
});

test('process.env: a value is converted with ToString once, as Node\'s setter does (a Symbol throws its TypeError)', () => {
  const body = `
    const seen = [];
    for (const write of [(v) => { process.env.AH_SYM = v; }, (v) => Object.defineProperty(process.env, 'AH_SYM', { value: v, configurable: true, writable: true, enumerable: true })]) {
      try { write(Symbol('s')); seen.push(process.env.AH_SYM ?? null); } catch (error) { seen.push(error.name + ': ' + error.message); }
    }
    harness.done(seen);
  `;
  const audited = runScenario(body);
  assert.deepEqual(audited.result, runScenario(body, { plain: true }).result);
  assert.deepEqual(audited.result, ['TypeError: Cannot convert a Symbol value to a string', 'TypeError: Cannot convert a Symbol value to a string']);
  assert.deepEqual(audited.events, []);
});

test('process.setgroups with an element getter: the groups audited are the groups Node looks up', { skip: typeof process.setgroups !== 'function' && 'no process.setgroups on this platform' }, () => {
  const run = runScenario(scenario('arguments/setgroupsElements'));
  const { result } = run.result as { result: { thrown: { message: string } } };
  assert.match(result.thrown.message, /audithook-audited/);
  assert.deepEqual(run.events, [['process.setgroups', ['audithook-audited']]]);
});

test('fsPromises.glob without cwd walks the directory it was audited in, whatever chdir comes before the walk', { skip: NODE_MAJOR < 22 && 'fs.glob is Node 22\'s' }, () => {
  const run = runScenario(scenario('arguments/globAfterChdir'));
  const { D, seen, sync } = run.result as { D: string; seen: string[]; sync: string[] };
  assert.deepEqual({ seen, sync }, { seen: ['in-audited'], sync: ['in-audited'] }, 'matches are relative to the root, as with no cwd');
  assert.deepEqual(run.events.filter((e) => e[0] === 'glob.glob/2'), [['glob.glob/2', '*', true, `${D}/audited`, null], ['glob.glob/2', '*', true, `${D}/audited`, null]]);
});

test('decided: with a hook, the error of a relative path names the absolute path Node was given (plain Node: the path as written)', () => {
  const body = `
    const D = harness.tmp();
    process.chdir(D);
    let message = null;
    try { fs.openSync('missing'); } catch (error) { message = error.message + ' | ' + error.path; }
    harness.done({ D, message });
  `;
  const audited = runScenario(body).result as { D: string; message: string };
  const plain = runScenario(body, { plain: true }).result as { D: string; message: string };
  assert.equal(plain.message, "ENOENT: no such file or directory, open 'missing' | missing");
  assert.equal(audited.message, `ENOENT: no such file or directory, open '${audited.D}/missing' | ${audited.D}/missing`);
});

test('http.client.connect names the host the agent dials, whose own options override the request\'s', () => {
  const run = runScenario(scenario('arguments/agentHost'));
  const { body } = run.result as { body: string };
  assert.equal(body, 'reached');
  const connects = run.events.filter((e) => e[0] === 'http.client.connect').map((e) => e[2]);
  assert.deepEqual(connects, ['127.0.0.1']);
});
