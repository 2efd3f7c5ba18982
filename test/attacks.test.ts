/**
 * Attacks by a program that has read audithook's source (the scenarios are in test/attacks/), each
 * run under `audithook run` on this test's Node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import type { StreamRecord } from '../src/contract/channel';
import type { LogRecord } from '../src/contract/record';
import { O_CLOEXEC, REPO_ROOT } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Runs test/attacks/<name> under `audithook run` in a fresh directory; its last stdout line is JSON. */
/** The log's event records, and apart from them what the supervisor said of each stream. */
function readLog(log: string): { records: LogRecord[]; streams: StreamRecord[] } {
  const logged = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord | StreamRecord);
  return {
    records: logged.filter((line): line is LogRecord => !('stream' in line)),
    streams: logged.filter((line): line is StreamRecord => 'stream' in line),
  };
}

function attack(name: string, args: readonly string[]): { records: LogRecord[]; streams: StreamRecord[]; result: unknown; work: string } {
  const work = mkdtempSync(join(tmpdir(), 'audithook-attack-'));
  const log = join(work, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--', 'node', resolve(REPO_ROOT, 'test', 'attacks', name), ...args, work], {
    cwd: work, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  return { ...readLog(log), result: JSON.parse(lines[lines.length - 1] ?? 'null'), work };
}

interface Rule { event: string; package?: string; match?: Record<string, string | string[]>; action: 'allow' | 'deny' }

interface AttackPolicy {
  /** Rules ahead of every other. */
  readonly first?: readonly Rule[];
  /** Rules for evil ahead of the rest. */
  readonly allowed?: readonly Rule[];
  /** Whether the policy ends with a rule denying evil everything else (otherwise the default, allow, decides). */
  readonly denyTheRest?: boolean;
  /** Where evil's directory is, relative to the work directory; elsewhere than node_modules/evil, node_modules/evil links to it (npm link, workspaces). */
  readonly evilAt?: string;
  /** More files of the layout: path relative to the work directory -> contents. */
  readonly files?: Readonly<Record<string, string>>;
  /** Directory links of the layout: path relative to the work directory -> its target, relative to the work directory. */
  readonly links?: Readonly<Record<string, string>>;
  /** The policy's `frameworks`. */
  readonly frameworks?: readonly string[];
}

/**
 * Runs test/attacks/<name>.mjs as the package `evil` (node_modules/evil/index.mjs, with
 * test/attacks/attempt.mjs beside it) under `audithook run --policy`, where the policy denies evil
 * everything but reading its own files, loading modules and what `allowed` adds, and the application may do anything. The application is
 * test/attacks/<name>.app.mjs where there is one; otherwise it imports evil and raises `app.event`.
 */
function attackAsPackage(name: string, { first = [], allowed = [], denyTheRest = true, evilAt = 'node_modules/evil', files = {}, links = {}, frameworks }: AttackPolicy = {}): { records: LogRecord[]; streams: StreamRecord[]; result: unknown; work: string; stderr: string } {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'audithook-attack-')));
  const evil = join(work, evilAt);
  mkdirSync(evil, { recursive: true });
  if (evilAt !== 'node_modules/evil') {
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(evil, join(work, 'node_modules', 'evil'), 'dir');
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    writeFileSync(join(work, file), text);
  }
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(dirname(join(work, link)), { recursive: true });
    symlinkSync(join(work, target), join(work, link), 'dir');
  }
  writeFileSync(join(evil, 'package.json'), JSON.stringify({ name: 'evil', version: '1.0.0', type: 'module', exports: './index.mjs' }));
  copyFileSync(resolve(REPO_ROOT, 'test', 'attacks', `${name}.mjs`), join(evil, 'index.mjs'));
  copyFileSync(resolve(REPO_ROOT, 'test', 'attacks', 'attempt.mjs'), join(evil, 'attempt.mjs'));
  const app = resolve(REPO_ROOT, 'test', 'attacks', `${name}.app.mjs`);
  if (existsSync(app)) copyFileSync(app, join(work, 'app.mjs'));
  else writeFileSync(join(work, 'app.mjs'), "import 'evil';\nglobalThis[Symbol.for('audithook.runtime')].audit('app.event');\n");
  const rules: Rule[] = [
    ...first,
    { event: 'open', package: 'evil', match: { path: `${evil}/**`, mode: 'r' }, action: 'allow' },
    { event: '{import,compile}', package: 'evil', action: 'allow' },
    ...allowed,
    ...denyTheRest ? [{ event: '*', package: 'evil', action: 'deny' } as const] : [],
  ];
  writeFileSync(join(work, 'policy.json'), JSON.stringify({ default: 'allow', mode: 'enforce', ...frameworks === undefined ? {} : { frameworks }, rules }));
  const log = join(work, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--policy', join(work, 'policy.json'), '--', 'node', 'app.mjs', work], {
    cwd: work, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  return { ...readLog(log), result: JSON.parse(lines[lines.length - 1] ?? 'null'), work, stderr: child.stderr };
}

test("Node's deferred work is the package's that asked for it: the file its stream opens, the dial, the listen and the datagram Node sends on a later tick are decided under its rules", () => {
  // The implicit bind of evil's first datagram is allowed, for its send to be decided.
  const { result, records, work } = attackAsPackage('deferred-work', { files: { 'secret.txt': 'secret' }, allowed: [{ event: 'socket.bind', package: 'evil', match: { address: '0.0.0.0:0' }, action: 'allow' }] });
  assert.deepEqual(result, {
    createReadStream: 'ERR_ACCESS_DENIED', newReadStream: 'ERR_ACCESS_DENIED', callReadStream: 'ERR_ACCESS_DENIED', createWriteStream: 'ERR_ACCESS_DENIED', subclass: 'ERR_ACCESS_DENIED',
    connect: 'ERR_ACCESS_DENIED', listen: 'ERR_ACCESS_DENIED', send: 'ERR_ACCESS_DENIED',
  });
  for (const event of ['socket.connect', 'socket.bind', 'socket.sendto']) {
    const raised = records.filter((r) => r.event === event && JSON.stringify(r.args[1]) !== '["0.0.0.0",0]');
    assert.ok(raised.length > 0 && raised.every((r) => r.package === 'evil' && r.blocked), `${event}: ${JSON.stringify(raised)}`);
  }
  const opens = records.filter((r) => r.event === 'open' && (r.args[0] === join(work, 'secret.txt') || r.args[0] === join(work, 'dropped.txt')));
  assert.equal(opens.length, 5);
  for (const open of opens) assert.deepEqual([open.package, open.attribution, open.blocked], ['evil', 'complete', true], JSON.stringify(open));
  assert.ok(!existsSync(join(work, 'dropped.txt')));
});

test("a request a package queues in the application's busy pool is the package's when Node dials for it later, from another connection's close", () => {
  const { result, records } = attackAsPackage('queued-request', { allowed: [{ event: 'http.client.connect', package: 'evil', action: 'allow' }] });
  assert.deepEqual(result, { queued: 'ERR_ACCESS_DENIED' });
  const dials = records.filter((r) => r.event === 'socket.connect');
  assert.equal(dials.length, 2, JSON.stringify(dials));
  assert.deepEqual(dials.map((r) => [r.package, r.blocked]), [[null, false], ['evil', true]]);
});

// The file streams and fs.promises load when the program first reaches them (src/instrument/fs.ts):
// evil is the first to, by each way there is, one process each.
const STREAM_ROUTES: readonly (readonly [route: string, file: 'secret.txt' | 'dropped.txt'])[] = [
  ['createReadStream', 'secret.txt'], ['createWriteStream', 'dropped.txt'], ['class', 'secret.txt'], ['FileReadStream', 'secret.txt'],
  ['FileWriteStream', 'dropped.txt'], ['subclass', 'secret.txt'], ['import-node:fs', 'secret.txt'], ['defined-decoys', 'secret.txt'], ['defined-decoys-write', 'dropped.txt'],
  ['set-decoys-handle', 'secret.txt'], ['defined-decoys-handle', 'secret.txt'], ['handle', 'secret.txt'], ['handle-write', 'dropped.txt'],
  ['transferred', 'secret.txt'], ['transferred-write', 'dropped.txt'], ['registered-hooks', 'secret.txt'],
];
for (const [route, file] of STREAM_ROUTES) {
  test(`a file stream's open is the package's that made it when the package is the first to reach the file streams (${route})`, () => {
    const allowed: Rule[] = route === 'registered-hooks' ? [{ event: 'module.register', package: 'evil', action: 'allow' }] : [];
    const { result, records, work } = attackAsPackage('stream-first-reach', { files: { 'secret.txt': 'secret', 'route.txt': route }, allowed });
    assert.deepEqual(result, { [route]: 'ERR_ACCESS_DENIED' });
    const opens = records.filter((r) => r.event === 'open' && r.args[0] === join(work, file));
    assert.ok(opens.length > 0, 'the open was raised');
    for (const open of opens) assert.deepEqual([open.package, open.attribution, open.blocked], ['evil', 'complete', true], JSON.stringify(open));
    assert.ok(!existsSync(join(work, 'dropped.txt')));
  });
}

// The FileHandle prototype is not exported: a thread that never opened a handle gets Node's class
// with the one it is sent, which is recognised as Node makes it (src/instrument/file-handles.ts).
test('a FileHandle transferred from a worker to a thread that never opened one: its chmod is raised as the package\'s and denied', () => {
  const { result, records } = attackAsPackage('stream-first-reach', { files: { 'route.txt': 'transferred-chmod' } });
  assert.deepEqual(result, { 'transferred-chmod': 'ERR_ACCESS_DENIED' });
  const chmods = records.filter((r) => r.event === 'os.chmod');
  assert.ok(chmods.length > 0 && chmods.every((r) => r.package === 'evil' && r.blocked), JSON.stringify(chmods));
});

// Each way a FileHandle reaches a thread that never opened one, and each thing evil may prepare
// before it arrives to keep it from being recognised (test/attacks/file-handle-transfer.mjs).
const FILE_HANDLE_ROUTES = [
  'after-load', 'port', 'structuredClone', 'worker-data', 'worker-message',
  'decoy-first', 'init-replaced-first', 'init-redefined-first', 'call-replaced-first', 'domain-first',
] as const;
for (const route of FILE_HANDLE_ROUTES) {
  test(`a FileHandle transferred to a thread that never opened one has its chmod raised as the package's and denied (${route})`, () => {
    const allowed: Rule[] = route === 'domain-first' ? [{ event: 'async_hooks.createHook', package: 'evil', action: 'allow' }] : [];
    const { result, records } = attackAsPackage('file-handle-transfer', { files: { 'route.txt': route }, allowed });
    assert.deepEqual(result, { [route]: 'ERR_ACCESS_DENIED' });
    const chmods = records.filter((r) => r.event === 'os.chmod');
    assert.ok(chmods.length > 0 && chmods.every((r) => r.package === 'evil' && r.blocked), JSON.stringify(chmods));
  });
}

const PROMISES_ROUTES = [
  'fs.promises', 'fs.promises-descriptor', 'require-fs/promises', 'require-node:fs/promises', 'import-node:fs/promises', 'import-fs/promises', 'import-default', 'import-node:fs',
  'getBuiltinModule-fs/promises', 'getBuiltinModule-node:fs/promises', 'decoy-then-require', 'decoy-then-import', 'handle-readFile',
] as const;
for (const route of PROMISES_ROUTES) {
  test(`fs.promises is instrumented when the package is the first to reach it (${route})`, () => {
    const { result, records, work } = attackAsPackage('promises-first-reach', { files: { 'secret.txt': 'secret', 'route.txt': route } });
    assert.deepEqual(result, { [route]: 'ERR_ACCESS_DENIED' });
    const [event, path] = route === 'handle-readFile' ? ['os.chmod', join(work, 'node_modules', 'evil', 'package.json')] : ['open', join(work, 'secret.txt')];
    const raised = records.filter((r) => r.event === event && (event === 'os.chmod' || r.args[0] === path));
    assert.ok(raised.length > 0, `${event} was raised`);
    for (const record of raised) assert.deepEqual([record.package, record.blocked], ['evil', true], JSON.stringify(record));
  });
}

test("a package's static imports of fs/promises are the program's first way to it: its reads are raised as the package's and denied", () => {
  const { result, records, work } = attackAsPackage('promises-static-import', { files: { 'secret.txt': 'secret' } });
  assert.deepEqual(result, { 'node:fs/promises': 'ERR_ACCESS_DENIED', 'fs/promises': 'ERR_ACCESS_DENIED' });
  const opens = records.filter((r) => r.event === 'open' && r.args[0] === join(work, 'secret.txt'));
  assert.equal(opens.length, 2);
  for (const open of opens) assert.deepEqual([open.package, open.blocked], ['evil', true], JSON.stringify(open));
});

test('Node\'s own functions a package schedules (timers, the tick queue, microtasks, promise reactions; bound or through Reflect.apply) run under its rules', () => {
  const { result, records, work } = attackAsPackage('scheduled-callbacks');
  const names = [
    'setTimeout', 'timers-setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask-bound', 'setTimeout-Reflect-apply', 'setInterval',
    'then', 'catch', 'finally-bound', 'nested',
  ];
  assert.deepEqual(result, Object.fromEntries(names.map((name) => [name, 'ERR_ACCESS_DENIED'])));
  for (const name of names) {
    assert.equal(existsSync(join(work, `${name}.txt`)), false, name);
    const opened = records.filter((record) => ['open', 'os.mkdir', 'shutil.copyfile'].includes(record.event) && record.args[0] === join(work, `${name}.txt`));
    assert.ok(opened.length > 0 && opened.every((record) => record.package === 'evil' && record.blocked), `${name}: ${JSON.stringify(opened)}`);
  }
  assert.equal(existsSync(join(work, 'copied.txt')), false);
});

test("a framework's dispatch does not hide a package: its handler, Node's function or the application's helper it has dispatched, now or from a timer, is still its doing", () => {
  const kit = resolve(REPO_ROOT, 'test', 'fixtures', 'framework', 'node_modules', 'router-kit');
  const { result, records, work } = attackAsPackage('framework-dispatch', {
    frameworks: ['router-kit'],
    files: {
      'secret.txt': 'secret',
      'helpers.cjs': "exports.read = (file) => require('node:fs').readFileSync(file, 'utf8');\n",
      'node_modules/router-kit/index.js': readFileSync(join(kit, 'index.js'), 'utf8'),
      'node_modules/router-kit/package.json': readFileSync(join(kit, 'package.json'), 'utf8'),
    },
    allowed: [{ event: 'open', package: 'evil', match: { path: ['helpers.cjs', 'node_modules/router-kit/**'], mode: 'r' }, action: 'allow' }],
  });
  const names = ['handler', 'node-function', 'app-helper', 'app-helper-direct', 'timer', 'node-function-later'];
  assert.deepEqual(result, Object.fromEntries(names.map((name) => [name, 'ERR_ACCESS_DENIED'])));
  const reads = records.filter((record) => record.event === 'open' && record.args[0] === join(work, 'secret.txt'));
  assert.equal(reads.length, names.length);
  for (const read of reads) assert.deepEqual([read.decision, read.blocked, read.rule], ['deny', true, 'rules[3]'], JSON.stringify(read));
  // Where router-kit called other code (evil's handler, the application's helper), the log says so.
  assert.ok(reads.filter((read) => read.dispatchers?.includes('router-kit') === true).length >= 3, JSON.stringify(reads));
});

test('Node\'s own functions a package hands to an emitter, an EventTarget or a callback API run under its rules when bound, and as nobody known, never as the application, through another built-in', () => {
  // Rules for "*" fit the unknown subject; the application (the default, allow) would not be denied.
  const { result, records, work } = attackAsPackage('node-callbacks', { allowed: [{ event: 'open', package: '*', action: 'deny' }] });
  const bound = ['beforeExit', 'stream-close', 'abort-listener', 'abort-handler', 'readFile-callback'];
  const names = [...bound, 'call-bound'];
  assert.deepEqual(result, Object.fromEntries(names.map((name) => [name, 'ERR_ACCESS_DENIED'])));
  for (const name of names) {
    assert.equal(existsSync(join(work, `${name}.txt`)), false, name);
    const opened = records.filter((record) => record.event === 'open' && record.args[0] === join(work, `${name}.txt`));
    const expected = bound.includes(name) ? ['evil', 'complete', 'deny', true] : [null, 'no-caller', 'deny', true];
    assert.deepEqual(opened.map((record) => [record.package, record.attribution, record.decision, record.blocked]), [expected], name);
  }
});

test('a package\'s ES module imports are charged to it, static ones included, not to the application', () => {
  const { result, records } = attackAsPackage('static-import', {
    first: [{ event: 'import', package: 'evil', match: { module: 'lodash' }, action: 'deny' }],
    files: {
      'node_modules/evil/lib.mjs': "import 'lodash';\n",
      'node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21', type: 'module', exports: './index.mjs' }),
      'node_modules/lodash/index.mjs': 'export default 1;\n',
      'node_modules/evil/cjs.mjs': "import './helper.cjs';\n",
      'node_modules/evil/helper.cjs': 'module.exports = 1;\n',
    },
  });
  assert.deepEqual(result, { static: 'ERR_ACCESS_DENIED', dynamic: 'ERR_ACCESS_DENIED', commonjs: 'done' });
  const helperReads = records.filter((record) => record.event === 'open' && (record.args[0] as string).endsWith('/node_modules/evil/helper.cjs'));
  assert.ok(helperReads.length > 0, 'the CommonJS source read was raised');
  for (const record of helperReads) assert.deepEqual([record.package, record.attribution], ['evil', 'complete']);
  const imports = records.filter((record) => record.event === 'import' && record.args[0] === 'lodash');
  assert.ok(imports.length > 0, 'the import was raised');
  for (const record of imports) assert.deepEqual([record.package, record.attribution, record.blocked], ['evil', 'complete', true]);
  // The application's own import of evil, and of its entry, stay the application's.
  const evil = records.filter((record) => record.event === 'import' && record.args[0] === 'evil');
  assert.deepEqual(evil.map((record) => [record.package, record.attribution]), [[null, 'complete']]);
});

test("Node 20's module hooks thread waits for a way to an ES module, and no way to one gets past it: the module's own static import is still raised, as the package's", () => {
  // The first worker of a CommonJS program that never names import() is thread 1: no hooks thread was started before it.
  assert.equal(attack('late-esm.cjs', ['none']).result, 1);
  for (const route of ['import-call', 'import-comment', 'function', 'indirect-eval', 'vm', 'compile', 'run-main', 'run-main-type-module']) {
    const { records, result } = attack('late-esm.cjs', [route]);
    assert.deepEqual(result, { loaded: true }, route);
    const inner = records.filter((record) => record.event === 'import' && String(record.args[1]).endsWith('/evil/esm/inner.mjs'));
    assert.deepEqual(inner.map((record) => record.package), ['evil'], route);
  }
});

test('a package cannot forge, edit or remove the record: lines in another process\'s name are dropped and reported', () => {
  const { records, streams, result, work } = attackAsPackage('forge-record');
  assert.deepEqual(result, {
    guessed: true, append: 'ERR_ACCESS_DENIED', truncate: 'ERR_ACCESS_DENIED', remove: 'ERR_ACCESS_DENIED', claim: 'ERR_ACCESS_DENIED',
    respelled: Array.from({ length: 9 }, () => 'ERR_ACCESS_DENIED'),
    supervisorDescriptor: 'ERR_ACCESS_DENIED', respelledChannel: 'ERR_ACCESS_DENIED',
  });
  assert.deepEqual(records.filter((record) => record.event === 'forged.event' || record.event === 'forged.stream'), []);
  assert.deepEqual(streams.filter((stream) => stream.stream === 'run').map((stream) => stream.cwd), [realpathSync(work)]);
  const refused = records.filter((record) => record.rule === 'audithook (its log and channel)');
  assert.deepEqual(refused.map((record) => [record.event, record.package, record.blocked]), [
    ['open', 'evil', true], ['os.truncate', 'evil', true], ['os.remove', 'evil', true], ['os.listdir', 'evil', true],
    ...Array.from({ length: 10 }, () => ['open', 'evil', true]), ['os.listdir', 'evil', true],
  ]);
  const app = records.find((record) => record.event === 'app.event');
  assert.ok(app, 'the application went on, and its stream with it');
  // Both lines dropped on each channel of the process (its main thread's; Node 20's module hooks thread's).
  const malformed = streams.filter((stream) => stream.stream === 'malformed');
  assert.ok(malformed.length >= 1);
  assert.deepEqual(malformed.map((stream) => [stream.pid, stream.missing]), malformed.map(() => [app.pid, 2]));
});

// The guard refuses the log's names; a package the policy lets make links reaches its file by a
// name of its own. The supervisor checks the file at the end: it holds what it wrote, nothing else.
for (const [route, how] of [['append', /\d+ bytes were added to it/], ['rewrite', /its content was rewritten/]] as const) {
  test(`a package that changes the log through a link to its folder (${route}) is found out: the run says the log cannot be trusted and makes no summary from it`, () => {
    const { result, stderr } = attackAsPackage('forge-log-link', { files: { 'route.txt': route }, denyTheRest: false });
    assert.deepEqual(result, { link: 'done', change: 'done' });
    assert.match(stderr, /^audithook: the log \/.*log\.jsonl was changed by someone other than audithook \((.*)\): its records cannot be trusted/m);
    assert.match(stderr, how);
    assert.doesNotMatch(stderr, /events? from \d+ process/, 'no summary from what the log says');
  });
}

test('a package the policy does not let add hooks cannot add one through the shared runtime', () => {
  const { records, result } = attackAsPackage('own-hook');
  assert.deepEqual(result, { added: false, done: {} });
  const refused = records.filter((record) => record.event === 'sys.addaudithook');
  assert.deepEqual(refused.map((record) => [record.package, record.decision, record.blocked]), [['evil', 'deny', true]]);
});

test('what a package does inside its own hook is audited and decided, with the blame on the package', () => {
  const { records, result, work } = attackAsPackage('own-hook', { allowed: [{ event: 'sys.addaudithook', package: 'evil', action: 'allow' }] });
  assert.deepEqual(result, { added: true, done: { spawn: 'ERR_ACCESS_DENIED', write: 'ERR_ACCESS_DENIED' } });
  assert.equal(existsSync(join(work, 'written-inside-a-hook')), false);
  const denied = records.filter((record) => record.blocked).map((record) => [record.event, record.package]);
  assert.deepEqual(denied, [['subprocess.Popen', 'evil'], ['open', 'evil']]);
});

test('code a package has Node call inside an allowed rm, and what it schedules there, is audited and decided', () => {
  const { records, result, work } = attackAsPackage('composite-context');
  assert.deepEqual(result, {
    'lstatSync: at once': 'ERR_ACCESS_DENIED', 'lstatSync: from a timer': 'ERR_ACCESS_DENIED', 'lstatSync: a timer calls Node': 'ERR_ACCESS_DENIED',
    'lstat: at once': 'ERR_ACCESS_DENIED', 'lstat: from a timer': 'ERR_ACCESS_DENIED', 'lstat: a timer calls Node': 'ERR_ACCESS_DENIED',
  });
  for (const name of ['lstat', 'lstatSync']) {
    assert.equal(existsSync(join(work, `${name}-at-once`)), false);
    assert.equal(existsSync(join(work, `${name}-from-a-timer`)), false);
    // The timer calling Node's own function has no frame of evil's: it carries the cause of its scheduling.
    const opened = records.filter((record) => record.event === 'open' && record.args[0] === join(work, `${name}-timer-calls-node`));
    assert.deepEqual(opened.map((record) => [record.package, record.blocked]), [['evil', true]]);
    assert.equal(existsSync(join(work, `${name}-timer-calls-node`)), false);
  }
  // The application's rm calls themselves: one event each, Node's own work inside them raised nothing.
  const removals = records.filter((record) => record.event === 'shutil.rmtree').map((record) => record.args[0]);
  assert.deepEqual(removals, [join(work, 'sync'), join(work, 'promise')]);
  assert.equal(records.filter((record) => ['os.remove', 'os.rmdir', 'os.listdir'].includes(record.event)).length, 0);
});

test('a package cannot reach an inspector, by any way, under a policy whose default allows and that has no rule for it', () => {
  const { records, result } = attackAsPackage('inspector', { denyTheRest: false });
  assert.deepEqual(result, { session: 'ERR_ACCESS_DENIED', open: 'ERR_ACCESS_DENIED', signal: 'ERR_ACCESS_DENIED', child: 'ERR_ACCESS_DENIED' });
  const denied = records.filter((record) => record.blocked).map((record) => [record.event, record.package, record.rule]);
  assert.deepEqual(denied, [
    ['inspector.Session.connect', 'evil', 'default (inspector)'],
    ['inspector.open', 'evil', 'default (inspector)'],
    ['inspector.open', 'evil', 'default (inspector)'],
    ['inspector.open', 'evil', 'default (inspector)'],
  ]);
});

test('accessors on Array.prototype and Object.prototype cannot empty the blame, the rules or the hook list', () => {
  const { records, result, work } = attackAsPackage('index-setters');
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.equal(existsSync(join(work, 'written-by-evil')), false);
  const write = records.filter((record) => record.event === 'open' && record.args[0] === join(work, 'written-by-evil'));
  assert.deepEqual(write.map((record) => [record.package, record.packages.map((ref) => ref.name), record.decision, record.blocked]), [['evil', ['evil'], 'deny', true]]);
});

test('every built-in method, getter and Symbol.hasInstance replaced: nothing of the replacements runs inside a hook', () => {
  const { records, result } = attack('tamper-builtins.mjs', ['count']);
  assert.deepEqual(result, []);
  // Every kind of operation was raised and logged.
  const events = new Set(records.map((record) => record.event));
  for (const event of ['open', 'os.rename', 'os.putenv', 'subprocess.Popen', 'compile', 'socket.connect', 'attack.rich']) assert.ok(events.has(event), event);
});

test('replacements that forge what formats a log line (time, URL, strings, JSON) do not reach the log', () => {
  const { records, work } = attack('tamper-builtins.mjs', ['forge']);
  const text = JSON.stringify(records);
  assert.doesNotMatch(text, /FORGED|1999-/);
  const file = join(work, 'file.txt');
  assert.deepEqual(records.filter((record) => record.event === 'open' && record.args[0] === file).map((record) => record.args), [
    [file, 'w', 577 | O_CLOEXEC], // written before the attack starts
    [file, 'r', O_CLOEXEC], [file, 'r', O_CLOEXEC], [file, 'r', O_CLOEXEC], // a string, a file: URL, a Buffer
  ]);
  const rich = records.find((record) => record.event === 'attack.rich');
  assert.deepEqual(rich?.args, [
    { $type: 'Map', size: 1, entries: [['k', 1]] }, { $type: 'Set', size: 1, values: ['v'] }, '1970-01-01T00:00:00.000Z', '/re/g',
    'https://example.test/p?q', { $type: 'Buffer', size: 5, utf8: 'bytes' }, { $type: 'DataView', size: 2, hex: '0000' }, 'Symbol(s)',
    { nested: [1, 'two'] }, 1.5, 'Infinity', '10n',
  ]);
  for (const record of records) assert.match(record.time, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('a package denied all but reading its own files cannot get past its policy with two-faced arguments', () => {
  const app = resolve(REPO_ROOT, 'test', 'attacks', 'arguments-app');
  const log = join(mkdtempSync(join(tmpdir(), 'audithook-attack-')), 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--policy', join(app, 'policy.json'), '--', 'node', join(app, 'app.mjs')], {
    cwd: app, encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(lines[lines.length - 1] ?? 'null'), { kill: 'ERR_ACCESS_DENIED', binding: 'ERR_ACCESS_DENIED', read: 'decoy', childAlive: true });
  const { records } = readLog(log);
  const evil = records.filter((record) => record.package === 'evil' && record.event !== 'import').map((record) => [record.event, record.decision]);
  assert.deepEqual(evil, [['os.kill', 'deny'], ['process.binding', 'deny'], ['open', 'allow']]);
});

// ---- identity: a package cannot wear another name (issue #13 §2, §3) -----------------------------

/** The records of the write evil attempted: [package, names on the chain, attribution, decision, blocked]. */
function evilsWrite(records: readonly LogRecord[], work: string): unknown[][] {
  return records.filter((record) => record.event === 'open' && record.args[0] === join(work, 'written-by-evil'))
    .map((record) => [record.package, record.packages.map((ref) => ref.name), record.attribution, record.decision, record.blocked]);
}

test('URL.prototype getters that make every file: URL a file of the application do not move an ES module frame out of its package', () => {
  const { records, result, work } = attackAsPackage('identity-url');
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.equal(existsSync(join(work, 'written-by-evil')), false);
  assert.deepEqual(evilsWrite(records, work), [['evil', ['evil'], 'complete', 'deny', true]]);
});

test('a package.json deeper inside a package does not rename it; the root manifest name that differs is recorded, not used', () => {
  const { records, result, work } = attackAsPackage('identity-manifest', {
    allowed: [{ event: '*', package: 'lodash', action: 'allow' }],
    files: {
      'node_modules/evil/lib/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21', type: 'module' }),
      'node_modules/evil/lib/write.mjs': "import fs from 'node:fs';\nexport const write = (target) => fs.writeFileSync(target, 'x');\n",
    },
  });
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.deepEqual(evilsWrite(records, work), [['evil', ['evil'], 'complete', 'deny', true]]);
  assert.deepEqual(records.find((record) => record.args[0] === join(work, 'written-by-evil'))?.packages, [{ name: 'evil', version: '1.0.0' }]);
});

test('code a package compiles under another package\'s file name, or the application\'s, is still the package\'s', () => {
  const { records, result, work } = attackAsPackage('identity-vm', {
    allowed: [{ event: 'exec', package: 'evil', action: 'allow' }, { event: '*', package: 'lodash', action: 'allow' }],
    files: {
      'node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21' }),
      'node_modules/lodash/index.js': 'module.exports = {};\n',
    },
  });
  const names = ['script as lodash', 'runInThisContext as the application', 'runInNewContext as lodash', 'compileFunction as lodash', '_compile as lodash', 'built by built code'];
  assert.deepEqual(result, Object.fromEntries(names.map((name) => [name, 'ERR_ACCESS_DENIED'])));
  for (const name of names) {
    const target = join(work, `${name.replaceAll(' ', '-')}.txt`);
    assert.equal(existsSync(target), false, name);
    const opened = records.filter((record) => record.event === 'open' && record.args[0] === target);
    assert.deepEqual(opened.map((record) => [record.package, record.packages.map((ref) => ref.name), record.attribution, record.blocked]), [['evil', ['evil'], 'complete', true]], name);
  }
});

test("a package's own node_modules is inside it: evil's copy of a trusted package runs under evil's rules too", () => {
  const { records, result, work } = attackAsPackage('identity-nested', {
    allowed: [{ event: '*', package: 'left-pad', action: 'allow' }],
    files: {
      // Its manifest even says it is lodash: recorded, not used.
      'node_modules/evil/node_modules/left-pad/package.json': JSON.stringify({ name: 'lodash', version: '1.3.0', type: 'module', exports: './index.mjs' }),
      'node_modules/evil/node_modules/left-pad/index.mjs': "import fs from 'node:fs';\nexport const write = (target) => fs.writeFileSync(target, 'x');\n",
    },
  });
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.deepEqual(evilsWrite(records, work), [['left-pad', ['left-pad', 'evil'], 'complete', 'deny', true]]);
  const write = records.find((record) => record.args[0] === join(work, 'written-by-evil'));
  assert.deepEqual(write?.packages, [{ name: 'left-pad', version: '1.3.0', manifest: 'lodash' }, { name: 'evil', version: '1.0.0' }]);
  assert.equal(write?.rule, 'rules[3]');
  // The responsible frame: the denied package's innermost, the write in left-pad's file.
  assert.equal(write?.frame, `${join(work, 'node_modules/evil/node_modules/left-pad/index.mjs')}:2:37`);
});

test('a package linked into node_modules (npm link, workspaces) is still that package where Node runs it by its real path', () => {
  // A workspace links the application too: that link does not make the application a package.
  const { records, result, work } = attackAsPackage('identity-link', { evilAt: 'elsewhere/evil', links: { 'node_modules/app': '.' } });
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.deepEqual(evilsWrite(records, work), [['evil', ['evil'], 'complete', 'deny', true]]);
  const own = records.filter((record) => record.event === 'app.event');
  assert.deepEqual(own.map((record) => [record.package, record.attribution, record.decision]), [[null, 'complete', 'allow']]);
});

test('a stack deeper than the frames read is not the application: it is decided as the unknown subject', () => {
  // Rules for "*" fit the unknown subject; the application (the default, allow) would not be denied.
  const { records, result, work } = attackAsPackage('identity-deep', { allowed: [{ event: 'open', package: '*', action: 'deny' }] });
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  assert.deepEqual(evilsWrite(records, work), [[null, [], 'truncated', 'deny', true]]);
});

test('code built from a string that a timer runs has no file: decided as the unknown subject, not the application', () => {
  const { records, result, work } = attackAsPackage('identity-eval', { allowed: [{ event: 'open', package: '*', action: 'deny' }] });
  assert.deepEqual(result, { write: 'ERR_ACCESS_DENIED' });
  // The timer runs a bound function, which keeps evil's scheduling as its cause: evil's, and the built code's unknown origin.
  assert.deepEqual(evilsWrite(records, work), [['evil', ['evil'], 'anonymous', 'deny', true]]);
});

test('code a package builds with import() resolves from its own file, and no frame of that call hands it a function or receiver', () => {
  const { records, result } = attackAsPackage('referrer-frames');
  assert.deepEqual(result, { functions: 0, receivers: 0, fromBuilt: 'function', fromEval: 'function' });
  const compiled = records.filter((record) => record.event === 'compile').map((record) => [record.package, record.args[1]]);
  assert.deepEqual(compiled, [['evil', null], ['evil', '<eval>']]);
});

// ---- propagation: every Node process and worker gets the agent, first (issue #14 §2) -------------

/** What evil's processes and threads run: a write the policy denies evil, whose outcome it reports. */
const PROPAGATION_FILES = {
  'node_modules/evil/write.cjs': `const { writeFileSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
let outcome;
try { writeFileSync(process.argv[2], 'x'); outcome = 'written'; } catch (error) { outcome = error.code ?? error.message; }
if (parentPort) parentPort.postMessage(outcome);
else if (process.argv[3] === undefined) process.stdout.write(JSON.stringify(outcome) + '\\n');
else process.stdout.write(JSON.stringify({ ...JSON.parse(process.argv[3]), execve: outcome }) + '\\n');
`,
  // A fake runtime, published where audithook's copies look for it: one that installs nothing and adds no hook.
  'node_modules/evil/planted.cjs': `try {
  const nothing = () => {};
  Object.defineProperty(globalThis, Symbol.for('audithook.runtime'), { value: Object.freeze({ audit: nothing, addAuditHook: () => true, installInstrumentation: nothing, announceStartup: nothing, setOpenCodeHook: nothing }) });
} catch {}
`,
};

test('a package cannot start a Node process or worker without the agent, nor with its own preload before it', () => {
  const { records, result, work } = attackAsPackage('propagation', {
    files: PROPAGATION_FILES,
    // A process started on evil's own file runs evil's code: its cpython.run_file is evil's (issue #13).
    allowed: ['subprocess.Popen', 'worker_threads.Worker', 'os.exec', 'os.putenv', 'cpython.run_file'].map((event) => ({ event, package: 'evil', action: 'allow' as const })),
  });
  const runs = records.filter((record) => record.event === 'cpython.run_file' && record.args[0] === join(work, 'node_modules/evil/write.cjs'));
  assert.ok(runs.length > 0 && runs.every((record) => record.packages.some((ref) => ref.name === 'evil')), 'a run of evil\'s file is charged to evil');
  const execve = typeof (process as { execve?: unknown }).execve === 'function';
  assert.deepEqual(result, {
    'child: agent text continued': 'ERR_ACCESS_DENIED',
    'worker: env.NODE_OPTIONS requires before the agent': 'ERR_ACCESS_DENIED',
    'worker: execArgv requires before the agent': 'ERR_ACCESS_DENIED',
    'worker: agent inside a quoted value': 'ERR_ACCESS_DENIED',
    'worker: rewritten environment, execArgv': 'ERR_ACCESS_DENIED',
    'worker: shared rewritten environment, execArgv': 'refused ERR_ACCESS_DENIED',
    ...execve ? { execve: 'ERR_ACCESS_DENIED' } : {},
  });
  for (const name of Object.keys(result)) assert.equal(existsSync(join(work, `written-by-${name}`)), false, name);
  const writes = records.filter((record) => record.event === 'open' && (record.args[0] as string).startsWith(join(work, 'written-by-')));
  assert.equal(writes.length, Object.keys(result as object).length - 1, 'each write that ran was audited and denied');
  assert.ok(writes.every((record) => record.package === 'evil' && record.blocked));
});

test('a preload that runs before the agent anyway (a program that reorders NODE_OPTIONS) and publishes a fake runtime stops the process before the application', () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'audithook-attack-')));
  writeFileSync(join(work, 'planted.cjs'), PROPAGATION_FILES['node_modules/evil/planted.cjs']);
  writeFileSync(join(work, 'app.cjs'), "require('fs').writeFileSync(__dirname + '/ran', '')");
  const child = spawnSync(process.execPath, [join(work, 'app.cjs')], {
    env: { PATH: process.env['PATH'], AUDITHOOK_LOG: join(work, 'log.jsonl'), NODE_OPTIONS: `--require=${join(work, 'planted.cjs')} --require=${resolve(REPO_ROOT, 'dist', 'agent.js')}` },
    encoding: 'utf8', timeout: 60_000,
  });
  assert.equal(child.status, 2, child.stderr);
  assert.match(child.stderr, /^audithook agent: an audithook runtime was published before the agent/);
  assert.equal(existsSync(join(work, 'ran')), false);
});

// ---- spawning chains: a process or worker a package starts is that package's (issue #13, #16 §3) --

test("the application's own code run in a process or worker a package starts is that package's: every start, environment and environment data that would drop it", () => {
  const app = resolve(REPO_ROOT, 'test', 'attacks', 'spawned-code-app');
  const files = Object.fromEntries(['tool.cjs', 'relay.cjs'].map((file) => [file, readFileSync(join(app, file), 'utf8')]));
  const { records, streams, result, work } = attackAsPackage('spawned-code', {
    files,
    allowed: [
      ...['subprocess.Popen', 'worker_threads.Worker', 'cpython.run_file', 'cpython.run_command', 'os.putenv', 'os.unsetenv'].map((event) => ({ event, package: 'evil', action: 'allow' as const })),
      // Loading the application's files, as the child does.
      { event: 'open', package: 'evil', match: { path: '${PROJECT}/*.cjs', mode: 'r' }, action: 'allow' },
    ],
  });
  const names = [
    'spawnSync', 'execFileSync', 'execSync through a shell', 'node -e', 'empty env', 'forged spawner variable', 'grandchild of the application',
    'rewritten process.env', 'replace the spawner', 'after replacing the spawner', 'spawn from a timer', 'fork', 'worker', 'eval worker', 'worker sharing the environment', 'forged environment data',
  ];
  assert.deepEqual(result, Object.fromEntries(names.map((name) => [name, 'ERR_ACCESS_DENIED'])));
  for (const name of names.filter((name) => name !== 'replace the spawner')) {
    const file = join(work, `written-by-${name.replaceAll(' ', '-')}`);
    assert.equal(existsSync(file), false, name);
    const writes = records.filter((record) => record.event === 'open' && record.args[0] === file);
    assert.ok(writes.length === 1 && writes.every((record) => record.package === 'evil' && record.blocked), `${name}: ${JSON.stringify(writes)}`);
    // evil's code is in the process that started this one.
    assert.equal(writes[0]?.frame, '(the starter)', name);
  }
  // Each process evil started says so in its first line; the grandchild, started by the application's code there, too.
  const started = streams.filter((stream) => stream.stream === 'start' && stream.argv?.some((word) => word.endsWith('tool.cjs') || word.endsWith('relay.cjs')));
  assert.ok(started.length >= 9, JSON.stringify(started));
  for (const stream of started) assert.deepEqual(stream.spawnedBy, { packages: [{ name: 'evil', version: '1.0.0' }], attribution: 'complete' }, JSON.stringify(stream));
  // The report's process tree says which package started each one.
  const report = spawnSync(process.execPath, [CLI, 'report', join(work, 'log.jsonl')], { encoding: 'utf8' });
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /^ {4}\d+ \S*node \S*tool\.cjs \S+ {2}\(started by evil\)/m);
});

test('a process the application starts is nobody else\'s: its events name no package, its first line says the application started it', () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'audithook-attack-')));
  writeFileSync(join(work, 'tool.cjs'), readFileSync(resolve(REPO_ROOT, 'test', 'attacks', 'spawned-code-app', 'tool.cjs')));
  writeFileSync(join(work, 'app.cjs'), "require('node:child_process').spawnSync(process.execPath, [__dirname + '/tool.cjs', __dirname + '/written'], { stdio: 'inherit' });\n");
  const log = join(work, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--', 'node', 'app.cjs'], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '"written"\n');
  const { records, streams } = readLog(log);
  const write = records.filter((record) => record.event === 'open' && record.args[0] === join(work, 'written'));
  assert.deepEqual(write.map((record) => [record.package, record.packages, record.attribution, record.frame]), [[null, [], 'complete', `${join(work, 'tool.cjs')}:8:3`]]);
  const starts = streams.filter((stream) => stream.stream === 'start');
  assert.equal(starts.length, 2);
  assert.deepEqual(starts.map((stream) => stream.spawnedBy), [undefined, { packages: [], attribution: 'complete' }]);
});
