/**
 * The permission wall (src/policy/wall.ts): the flags of Node's permission model a policy maps to,
 * never narrower than the policy, with their reasons; and, on the Nodes that have the model, that
 * those flags alone (plain Node, no audithook loaded) stop the raw capabilities the policy allows
 * nobody, and let through those it allows.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadPolicy } from '../src/policy/index';
import type { CompiledMatch, CompiledPolicy } from '../src/policy/index';
import { permissionWall } from '../src/policy/wall';
import type { AudithookNeeds, NodeRuntime, PermissionWall } from '../src/policy/wall';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'audithook-wall-')));
let fileCount = 0;

function load(policy: object): CompiledPolicy {
  const file = join(dir, `policy-${fileCount++}.json`);
  writeFileSync(file, JSON.stringify(policy));
  return loadPolicy(file);
}

const NO_NEEDS: AudithookNeeds = { read: [], write: [] };
const NODE_22: NodeRuntime = { version: 'v22.23.3', optionFlags: new Set(['--permission', '--allow-fs-read', '--allow-fs-write', '--allow-child-process', '--allow-worker', '--allow-addons', '--allow-wasi']) };
const NODE_24: NodeRuntime = { version: 'v24.21.0', optionFlags: new Set([...NODE_22.optionFlags, '--permission-audit', '--allow-inspector']) };
const NODE_26: NodeRuntime = { version: 'v26.10.0', optionFlags: new Set([...NODE_24.optionFlags, '--allow-net', '--allow-ffi', '--allow-fs-vfs']) };
const THIS_NODE: NodeRuntime = { version: process.version, optionFlags: process.allowedNodeEnvironmentFlags };

function flagsOf(wall: PermissionWall): string[] {
  assert.ok(wall.on, `expected a wall, got: ${wall.on ? '' : wall.why}`);
  return wall.flags.map((flag) => flag.flag);
}

function whyOf(wall: PermissionWall, flag: string): string {
  assert.ok(wall.on);
  return wall.flags.find((f) => f.flag === flag)?.why.join('; ') ?? assert.fail(`no ${flag} in ${flagsOf(wall).join(' ')}`);
}

const denyAll = (rules: object[], mode = 'enforce'): CompiledPolicy => load({ default: 'deny', mode, rules });
/** What a policy whose default allows must deny for a wall: Node's model refuses these on descriptors whatever the flags. */
const DENY_DESCRIPTOR_EVENTS = { event: 'os.{utime,chmod,chown}', action: 'deny' };

describe('which Nodes get a wall', () => {
  const policy = denyAll([]);
  test('none before 22.13 (no stable model), one from 22.13 on', () => {
    for (const version of ['v20.20.2', 'v22.12.0', 'v23.4.0']) {
      const wall = permissionWall(policy, NO_NEEDS, { ...NODE_22, version });
      assert.ok(!wall.on && wall.why.includes('no stable permission model'), version);
    }
    for (const version of ['v22.13.0', 'v23.5.0']) assert.deepEqual(flagsOf(permissionWall(policy, NO_NEEDS, { ...NODE_22, version })), ['--permission'], version);
  });

  test('report mode: --permission-audit where Node has it, no wall where it has not', () => {
    const report = denyAll([], 'report');
    assert.deepEqual(flagsOf(permissionWall(report, NO_NEEDS, NODE_24)), ['--permission-audit']);
    const wall = permissionWall(report, NO_NEEDS, NODE_22);
    assert.ok(!wall.on && wall.why.includes('no --permission-audit'));
  });

  test('no wall for a policy that allows what Node always refuses under its model', () => {
    const byDefault = permissionWall(load({ default: 'allow', rules: [] }), NO_NEEDS, NODE_26);
    assert.ok(!byDefault.on && byDefault.why.startsWith('default allows process.binding'), byDefault.on ? '' : byDefault.why);
    const byRule = permissionWall(denyAll([{ event: 'process.binding', package: 'legacy', action: 'allow' }]), NO_NEEDS, NODE_26);
    assert.ok(!byRule.on && byRule.why.startsWith('rules[0] allows process.binding'));
    // Node 22 does not refuse process._linkedBinding under its model; 24 does.
    const linked = denyAll([{ event: 'process._linkedBinding', package: null, action: 'allow' }]);
    assert.ok(permissionWall(linked, NO_NEEDS, NODE_22).on);
    const linkedOn24 = permissionWall(linked, NO_NEEDS, NODE_24);
    assert.ok(!linkedOn24.on && linkedOn24.why.startsWith('rules[0] allows process._linkedBinding'));
    // Denied to everyone before the default: the wall holds, once the descriptor operations are denied too (below).
    const denied = load({ default: 'allow', rules: [{ event: 'process.{binding,_linkedBinding}', action: 'deny' }, { event: 'inspector.*', action: 'deny' }, DENY_DESCRIPTOR_EVENTS] });
    assert.ok(permissionWall(denied, NO_NEEDS, NODE_22).on);
  });

  test('no wall for a policy that may allow futimes, fchmod or fchown on a descriptor, which Node always refuses under its model', () => {
    const why = (rules: object[]): string | null => {
      const wall = permissionWall(denyAll(rules), NO_NEEDS, NODE_26);
      return wall.on ? null : wall.why;
    };
    assert.equal(why([{ event: 'os.utime', package: 'tar', match: { path: 'fd:*' }, action: 'allow' }]),
      'rules[0] allows os.utime on a file descriptor, and Node refuses futimes, fchmod and fchown to every process under its permission model');
    assert.match(why([{ event: 'os.chmod', package: 'tar', action: 'allow' }]) ?? '', /^rules\[0\] allows os\.chmod on a file descriptor/, 'any path includes descriptors');
    assert.match(why([{ event: 'os.chown', match: { path: '**' }, action: 'allow' }]) ?? '', /^rules\[0\] allows os\.chown on a file descriptor/, 'a glob that fits any text');
    assert.equal(why([{ event: 'os.utime', match: { path: '/srv/**' }, action: 'allow' }, { event: 'os.chmod', match: { path: ['/tmp/x', 'fd:1*'] }, action: 'deny' }]), null, 'named paths only: the wall holds');
  });

  test('the inspector: --allow-inspector from Node 24 on; on 22, allowing it means no wall', () => {
    const policy = denyAll([{ event: 'inspector.Session.connect', package: null, action: 'allow' }]);
    assert.match(whyOf(permissionWall(policy, NO_NEEDS, NODE_24), '--allow-inspector'), /rules\[0\] allows inspector\.Session\.connect/);
    const on22 = permissionWall(policy, NO_NEEDS, NODE_22);
    assert.ok(!on22.on && on22.why.includes('no --allow-inspector'));
    // A package no rule fits is denied the inspector whatever `default` says: only the application could open it.
    const onlyPackages = load({ default: 'allow', rules: [{ event: 'process.*', action: 'deny' }, { event: 'inspector.*', package: null, action: 'deny' }, DENY_DESCRIPTOR_EVENTS] });
    assert.ok(!flagsOf(permissionWall(onlyPackages, NO_NEEDS, NODE_24)).includes('--allow-inspector'));
  });
});

describe('capabilities', () => {
  test('a flag for each capability some subject may use, with the rules that allow it', () => {
    const policy = denyAll([
      { event: 'subprocess.Popen', package: 'builder', match: { executable: 'make' }, action: 'allow' },
      { event: 'worker_threads.Worker', package: null, action: 'allow' },
      { event: 'ctypes.dlopen', package: 'sharp', action: 'allow' },
      { event: 'wasi.WASI', action: 'allow' },
      { event: 'socket.connect', package: 'client', action: 'allow' },
    ]);
    const wall = permissionWall(policy, NO_NEEDS, NODE_26);
    assert.deepEqual(flagsOf(wall), [
      '--permission', '--allow-child-process', '--allow-worker', '--allow-addons', '--allow-wasi', '--allow-ffi', '--allow-net',
      '--disable-warning=PERM0002', '--disable-warning=PERM0006', '--disable-warning=PERM0001', '--disable-warning=PERM0005', '--disable-warning=PERM0003',
    ]);
    assert.equal(whyOf(wall, '--allow-child-process'), 'rules[0] allows subprocess.Popen');
    assert.equal(whyOf(wall, '--allow-ffi'), 'rules[2] allows ctypes.dlopen');
    // Node 22 names no warning, and checks neither the network nor FFI.
    assert.deepEqual(flagsOf(permissionWall(policy, NO_NEEDS, NODE_22)), ['--permission', '--allow-child-process', '--allow-worker', '--allow-addons', '--allow-wasi']);
  });

  test('first fit: a rule without match that decides every subject first hides the allowances after it', () => {
    const shadowed = denyAll([{ event: 'subprocess.Popen', action: 'deny' }, { event: 'subprocess.Popen', package: 'builder', action: 'allow' }]);
    assert.deepEqual(flagsOf(permissionWall(shadowed, NO_NEEDS, NODE_24)), ['--permission']);
    // Denied to packages only: the application's allowance after it still counts, and so does the default.
    const forApp = denyAll([{ event: 'subprocess.Popen', package: '*', action: 'deny' }, { event: 'subprocess.Popen', package: null, action: 'allow' }]);
    assert.ok(flagsOf(permissionWall(forApp, NO_NEEDS, NODE_24)).includes('--allow-child-process'));
    const byDefault = load({ default: 'allow', rules: [{ event: 'process.*', action: 'deny' }, { event: 'inspector.*', action: 'deny' }, DENY_DESCRIPTOR_EVENTS, { event: 'subprocess.Popen', package: '*', action: 'deny' }] });
    assert.equal(whyOf(permissionWall(byDefault, NO_NEEDS, NODE_24), '--allow-child-process'), 'default allows subprocess.Popen; default allows os.exec');
    // A deny with a match decides only some calls: the allowance after it counts.
    const partly = denyAll([{ event: 'subprocess.Popen', match: { executable: 'rm' }, action: 'deny' }, { event: 'subprocess.Popen', action: 'allow' }]);
    assert.ok(flagsOf(permissionWall(partly, NO_NEEDS, NODE_24)).includes('--allow-child-process'));
  });
});

describe('paths', () => {
  const wallOf = (rules: object[], needs = NO_NEEDS): PermissionWall => permissionWall(denyAll(rules), needs, NODE_24);

  test('as Node writes them: a directory for dir/** and plain paths, a prefix for a trailing wildcard, everything for a glob with no directory', () => {
    const wall = wallOf([
      { event: 'open', package: null, match: { path: ['/srv/data/**', '/etc/app.conf', '/var/log/app-*.log', '/home/*/.config/app/**'] }, action: 'allow' },
      { event: 'os.mkdir', package: 'cache', match: { path: '/tmp/cache/**' }, action: 'allow' },
      { event: 'tempfile.mkdtemp', match: { fullpath: '/tmp/build-XXXXXX' }, action: 'allow' },
    ]);
    assert.deepEqual(flagsOf(wall), [
      '--permission',
      '--allow-fs-read=/etc/app.conf', '--allow-fs-read=/srv/data', '--allow-fs-read=/var/log/app-*', '--allow-fs-read=/home',
      '--allow-fs-write=/etc/app.conf', '--allow-fs-write=/srv/data', '--allow-fs-write=/var/log/app-*', '--allow-fs-write=/home',
      '--allow-fs-write=/tmp/cache', '--allow-fs-write=/tmp/build-*',
    ]);
    assert.match(whyOf(wall, '--allow-fs-read=/home'), /rules\[0\] allows open path a glob widened to \/home/);
    assert.match(whyOf(wall, '--allow-fs-write=/tmp/build-*'), /a template the OS completes/);
    assert.deepEqual(flagsOf(wallOf([{ event: 'open', match: { path: '**/.env' }, action: 'allow' }])), ['--permission', '--allow-fs-read=*', '--allow-fs-write=*']);
    assert.match(whyOf(wallOf([{ event: 'os.remove', action: 'allow' }]), '--allow-fs-write=*'), /rules\[0\] allows os\.remove, whatever its path/);
  });

  test('reads and writes as Node checks them, each end of a copy on its side', () => {
    const wall = wallOf([
      { event: 'os.listdir', match: { path: '/srv/**' }, action: 'allow' },
      { event: 'shutil.copyfile', match: { src: '/srv/in/**', dst: '/srv/out/**' }, action: 'allow' },
      { event: 'os.chdir', match: { path: '/work/**' }, action: 'allow' },
      { event: 'os.truncate', match: { fd: '/var/tmp/*.log' }, action: 'allow' },
    ]);
    assert.deepEqual(flagsOf(wall), ['--permission', '--allow-fs-read=/srv', '--allow-fs-read=/work', '--allow-fs-write=/var/tmp', '--allow-fs-write=/srv/out']);
    assert.deepEqual(wall.on && wall.flags[1]?.why, ['rules[0] allows os.listdir path /srv/**', 'rules[1] allows shutil.copyfile src /srv/in/**']);
  });

  test('a symlink allowed anywhere opens both fs flags: Node refuses every symlink without full fs read and write', () => {
    const wall = wallOf([{ event: 'os.symlink', package: 'fs-extra', match: { src: '/tmp/**', dst: '/tmp/**' }, action: 'allow' }]);
    assert.deepEqual(flagsOf(wall), ['--permission', '--allow-fs-read=*', '--allow-fs-write=*']);
    assert.match(whyOf(wall, '--allow-fs-write=*'), /rules\[0\] allows os\.symlink, and Node refuses every symlink without full fs read and write/);
  });

  test("audithook's own needs come first, and a grant another covers folds into it", () => {
    const needs: AudithookNeeds = { read: [{ path: '/opt/app', why: 'module loading: the working directory' }], write: [{ path: '/tmp/run/log.jsonl', why: 'the agent writes its records there' }] };
    const wall = wallOf([{ event: 'open', match: { path: '/opt/app/data/**' }, action: 'allow' }], needs);
    assert.deepEqual(flagsOf(wall), ['--permission', '--allow-fs-read=/opt/app', '--allow-fs-write=/tmp/run/log.jsonl', '--allow-fs-write=/opt/app/data']);
    assert.match(whyOf(wall, '--allow-fs-read=/opt/app'), /^audithook: module loading: the working directory; rules\[0\] allows open path \/opt\/app\/data\/\*\*$/);
  });

  /** Node's reading of a grant (checked against Node by the tests below): PATH and below, or a prefix before a trailing `*`. */
  const nodeAllows = (grant: string, path: string): boolean => {
    const base = grant.replace(/\*.*$/, '');
    return grant.includes('*') ? path.startsWith(base) : path === grant || path.startsWith(`${grant}/`);
  };
  const policyMatches = (check: CompiledMatch, path: string): boolean =>
    check.exact.includes(path) || check.prefixes.some((prefix) => path.startsWith(prefix)) || (check.pattern !== null && new RegExp(check.pattern).test(path));

  test('never narrower than the policy: every path a rule allows, some flag allows (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', '.x', '*', '**', '?', 'a*', '{a,b}', 'b?');
    const glob = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
    const path = fc.array(fc.constantFrom('a', 'b', 'ab', '.x', 'abb', 'ba'), { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`);
    fc.assert(fc.property(glob, fc.array(path, { minLength: 1, maxLength: 10 }), (pattern, paths) => {
      const policy = denyAll([{ event: 'os.remove', match: { path: pattern }, action: 'allow' }]);
      const check = (policy.rules[0]?.match?.['os.remove'] ?? [])[0];
      const grants = flagsOf(permissionWall(policy, NO_NEEDS, NODE_24)).filter((flag) => flag.startsWith('--allow-fs-write=')).map((flag) => flag.slice('--allow-fs-write='.length));
      for (const candidate of paths) {
        if (policyMatches(check, candidate)) assert.ok(grants.some((grant) => nodeAllows(grant, candidate)), `${pattern} allows ${candidate}; the wall ${grants.join(' ')} does not`);
      }
    }), { numRuns: 300 });
  });
});

/** The wall as NODE_OPTIONS carries it: each value quoted, as NODE_OPTIONS splits on spaces. */
const nodeOptions = (wall: PermissionWall): string => flagsOf(wall).map((flag) => flag.replace(/=(.*)$/, (_, value: string) => `=${JSON.stringify(value)}`)).join(' ');

const hasModel = permissionWall(denyAll([]), NO_NEEDS, THIS_NODE).on;

describe('the wall alone, with no JavaScript layer at all (plain Node)', { skip: hasModel ? false : `no permission model on Node ${process.version}` }, () => {
  const work = join(dir, 'work');
  const readable = join(work, 'readable', 'data.txt');
  const secret = join(work, 'secret.txt');
  const writable = join(work, 'out.txt');
  mkdirSync(join(work, 'readable'), { recursive: true });
  writeFileSync(readable, 'data');
  writeFileSync(secret, 'secret');
  const needs: AudithookNeeds = { read: [{ path: REPO_ROOT, why: 'the test harness' }], write: [] };
  const params = { readable, secret, writable };
  const run = (wall: PermissionWall | null): Record<string, string> =>
    runScenario(scenario('wall/rawCapabilities', params), { plain: true, env: { NODE_OPTIONS: wall === null ? '' : nodeOptions(wall) } }).result as Record<string, string>;
  const netChecked = THIS_NODE.optionFlags.has('--allow-net');
  const ffi = THIS_NODE.optionFlags.has('--allow-ffi');

  test('stops every raw capability a policy allows nobody, and reads of what it allows nobody', () => {
    const wall = permissionWall(denyAll([{ event: 'open', package: null, match: { path: join(work, 'readable', '**') }, action: 'allow' }]), needs, THIS_NODE);
    // Plain Node without the flags does each one: the scenario can tell.
    assert.deepEqual(run(null), {
      rawSpawn: 'done', childProcess: 'done', addon: 'ERR_DLOPEN_FAILED', inspector: 'done', wasi: 'done', ffi: ffi ? 'done' : 'absent', worker: 'done',
      readAllowed: 'done', readSecret: 'done', write: 'done', net: 'ECONNREFUSED',
    });
    assert.deepEqual(run(wall), {
      rawSpawn: 'ERR_ACCESS_DENIED', childProcess: 'ERR_ACCESS_DENIED', addon: 'ERR_DLOPEN_DISABLED', inspector: 'ERR_ACCESS_DENIED', wasi: 'ERR_ACCESS_DENIED', ffi: ffi ? 'ERR_ACCESS_DENIED' : 'absent',
      worker: 'ERR_ACCESS_DENIED',
      readAllowed: 'done', readSecret: 'ERR_ACCESS_DENIED', write: 'ERR_ACCESS_DENIED', net: netChecked ? 'ERR_ACCESS_DENIED' : 'ECONNREFUSED',
    });
  });

  test('lets through what the policy allows someone; process.binding stays closed', () => {
    const inspector = THIS_NODE.optionFlags.has('--allow-inspector') ? [{ event: 'inspector.Session.connect', package: null, action: 'allow' }] : [];
    const wall = permissionWall(denyAll([
      { event: 'subprocess.Popen', package: 'builder', action: 'allow' },
      { event: 'worker_threads.Worker', package: null, action: 'allow' },
      { event: 'wasi.WASI', package: null, action: 'allow' },
      { event: 'socket.connect', package: null, match: { address: '127.0.0.1' }, action: 'allow' },
      { event: 'ctypes.call_function', package: null, action: 'allow' },
      ...inspector,
    ]), needs, THIS_NODE);
    assert.deepEqual(run(wall), {
      rawSpawn: 'ERR_ACCESS_DENIED', childProcess: 'done', addon: 'ERR_DLOPEN_DISABLED', inspector: inspector.length > 0 ? 'done' : 'ERR_ACCESS_DENIED', wasi: 'done', ffi: ffi ? 'done' : 'absent', worker: 'done',
      readAllowed: 'ERR_ACCESS_DENIED', readSecret: 'ERR_ACCESS_DENIED', write: 'ERR_ACCESS_DENIED', net: 'ECONNREFUSED',
    });
  });

  test('lets a symlink the policy allows through (both fs flags open); refuses futimes and fsync on a descriptor whatever the flags', () => {
    const link = join(work, 'link.txt');
    const wall = permissionWall(denyAll([
      { event: 'os.symlink', package: null, match: { src: join(work, '**'), dst: join(work, '**') }, action: 'allow' },
      { event: 'open', package: null, match: { path: join(work, '**') }, action: 'allow' },
    ]), needs, THIS_NODE);
    const { result } = runScenario(scenario('wall/fileOperationsNodeLimits', { writable: join(work, 'synced.txt'), link }), { plain: true, env: { NODE_OPTIONS: nodeOptions(wall) } });
    assert.deepEqual(result, { symlink: 'done', futimes: 'ERR_ACCESS_DENIED', fsync: 'ERR_ACCESS_DENIED' });
  });

  test('does not hold a worker started with env: {} (Node re-reads its options from that env): --allow-worker opens it', () => {
    const wall = permissionWall(denyAll([{ event: 'worker_threads.Worker', package: null, action: 'allow' }]), needs, THIS_NODE);
    const { result } = runScenario(scenario('wall/workerWithEmptyEnv', { writable }), { plain: true, env: { NODE_OPTIONS: nodeOptions(wall) } });
    assert.deepEqual(result, { sharedEnv: 'ERR_ACCESS_DENIED', emptyEnv: 'done' });
  });
});

describe('audithook run --explain-wall', () => {
  const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
  const cli = (args: readonly string[]) => spawnSync(process.execPath, [CLI, 'run', ...args], { cwd: dir, encoding: 'utf8' });
  const policy = join(dir, 'explained.json');
  writeFileSync(policy, JSON.stringify({ default: 'deny', rules: [{ event: 'subprocess.Popen', package: 'builder', action: 'allow' }] }));

  test('prints one line per flag with its reasons, or why there is no wall, and runs nothing', () => {
    const { status, stdout, stderr } = cli(['--explain-wall', '--policy', policy, '--log', join(dir, 'explained.jsonl')]);
    assert.equal(status, 0, stderr);
    const lines = stdout.trimEnd().split('\n');
    if (hasModel) {
      assert.equal(lines[0], '--permission  # Node refuses what no flag below allows, and fsync and fdatasync on every file descriptor');
      assert.ok(lines.includes('--allow-child-process  # rules[0] allows subprocess.Popen'), stdout);
      // The run's channel directory (made by each run, shown as mkdtemp's pattern), never the log.
      assert.ok(lines.includes(`--allow-fs-write=${join(tmpdir(), 'audithook-XXXXXX')}  # audithook: the run's channel: the agent claims a FIFO there and writes its records to it`), stdout);
      assert.ok(!stdout.includes('explained.jsonl'), stdout);
      assert.ok(lines.every((line) => /^--[a-z-]+(=\S+)? {2}# ./.test(line)), stdout);
    } else {
      assert.deepEqual(lines, [`no permission wall: Node ${process.version} has no stable permission model (22.13 or later)`]);
    }
  });

  test('needs --policy and no COMMAND; COMMAND is still required without it', () => {
    for (const [args, problem] of [
      [['--explain-wall'], '--explain-wall needs --policy'],
      [['--explain-wall', '--policy', policy, '--', 'node', '-e', '1'], '--explain-wall runs nothing: no COMMAND'],
      [['--policy', policy], "missing required argument 'COMMAND'"],
    ] as const) {
      const { status, stderr } = cli(args);
      assert.equal(status, 2, stderr);
      assert.equal(stderr.split('\n')[0], `audithook: ${problem}`);
    }
  });
});
