/**
 * The startup events (cpython.run_file, cpython.run_command, cpython.run_stdin, cpython.run_interactivehook)
 * and sys.excepthook, seen by a hook that a preload adds: raised before user code, after the
 * preloads, once; refused, the program does not run. Exit codes stay those of plain Node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { HOOK_PRELOAD, named, runPreloaded } from './helpers/preloaded';
import { REPO_ROOT } from './helpers/scenario';

const FILES = {
  'main.cjs': "require('fs').writeFileSync('$DIR/ran', '')",
  'main.mjs': "import fs from 'node:fs'; fs.writeFileSync('$DIR/ran', '')",
  'hook.mjs': `import ${JSON.stringify(HOOK_PRELOAD)};`,
};
const RUN_CODE = "require('fs').writeFileSync(process.env.MARKER, '')";

interface StartupCase {
  readonly name: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly event: string;
  readonly eventArgs: (dir: string) => unknown[];
}

const PRELOAD_ORDERS: Readonly<Record<string, readonly string[]>> = {
  '-r hook -r register': ['-r', HOOK_PRELOAD, '-r', 'audithook/register'],
  '-r register -r hook': ['-r', 'audithook/register', '-r', HOOK_PRELOAD],
  '--import hook --import register': ['--import', '$DIR/hook.mjs', '--import', 'audithook/register'],
};

const CASES: readonly StartupCase[] = [
  { name: 'a CommonJS entry script', args: ['$DIR/main.cjs'], event: 'cpython.run_file', eventArgs: (d) => [`${d}/main.cjs`] },
  { name: 'an ES module entry', args: ['$DIR/main.mjs'], event: 'cpython.run_file', eventArgs: (d) => [`${d}/main.mjs`] },
  { name: '-e', args: ['-e', RUN_CODE], event: 'cpython.run_command', eventArgs: () => [RUN_CODE] },
  { name: '-p', args: ['-p', RUN_CODE], event: 'cpython.run_command', eventArgs: () => [RUN_CODE] },
  { name: 'standard input', args: [], input: RUN_CODE, event: 'cpython.run_stdin', eventArgs: () => [] },
  { name: 'the REPL (-i)', args: ['-i'], input: `${RUN_CODE}\n.exit\n`, event: 'cpython.run_interactivehook', eventArgs: () => [null] },
];

for (const [order, preloads] of Object.entries(PRELOAD_ORDERS)) {
  for (const c of CASES) {
    // -e and -p have no step between the preloads and the code: raised when register loads, which
    // hooks preloaded after it do not see (docs/security-model.md).
    if (order.startsWith('-r register') && c.event === 'cpython.run_command') continue;
    test(`${c.name} with ${order}: ${c.event} once, before the program; refused, it does not run`, () => {
      const options = { input: c.input ?? '', env: { MARKER: '$DIR/ran' } };
      const allowed = runPreloaded([...preloads, ...c.args], FILES, options);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.equal(existsSync(`${allowed.dir}/ran`), true, 'the program ran');
      const startups = allowed.events.filter((e) => typeof e[1] === 'string' && e[1].startsWith('cpython.run_'));
      assert.deepEqual(startups, [[0, c.event, ...c.eventArgs(allowed.dir)]]);

      const blocked = runPreloaded([...preloads, ...c.args], FILES, { ...options, block: c.event });
      assert.equal(blocked.status, 1, blocked.stderr);
      assert.match(blocked.stderr, new RegExp(`blocked by test: ${c.event}`));
      assert.equal(existsSync(`${blocked.dir}/ran`), false, 'the program did not run');
    });
  }
}

test('a worker raises no startup event of its own', () => {
  const run = runPreloaded(['-r', HOOK_PRELOAD, '-r', 'audithook/register', '-e', "new (require('worker_threads').Worker)('0', { eval: true })"]);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.events.filter((e) => typeof e[1] === 'string' && e[1].startsWith('cpython.run_')).map((e) => e.slice(0, 2)), [[0, 'cpython.run_command']]);
});

interface ExceptCase {
  readonly name: string;
  readonly code: string;
  /** The hook argument as the log shows it ('function', an array of listeners, or null). */
  readonly hook: unknown;
}

const EXCEPT_CASES: readonly ExceptCase[] = [
  { name: 'no handler (Node prints and exits)', code: "throw new TypeError('boom')", hook: null },
  { name: 'an uncaughtException listener', code: "process.on('uncaughtException', () => console.log('handled')); throw new TypeError('boom')", hook: [null] },
  { name: 'the capture callback', code: "process.setUncaughtExceptionCaptureCallback(() => console.log('handled')); throw new TypeError('boom')", hook: 'function' },
  { name: 'an unhandled rejection', code: "Promise.reject(new TypeError('boom'))", hook: null },
];

for (const c of EXCEPT_CASES) {
  test(`sys.excepthook for ${c.name}: once, with the handler and the error; exit code as plain Node; refused, no handler runs`, () => {
    const plain = spawnSync(process.execPath, ['-e', c.code], { cwd: REPO_ROOT, encoding: 'utf8' });
    const allowed = runPreloaded(['-r', HOOK_PRELOAD, '-e', c.code]);
    assert.equal(allowed.status, plain.status);
    assert.equal(allowed.stdout, plain.stdout);
    const [hooked] = named(allowed, 'sys.excepthook');
    assert.equal(named(allowed, 'sys.excepthook').length, 1);
    const [hook, type, value, traceback] = hooked ?? [];
    assert.deepEqual([hook, type, value], [c.hook, 'function', '<TypeError>']);
    assert.match(traceback as string, /TypeError: boom\n {4}at /);

    const blocked = runPreloaded(['-r', HOOK_PRELOAD, '-e', c.code], {}, { block: 'sys.excepthook' });
    assert.equal(blocked.status, 7, 'Node ends as for a failing uncaughtExceptionMonitor');
    assert.equal(blocked.stdout, '', 'no handler ran');
    assert.match(blocked.stderr, /blocked by test: sys\.excepthook/);
  });
}
