// Scenarios of test/process.test.ts, each run in its own process by runScenario(scenario('process/<name>')).
import fs from 'node:fs';
import { via, errorData } from '../fixtures/outcome.mjs';

/** What a child_process scenario works with: `marker` is a file the started process would create. */
async function childProcessScope(harness) {
  const cp = await import('node:child_process');
  const { promisify } = await import('node:util');
  const D = harness.tmp();
  const marker = D + '/marker';
  const script = (source) => { const file = D + '/child.js'; harness.pause(); fs.writeFileSync(file, source); harness.resume(); return file; };
  return { cp, promisify, D, marker, script };
}

/** Each child_process API starting a process which creates the marker, by the api name of test/process.test.ts. */
const STARTS = {
  'spawn': ({ cp, marker }) => new Promise((resolve) => cp.spawn('touch', [marker]).on('close', resolve)),
  'spawn with shell': ({ cp, marker }) => new Promise((resolve) => cp.spawn('touch ' + marker, { shell: true }).on('close', resolve)),
  'exec': ({ cp, marker }) => new Promise((resolve) => cp.exec('touch ' + marker, resolve)),
  'promisify(exec)': ({ cp, promisify, marker }) => promisify(cp.exec)('touch ' + marker),
  'execFile': ({ cp, marker }) => new Promise((resolve) => cp.execFile('touch', [marker], resolve)),
  'spawnSync': ({ cp, marker }) => { cp.spawnSync('touch', [marker]); },
  'execSync': ({ cp, marker }) => { cp.execSync('touch ' + marker); },
  'execFileSync': ({ cp, marker }) => { cp.execFileSync('touch', [marker]); },
  'fork': ({ cp, marker, script }) => new Promise((resolve) => cp.fork(script("require('fs').writeFileSync(process.argv[2], '')"), [marker], { execArgv: [] }).on('close', resolve)),
};

export async function startAllowed(harness, { api }) {
  const scope = await childProcessScope(harness);
  await STARTS[api](scope);
  harness.pause();
  harness.done({ D: scope.D, marker: scope.marker, created: fs.existsSync(scope.marker) });
}

export async function startBlocked(harness, { api }) {
  const scope = await childProcessScope(harness);
  harness.block('subprocess.Popen');
  let thrown = null;
  try { await STARTS[api](scope); } catch (error) { thrown = errorData(error); }
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  harness.pause();
  harness.done({ thrown, created: fs.existsSync(scope.marker) });
}

/** Whether Node children started in different ways are audited. */
export async function childReport(harness) {
  const cp = await import('node:child_process');
  // A child reports whether audithook's runtime is installed, without loading audithook itself.
  const probe = "console.log(globalThis[Symbol.for('audithook.runtime')] === undefined ? 'plain' : 'instrumented')";
  const direct = (env) => cp.execFileSync(process.execPath, ['-e', probe], { env }).toString().trim();
  const viaShell = (env) => cp.execSync(JSON.stringify(process.execPath) + ' -e ' + JSON.stringify(probe), { env }).toString().trim();
  const D = harness.tmp();
  harness.done({
    inheritedEnv: direct(process.env),
    explicitEnv: direct({ PATH: process.env.PATH }),
    explicitEnvThroughShell: viaShell({ PATH: process.env.PATH }),
    otherNodeOptions: direct({ PATH: process.env.PATH, NODE_OPTIONS: '--no-warnings' }),
    fromAnotherDirectory: cp.execFileSync(process.execPath, ['-e', probe], { env: { PATH: process.env.PATH }, cwd: D }).toString().trim(),
  });
}

export async function childProcessesBehavePlain(harness) {
  const cp = await import('node:child_process');
  const { promisify } = await import('node:util');
  const results = {};
  results.execSync = cp.execSync('echo out; echo err >&2', { stdio: 'pipe' }).toString();
  results.spawnSync = (({ status, stdout, error }) => ({ status, stdout: String(stdout), error: error?.code ?? null }))(cp.spawnSync('sh', ['-c', 'printf x; exit 3']));
  results.missingSync = cp.spawnSync('/no/such/program').error.code;
  results.missingAsync = await new Promise((resolve) => cp.spawn('/no/such/program').on('error', (e) => resolve(e.code)));
  results.promisified = await promisify(cp.exec)('echo promisified');
  results.execFile = await new Promise((resolve) => cp.execFile('sh', ['-c', 'exit 7'], (error) => resolve(error.code)));
  results.exit = await new Promise((resolve) => cp.spawn('sh', ['-c', 'exit 5']).on('exit', (code, signal) => resolve([code, signal])));
  results.killed = await new Promise((resolve) => { const child = cp.spawn('sleep', ['10']); child.on('exit', (code, signal) => resolve([code, signal])); child.kill(); });
  harness.done(results);
}

export async function signalsProcessKillRaises(harness) {
  const cp = await import('node:child_process');
  const child = cp.spawn('sleep', ['10'], { detached: true });
  await new Promise((resolve) => child.on('spawn', resolve));
  harness.clear();
  harness.block('os.kill');
  const viaProcess = via.sync(process, 'kill', [child.pid, 'SIGKILL']);
  const viaChild = via.sync(child, 'kill', ['SIGKILL']);
  harness.block('os.killpg');
  const viaGroup = via.sync(process, 'kill', [-child.pid, 'SIGKILL']);
  harness.unblock();
  const alive = (() => { try { process.kill(child.pid, 0); return true; } catch { return false; } })();
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal)));
  child.kill('SIGTERM');
  harness.done({ pid: child.pid, viaProcess, viaChild, viaGroup, alive, signal: await exit });
}

export async function processChdirRaisesOs(harness) {
  const D = harness.tmp();
  const start = process.cwd();
  process.chdir(D);
  const moved = process.cwd();
  harness.block('os.chdir');
  const blocked = via.sync(process, 'chdir', ['/']);
  harness.done({ D, moved, blocked, after: process.cwd(), start });
}

export async function processEnvWritesRaise(harness) {
  const cp = await import('node:child_process');
  process.env.AH_ONE = 1;
  Object.assign(process.env, { AH_TWO: 'two' });
  Reflect.set(process.env, 'AH_THREE', 'three');
  Object.defineProperty(process.env, 'AH_FOUR', { value: 'four', writable: true, enumerable: true, configurable: true });
  delete process.env.AH_TWO;
  Reflect.deleteProperty(process.env, 'AH_THREE');
  harness.block('os.putenv');
  const blockedSet = (() => { try { process.env.AH_BLOCKED = 'x'; return 'set'; } catch (error) { return error.code; } })();
  harness.block('os.unsetenv');
  const blockedDelete = (() => { try { delete process.env.AH_ONE; return 'deleted'; } catch (error) { return error.code; } })();
  harness.unblock();
  harness.pause();
  const child = cp.execFileSync('sh', ['-c', 'echo $AH_ONE,$AH_FOUR,$AH_BLOCKED']).toString().trim();
  harness.done({
    blockedSet, blockedDelete, child,
    one: process.env.AH_ONE, type: typeof process.env.AH_ONE, blocked: 'AH_BLOCKED' in process.env,
    keys: Object.keys(process.env).filter((k) => k.startsWith('AH_')).sort(),
  });
}

/** A prototype under process.env: its keys read as variables (and reach children on Node 20, whose child_process walks the environment with for..in). */
export async function processEnvPrototype(harness) {
  const cp = await import('node:child_process');
  harness.block('os.putenv');
  let refused = null;
  try { Object.setPrototypeOf(process.env, { AH_REFUSED: 'r' }); } catch (error) { refused = error.code; }
  harness.unblock();
  const kept = !('AH_REFUSED' in process.env);
  // PATH is the environment's own: the prototype's changes nothing and raises nothing.
  Object.setPrototypeOf(process.env, { AH_PROTO: 'p', PATH: '/nowhere' });
  harness.pause();
  const child = cp.execFileSync('sh', ['-c', 'echo "$AH_PROTO"'], { encoding: 'utf8' }).trim();
  harness.done({ refused, kept, seen: process.env.AH_PROTO, path: process.env.PATH !== '/nowhere', child });
}

/**
 * A worker given env: SHARE_ENV writes the process's own environment: the worker's hooks see its
 * os.putenv (hooks are per thread); refused there, the parent's environment stays as it was.
 */
export async function processEnvSharedWithWorker(harness) {
  const { Worker, SHARE_ENV } = await import('node:worker_threads');
  // import(), not require: an eval worker's code is a module where the program is one (Node 26).
  const code = `(async () => {
    const { workerData, parentPort } = await import('node:worker_threads');
    const { addAuditHook } = await import(workerData.audithook);
    const seen = [];
    addAuditHook((event, args) => {
      if (event !== 'os.putenv') return;
      seen.push([event, ...args]);
      if (args[0] === 'AH_REFUSED') throw Object.assign(new Error('refused'), { code: 'TEST_BLOCKED' });
    });
    process.env.AH_SHARED = 'shared';
    let refused = null;
    try { process.env.AH_REFUSED = 'x'; } catch (error) { refused = error.code; }
    parentPort.postMessage({ seen, refused });
  })();`;
  const audithook = import.meta.resolve('audithook');
  harness.pause();
  const worker = new Worker(code, { eval: true, env: SHARE_ENV, workerData: { audithook } });
  // Listened for first: a worker that ends before its message is read emits both in one go.
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const reported = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  await exited;
  harness.resume();
  harness.done({ ...reported, shared: process.env.AH_SHARED, refusedInParent: 'AH_REFUSED' in process.env });
}

/** Replacing the whole of process.env, as a program would to hand its children LD_PRELOAD. */
export async function processEnvReplaced(harness) {
  const cp = await import('node:child_process');
  const childSees = (name) => cp.execFileSync('sh', ['-c', `echo "$${name}"`], { encoding: 'utf8' }).trim();
  harness.pause();
  process.env.AH_GONE = 'old';
  harness.resume();
  const rest = { ...process.env };
  delete rest.AH_GONE;
  process.env = { __proto__: { AH_PROTO: 'p' }, ...rest, AH_PRELOAD: '/tmp/x.so', AH_NUMBER: 1, AH_UNDEFINED: undefined };
  harness.pause();
  const replaced = { preload: childSees('AH_PRELOAD'), proto: childSees('AH_PROTO'), gone: childSees('AH_GONE'), number: typeof process.env.AH_NUMBER };
  harness.resume();
  harness.block('os.putenv');
  let refused = null;
  try { process.env = { ...process.env, AH_EVIL: 'x' }; } catch (error) { refused = error.code; }
  harness.unblock();
  // A reference to the assigned object is not a way to change the environment later.
  const held = { ...process.env };
  process.env = held;
  held.AH_LATE = 'late';
  let redefined = null;
  try { Object.defineProperty(process, 'env', { value: { AH_DEFINED: 'x' } }); } catch (error) { redefined = error.name; }
  harness.pause();
  harness.done({
    replaced, refused, evil: childSees('AH_EVIL'), late: childSees('AH_LATE'), same: process.env === held, redefined, defined: childSees('AH_DEFINED'),
  });
}

/** process.loadEnvFile: what it sets, refused at the file or at a variable, and a missing file. */
export async function loadEnvFile(harness) {
  const cp = await import('node:child_process');
  const D = harness.tmp();
  harness.pause();
  fs.writeFileSync(D + '/one.env', 'AH_A=1\nAH_KEPT=new\nexport AH_Q="quoted"\n');
  fs.writeFileSync(D + '/two.env', 'AH_B=2\n');
  process.env.AH_KEPT = 'old';
  harness.resume();
  const attempt = (file) => { try { process.loadEnvFile(file); return 'loaded'; } catch (error) { return errorData(error); } };
  const loaded = attempt(D + '/one.env');
  harness.block('open');
  const refusedOpen = attempt(D + '/two.env');
  harness.block('os.putenv');
  const refusedPut = attempt(D + '/two.env');
  harness.unblock();
  const missing = JSON.parse(JSON.stringify(attempt(D + '/missing.env')).replaceAll(D, '$D'));
  harness.pause();
  const child = cp.execFileSync('sh', ['-c', 'echo "$AH_A,$AH_KEPT,$AH_Q,$AH_B"'], { encoding: 'utf8' }).trim();
  harness.done({ D, loaded, refusedOpen, refusedPut, missing, child, env: [process.env.AH_A, process.env.AH_KEPT, process.env.AH_Q, process.env.AH_B] });
}

/** The process.report settings: each set, each refused (unchanged), and an invalid value (Node's error, no event). */
export async function reportSettings(harness) {
  const report = process.report;
  const D = harness.tmp();
  const values = { directory: D, filename: 'r.json', signal: 'SIGUSR2', reportOnFatalError: true, reportOnSignal: true, reportOnUncaughtException: true };
  const set = {};
  for (const [key, value] of Object.entries(values)) { report[key] = value; set[key] = report[key]; }
  harness.block('process.report');
  const refused = {};
  for (const [key, value] of Object.entries({ directory: '/', filename: 'x.json', signal: 'SIGUSR1', reportOnFatalError: false, reportOnSignal: false, reportOnUncaughtException: false })) {
    try { report[key] = value; refused[key] = 'set'; } catch (error) { refused[key] = error.code; }
    refused[key] += ':' + report[key];
  }
  harness.unblock();
  const invalid = {};
  for (const [key, value] of Object.entries({ directory: 1, signal: 'SIGNOPE', reportOnSignal: 'yes' })) {
    try { report[key] = value; invalid[key] = 'set'; } catch (error) { invalid[key] = error.code; }
  }
  harness.pause();
  harness.done({ D, set, refused, invalid });
}

export async function nativeCodeProcessDlopen(harness) {
  const { createRequire } = await import('node:module');
  const D = harness.tmp();
  harness.pause();
  fs.copyFileSync('/bin/true', D + '/fake.node');
  harness.resume();
  const require = createRequire(import.meta.url);
  const viaRequire = (() => { try { require(D + '/fake.node'); return 'loaded'; } catch (error) { return error.code ?? error.message.slice(0, 40); } })();
  harness.block('ctypes.dlopen');
  const blocked = via.sync(process, 'dlopen', [{ exports: {} }, D + '/fake.node']);
  harness.done({ D, viaRequire, blocked });
}

export async function processBindingCredentialMask(harness) {
  const os = await import('node:os');
  const results = {};
  results.binding = typeof process.binding('fs');
  results.setgid = via.sync(process, 'setgid', [process.getgid()]).kind;
  results.setegid = via.sync(process, 'setegid', [process.getegid()]).kind;
  results.setuid = via.sync(process, 'setuid', [process.getuid()]).kind;
  results.seteuid = via.sync(process, 'seteuid', [process.geteuid()]).kind;
  results.setgroups = via.sync(process, 'setgroups', [process.getgroups()]).kind;
  results.initgroups = via.sync(process, 'initgroups', [process.getuid(), process.getgid()]).kind;
  // Node's own check, before any event: no process.initgroups for an extraGroup that is no id.
  results.initgroupsNoId = via.sync(process, 'initgroups', [process.getuid(), {}]).error?.code;
  const mask = process.umask();
  results.umask = process.umask(mask) === mask;
  process.setUncaughtExceptionCaptureCallback(null);
  results.addCapture = process.addUncaughtExceptionCaptureCallback === undefined ? 'absent' : via.sync(process, 'addUncaughtExceptionCaptureCallback', [() => {}]).kind;
  os.setPriority(0, os.getPriority(0));
  const reportFile = harness.tmp() + '/report.json';
  harness.block('*');
  results.blockedBinding = via.sync(process, 'binding', ['fs']).kind;
  results.blockedLinked = via.sync(process, '_linkedBinding', ['x']).kind;
  results.blockedUmask = via.sync(process, 'umask', [0o077]).kind;
  results.blockedReport = via.sync(process.report, 'writeReport', [reportFile]).kind;
  results.reportWritten = fs.existsSync(reportFile);
  results.blockedPriority = via.sync(os, 'setPriority', [0, 5]).kind;
  harness.unblock();
  results.umaskAfter = process.umask() === mask;
  results.priorityAfter = os.getPriority(0);
  harness.done(results);
}

/** process.report.writeReport: the event, then the file it opens, as Node names it. */
export async function writeReportOpensItsFile(harness) {
  const D = harness.tmp();
  harness.pause(); fs.mkdirSync(D + '/dir'); harness.resume();
  const start = process.cwd();
  harness.pause(); process.chdir(D); harness.resume();
  const named = process.report.writeReport('named.json');
  harness.pause(); process.report.directory = D + '/dir'; harness.resume();
  const byDefault = process.report.writeReport();
  const toStream = process.report.writeReport('stderr');
  harness.block('open');
  const refused = via.sync(process.report, 'writeReport', ['refused.json']).kind;
  harness.unblock();
  harness.pause();
  process.report.directory = '';
  process.chdir(start);
  harness.done({ D, named, byDefault: byDefault.startsWith('report.'), toStream, refused, files: fs.readdirSync(D).sort(), inDir: fs.readdirSync(D + '/dir').length });
}

export async function clusterForkRaisesSubprocess(harness) {
  const cluster = (await import('node:cluster')).default;
  const D = harness.tmp();
  harness.pause();
  fs.writeFileSync(D + '/worker.js', "require('fs').writeFileSync(process.env.MARKER, ''); process.exit(0);");
  harness.resume();
  cluster.setupPrimary({ exec: D + '/worker.js', execArgv: [], silent: true });
  await new Promise((resolve) => cluster.fork({ MARKER: D + '/first' }).on('exit', resolve));
  harness.block('subprocess.Popen');
  let thrown = null;
  try { cluster.fork({ MARKER: D + '/second' }); } catch (error) { thrown = error.code; }
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 100));
  harness.pause();
  harness.done({ D, thrown, first: fs.existsSync(D + '/first'), second: fs.existsSync(D + '/second') });
}

/**
 * The other ways to open an inspector raise inspector.open after their own event; refused, nothing
 * is sent or started. Allowed, a child with --inspect=0 starts (its inspector on a free port).
 */
export async function inspectorOpeners(harness) {
  const cp = await import('node:child_process');
  const child = cp.spawn('sleep', ['10']);
  await new Promise((resolve) => child.on('spawn', resolve));
  harness.clear();
  harness.block('inspector.open');
  const outcomes = {
    kill: via.sync(process, 'kill', [child.pid, 'SIGUSR1']),
    childKill: via.sync(child, 'kill', ['SIGUSR1']),
    debugProcess: via.sync(process, '_debugProcess', [child.pid]),
    spawnFlag: via.sync(cp, 'spawnSync', [process.execPath, ['--inspect=0', '-e', '0']]),
    spawnNodeOptions: via.sync(cp, 'spawnSync', [process.execPath, ['-e', '0'], { env: { NODE_OPTIONS: '--no-warnings --inspect-brk=0' } }]),
    // Node takes a quoted NODE_OPTIONS word without its quotes.
    spawnQuoted: via.sync(cp, 'spawnSync', [process.execPath, ['-e', '0'], { env: { NODE_OPTIONS: '"--inspect=0"' } }]),
  };
  harness.unblock();
  const alive = (() => { try { process.kill(child.pid, 0); return true; } catch { return false; } })();
  const startedWithFlag = cp.spawnSync(process.execPath, ['--inspect=0', '-e', '0'], { encoding: 'utf8' });
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal)));
  child.kill('SIGTERM');
  harness.done({
    pid: child.pid, outcomes: Object.fromEntries(Object.entries(outcomes).map(([name, outcome]) => [name, outcome.kind])),
    alive, signal: await exit, flagChildStatus: startedWithFlag.status,
    events: harness.events.map(([event, ...args]) => (event === 'subprocess.Popen' ? [event, args[1].join(' ')] : [event, ...args])),
  });
}

export async function killOwnGroup(harness) {
  harness.block('os.killpg');
  const outcome = via.sync(process, 'kill', [0, 0]);
  harness.unblock();
  harness.done({ outcome: outcome.kind, sent: process.kill(0, 0) });
}

/** An environment value whose string changes on its second conversion. */
export async function twoFacedEnvironmentValue(harness) {
  let reads = 0;
  process.env.AH_TWO_FACED = { toString() { return reads++ === 0 ? 'safe' : 'evil'; } };
  harness.done({ value: process.env.AH_TWO_FACED });
}

/** process.execve with `args` (omitted: none), refused by the hook: the process goes on. */
export async function execveRefused(harness, { args }) {
  harness.block('os.exec');
  const outcome = via.sync(process, 'execve', args === null ? ['/bin/echo'] : ['/bin/echo', args]);
  harness.done({ outcome, still: 'running' });
}
