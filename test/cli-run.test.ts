/**
 * `audithook run` end to end, through `node dist/cli/main.js run ...` on this test's Node (the
 * CLI puts that Node first in COMMAND's PATH, so `node` in COMMAND is the same binary): exit codes,
 * the log from every process and worker on every way out, attribution, JSON-safe arguments.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { O_CLOEXEC, REPO_ROOT } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const AUDITHOOK = resolve(REPO_ROOT, 'dist', 'index.js');
const ROOT = mkdtempSync(join(tmpdir(), 'audithook-cli-run-'));
let counter = 0;

/** A fresh directory with `files` (relative path -> content) written into it. */
function project(files: Record<string, string>): string {
  const dir = join(ROOT, `p${counter++}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly log: string;
}

/** `audithook run --log <dir>/log.jsonl [extra] -- command...` in `dir`. */
function run(dir: string, command: readonly string[], extra: readonly string[] = []): Run {
  const log = join(dir, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, ...extra, '--', ...command], {
    cwd: dir, encoding: 'utf8', timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, log };
}

/** The event records of the log, without what the supervisor says of each stream (collector.ts). */
function records(log: string): LogRecord[] {
  return readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord | { stream: string })
    .filter((line): line is LogRecord => !('stream' in line));
}

/** The `open` records of `path` (or of the paths it matches). */
function opens(log: string, path: string | RegExp): LogRecord[] {
  return records(log).filter((r) => r.event === 'open' && typeof r.args[0] === 'string'
    && (typeof path === 'string' ? r.args[0] === path : path.test(r.args[0])));
}
const numbered = (dir: string): RegExp => new RegExp(`^${dir}/f\\d+$`);

const noStackTrace = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

// ---- exit codes ----------------------------------------------------------------------------------

test('exit status: COMMAND\'s code, 128 + signal, 127 when not found', () => {
  const dir = project({});
  assert.equal(run(dir, ['node', '-e', '']).status, 0);
  assert.equal(run(dir, ['node', '-e', 'process.exitCode = 7']).status, 7);
  assert.equal(run(dir, ['node', '-e', "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000)"]).status, 128 + 15);
  assert.equal(run(dir, ['sh', '-c', 'kill -INT $$']).status, 128 + 2);
  const missing = run(dir, ['audithook-no-such-command-here']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /audithook-no-such-command-here: command not found/);
});

test('usage errors, an unwritable log and a broken policy exit 2 without starting COMMAND', () => {
  const dir = project({ 'broken.json': '{ "default": ' });
  const marker = join(dir, 'started');
  const command = ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`];
  const cases: [string, string[], RegExp][] = [
    ['no COMMAND', [CLI, 'run', '--log', join(dir, 'l.jsonl')], /missing required argument/],
    ['unknown option', [CLI, 'run', '--logg', 'x', '--', ...command], /unknown option/],
    ['unwritable log', [CLI, 'run', '--log', join(dir, 'no', 'such', 'dir', 'log.jsonl'), '--', ...command], /^audithook: cannot write the log .*log\.jsonl: no such file$/m],
    ['broken policy', [CLI, 'run', '--log', join(dir, 'l.jsonl'), '--policy', join(dir, 'broken.json'), '--', ...command], /broken\.json/],
    ['missing policy', [CLI, 'run', '--log', join(dir, 'l.jsonl'), '--policy', join(dir, 'absent.json'), '--', ...command], /absent\.json/],
  ];
  for (const [name, args, message] of cases) {
    const child = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    assert.equal(child.status, 2, `${name}: ${child.stderr}`);
    assert.match(child.stderr, message, name);
    noStackTrace(child.stderr);
    assert.equal(existsSync(marker), false, `${name}: COMMAND did not start`);
  }
});

test('without --log, the log is audithook.jsonl in the working directory, replaced by each run', () => {
  const dir = project({});
  writeFileSync(join(dir, 'audithook.jsonl'), 'an older run\n');
  const child = spawnSync(process.execPath, [CLI, 'run', '--', 'node', '-e', "require('fs').writeFileSync('out', '')"], { cwd: dir, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const log = join(dir, 'audithook.jsonl');
  // A relative path is audited made absolute (docs/security-model.md, Arguments).
  assert.deepEqual(opens(log, join(dir, 'out')).map((r) => r.args), [[join(dir, 'out'), 'w', 577 | O_CLOEXEC]]);
  assert.doesNotMatch(readFileSync(log, 'utf8'), /older run/);
  assert.doesNotMatch(child.stderr, /skipped/);
});

// ---- nothing lost --------------------------------------------------------------------------------

/** Opens f0..f{n-1} in one synchronous run, then does `then`. */
const OPEN_THEN = (n: number, then: string): string => `
  const fs = require('fs');
  for (let i = 0; i < ${n}; i++) fs.closeSync(fs.openSync(__dirname + '/f' + i, 'w'));
  ${then}
`;

test('every event reaches the log on normal exit, process.exit() and an uncaught exception', () => {
  for (const [then, status] of [['', 0], ['process.exit(3)', 3], ["throw new Error('boom')", 1], ['Promise.reject(new Error("rejected"))', 1]] as const) {
    const dir = project({ 'app.js': OPEN_THEN(2000, then) });
    const result = run(dir, ['node', 'app.js']);
    assert.equal(result.status, status, result.stderr);
    assert.equal(opens(result.log, numbered(dir)).length, 2000, then);
  }
});

/**
 * Starts the CLI, waits for COMMAND to print "<pid> ready", sends `signal` to the CLI (or, with
 * `toCommand`, straight to COMMAND's process), resolves on exit.
 */
function runUntilSignal(dir: string, command: string[], signal: NodeJS.Signals, toCommand = false): Promise<{ status: number | null; log: string; stderr: string }> {
  const log = join(dir, 'log.jsonl');
  const child = spawn(process.execPath, [CLI, 'run', '--log', log, '--', ...command], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    const ready = /(\d+) ready/.exec(stdout);
    if (ready !== null && !sent) {
      sent = true;
      if (toCommand) process.kill(Number(ready[1]), signal);
      else child.kill(signal);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  return new Promise((done) => child.on('close', (status) => done({ status, log, stderr })));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal}: passed on to COMMAND, which dies of it with its events logged`, async () => {
    const dir = project({ 'app.js': OPEN_THEN(500, "setInterval(() => {}, 1000); process.stdout.write(process.pid + ' ready\\n');") });
    const result = await runUntilSignal(dir, ['node', 'app.js'], signal);
    assert.equal(result.status, 128 + (signal === 'SIGINT' ? 2 : 15));
    assert.equal(opens(result.log, numbered(dir)).length, 500);
  });

  test(`${signal}: a program's own listener still decides (the agent does not kill it)`, async () => {
    const dir = project({
      'app.js': `process.on('${signal}', () => { require('fs').writeFileSync(__dirname + '/handled', ''); process.exit(0); });
        setInterval(() => {}, 1000); process.stdout.write(process.pid + ' ready\\n');`,
    });
    const result = await runUntilSignal(dir, ['node', 'app.js'], signal);
    assert.equal(result.status, 0);
    assert.equal(opens(result.log, join(dir, 'handled')).length, 1);
  });
}

test('SIGKILL loses at most the events of the last 20 ms, never a part of a line', async () => {
  // Ten opens, 100 ms of quiet (the buffer is written), then an open every millisecond until killed.
  const dir = project({
    'app.js': `const fs = require('fs');
      for (let i = 0; i < 10; i++) fs.closeSync(fs.openSync(__dirname + '/f' + i, 'w'));
      setTimeout(() => {
        let i = 10;
        setInterval(() => fs.closeSync(fs.openSync(__dirname + '/f' + i++, 'w')), 1);
        setTimeout(() => process.stdout.write(process.pid + ' ready\\n'), 50);
      }, 100);`,
  });
  const result = await runUntilSignal(dir, ['node', 'app.js'], 'SIGKILL', true);
  assert.equal(result.status, 128 + 9);
  assert.doesNotMatch(result.stderr, /skipped/, 'every line is whole');
  const logged = opens(result.log, numbered(dir)).map((r) => Number(/(\d+)$/.exec(r.args[0] as string)?.[1]));
  assert.deepEqual(logged.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'the events before the last 20 ms are all there');
  assert.deepEqual(logged, logged.map((_, i) => i), 'what is there has no gap');
});

// ---- every process and worker --------------------------------------------------------------------

test('children with an explicit env, grandchildren through a shell and workers are all audited', () => {
  const dir = project({
    'app.js': `
      const { spawnSync, execFileSync } = require('child_process');
      const { Worker } = require('worker_threads');
      const fs = require('fs');
      const touch = (name) => "require('fs').writeFileSync(" + JSON.stringify(__dirname + '/' + name) + ", '')";
      spawnSync('node', ['-e', touch('child')], { env: { PATH: process.env.PATH } });
      execFileSync('sh', ['-c', 'node -e "$0"', touch('grandchild')], { env: { PATH: process.env.PATH, NODE_OPTIONS: '--no-warnings', AUDITHOOK_LOG: '/dev/null' } });
      const worker = new Worker(touch('worker') + "; require('worker_threads').parentPort.postMessage(require('worker_threads').threadId)", { eval: true });
      worker.on('message', (id) => { fs.writeFileSync(__dirname + '/main', String(id)); process.exit(0); });
    `,
  });
  const result = run(dir, ['node', 'app.js']);
  assert.equal(result.status, 0, result.stderr);
  const [child, grandchild, worker, main] = ['child', 'grandchild', 'worker', 'main'].map((name) => {
    const found = opens(result.log, join(dir, name));
    assert.equal(found.length, 1, `${name}: ${JSON.stringify(found)}`);
    return found[0];
  });
  assert.notEqual(child.pid, main.pid);
  assert.notEqual(grandchild.pid, main.pid);
  assert.notEqual(grandchild.pid, child.pid);
  assert.equal(worker.pid, main.pid);
  assert.equal(worker.thread, Number(readFileSync(join(dir, 'main'), 'utf8')));
  assert.ok(worker.thread > 0);
  assert.equal(main.thread, 0);
});

test('npm scripts run audited: npm and its node children use the same Node', () => {
  const dir = project({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', scripts: { start: 'node app.js' } }),
    'app.js': "require('fs').writeFileSync(__dirname + '/out', process.version)",
  });
  const result = run(dir, ['npm', 'run', '--silent', 'start']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), process.version);
  assert.equal(opens(result.log, join(dir, 'out')).length, 1);
});

// ---- attribution ---------------------------------------------------------------------------------

test('attribution: the packages on the stack, innermost first, across awaits; app code is null', () => {
  const dir = project({
    'node_modules/leaf/package.json': JSON.stringify({ name: 'leaf', version: '1.2.3', main: 'lib/index.js' }),
    // A nested package.json without a name (a "type" marker) does not hide the package.
    'node_modules/leaf/lib/package.json': JSON.stringify({ type: 'commonjs' }),
    'node_modules/leaf/lib/index.js': `const fs = require('fs');
      exports.touch = (file) => fs.writeFileSync(file, '');
      exports.later = async (file) => { await new Promise((r) => setTimeout(r, 1)); await fs.promises.writeFile(file, ''); };`,
    'node_modules/@scope/middle/package.json': JSON.stringify({ name: '@scope/middle', version: '0.1.0' }),
    'node_modules/@scope/middle/index.js': "module.exports = (file) => require('leaf').touch(file);",
    'node_modules/@scope/middle/node_modules/inner/package.json': JSON.stringify({ name: 'inner', version: '2.0.0' }),
    'node_modules/@scope/middle/node_modules/inner/index.js': "module.exports = (f) => f();",
    'app.js': `
      const leaf = require('leaf');
      require('fs').writeFileSync(__dirname + '/by-app', '');
      leaf.touch(__dirname + '/by-leaf');
      require('@scope/middle')(__dirname + '/by-chain');
      require('./node_modules/@scope/middle/node_modules/inner')(() => require('@scope/middle')(__dirname + '/by-deep-chain'));
      leaf.later(__dirname + '/by-leaf-async');
    `,
  });
  const result = run(dir, ['node', 'app.js']);
  assert.equal(result.status, 0, result.stderr);
  const of = (name: string): [string | null, LogRecord['packages']] => {
    const found = opens(result.log, join(dir, name));
    assert.equal(found.length, 1, name);
    return [found[0].package, found[0].packages];
  };
  assert.deepEqual(of('by-app'), [null, []]);
  assert.deepEqual(of('by-leaf'), ['leaf', [{ name: 'leaf', version: '1.2.3' }]]);
  assert.deepEqual(of('by-chain'), ['leaf', [{ name: 'leaf', version: '1.2.3' }, { name: '@scope/middle', version: '0.1.0' }]]);
  assert.deepEqual(of('by-deep-chain'), ['leaf', [
    { name: 'leaf', version: '1.2.3' }, { name: '@scope/middle', version: '0.1.0' }, { name: 'inner', version: '2.0.0' },
  ]]);
  assert.deepEqual(of('by-leaf-async'), ['leaf', [{ name: 'leaf', version: '1.2.3' }]]);
  // What the agent does itself (reading those package.json files, writing the log) is not an event.
  assert.deepEqual(records(result.log).filter((r) => /package\.json$|log\.jsonl$/.test(String(r.args[0]))), []);
  // The summary counts per package.
  assert.match(result.stderr, /^ {2}leaf +open 4$/m);
  assert.match(result.stderr, /^ {2}<app> +([\w.]+ \d+, )*open \d+/m);
});

test('attribution: a package that tampers with built-ins cannot hide from its events', () => {
  const dir = project({
    'node_modules/sneaky/package.json': JSON.stringify({ name: 'sneaky', version: '6.6.6', main: 'lib/index.js' }),
    // A nameless package.json nearer the file: a name on Object.prototype must not become its name.
    'node_modules/sneaky/lib/package.json': JSON.stringify({ type: 'commonjs' }),
    // Every frame would look like Node's own or like the app's, if the agent used these.
    'node_modules/sneaky/lib/index.js': `
      Object.prototype.name = 'trusted';
      Object.prototype.version = '1.0.0';
      // Nor can it rewrite what the log says.
      Object.prototype.toJSON = function () { return 'forged'; };
      Array.prototype.toJSON = function () { return 'forged'; };
      String.prototype.startsWith = function () { return true; };
      String.prototype.lastIndexOf = function () { return -1; };
      Array.prototype.some = function () { return true; };
      Array.prototype.map = function () { return []; };
      Map.prototype.get = function () { return null; };
      Error.captureStackTrace((o = {}), Object); Error.prepareStackTrace = (e, sites) => {
        Object.getPrototypeOf(sites[0]).getFileName = () => 'node:internal/hidden';
        return '';
      };
      (o = {}).stack; Error.captureStackTrace(o); void o.stack; Error.prepareStackTrace = undefined;
      // Node's formatter asks globalThis.Error for prepareStackTrace.
      const RealError = Error;
      globalThis.Error = { prepareStackTrace: () => [], stackTraceLimit: 10 };
      try { require('fs').writeFileSync(process.argv[2], ''); } finally { globalThis.Error = RealError; }`,
    'app.js': "require('sneaky');",
  });
  const result = run(dir, ['node', 'app.js', join(dir, 'by-sneaky')]);
  assert.equal(result.status, 0, result.stderr);
  const [written] = opens(result.log, join(dir, 'by-sneaky'));
  assert.equal(written?.package, 'sneaky', JSON.stringify(written));
  assert.deepEqual(written?.packages, [{ name: 'sneaky', version: '6.6.6' }]);
  assert.deepEqual(written?.args, [join(dir, 'by-sneaky'), 'w', 577 | O_CLOEXEC]);
});

test("Node's module hooks thread: its own loading is not logged again, what a registered loader does there is", () => {
  const dir = project({
    'loader.mjs': "import fs from 'node:fs'; export async function load(url, context, next) { if (url.endsWith('/app.mjs')) fs.writeFileSync(new URL('./by-loader', url), ''); return next(url, context); }",
    'register.mjs': "import { register } from 'node:module'; register('./loader.mjs', import.meta.url);",
    'app.mjs': "import fs from 'node:fs'; fs.writeFileSync(new URL('./by-app', import.meta.url), '');",
  });
  const plainRun = run(dir, ['node', 'app.mjs']);
  assert.equal(plainRun.status, 0, plainRun.stderr);
  // Without a loader of the program's own, every event is the main thread's: Node's reads of the
  // ES module sources are the import events, not extra open events from its hooks thread.
  assert.deepEqual(records(plainRun.log).filter((r) => r.thread !== 0).map((r) => [r.thread, r.event, r.args[0]]), []);
  assert.equal(opens(plainRun.log, join(dir, 'by-app')).length, 1);

  const withLoader = run(dir, ['node', '--import', './register.mjs', 'app.mjs']);
  assert.equal(withLoader.status, 0, withLoader.stderr);
  const byLoader = opens(withLoader.log, join(dir, 'by-loader'));
  assert.equal(byLoader.length, 1, 'the write of the loader hook is logged');
  assert.notEqual(byLoader[0]?.thread, 0);
});

test('attribution: a package that locks the stack-trace machinery is still blamed, with the whole chain', () => {
  const dir = project({
    'node_modules/locker/package.json': JSON.stringify({ name: 'locker', version: '1.0.0' }),
    'node_modules/locker/index.js': `Object.defineProperty(Error, 'prepareStackTrace', { value: () => [], writable: false, configurable: false });
      Object.defineProperty(Error, 'stackTraceLimit', { value: 0, writable: false, configurable: false });
      require('fs').writeFileSync(process.argv[2], '');`,
    'app.js': "require('locker');",
  });
  const result = run(dir, ['node', 'app.js', join(dir, 'locked')]);
  assert.equal(result.status, 0, result.stderr);
  const [written] = opens(result.log, join(dir, 'locked'));
  assert.deepEqual([written?.package, written?.attribution], ['locker', 'complete'], JSON.stringify(written));
});

test('the policy reaches every process as the file audithook run wrote: one swapped by a program that is not Node stops the next Node', () => {
  const dir = project({ 'secret.txt': 'token' });
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ default: 'allow', rules: [{ event: 'open', match: { path: 'secret.txt' }, action: 'deny' }] }));
  // A shell (no agent, no guard of the channel) replaces the policy with one allowing everything, then starts Node.
  const swap = [
    'f="$AUDITHOOK_CHANNEL/policy.json"; chmod u+w "$f"',
    `printf '%s' "$(cat "$f" | sed 's/"deny"/"allow"/g')" > "$f"`,
    `node -e "process.stdout.write(require('fs').readFileSync('secret.txt', 'utf8'))"`,
  ].join('; ');
  const result = run(dir, ['sh', '-c', swap], ['--policy', policy]);
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, '', 'the secret was not read');
  assert.match(result.stderr, /^audithook agent: \/.*\/policy\.json is not the policy audithook run wrote \(its SHA-256 is not AUDITHOOK_POLICY's\): something changed it$/m);
  // Unchanged, the same Node is refused the secret by the policy.
  const kept = run(dir, ['sh', '-c', `node -e "require('fs').readFileSync('secret.txt')"`], ['--policy', policy]);
  assert.match(kept.stderr, /audithook: open .*secret\.txt denied for the application by rules\[0\] of policy\.json/);
});

test('the agent without its configuration stops the process before user code, with one line and exit 2', () => {
  const agent = resolve(REPO_ROOT, 'dist', 'agent.js');
  const dir = project({});
  // A channel directory holding a policy file that is not JSON: the digest says whether it is the one written.
  const channel = join(dir, 'channel');
  mkdirSync(channel);
  writeFileSync(join(channel, 'policy.json'), '{not json');
  const digest = createHash('sha256').update('{not json').digest('hex');
  const log = join(dir, 'log.jsonl');
  const cases: [NodeJS.ProcessEnv, RegExp][] = [
    [{}, /^audithook agent: AUDITHOOK_LOG is not set/],
    [{ AUDITHOOK_LOG: log }, /^audithook agent: AUDITHOOK_CHANNEL is not set/],
    [{ AUDITHOOK_LOG: log, AUDITHOOK_CHANNEL: join(dir, 'absent') }, /^audithook agent: cannot open a channel to audithook run: ENOENT/],
    [{ AUDITHOOK_LOG: log, AUDITHOOK_CHANNEL: dir, AUDITHOOK_POLICY: digest }, /^audithook agent: cannot read the policy audithook run wrote \(.*policy\.json\): ENOENT/],
    [{ AUDITHOOK_LOG: log, AUDITHOOK_CHANNEL: channel, AUDITHOOK_POLICY: '0'.repeat(64) }, /^audithook agent: .*policy\.json is not the policy audithook run wrote \(its SHA-256 is not AUDITHOOK_POLICY's\): something changed it/],
    [{ AUDITHOOK_LOG: log, AUDITHOOK_CHANNEL: channel, AUDITHOOK_POLICY: digest }, /^audithook agent: .*policy\.json is not a compiled policy/],
  ];
  for (const [env, message] of cases) {
    const inherited = { ...process.env };
    delete inherited['AUDITHOOK_LOG'];
    delete inherited['AUDITHOOK_CHANNEL'];
    delete inherited['AUDITHOOK_POLICY'];
    const child = spawnSync(process.execPath, ['-r', agent, '-e', "require('fs').writeFileSync(process.argv[1], '')", join(dir, 'ran')], {
      env: { ...inherited, ...env }, encoding: 'utf8',
    });
    assert.equal(child.status, 2, child.stderr);
    assert.match(child.stderr, message);
    noStackTrace(child.stderr);
    assert.equal(existsSync(join(dir, 'ran')), false, 'no user code ran');
  }
});

// ---- JSON-safe arguments -------------------------------------------------------------------------

test('arguments are logged JSON-safe: buffers, cycles, functions, throwing getters, Proxies, huge values, sockets', () => {
  const dir = project({
    'app.js': `
      const { audit } = require(${JSON.stringify(AUDITHOOK)});
      const circular = { name: 'loop' }; circular.self = circular;
      const getter = { get boom() { throw new Error('getter ran'); } };
      let trapped = false;
      const proxy = new Proxy({}, { get() { trapped = true; return 1; }, ownKeys() { trapped = true; return []; } });
      const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
      audit('test.args', Buffer.from('hello world'), Buffer.from([0, 1, 2, 255]), circular, function named() {}, getter, proxy,
        'x'.repeat(5000), Array.from({ length: 100 }, (_, i) => i), deep, 10n, undefined, NaN, new Map([[1, 2]]), new Date(0), Symbol('s'));
      const net = require('net');
      const server = net.createServer((socket) => socket.end()).listen(0, '127.0.0.1', () => {
        net.connect(server.address().port, '127.0.0.1').on('close', () => { server.close(); require('fs').writeFileSync(__dirname + '/trapped', String(trapped)); });
      });
    `,
  });
  const result = run(dir, ['node', 'app.js']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(readFileSync(join(dir, 'trapped'), 'utf8'), 'false', 'no Proxy trap ran');
  const [event] = records(result.log).filter((r) => r.event === 'test.args');
  assert.ok(event);
  const [text, binary, circular, fn, getter, proxy, long, list, deep, big, undef, nan, map, date, symbol] = event.args as unknown[];
  assert.deepEqual(text, { $type: 'Buffer', size: 11, utf8: 'hello world' });
  assert.deepEqual(binary, { $type: 'Buffer', size: 4, hex: '000102ff' });
  assert.deepEqual(circular, { name: 'loop', self: { $type: 'circular' } });
  assert.deepEqual(fn, { $type: 'function', name: 'named' });
  assert.deepEqual(getter, { boom: '[getter]' });
  assert.deepEqual(proxy, { $type: 'Proxy' });
  assert.equal(long, `${'x'.repeat(1024)}…(5000 chars)`);
  assert.equal((list as unknown[]).length, 33);
  assert.equal((list as unknown[])[32], '…(100 items)');
  assert.deepEqual(deep, { a: { b: { c: { $type: 'Object', cut: 'depth' } } } });
  assert.deepEqual([big, undef, nan, date, symbol], ['10n', null, 'NaN', '1970-01-01T00:00:00.000Z', 'Symbol(s)']);
  assert.deepEqual(map, { $type: 'Map', size: 1, entries: [[1, 2]] });
  const [connect] = records(result.log).filter((r) => r.event === 'socket.connect');
  assert.ok(connect);
  assert.deepEqual((connect.args[0] as { $type: string }).$type, 'Socket');
  assert.equal((connect.args[1] as unknown[])[0], '127.0.0.1');
});

test('an argument that is a plain object keeps up to 1024 keys: every variable of a child\'s environment is logged', () => {
  const dir = project({
    'app.js': `
      const env = { PATH: process.env.PATH };
      for (let i = 0; i < 100; i++) env['VAR_' + String(i).padStart(3, '0')] = 'v' + i;
      require('child_process').spawnSync('node', ['-e', ''], { env });
      const many = {};
      for (let i = 0; i < 1100; i++) many['k' + i] = i < 40 ? { i } : i;
      require(${JSON.stringify(AUDITHOOK)}).audit('test.object', many);
    `,
  });
  const result = run(dir, ['node', 'app.js'], ['--log-secrets']);
  assert.equal(result.status, 0, result.stderr);
  const popen = records(result.log).find((r) => r.event === 'subprocess.Popen');
  const env = popen?.args[3] as Record<string, unknown>;
  for (let i = 0; i < 100; i++) assert.equal(env[`VAR_${String(i).padStart(3, '0')}`], `v${i}`, `VAR_${i}`);
  assert.equal('…' in env, false);
  const many = records(result.log).find((r) => r.event === 'test.object')?.args[0] as Record<string, unknown>;
  assert.equal(Object.keys(many).length, 1025);
  assert.equal(many['…'], '1100 keys');
  assert.deepEqual([many['k31'], many['k32'], many['k40'], many['k1023']], [{ i: 31 }, { $type: 'Object', cut: 'items' }, 40, 1023]);
});

test('the log and the channel are audithook\'s: the program cannot open, rename or remove them, even without a policy', () => {
  const dir = project({
    'app.js': `const fs = require('fs');
      const attempts = [
        () => fs.appendFileSync(process.env.AUDITHOOK_LOG, '{"forged":1}\\n'),
        () => fs.readFileSync(process.env.AUDITHOOK_LOG),
        () => fs.renameSync(process.env.AUDITHOOK_LOG, __dirname + '/moved'),
        () => fs.rmSync(process.env.AUDITHOOK_LOG),
        () => fs.readdirSync(process.env.AUDITHOOK_CHANNEL),
        () => fs.openSync(process.env.AUDITHOOK_CHANNEL + '/fifo-9', 'w'),
      ];
      process.stdout.write(attempts.map((attempt) => { try { attempt(); return 'done'; } catch (error) { return error.code; } }).join(' '));`,
  });
  const result = run(dir, ['node', 'app.js']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, Array(6).fill('ERR_ACCESS_DENIED').join(' '));
  const refused = records(result.log).filter((r) => r.rule === 'audithook (its log and channel)');
  assert.equal(refused.length, 6);
  assert.ok(refused.every((r) => r.blocked && r.decision === 'deny'));
  assert.doesNotMatch(readFileSync(result.log, 'utf8'), /forged/);
});

test('the code cache every later process runs as its agent is audithook\'s: the program cannot write, move or remove it, nor have the preload load and cache its own agent', () => {
  const cache = join(REPO_ROOT, '.code-cache');
  const preload = join(REPO_ROOT, 'dist', 'agent.js');
  const dir = project({
    'app.js': `const fs = require('fs');
      const cache = ${JSON.stringify(cache)};
      const attempts = [
        () => fs.writeFileSync(cache + '/agent-main-forged.bin', 'x'),
        () => fs.readdirSync(cache).forEach((name) => fs.renameSync(cache + '/' + name, cache + '/' + name + '.moved')),
        () => fs.rmSync(cache, { recursive: true }),
        () => { for (const file of Object.keys(require.cache)) if (file.startsWith(${JSON.stringify(join(REPO_ROOT, 'dist'))})) delete require.cache[file]; require(${JSON.stringify(preload)}); },
      ];
      process.stdout.write(attempts.map((attempt) => { try { attempt(); return 'done'; } catch (error) { return error.code ?? error.message; } }).join(' | '));`,
  });
  const result = run(dir, ['node', 'app.js']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, ['ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'ERR_ACCESS_DENIED', 'audithook agent: the agent runs once per thread, preloaded by audithook run'].join(' | '));
  const refused = records(result.log).filter((r) => r.rule === 'audithook (its code cache)');
  assert.ok(refused.length >= 3 && refused.every((r) => r.blocked), JSON.stringify(refused));
});

// ---- policies ------------------------------------------------------------------------------------

const EVIL_PACKAGE = {
  'node_modules/evil/package.json': JSON.stringify({ name: 'evil', version: '6.6.6' }),
  'node_modules/evil/index.js': `exports.touch = (file) => {
    try { require('fs').writeFileSync(file, ''); return 'written'; } catch (error) { return error.code + ': ' + error.message; }
  };`,
};

test('enforce: a denied operation fails with ERR_ACCESS_DENIED naming the event, package and rule, in every process and worker', () => {
  const dir = project({
    ...EVIL_PACKAGE,
    'policy.json': JSON.stringify({
      default: 'allow', mode: 'enforce',
      rules: [{ event: 'os.*', action: 'allow' }, { event: 'open', package: 'evil', match: { path: './denied-*' }, action: 'deny' }],
    }),
    'app.js': `
      const { Worker } = require('worker_threads');
      const { spawnSync } = require('child_process');
      const evil = require('evil');
      const results = { main: evil.touch(__dirname + '/denied-main'), allowed: evil.touch(__dirname + '/allowed') };
      results.child = spawnSync('node', ['-e', "process.stdout.write(require('evil').touch(process.argv[1]))", __dirname + '/denied-child'],
        { env: { PATH: process.env.PATH }, encoding: 'utf8' }).stdout;
      const touchIn = (name, options) => new Promise((resolve) => new Worker(
        "require('worker_threads').parentPort.postMessage(require('evil').touch(require('worker_threads').workerData))",
        { eval: true, workerData: __dirname + '/denied-' + name, ...options },
      ).on('message', (message) => resolve(results[name] = message)));
      // A worker given its own env, with a log of its choosing and no policy, still runs the policy.
      Promise.all([touchIn('worker', {}), touchIn('worker-env', { env: { AUDITHOOK_LOG: __dirname + '/elsewhere.jsonl' } })])
        .then(() => console.log(JSON.stringify(results)));
    `,
  });
  const result = run(dir, ['node', 'app.js'], ['--policy', join(dir, 'policy.json')]);
  assert.equal(result.status, 0, result.stderr);
  const outcome = JSON.parse(result.stdout) as Record<string, string>;
  assert.equal(outcome['allowed'], 'written');
  for (const where of ['main', 'child', 'worker', 'worker-env']) {
    assert.equal(outcome[where], `ERR_ACCESS_DENIED: audithook: open ${join(dir, `denied-${where}`)} denied for package "evil" by rules[1] of policy.json`, where);
    assert.equal(existsSync(join(dir, `denied-${where}`)), false, `${where}: nothing created`);
    const [entry] = opens(result.log, join(dir, `denied-${where}`));
    assert.ok(entry, where);
    assert.deepEqual([entry.package, entry.decision, entry.rule, entry.blocked], ['evil', 'deny', 'rules[1]', true]);
  }
  const [allowed] = opens(result.log, join(dir, 'allowed'));
  assert.deepEqual([allowed?.decision, allowed?.rule, allowed?.blocked], ['allow', 'default', false]);
  assert.equal(existsSync(join(dir, 'elsewhere.jsonl')), false, 'the agent logs where audithook run said');
  assert.match(result.stderr, /4 denied \(4 blocked, 0 reported only\)/);
  assert.match(result.stderr, /BLOCKED {2}evil open \/.*\/denied-main \(rules\[1\]\)$/m);
});

test('a denial error names the event, package, resource and rule, as properties too, and its stack starts at the program\'s frame', () => {
  const dir = project({
    'node_modules/evil/package.json': JSON.stringify({ name: 'evil', version: '6.6.6' }),
    'node_modules/evil/index.js': `
      const attempt = (operation) => { try { operation(); } catch (error) { return error; } return null; };
      exports.denials = async () => [
        attempt(() => require('fs').readFileSync('secret.txt')),
        attempt(() => require('child_process').execFileSync('/bin/echo', ['a b'])),
        await new Promise((resolve) => require('http').get('http://127.0.0.1:4444/collect').on('error', resolve)),
        attempt(() => process.kill(process.pid, 0)),
      ];`,
    'app.js': `
      // A formatter of the program's own is used, as for Node's own errors.
      Error.prepareStackTrace = (error, sites) => error + sites.map((site) => '\\n    at ' + site).join('');
      require('evil').denials().then((errors) => console.log(JSON.stringify(errors.map((error) => ({ ...error, message: error.message, stack: error.stack.split('\\n') })))));
    `,
    'policy.json': JSON.stringify({ default: 'allow', rules: [{ event: '{open,subprocess.Popen,http.client.connect,os.kill}', package: 'evil', action: 'deny' }] }),
  });
  const result = run(dir, ['node', 'app.js'], ['--policy', join(dir, 'policy.json'), '--quiet']);
  assert.equal(result.status, 0, result.stderr);
  const errors = JSON.parse(result.stdout) as { message: string; stack: string[]; [key: string]: unknown }[];
  const pid = String(records(result.log).find((r) => r.event === 'os.kill')?.args[0]);
  const expected = [['open', join(dir, 'secret.txt')], ['subprocess.Popen', '/bin/echo a b'], ['http.client.connect', '127.0.0.1:4444'], ['os.kill', pid]];
  assert.equal(errors.length, expected.length);
  const ownFiles = resolve(REPO_ROOT, 'dist');
  errors.forEach((error, i) => {
    const [event, resource] = expected[i] as [string, string];
    const message = `audithook: ${event} ${resource} denied for package "evil" by rules[0] of policy.json`;
    assert.deepEqual(error, {
      code: 'ERR_ACCESS_DENIED', event, package: 'evil', resource, rule: 'rules[0]', policy: join(dir, 'policy.json'), message,
      stack: [`Error: ${message}`, ...error.stack.slice(1)],
    }, event);
    // The program's frames (or Node's, for an operation Node's internals audit), never audithook's.
    assert.ok(error.stack.length > 1, event);
    assert.equal(error.stack.filter((line) => line.includes(ownFiles)).length, 0, `${event}: ${error.stack.join('\n')}`);
  });
  assert.match(errors[0]?.stack[1] ?? '', /^ {4}at .*node_modules\/evil\/index\.js:\d+:\d+\)?$/);
});

test('report mode: nothing is blocked, the log and the summary say what would have been denied', () => {
  const dir = project({
    ...EVIL_PACKAGE,
    'policy.json': JSON.stringify({ default: 'deny', mode: 'report', rules: [{ event: 'open', package: 'evil', action: 'allow' }] }),
    'app.js': "console.log(require('evil').touch(__dirname + '/by-evil')); require('fs').writeFileSync(__dirname + '/by-app', '');",
  });
  const result = run(dir, ['node', 'app.js'], ['--policy', join(dir, 'policy.json')]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'written');
  assert.ok(existsSync(join(dir, 'by-app')));
  const [byApp] = opens(result.log, join(dir, 'by-app'));
  assert.deepEqual([byApp?.package, byApp?.decision, byApp?.rule, byApp?.blocked], [null, 'deny', 'default', false]);
  const [byEvil] = opens(result.log, join(dir, 'by-evil'));
  assert.deepEqual([byEvil?.decision, byEvil?.rule], ['allow', 'rules[0]']);
  assert.match(result.stderr, /REPORTED <app> open \/.*\/by-app \(default\)$/m);
});

test('a learned default-deny policy lets a crash be a crash: exit status and stderr as plain node, sys.excepthook logged', () => {
  const dir = project({
    'app.js': `
      require('fs').writeFileSync(__dirname + '/out', '');
      if (process.argv[2] === 'throw') throw new Error('boom');
      if (process.argv[2] === 'reject') Promise.reject(new Error('rejected'));
    `,
  });
  const learnt = run(dir, ['node', 'app.js']);
  assert.equal(learnt.status, 0, learnt.stderr);
  const policy = join(dir, 'policy.json');
  const learn = spawnSync(process.execPath, [CLI, 'policy', 'learn', learnt.log, '-o', policy], { cwd: dir, encoding: 'utf8' });
  assert.equal(learn.status, 0, learn.stderr);
  assert.match(readFileSync(policy, 'utf8'), /"default": "deny"/);
  // The instrumentation's frames are in the middle of the program's stack: the rest must be plain node's.
  const withoutFrames = (stderr: string): string => stderr.split('\n').filter((line) => !/^ {4}at /.test(line)).join('\n');
  for (const how of ['throw', 'reject']) {
    const plain = spawnSync(process.execPath, ['app.js', how], { cwd: dir, encoding: 'utf8' });
    assert.equal(plain.status, 1, plain.stderr);
    const audited = run(dir, ['node', 'app.js', how], ['--policy', policy, '--quiet', '--fail-on-deny']);
    assert.equal(audited.status, plain.status, audited.stderr);
    assert.equal(withoutFrames(audited.stderr), withoutFrames(plain.stderr));
    assert.doesNotMatch(audited.stderr, /denied|ERR_ACCESS_DENIED/);
    const hooks = records(audited.log).filter((r) => r.event === 'sys.excepthook');
    assert.deepEqual(hooks.map((r) => [r.decision, r.rule, r.blocked]), [['allow', 'report-only', false]], how);
  }
});

test('--fail-on-deny exits 77 when anything was denied (blocked or only reported), else with COMMAND\'s status', () => {
  const dir = project({
    'report.json': JSON.stringify({ default: 'allow', mode: 'report', rules: [{ event: 'open', match: { path: './secret' }, action: 'deny' }] }),
    'enforce.json': JSON.stringify({ default: 'allow', rules: [{ event: 'open', match: { path: './secret' }, action: 'deny' }] }),
  });
  const readSecret = ['node', '-e', "try { require('fs').readFileSync('secret') } catch {} process.exitCode = 5"];
  for (const mode of ['report', 'enforce']) {
    const result = run(dir, readSecret, ['--fail-on-deny', '--policy', join(dir, `${mode}.json`)]);
    assert.equal(result.status, 77, `${mode}: ${result.stderr}`);
    assert.match(result.stderr, /^audithook: --fail-on-deny: 1 operation denied; exit status 77 \(COMMAND's was 5\)$/m, mode);
    // Without the flag, COMMAND's status.
    assert.equal(run(dir, readSecret, ['--policy', join(dir, `${mode}.json`)]).status, 5, mode);
  }
  const clean = run(dir, ['node', '-e', 'process.exitCode = 5'], ['--fail-on-deny', '--policy', join(dir, 'enforce.json')]);
  assert.equal(clean.status, 5, clean.stderr);
  assert.doesNotMatch(clean.stderr, /fail-on-deny/);
});

test('--summary json (on stderr or in --summary-file) has the counts, the packages, every denial and both statuses; --quiet prints none', () => {
  const dir = project({
    ...EVIL_PACKAGE,
    'policy.json': JSON.stringify({ default: 'allow', mode: 'report', rules: [{ event: 'open', package: 'evil', action: 'deny' }] }),
    'app.js': "for (let i = 0; i < 25; i++) require('evil').touch(__dirname + '/f' + i); console.error('from the app');",
  });
  const policy = ['--policy', join(dir, 'policy.json')];
  const onStderr = run(dir, ['node', 'app.js'], [...policy, '--summary', 'json', '--fail-on-deny']);
  assert.equal(onStderr.status, 77, onStderr.stderr);
  const [appLine, jsonLine, failLine, rest] = onStderr.stderr.split('\n');
  assert.deepEqual([appLine, failLine, rest], ['from the app', "audithook: --fail-on-deny: 25 operations denied; exit status 77 (COMMAND's was 0)", '']);
  const data = JSON.parse(jsonLine) as Record<string, unknown>;
  assert.deepEqual(
    [data['version'], data['log'], data['commandStatus'], data['status'], data['processes'], data['denied'], data['blocked'], data['reported'], data['skippedLines']],
    [1, onStderr.log, 0, 77, 1, 25, 0, 25, 0],
  );
  const packages = data['packages'] as { name: string | null; events: Record<string, number>; denied: number; versions: string[] }[];
  // Riskiest first: the package with denials before the application.
  assert.deepEqual(packages.map((pkg) => [pkg.name, pkg.denied]), [['evil', 25], [null, 0]]);
  assert.equal(packages[0]?.events['open'], 25);
  assert.deepEqual(packages[0]?.versions, ['6.6.6']);
  assert.equal(data['events'], records(onStderr.log).length);
  const denials = data['denials'] as { package: string; event: string; subject: string; rule: string; blocked: boolean; count: number }[];
  assert.equal(denials.length, 25, 'every denial, not the first 20 the text shows');
  assert.deepEqual(denials[0], { ...denials[0], package: 'evil', event: 'open', subject: join(dir, 'f0'), rule: 'rules[0]', blocked: false, count: 1 });

  const file = join(dir, 'summary.json');
  const quiet = run(dir, ['node', 'app.js'], [...policy, '--summary', 'json', '--summary-file', file, '--quiet']);
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stderr, 'from the app\n');
  const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual([written['status'], written['denied']], [0, 25]);
  // Text in the file, nothing on stderr, without --quiet too.
  const text = run(dir, ['node', 'app.js'], [...policy, '--summary-file', file]);
  assert.equal(text.stderr, 'from the app\n');
  assert.match(readFileSync(file, 'utf8'), /^audithook: \d+ events from 1 process, logged to .*\n(.*\n)*audithook: 25 denied \(0 blocked, 25 reported only\):\n/);
  assert.equal(run(dir, ['node', 'app.js'], [...policy, '--quiet']).stderr, 'from the app\n');
  // A stream that lost records is a problem: said with --quiet too, and in the JSON.
  const cut = run(dir, ['node', '-e', 'process.reallyExit(3)'], ['--quiet', '--summary', 'json', '--summary-file', file]);
  assert.equal(cut.status, 3);
  assert.match(cut.stderr, /^audithook: 1 stream not intact:\n {2}process \d+: stream cut after \d+ records? \(exit code 3 without its 'exit' event\); what it sent is logged\n$/);
  const streams = (JSON.parse(readFileSync(file, 'utf8')) as { streams: { stream: string; text: string }[] }).streams;
  assert.deepEqual(streams.map((stream) => stream.stream), ['cut']);
  assert.match(streams[0]?.text ?? '', /stream cut after/);
  // The summary file is created before COMMAND starts: an unwritable one starts nothing.
  const unwritable = run(dir, ['node', 'app.js'], ['--summary-file', join(dir, 'no', 'such', 'summary.json')]);
  assert.equal(unwritable.status, 2);
  assert.match(unwritable.stderr, /^audithook: cannot write the summary .*summary\.json: no such file\n$/);
});

test('the README example: the app works, its dependency\'s secret read, post and shell are blocked', () => {
  const example = resolve(REPO_ROOT, 'examples', 'supply-chain');
  const log = join(project({}), 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, '--policy', join(example, 'policy.json'), '--', 'node', join(example, 'app.mjs')], {
    cwd: REPO_ROOT, encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^Hello, World -> hello-world$/m);
  const blocked = records(log).filter((r) => r.blocked).map((r) => [r.package, r.event]);
  assert.deepEqual(blocked, [
    ['helpful-utils', 'open'], ['helpful-utils', 'http.client.connect'], ['helpful-utils', 'http.client.send'], ['helpful-utils', 'subprocess.Popen'],
  ]);
  assert.equal(records(log).some((r) => r.event === 'socket.connect'), false, 'nothing was dialled');
  assert.doesNotMatch(readFileSync(log, 'utf8'), /npm_an-example-token/, 'the secret was never read, so never sent');
  assert.match(child.stderr, /BLOCKED {2}helpful-utils open \/.*\/secret\.txt \(rules\[1\]\)$/m);
  // The README's sample summary is what it prints (its paths those of a checkout in /home/me/audithook),
  // on Node 22 and later. Node 20's loader reads helpful-utils/index.js twice (once to find that it
  // is CommonJS, once to run it): 13 events, <app> open 4.
  const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
  const sample = (/```\n(audithook: \d+ events[^`]*)```/.exec(readme)?.[1] ?? '').split('\n');
  const printed = child.stderr.split('\n');
  const node20 = process.versions.node.startsWith('20.');
  const shown = sample.filter((line) => line.startsWith('  ') && !line.includes('...') && !(node20 && line.startsWith('  <app>')));
  assert.ok(shown.length >= 3, sample.join('\n'));
  for (const line of shown) assert.ok(printed.includes(line.replaceAll('/home/me/audithook', REPO_ROOT)), `README line not printed: ${line}\n${child.stderr}`);
  if (node20) {
    const index = join(REPO_ROOT, 'examples', 'supply-chain', 'node_modules', 'helpful-utils', 'index.js');
    assert.equal(records(log).filter((r) => r.event === 'open' && r.args[0] === index).length, 2);
    assert.match(child.stderr, /^ {2}<app> {10}open 4, import 2, cpython\.run_file 1$/m);
  } else {
    assert.ok(printed.includes(sample[0].replace('/home/me/audithook/audithook.jsonl', log)), child.stderr);
  }
});
