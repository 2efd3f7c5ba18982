/**
 * `audithook run --policy` inside Node's permission wall (src/policy/wall.ts, run.ts): the agent
 * audits there as outside (natives.ts, public-callers.ts), a learned policy enforced with the wall
 * refuses nothing more, every child and worker is inside it, what the JavaScript layer does not see
 * is stopped by Node and logged as node.permission, and where there is no wall the run says why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { loadPolicy } from '../src/policy/index';
import { permissionWall } from '../src/policy/wall';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures', 'wall');
const THIS_NODE = { version: process.version, optionFlags: process.allowedNodeEnvironmentFlags };

function freshDirectory(name: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), `audithook-${name}-`)));
}

const denyAll = freshDirectory('wall-run-policy');
writeFileSync(join(denyAll, 'policy.json'), JSON.stringify({ default: 'deny', rules: [] }));
/** Whether this Node gets a wall at all (22.13+). */
const hasWall = permissionWall(loadPolicy(join(denyAll, 'policy.json')), { read: [], write: [] }, THIS_NODE).on;
/** Whether Node publishes its refusals (24+), which become node.permission records. */
const publishes = hasWall && process.allowedNodeEnvironmentFlags.has('--permission-audit');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly log: string;
  readonly records: LogRecord[];
  /** The command's last line of stdout, as JSON. */
  readonly result: unknown;
}

let runs = 0;

function run(cwd: string, args: readonly string[]): Run {
  const log = join(cwd, `log-${runs++}.jsonl`);
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', log, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  const records = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord).filter((record) => !('stream' in record));
  const lines = child.stdout.trim().split('\n');
  let result: unknown = null;
  try {
    result = JSON.parse(lines[lines.length - 1] ?? 'null');
  } catch {
    // Not JSON: the command printed something else last.
  }
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, log, records, result };
}

/** An event as comparable across runs: a child's environment by its keys, without audithook's own. */
function comparable(record: LogRecord): string {
  const args = record.event === 'subprocess.Popen'
    ? [...record.args.slice(0, 3), Object.keys(record.args[3] as object).filter((key) => !key.startsWith('AUDITHOOK_')).sort()]
    : record.args;
  return `${record.event} ${record.package ?? '<app>'} ${JSON.stringify(args)}`;
}

const WALLED = hasWall ? 'walled' : 'no wall';

describe('inside the wall the agent audits as outside it', { skip: hasWall ? false : `no permission wall on Node ${process.version}` }, () => {
  test('a learned policy, enforced with the wall: the same events, nothing refused, every child and worker inside', () => {
    const work = freshDirectory('wall-run');
    for (const file of ['capabilities.mjs', 'child.mjs']) copyFileSync(join(FIXTURES, file), join(work, file));
    const learning = run(work, ['--', 'node', 'capabilities.mjs']);
    assert.equal(learning.status, 0, learning.stderr);
    const expected = {
      spawnSync: 'one', execSync: 'two', execFileSync: 'three', lookup: '127.0.0.1', promisesLookup: '127.0.0.1', dial: 'ECONNREFUSED', datagram: 'sent',
    };
    assert.deepEqual(learning.result, { walled: 'no wall', ...expected, child: 'no wall', worker: 'no wall' });
    const policy = join(work, 'learned.json');
    const learn = spawnSync(process.execPath, [CLI, 'policy', 'learn', learning.log, '-o', policy], { encoding: 'utf8' });
    assert.equal(learn.status, 0, learn.stderr);

    const enforced = run(work, ['--policy', policy, '--', 'node', 'capabilities.mjs']);
    assert.equal(enforced.status, 0, enforced.stderr);
    assert.deepEqual(enforced.result, { walled: WALLED, ...expected, child: WALLED, worker: WALLED });
    assert.deepEqual(enforced.records.filter((record) => record.decision === 'deny').map(comparable), []);
    assert.deepEqual(enforced.records.map(comparable).sort(), learning.records.map(comparable).sort());
    assert.doesNotMatch(enforced.stderr, /no permission wall/);
  });

  test('a package in the node_modules of a folder above the working directory loads inside the wall', () => {
    const work = freshDirectory('wall-run-above');
    mkdirSync(join(work, 'node_modules', 'above'), { recursive: true });
    writeFileSync(join(work, 'node_modules', 'above', 'package.json'), JSON.stringify({ name: 'above', version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(work, 'node_modules', 'above', 'index.js'), "module.exports = 'loaded';\n");
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'app.js'), "console.log(JSON.stringify(require('above')));\n");
    // The package's file is allowed, not the package.json Node's loader reads first (which raises no event).
    writeFileSync(join(app, 'policy.json'), JSON.stringify({
      default: 'deny',
      rules: [
        { event: '{import,cpython.run_file}', action: 'allow' },
        { event: 'open', match: { path: ['./**', '../node_modules/above/index.js'], mode: 'r' }, action: 'allow' },
      ],
    }));
    const walled = run(app, ['--policy', 'policy.json', '--', 'node', 'app.js']);
    assert.equal(walled.status, 0, walled.stderr);
    assert.equal(walled.result, 'loaded');
  });
});


describe('what the JavaScript layer does not see, the wall stops', { skip: hasWall ? false : `no permission wall on Node ${process.version}` }, () => {
  const work = freshDirectory('wall-run-probe');
  const secret = join(freshDirectory('wall-run-secret'), 'id_rsa');
  writeFileSync(secret, 'a private key');
  const evil = join(work, 'node_modules', 'evil');
  mkdirSync(evil, { recursive: true });
  writeFileSync(join(evil, 'package.json'), JSON.stringify({ name: 'evil', version: '1.0.0', type: 'module', exports: './index.mjs' }));
  copyFileSync(join(FIXTURES, 'probe.mjs'), join(evil, 'index.mjs'));
  writeFileSync(join(work, 'app.mjs'), "import 'evil';\n");
  const policy = join(work, 'policy.json');
  // evil may start workers and Node children and read its own files; nothing is allowed to read the secret.
  writeFileSync(policy, JSON.stringify({
    default: 'deny',
    rules: [
      { event: '{import,compile,cpython.run_file,cpython.run_command}', action: 'allow' },
      { event: 'open', match: { path: `${work}/**` }, action: 'allow' },
      { event: '{worker_threads.Worker,subprocess.Popen}', package: 'evil', action: 'allow' },
    ],
  }));
  const size = 'a private key'.length;

  test('a package probing a file with stat and existsSync, and asking for a wider wall in a worker and a child', () => {
    const open = run(work, ['--policy', policy, '--no-permission-wall', '--', 'node', 'app.mjs', secret]);
    assert.equal(open.status, 0, open.stderr);
    // Metadata reads are not audit events (as in CPython): the JavaScript layer lets them by.
    assert.deepEqual(open.result, { stat: size, exists: true });
    assert.equal(open.records.some((record) => record.event === 'node.permission'), false);

    const walled = run(work, ['--policy', policy, '--', 'node', 'app.mjs', secret, 'widen']);
    assert.equal(walled.status, 0, walled.stderr);
    const { exists, configFile, configFileAfterScript, ...refused } = walled.result as { exists: unknown; configFile: string; configFileAfterScript: string };
    assert.deepEqual(refused, { stat: 'ERR_ACCESS_DENIED', widenedWorker: 'ERR_ACCESS_DENIED', widenedChild: 'ERR_ACCESS_DENIED' });
    // A configuration file could widen the wall from Node 24 on: such a child never starts; on 22 it changes nothing.
    const configRefused = '2: audithook agent: a Node configuration file is in effect (--experimental-config-file): Node applies its permission settings over the wall\'s flags, so audithook refuses to run this process; give its options on the command line instead';
    assert.deepEqual([configFile, configFileAfterScript], publishes ? [configRefused, configRefused] : ['0: ERR_ACCESS_DENIED', '0: ERR_ACCESS_DENIED']);
    // Node 22 and 24 answer false, 26 throws.
    assert.ok(exists === false || exists === 'ERR_ACCESS_DENIED', String(exists));
    const refusals = walled.records.filter((record) => record.event === 'node.permission');
    if (!publishes) {
      // Node 22 tells only the caller (ERR_ACCESS_DENIED): nothing to log.
      assert.deepEqual(refusals, []);
      return;
    }
    // Each refusal on the caller's stack: the package, in its thread or process.
    for (const record of refusals) {
      assert.deepEqual([record.args, record.decision, record.rule, record.blocked], [['FileSystemRead', secret, 'denied'], 'deny', "Node's permission model", true]);
    }
    assert.ok(refusals.filter((record) => record.package === 'evil').length >= 2, JSON.stringify(refusals));
    assert.equal(new Set(refusals.map((record) => `${record.pid}/${record.thread}`)).size, 3, 'the main thread, the worker and the child');
    // The summary names the permission and what it guards, not the record's JSON.
    assert.match(walled.stderr, new RegExp(`BLOCKED {2}evil node\\.permission FileSystemRead ${secret.replaceAll('.', '\\.')} .*\\(Node's permission model`));
  });

  test("a package directory outside the wall: the loader's read of its package.json is refused by Node, and logged as the refusal it is", { skip: publishes ? false : 'Node publishes no refusal before 24' }, () => {
    const outside = join(freshDirectory('wall-run-outside'), 'pkg');
    mkdirSync(outside);
    writeFileSync(join(outside, 'package.json'), JSON.stringify({ name: 'pkg', main: 'main.js' }));
    writeFileSync(join(outside, 'main.js'), 'module.exports = 1;\n');
    const code = `try { require(${JSON.stringify(outside)}); console.log('"loaded"'); } catch (error) { console.log(JSON.stringify(error.code)); }`;
    const walled = run(work, ['--policy', policy, '--', 'node', '-e', code]);
    assert.equal(walled.status, 0, walled.stderr);
    assert.equal(walled.result, 'ERR_ACCESS_DENIED');
    assert.deepEqual(walled.records.filter((record) => record.event === 'node.permission').map((record) => [record.args, record.blocked]), [
      [['FileSystemRead', join(outside, 'package.json'), 'denied'], true],
    ]);
  });

  test('report mode: Node refuses nothing and reports what it would (--permission-audit, Node 24+)', { skip: publishes ? false : 'no --permission-audit before Node 24' }, () => {
    const reportPolicy = join(work, 'report.json');
    writeFileSync(reportPolicy, JSON.stringify({ ...JSON.parse(readFileSync(policy, 'utf8')) as object, mode: 'report' }));
    const reported = run(work, ['--policy', reportPolicy, '--', 'node', 'app.mjs', secret]);
    assert.equal(reported.status, 0, reported.stderr);
    assert.deepEqual(reported.result, { stat: size, exists: true });
    const refusals = reported.records.filter((record) => record.event === 'node.permission');
    // stat and existsSync, each reported once, by the package.
    assert.deepEqual(refusals.map((record) => [record.args, record.package, record.blocked]), [
      [['FileSystemRead', secret, 'reported'], 'evil', false], [['FileSystemRead', secret, 'reported'], 'evil', false],
    ]);
  });
});

describe('where there is no wall, the run says why, once', () => {
  const example = resolve(REPO_ROOT, 'examples', 'supply-chain');
  const reason = hasWall
    ? 'no permission wall: default allows process.binding, and Node refuses process.binding to every process under its permission model'
    : `no permission wall: Node ${process.version} has no stable permission model (22.13 or later)`;

  test('the example, whose policy allows by default: the same refusals, and one line on why there is no wall', () => {
    const result = run(freshDirectory('wall-run-example'), ['--policy', join(example, 'policy.json'), '--', 'node', join(example, 'app.mjs')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Hello, World -> hello-world$/m);
    assert.deepEqual(result.stderr.split('\n').filter((line) => line.includes('permission wall')), [`audithook: ${reason}`]);
    assert.deepEqual(result.records.filter((r) => r.blocked).map((r) => [r.package, r.event]), [
      ['helpful-utils', 'open'], ['helpful-utils', 'http.client.connect'], ['helpful-utils', 'http.client.send'], ['helpful-utils', 'subprocess.Popen'],
    ]);
    const off = run(freshDirectory('wall-run-example'), ['--policy', join(example, 'policy.json'), '--no-permission-wall', '--', 'node', join(example, 'app.mjs')]);
    assert.doesNotMatch(off.stderr, /permission wall/, 'asked for none: nothing to say');
  });

  test('the example under a default-deny variant of its policy: a wall, and the same refusals and output', () => {
    const work = freshDirectory('wall-run-example');
    const original = JSON.parse(readFileSync(join(example, 'policy.json'), 'utf8')) as { rules: { event: string; package?: string; match?: { path: string } }[] };
    const rules = original.rules.map((rule) => (rule.match === undefined ? rule : { ...rule, match: { path: resolve(example, rule.match.path) } }));
    const variant = join(work, 'policy.json');
    writeFileSync(variant, JSON.stringify({
      default: 'deny',
      rules: [...rules, { event: '{import,compile,cpython.run_file}', action: 'allow' }, { event: 'open', package: null, match: { path: `${example}/**` }, action: 'allow' }],
    }));
    const result = run(work, ['--policy', variant, '--', 'node', join(example, 'app.mjs')]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Hello, World -> hello-world$/m);
    assert.deepEqual(result.records.filter((r) => r.blocked).map((r) => [r.package, r.event]), [
      ['helpful-utils', 'open'], ['helpful-utils', 'http.client.connect'], ['helpful-utils', 'http.client.send'], ['helpful-utils', 'subprocess.Popen'],
    ]);
    if (hasWall) assert.doesNotMatch(result.stderr, /no permission wall/);
    else assert.deepEqual(result.stderr.split('\n').filter((line) => line.includes('permission wall')), [`audithook: ${reason}`]);
  });
});

describe('the public callers the agent audits inside the wall raise what the bindings raise outside it', { skip: hasWall ? false : `no permission wall on Node ${process.version}` }, () => {
  test('synchronous starts (shell, argv0, cwd, an environment with inherited keys, left-out arguments) and look-ups, allowed and refused', () => {
    const wide = ['--permission', '--allow-fs-read=*', '--allow-fs-write=*', '--allow-child-process', ...process.allowedNodeEnvironmentFlags.has('--allow-net') ? ['--allow-net'] : []];
    const outside = runScenario(scenario('wall/publicCallers'));
    const inside = runScenario(scenario('wall/publicCallers'), { nodeArgs: wide });
    assert.deepEqual(outside.result, {
      walled: false, argv0AndEnv: 'a b 1', shell: 'x', shellWithoutArgs: 'y', execSync: 'z', execFileSync: '', invalid: 'ERR_INVALID_ARG_TYPE', empty: 'ERR_INVALID_ARG_VALUE',
      lookup: '127.0.0.1', lookupNumber: '127.0.0.1', lookupAddress: '127.0.0.1', lookupBadFamily: 'ERR_INVALID_ARG_VALUE', promises: '"127.0.0.1"', service: 'string',
      refusedStart: 'TEST_BLOCKED', refusedLookup: 'TEST_BLOCKED', refusedPromise: 'TEST_BLOCKED',
    });
    assert.deepEqual(inside.result, { ...outside.result as object, walled: true });
    const starts = (events: unknown[][]) => events.filter(([event]) => event === 'subprocess.Popen' || String(event).startsWith('socket.'));
    assert.deepEqual(starts(inside.events), starts(outside.events));
    // The environment Node lists: own and inherited enumerable keys, values as strings, undefined left out.
    const popens = starts(outside.events).filter(([event]) => event === 'subprocess.Popen');
    assert.deepEqual(popens[0], ['subprocess.Popen', '/bin/echo', ['zero', 'a b', '1'], '/tmp', { OWN: 'own', INHERITED: 'from the prototype' }]);
    assert.deepEqual(popens.slice(1).map((event) => event.slice(1, 3)), [
      ['/bin/sh', ['/bin/sh', '-c', 'echo x']], ['/bin/sh', ['/bin/sh', '-c', 'echo y']], ['/bin/sh', ['/bin/sh', '-c', 'echo z']], ['/bin/echo', ['/bin/echo']], ['/bin/sh', ['/bin/sh', '-c', 'true']],
    ]);
    assert.deepEqual(popens[3]?.[4], { NUMBER: '1' });
  });
});
