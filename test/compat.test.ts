/**
 * Compatibility: popular packages (test/compat/, installed as devDependencies) driven through their
 * public APIs, each scenario run under plain Node and then under audithook in every way a user
 * turns it on. Each way must give what plain Node gives: the same output, errors and exit code.
 * The recording modes must also have seen the package work (so the instrumentation was on), and a
 * policy learned from one run must enforce cleanly on the next, while a package that does
 * something new is denied.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import type { StreamRecord } from '../src/contract/channel';
import type { LogRecord } from '../src/contract/record';
import { chainSubjects } from '../src/policy/decide';
import { loadPolicy } from '../src/policy/index';
import { permissionWall } from '../src/policy/wall';
import { HOOK_PRELOAD } from './helpers/preloaded';
import { REPO_ROOT } from './helpers/scenario';

const COMPAT = resolve(REPO_ROOT, 'test', 'compat');
const REGISTER = resolve(REPO_ROOT, 'dist', 'esm', 'register.mjs');
const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');

/** Each scenario, with an event its package's work must raise (proof that it ran audited). */
const SCENARIOS: Readonly<Record<string, string>> = {
  'fs-extra': 'os.rename',
  express: 'socket.bind',
  ws: 'socket.connect',
  'cross-spawn': 'subprocess.Popen',
  pino: 'worker_threads.Worker',
  tar: 'os.utime',
  chokidar: 'fs.watch',
  undici: 'socket.connect',
};

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: NodeJS.ProcessEnv = {}): Outcome {
  const child = spawnSync(process.execPath, args, { cwd: COMPAT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  if (child.error !== undefined) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/**
 * The one difference on stderr that is documented (docs/security-model.md): Node warns of the
 * wall's own flags in every process where the warning has no code to silence it alone (22's
 * SecurityWarnings, 26's ExperimentalWarning for --allow-net).
 */
const withoutWallWarnings = (stderr: string): string => stderr.replace(
  /^\(node:\d+\) (SecurityWarning: The flag --allow-[a-z-]+ must be used with extreme caution\. It could invalidate the permission model|ExperimentalWarning: The flag --allow-net is under experimental phase)\.\n(\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n)?/gm, '');

const logRecords = (file: string): LogRecord[] => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
  .map((line) => JSON.parse(line) as LogRecord).filter((record) => 'event' in record);

const starts = (file: string): StreamRecord[] => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
  .map((line) => JSON.parse(line) as StreamRecord).filter((record) => record.stream === 'start');

const wallOf = (policy: string) => permissionWall(loadPolicy(policy), { read: [], write: [] }, { version: process.version, optionFlags: process.allowedNodeEnvironmentFlags });
/** Whether this Node has a stable permission model (22.13+): there a learned, default-deny policy gets the wall. */
const NODE_HAS_WALL = !/^v(20|21|22\.(\d|1[0-2])\.)/.test(process.version);
/** Scenarios whose learned policy gets no wall, and why (docs/security-model.md). */
const NO_WALL: Readonly<Record<string, RegExp>> = { tar: /on a file descriptor, and Node refuses futimes, fchmod and fchown/ };

const logEvents = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
  .map((line) => (JSON.parse(line) as { event?: string }).event ?? '');

describe('popular packages behave under audithook as under plain Node', () => {
  for (const [name, expected] of Object.entries(SCENARIOS)) {
    test(`${name}: plain, the register, a recording hook, audithook run, and a policy learned from that run`, () => {
      const script = join(COMPAT, `${name}.mjs`);
      const dir = mkdtempSync(join(tmpdir(), `audithook-compat-${name}-`));
      const plain = node([script]);
      assert.equal(plain.status, 0, `plain Node: ${plain.stderr}`);
      assert.notEqual(plain.stdout, '', 'the scenario reports its outcome');

      assert.deepEqual(node(['--import', REGISTER, script]), plain, 'the register, no hook');

      const hookLog = join(dir, 'hook.jsonl');
      assert.deepEqual(node(['--import', REGISTER, '--require', HOOK_PRELOAD, script], { AUDIT_LOG: hookLog }), plain, 'a hook that records every event');
      const hookEvents = readFileSync(hookLog, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as unknown[])[1]);
      assert.ok(hookEvents.includes(expected), `the hook saw ${expected}`);

      const log = join(dir, 'run.jsonl');
      assert.deepEqual(node([CLI, 'run', '--quiet', '--log', log, '--', process.execPath, script]), plain, 'audithook run');
      assert.ok(logEvents(log).includes(expected), `the log has ${expected}`);

      const policy = join(dir, 'policy.json');
      const learned = node([CLI, 'policy', 'learn', log, '-o', policy]);
      assert.equal(learned.status, 0, learned.stderr);
      const enforcedLog = join(dir, 'enforced.jsonl');
      const enforced = node([CLI, 'run', '--quiet', '--fail-on-deny', '--policy', policy, '--log', enforcedLog, '--', process.execPath, script]);
      assert.deepEqual({ ...enforced, stderr: withoutWallWarnings(enforced.stderr) }, plain, 'the learned policy denies nothing on the next run');
      // ... inside Node's permission model, in every process, wherever this Node has one and the policy gets it.
      const wall = wallOf(policy);
      if (NODE_HAS_WALL && NO_WALL[name] !== undefined) assert.match(wall.on ? '' : wall.why, NO_WALL[name]);
      else assert.equal(wall.on, NODE_HAS_WALL, wall.on ? 'a wall' : wall.why);
      const processes = starts(enforcedLog);
      assert.ok(processes.length > 0);
      for (const start of processes) assert.equal(start.permissionModel, wall.on, JSON.stringify(start.argv));
    });
  }

  // express.json() calls the next handler inside its own call, as every middleware does: it dispatches too.
  const FRAMEWORKS = ['express', 'router', 'body-parser'];
  test(`express learnt with --framework ${FRAMEWORKS.join(', ')}: a route handler's read is the application's, the static files are send's, and the policy enforces cleanly`, () => {
    const script = join(COMPAT, 'express.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'audithook-compat-framework-'));
    const plain = node([script]);
    const log = join(dir, 'run.jsonl');
    assert.equal(node([CLI, 'run', '--quiet', '--log', log, '--', process.execPath, script]).status, 0);
    // Whom a policy naming the two frameworks decides a record for: its innermost subject.
    const decidedFor = (record: LogRecord): string | null => {
      const names = record.packages.map((ref) => ref.name);
      return chainSubjects(names, names.map((name) => record.dispatchers?.includes(name) === true), (name) => FRAMEWORKS.includes(name))[0] ?? null;
    };
    const reads = (subject: string | null, file: string) => logRecords(log)
      .filter((record) => record.event === 'open' && String(record.args[0]).endsWith(file) && record.args[1] === 'r' && decidedFor(record) === subject);
    assert.equal(reads(null, '/settings.json').length, 1, 'the handler\'s read is the application\'s once the frameworks are left out');
    assert.ok(reads('send', '/page.html').length > 0, 'the static file is read by send');
    const policy = join(dir, 'policy.json');
    const learned = node([CLI, 'policy', 'learn', log, '-o', policy, ...FRAMEWORKS.flatMap((name) => ['--framework', name])]);
    assert.equal(learned.status, 0, learned.stderr);
    const paths = (file: string, subject: string | null) => (JSON.parse(readFileSync(file, 'utf8')) as { rules: { event: string; package: string | null; match?: { path?: string | string[] } }[] }).rules
      .filter((rule) => rule.event === 'open' && rule.package === subject).flatMap((rule) => rule.match?.path ?? []);
    for (const framework of FRAMEWORKS) assert.ok(!paths(policy, framework).includes('${TMPDIR}/**'), `${framework}: ${JSON.stringify(paths(policy, framework))}`);
    // Learnt without them, each is allowed what its handlers read.
    const plainPolicy = join(dir, 'plain-policy.json');
    assert.equal(node([CLI, 'policy', 'learn', log, '-o', plainPolicy]).status, 0);
    for (const framework of FRAMEWORKS) assert.ok(paths(plainPolicy, framework).includes('${TMPDIR}/**'), `${framework}: ${JSON.stringify(paths(plainPolicy, framework))}`);
    const enforced = node([CLI, 'run', '--quiet', '--fail-on-deny', '--policy', policy, '--', process.execPath, script]);
    assert.deepEqual({ ...enforced, stderr: withoutWallWarnings(enforced.stderr) }, plain, 'the learned policy denies nothing on the next run');
  });

  test('a package that does something its learned policy never saw is denied, naming the event and the package', () => {
    const script = join(COMPAT, 'fs-extra.mjs');
    const dir = mkdtempSync(join(tmpdir(), 'audithook-compat-new-'));
    const log = join(dir, 'run.jsonl');
    assert.equal(node([CLI, 'run', '--quiet', '--log', log, '--', process.execPath, script]).status, 0);
    const policy = join(dir, 'policy.json');
    assert.equal(node([CLI, 'policy', 'learn', log, '-o', policy]).status, 0);
    const enforced = node([CLI, 'run', '--quiet', '--policy', policy, '--', process.execPath, script], { COMPAT_NEW_ACTION: '/etc/passwd' });
    assert.equal(enforced.status, 0, enforced.stderr);
    const outcome = JSON.parse(enforced.stdout) as { newAction: { code: string; message: string } };
    assert.equal(outcome.newAction.code, 'ERR_ACCESS_DENIED');
    assert.match(outcome.newAction.message, /^audithook: open \/etc\/passwd denied for package "(fs-extra|graceful-fs|jsonfile|universalify)"/);
  });
});
