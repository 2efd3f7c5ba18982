/**
 * Processes, the environment and the process object: each API's event once, blocked with no
 * side effect (no process started, no signal, no change), and transparent when allowed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { resolve } from 'node:path';
import { nodeOptionsArgv } from '../src/instrument/args';
import { HOOK_PRELOAD, runPreloaded } from './helpers/preloaded';
import { O_CLOEXEC, REPO_ROOT, runScenario, scenario } from './helpers/scenario';
import { fromSince } from './helpers/since';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

interface SpawnCase {
  /** Also selects how test/scenarios/process.mjs starts a process which would create the marker. */
  readonly api: string;
  readonly executable: string;
  readonly argv: (marker: string) => string[];
  readonly sync: boolean;
}

const shellCommand = (marker: string): string[] => ['/bin/sh', '-c', `touch ${marker}`];
const CASES: readonly SpawnCase[] = [
  { api: 'spawn', executable: 'touch', argv: (m) => ['touch', m], sync: false },
  { api: 'spawn with shell', executable: '/bin/sh', argv: shellCommand, sync: false },
  { api: 'exec', executable: '/bin/sh', argv: shellCommand, sync: false },
  { api: 'promisify(exec)', executable: '/bin/sh', argv: shellCommand, sync: false },
  { api: 'execFile', executable: 'touch', argv: (m) => ['touch', m], sync: false },
  { api: 'spawnSync', executable: 'touch', argv: (m) => ['touch', m], sync: true },
  { api: 'execSync', executable: '/bin/sh', argv: shellCommand, sync: true },
  { api: 'execFileSync', executable: 'touch', argv: (m) => ['touch', m], sync: true },
  {
    api: 'fork',
    executable: process.execPath,
    argv: (m) => [process.execPath, '$SCRIPT', m],
    sync: false,
  },
];

for (const c of CASES) {
  test(`child_process ${c.api}: one subprocess.Popen with what is started; blocked, nothing starts`, () => {
    const allowed = runScenario(scenario('process/startAllowed', { api: c.api }));
    const a = allowed.result as { D: string; marker: string; created: boolean };
    assert.equal(a.created, true, JSON.stringify(allowed.result));
    const popen = allowed.events.filter((e) => e[0] === 'subprocess.Popen');
    assert.equal(popen.length, 1, 'exactly once');
    const [, executable, argv, cwd, env] = popen[0] as [string, string, string[], unknown, Record<string, string>];
    assert.equal(executable, c.executable);
    assert.deepEqual(argv.map((arg) => (arg.endsWith('/child.js') ? '$SCRIPT' : arg)), c.argv(a.marker));
    assert.equal(cwd, null);
    assert.equal(env['PATH'], process.env['PATH'], 'env is the environment the child gets');

    const blocked = runScenario(scenario('process/startBlocked', { api: c.api }));
    const b = blocked.result as { thrown: { code: string } | null; created: boolean };
    assert.equal(b.thrown?.code, 'TEST_BLOCKED', 'the hook\'s error reaches the caller as a validation error would');
    assert.equal(b.created, false, 'no process ran');
  });
}

test('child processes behave as in plain Node: output, exit codes, ENOENT, promisify', () => {
  const body = scenario('process/childProcessesBehavePlain');
  assert.deepEqual(runScenario(body).result, runScenario(body, { plain: true }).result);
});

test('signals: process.kill raises os.kill or os.killpg; blocked, the child lives on', () => {
  const run = runScenario(scenario('process/signalsProcessKillRaises'));
  const r = run.result as { pid: number; viaProcess: { kind: string }; viaChild: { kind: string }; viaGroup: { kind: string }; alive: boolean; signal: string };
  assert.deepEqual([r.viaProcess.kind, r.viaChild.kind, r.viaGroup.kind], ['thrown', 'thrown', 'thrown']);
  assert.equal(r.alive, true);
  assert.equal(r.signal, 'SIGTERM');
  assert.deepEqual(run.events, [
    ['os.kill', r.pid, 9], ['os.kill', r.pid, 9], ['os.killpg', r.pid, 9], ['os.kill', r.pid, 0], ['os.kill', r.pid, 15],
  ]);
});

test('process.kill(0, sig) signals the own group: os.killpg with pgid 0 (never -0)', () => {
  const run = runScenario(scenario('process/killOwnGroup'));
  assert.deepEqual(run.result, { outcome: 'thrown', sent: true });
  assert.deepEqual(run.events, [['os.killpg', 0, 0], ['os.killpg', 0, 0]]);
  assert.ok(run.events.every((event) => !Object.is(event[1], -0)), 'pgid 0, not -0');
});

test('SIGUSR1, process._debugProcess and a child with --inspect also raise inspector.open; refused, nothing is sent or started', () => {
  const r = runScenario(scenario('process/inspectorOpeners')).result as {
    pid: number; outcomes: Record<string, string>; alive: boolean; signal: string; flagChildStatus: number; events: unknown[][];
  };
  assert.deepEqual(r.outcomes, { kill: 'thrown', childKill: 'thrown', debugProcess: 'thrown', spawnFlag: 'thrown', spawnNodeOptions: 'thrown', spawnQuoted: 'thrown' });
  // SIGUSR1 would have ended sleep: it was never sent.
  assert.equal(r.alive, true);
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(r.flagChildStatus, 0);
  const open = ['inspector.open', null, null, null];
  const node = process.execPath;
  assert.deepEqual(r.events, [
    ['os.kill', r.pid, 10], open, ['os.kill', r.pid, 10], open, ['os.kill', r.pid, 10], open,
    ['subprocess.Popen', `${node} --inspect=0 -e 0`], open,
    ['subprocess.Popen', `${node} -e 0`], open,
    ['subprocess.Popen', `${node} -e 0`], open,
    ['os.kill', r.pid, 0],
    ['subprocess.Popen', `${node} --inspect=0 -e 0`], open,
    ['os.kill', r.pid, 15],
  ]);
});

test('process.chdir raises os.chdir; blocked, the directory stays', () => {
  const run = runScenario(scenario('process/processChdirRaisesOs'));
  const r = run.result as { D: string; moved: string; blocked: { kind: string }; after: string };
  assert.equal(r.moved, r.D);
  assert.equal(r.blocked.kind, 'thrown');
  assert.equal(r.after, r.D);
  assert.deepEqual(run.events, [['os.chdir', r.D], ['os.chdir', '/']]);
});

test('process.env writes raise os.putenv, deletions os.unsetenv, by every path; reads and children see the environment', () => {
  const run = runScenario(scenario('process/processEnvWritesRaise'));
  assert.deepEqual(run.result, {
    blockedSet: 'TEST_BLOCKED', blockedDelete: 'TEST_BLOCKED', child: '1,four,',
    one: '1', type: 'string', blocked: false, keys: ['AH_FOUR', 'AH_ONE'],
  });
  assert.deepEqual(run.events, [
    ['os.putenv', 'AH_ONE', '1'],
    ['os.putenv', 'AH_TWO', 'two'],
    ['os.putenv', 'AH_THREE', 'three'],
    ['os.putenv', 'AH_FOUR', 'four'],
    ['os.unsetenv', 'AH_TWO'],
    ['os.unsetenv', 'AH_THREE'],
    ['os.putenv', 'AH_BLOCKED', 'x'],
    ['os.unsetenv', 'AH_ONE'],
  ]);
});

test('a prototype set under process.env raises os.putenv for each key it brings; refused, the prototype stays; children get them as in plain Node', () => {
  const body = scenario('process/processEnvPrototype');
  const run = runScenario(body);
  const plain = runScenario(body, { plain: true });
  const { child } = plain.result as { child: string };
  assert.equal(child, NODE_MAJOR === 20 ? 'p' : '', 'Node 20 hands a prototype\'s keys to children, later Nodes do not');
  assert.deepEqual(run.result, { refused: 'TEST_BLOCKED', kept: true, seen: 'p', path: true, child });
  assert.deepEqual(run.events, [['os.putenv', 'AH_REFUSED', 'r'], ['os.putenv', 'AH_PROTO', 'p']]);
});

test('a worker sharing the environment (SHARE_ENV): its own hooks see os.putenv; refused there, the process\'s environment stays', () => {
  const run = runScenario(scenario('process/processEnvSharedWithWorker'));
  assert.deepEqual(run.result, {
    seen: [['os.putenv', 'AH_SHARED', 'shared'], ['os.putenv', 'AH_REFUSED', 'x']], refused: 'TEST_BLOCKED', shared: 'shared', refusedInParent: false,
  });
  assert.deepEqual(run.events, [], 'hooks are per thread: the parent\'s see nothing of it');
});

test('replacing process.env raises os.putenv per changed key and os.unsetenv per removed one; refused, nothing changes', () => {
  const run = runScenario(scenario('process/processEnvReplaced'));
  assert.deepEqual(run.result, {
    replaced: { preload: '/tmp/x.so', proto: 'p', gone: '', number: 'number' },
    refused: 'TEST_BLOCKED', evil: '', late: '', same: false, redefined: 'TypeError', defined: '',
  });
  assert.deepEqual(run.events, [
    ['os.putenv', 'AH_PRELOAD', '/tmp/x.so'],
    ['os.putenv', 'AH_NUMBER', '1'],
    ['os.putenv', 'AH_PROTO', 'p'],
    ['os.unsetenv', 'AH_GONE'],
    ['os.putenv', 'AH_EVIL', 'x'],
  ]);
});

test('process.loadEnvFile raises open and os.putenv per variable it sets; refused, nothing is set', () => {
  const run = runScenario(scenario('process/loadEnvFile'));
  const r = run.result as { D: string; loaded: unknown; refusedOpen: unknown; refusedPut: unknown; missing: unknown; env: unknown[]; child: string };
  const blocked = (event: string) => ({ name: 'Error', code: 'TEST_BLOCKED', message: `blocked by test: ${event}` });
  assert.deepEqual(r.refusedOpen, blocked('open'));
  assert.deepEqual(r.refusedPut, blocked('os.putenv'));
  assert.deepEqual(run.events, [
    ['open', `${r.D}/one.env`, 'r', 0 | O_CLOEXEC], ['os.putenv', 'AH_A', '1'], ['os.putenv', 'AH_Q', 'quoted'],
    ['open', `${r.D}/two.env`, 'r', 0 | O_CLOEXEC],
    ['open', `${r.D}/two.env`, 'r', 0 | O_CLOEXEC], ['os.putenv', 'AH_B', '2'],
    ['open', `${r.D}/missing.env`, 'r', 0 | O_CLOEXEC],
  ]);
  assert.deepEqual(r.env, ['1', 'old', 'quoted', null], 'a variable already set is kept, as Node does');
  assert.equal(r.child, '1,old,quoted,');
  const plain = runScenario(scenario('process/loadEnvFile'), { plain: true }).result as typeof r;
  assert.deepEqual([r.loaded, r.missing], [plain.loaded, plain.missing], 'what Node reports, as plain Node');
});

test('process.report settings raise process.report (setting, value); refused, the setting stays; invalid, Node\'s error', () => {
  const run = runScenario(scenario('process/reportSettings'));
  const r = run.result as { D: string; set: unknown; refused: unknown; invalid: unknown };
  assert.deepEqual(r.set, { directory: r.D, filename: 'r.json', signal: 'SIGUSR2', reportOnFatalError: true, reportOnSignal: true, reportOnUncaughtException: true });
  assert.deepEqual(r.refused, {
    directory: `TEST_BLOCKED:${r.D}`, filename: 'TEST_BLOCKED:r.json', signal: 'TEST_BLOCKED:SIGUSR2',
    reportOnFatalError: 'TEST_BLOCKED:true', reportOnSignal: 'TEST_BLOCKED:true', reportOnUncaughtException: 'TEST_BLOCKED:true',
  });
  assert.deepEqual(r.invalid, { directory: 'ERR_INVALID_ARG_TYPE', signal: 'ERR_UNKNOWN_SIGNAL', reportOnSignal: 'ERR_INVALID_ARG_TYPE' });
  assert.deepEqual(run.events, [
    ['process.report', 'directory', r.D], ['process.report', 'filename', 'r.json'], ['process.report', 'signal', 'SIGUSR2'],
    ['process.report', 'reportOnFatalError', true], ['process.report', 'reportOnSignal', true], ['process.report', 'reportOnUncaughtException', true],
    ['process.report', 'directory', '/'], ['process.report', 'filename', 'x.json'], ['process.report', 'signal', 'SIGUSR1'],
    ['process.report', 'reportOnFatalError', false], ['process.report', 'reportOnSignal', false], ['process.report', 'reportOnUncaughtException', false],
  ]);
});

test('a value that converts differently on a second reading is stored as audited', () => {
  const run = runScenario(scenario('process/twoFacedEnvironmentValue'));
  assert.deepEqual(run.result, { value: 'safe' });
  assert.deepEqual(run.events, [['os.putenv', 'AH_TWO_FACED', 'safe']]);
});

test('native code: process.dlopen and require of a .node file raise ctypes.dlopen once; blocked, nothing loads', () => {
  const run = runScenario(scenario('process/nativeCodeProcessDlopen'));
  const r = run.result as { D: string; viaRequire: string; blocked: { kind: string; error: { code: string } } };
  assert.notEqual(r.viaRequire, 'loaded', 'not a real addon: Node\'s own error after the event');
  assert.equal(r.blocked.error.code, 'TEST_BLOCKED');
  // require() of the addon raises import first (test/modules.test.ts), then ctypes.dlopen.
  assert.deepEqual(run.events.filter((e) => e[0] !== 'import'), [['ctypes.dlopen', `${r.D}/fake.node`], ['ctypes.dlopen', `${r.D}/fake.node`]]);
  assert.deepEqual(run.events.filter((e) => e[0] === 'import').map((e) => e[2]), [`${r.D}/fake.node`]);
});

test('process.binding and the credential, mask and capture calls raise their events and can be blocked', () => {
  const run = runScenario(scenario('process/processBindingCredentialMask'));
  const r = run.result as Record<string, unknown>;
  assert.deepEqual(r, {
    binding: 'object', setgid: 'returned', setegid: 'returned', setuid: 'returned', seteuid: 'returned',
    setgroups: 'returned', initgroups: 'returned', initgroupsNoId: 'ERR_INVALID_ARG_TYPE', umask: true, addCapture: NODE_MAJOR >= 26 ? 'returned' : 'absent',
    blockedBinding: 'thrown', blockedLinked: 'thrown', blockedUmask: 'thrown', blockedReport: 'thrown', blockedPriority: 'thrown',
    reportWritten: false, umaskAfter: true, priorityAfter: 0,
  });
  const names = run.events.map((e) => e[0]);
  assert.deepEqual(names.filter((n) => n !== 'tempfile.mkdtemp'), [
    'process.binding', 'process.setgid', 'process.setegid', 'process.setuid', 'process.seteuid',
    'process.setgroups', 'process.initgroups', 'process.umask', 'process.setUncaughtExceptionCaptureCallback',
    ...NODE_MAJOR >= 26 ? ['process.setUncaughtExceptionCaptureCallback'] : [],
    'os.setPriority', 'process.binding', 'process._linkedBinding', 'process.umask', 'process.report.writeReport', 'os.setPriority',
  ]);
});

test('process.report.writeReport raises its event, then open for the file as Node names it; refused, nothing is written', () => {
  const run = runScenario(scenario('process/writeReportOpensItsFile'));
  const r = run.result as { D: string };
  assert.deepEqual(run.result, { D: r.D, named: 'named.json', byDefault: true, toStream: 'stderr', refused: 'thrown', files: ['dir', 'named.json'], inDir: 1 });
  const WRITE = 0o1000 | 0o100 | 0o1; // O_TRUNC | O_CREAT | O_WRONLY: Node writes a report through fopen("w"), without O_CLOEXEC
  assert.deepEqual(run.events.filter((e) => e[0] !== 'os.chdir' && e[0] !== 'process.report'), [
    ['process.report.writeReport', 'named.json'], ['open', `${r.D}/named.json`, 'w', WRITE],
    ['process.report.writeReport', null], ['open', `${r.D}/dir/report.YYYYMMDD.HHMMSS.PID.TID.SEQ.json`, 'w', WRITE],
    ['process.report.writeReport', 'stderr'],
    ['process.report.writeReport', 'refused.json'], ['open', `${r.D}/dir/refused.json`, 'w', WRITE],
  ]);
});

test('process.execve raises os.exec; blocked, the process goes on', { skip: fromSince('os.exec') }, () => {
  const run = runScenario(scenario('process/execveRefused', { args: ['/bin/echo', 'replaced'] }));
  assert.deepEqual(run.result, { outcome: { kind: 'thrown', error: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: os.exec' } }, still: 'running' });
  assert.deepEqual(run.events, [['os.exec', '/bin/echo', ['/bin/echo', 'replaced'], null]]);
});

test('process.execve(file) without args reports the empty argv the program gets', { skip: fromSince('os.exec') }, () => {
  const run = runScenario(scenario('process/execveRefused', { args: null }));
  assert.equal((run.result as { outcome: { kind: string } }).outcome.kind, 'thrown');
  assert.deepEqual(run.events, [['os.exec', '/bin/echo', [], null]]);
});

test('with the preload in NODE_OPTIONS, every Node child stays audited, explicit env or not', () => {
  const run = runScenario(scenario('process/childReport'), { env: { NODE_OPTIONS: '--import audithook/register' } });
  assert.deepEqual(run.result, {
    inheritedEnv: 'instrumented',
    explicitEnv: 'instrumented',
    explicitEnvThroughShell: 'instrumented',
    otherNodeOptions: 'instrumented',
    fromAnotherDirectory: 'instrumented',
  });
  const popen = run.events.filter((e) => e[0] === 'subprocess.Popen');
  const env = (popen[1] as [string, string, string[], unknown, Record<string, string>])[4];
  assert.match(env['NODE_OPTIONS'] ?? '', /^--import="file:\/\/.*\/register\.js"/, 'the event shows the environment the child gets');
});

test('NODE_OPTIONS is split into the words Node reads: spaces only, " with backslash escapes inside, \' and tabs as ordinary characters', () => {
  const cases = [
    '--conditions=a --conditions=b', '  --conditions=a   --conditions=b  ', '--conditions="a b"', '--conditions=a""b',
    String.raw`"--conditions=a\" --conditions=b \""`, "--conditions='a --conditions=b'", '--conditions=a\t--conditions=b\n',
    String.raw`--conditions=a\b`, String.raw`--conditions="a\\b\c"`,
  ];
  for (const nodeOptions of cases) {
    const child = spawnSync(process.execPath, ['--expose-internals', '-p', "JSON.stringify(require('internal/options').getOptionValue('--conditions'))"], {
      env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const words = Array.from(nodeOptionsArgv(nodeOptions), (word) => word.slice('--conditions='.length));
    assert.deepEqual(words, JSON.parse(child.stdout), nodeOptions);
  }
});

test('register mode: a child gets every preload of NODE_OPTIONS, the hooks with the register, whatever NODE_OPTIONS it is given', () => {
  const main = `
    const { execFileSync } = require('node:child_process');
    const read = (env) => execFileSync(process.execPath, ['-e', "require('fs').readFileSync('$DIR/data.txt')"], { env: { PATH: process.env.PATH, AUDIT_LOG: process.env.AUDIT_LOG, ...env } });
    read({});
    // Mentions audithook, loads nothing of it.
    read({ NODE_OPTIONS: '--conditions=audithook' });
    read({ NODE_OPTIONS: '--no-warnings' });
  `;
  const run = runPreloaded(['$DIR/main.cjs'], { 'main.cjs': main, 'data.txt': 'data' }, { env: { NODE_OPTIONS: `--import audithook/register --require ${HOOK_PRELOAD}` } });
  assert.equal(run.status, 0, run.stderr);
  const reads = run.events.filter((e) => e[1] === 'open' && e[2] === `${run.dir}/data.txt`);
  assert.equal(reads.length, 3, `each child's own hook saw its read: ${JSON.stringify(run.events.filter((e) => e[1] === 'subprocess.Popen'))}`);
});

test('with the preload only on the command line, a child given an explicit env escapes (documented)', () => {
  const run = runScenario(scenario('process/childReport'), { nodeArgs: ['--import', 'audithook/register'] });
  assert.deepEqual(run.result, {
    inheritedEnv: 'plain',
    explicitEnv: 'plain',
    explicitEnvThroughShell: 'plain',
    otherNodeOptions: 'plain',
    fromAnotherDirectory: 'plain',
  });
});

test('cluster.fork raises subprocess.Popen once; blocked, no worker starts', () => {
  const run = runScenario(scenario('process/clusterForkRaisesSubprocess'));
  const r = run.result as { D: string; thrown: string; first: boolean; second: boolean };
  assert.deepEqual([r.thrown, r.first, r.second], ['TEST_BLOCKED', true, false]);
  const popen = run.events.filter((e) => e[0] === 'subprocess.Popen') as [string, string, string[], unknown, Record<string, string>][];
  assert.equal(popen.length, 2, 'one per fork, the blocked one included');
  assert.deepEqual(popen.map((e) => [e[1], e[2].at(-1), e[4]['MARKER']]), [
    [process.execPath, `${r.D}/worker.js`, `${r.D}/first`],
    [process.execPath, `${r.D}/worker.js`, `${r.D}/second`],
  ]);
});

test('an unhandled rejection raises sys.excepthook exactly when Node makes it an uncaught exception (as docs/cpython-parity.md says of sys.unraisablehook)', () => {
  const code = [
    `const { addAuditHook } = require(${JSON.stringify(resolve(REPO_ROOT, 'dist', 'index.js'))});`,
    "addAuditHook((event) => { if (event === 'sys.excepthook') process._rawDebug('@@excepthook'); });",
    "if (process.env.LISTEN) process.on('unhandledRejection', () => {});",
    "process.on('uncaughtException', () => {});",
    "Promise.reject(new Error('unhandled'));",
  ].join('\n');
  const raised = (mode: string, listen: boolean): boolean => spawnSync(process.execPath, [`--unhandled-rejections=${mode}`, '-e', code], {
    encoding: 'utf8', env: { ...process.env, LISTEN: listen ? '1' : '' },
  }).stderr.includes('@@excepthook');
  const seen = ['throw', 'strict', 'warn', 'none'].flatMap((mode) => [false, true].map((listen) => [mode, listen, raised(mode, listen)]));
  assert.deepEqual(seen, [
    ['throw', false, true], ['throw', true, false], ['strict', false, true], ['strict', true, true],
    ['warn', false, false], ['warn', true, false], ['none', false, false], ['none', true, false],
  ]);
});
