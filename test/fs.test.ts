/**
 * Every instrumented fs API, each in its own processes: the event and its arguments, raised exactly
 * once; blocked by a throwing hook with no side effect and the error on the API's usual channel;
 * and, when allowed, the same outcome as plain Node.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { FILE_HANDLE_APIS, FS_APIS } from '../src/instrument/fs';
import type { CatalogueEventName } from '../src/catalogue/index';
import { O_CLOEXEC, REPO_ROOT, runScenario } from './helpers/scenario';
import { fromSince } from './helpers/since';

type Form = 'sync' | 'callback' | 'promise';

interface Call {
  readonly api: string;
  readonly form: Form;
  readonly target: 'fs' | 'fsp';
  readonly method: string;
}

interface FsCase {
  readonly calls: readonly Call[];
  /** Prepares D (a fresh directory) before the call; raises no recorded event. */
  readonly setup?: string;
  /** The argument list, as JS source with D in scope. */
  readonly args: string;
  /** The expected event, with '$D' for the directory: the one a hook refusing its name blocks. */
  readonly event: readonly unknown[];
  /** The event the same call raises after it, when allowed (CPython raises two for these). */
  readonly then?: readonly unknown[];
  /** A JS expression whose value the operation changes (omitted for reads). */
  readonly effect?: string;
  /** The lowest Node major that has these APIs, when later than the catalogue's since of the event (which the case also waits for). */
  readonly since?: number;
}

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

function callback(name: string, method = name): Call {
  return { api: `fs.${name}`, form: 'callback', target: 'fs', method };
}
function sync(name: string): Call {
  return { api: `fs.${name}`, form: 'sync', target: 'fs', method: name };
}
function promise(name: string): Call {
  return { api: `fsPromises.${name}`, form: 'promise', target: 'fsp', method: name };
}
/** fs.name (callback), fs.nameSync and fsPromises.name. */
function triple(name: string): Call[] {
  return [callback(name), sync(`${name}Sync`), promise(name)];
}

const FILE = "fs.writeFileSync(D + '/a', 'hello')";
const TREE = "fs.mkdirSync(D + '/t/sub', { recursive: true }); fs.writeFileSync(D + '/t/sub/f', 'x'); fs.writeFileSync(D + '/t/g', 'y')";
const exists = (p: string): string => `fs.existsSync(D + '/${p}')`;
const modeOf = (p: string): string => `fs.statSync(D + '/${p}').mode & 0o777`;

const CASES: readonly FsCase[] = [
  { calls: triple('open'), setup: FILE, args: "[D + '/a', 'r+']", event: ['open', '$D/a', 'r+', 2 | O_CLOEXEC] },
  { calls: triple('open'), args: "[D + '/n', 'wx']", event: ['open', '$D/n', 'wx', 705 | O_CLOEXEC], effect: exists('n') },
  { calls: triple('open'), args: `[D + '/n', fs.constants.O_CREAT | fs.constants.O_WRONLY]`, event: ['open', '$D/n', null, 65 | O_CLOEXEC], effect: exists('n') },
  { calls: triple('open'), setup: FILE, args: "[new URL('file://' + D + '/a')]", event: ['open', '$D/a', 'r', 0 | O_CLOEXEC] },
  { calls: triple('readFile'), setup: FILE, args: "[D + '/a']", event: ['open', '$D/a', 'r', 0 | O_CLOEXEC] },
  { calls: triple('readFile'), setup: FILE, args: "[D + '/a', 'utf8']", event: ['open', '$D/a', 'r', 0 | O_CLOEXEC] },
  { calls: triple('readFile'), setup: FILE, args: "[Buffer.from(D + '/a'), { flag: 'a+' }]", event: ['open', '$D/a', 'a+', 1090 | O_CLOEXEC] },
  { calls: triple('writeFile'), args: "[D + '/w', 'data']", event: ['open', '$D/w', 'w', 577 | O_CLOEXEC], effect: exists('w') },
  { calls: triple('writeFile'), args: "[D + '/w', Buffer.from('data'), { flag: '' }]", event: ['open', '$D/w', 'w', 577 | O_CLOEXEC], effect: exists('w') },
  { calls: triple('appendFile'), setup: FILE, args: "[D + '/a', 'more']", event: ['open', '$D/a', 'a', 1089 | O_CLOEXEC], effect: "fs.readFileSync(D + '/a', 'utf8')" },
  { calls: triple('unlink'), setup: FILE, args: "[D + '/a']", event: ['os.remove', '$D/a', null], effect: exists('a') },
  { calls: triple('rm'), setup: FILE, args: "[D + '/a']", event: ['os.remove', '$D/a', null], effect: exists('a') },
  { calls: triple('rm'), setup: TREE, args: "[D + '/t', { recursive: true }]", event: ['shutil.rmtree', '$D/t', null], effect: exists('t') },
  { calls: triple('rmdir'), setup: "fs.mkdirSync(D + '/e')", args: "[D + '/e']", event: ['os.rmdir', '$D/e', null], effect: exists('e') },
  { calls: triple('rename'), setup: FILE, args: "[D + '/a', D + '/b']", event: ['os.rename', '$D/a', '$D/b', null, null], effect: exists('b') },
  { calls: triple('mkdir'), args: "[D + '/m']", event: ['os.mkdir', '$D/m', 0o777, null], effect: exists('m') },
  { calls: triple('mkdir'), args: "[D + '/m/n/o', { recursive: true, mode: '700' }]", event: ['os.mkdir', '$D/m/n/o', 0o700, null], effect: exists('m/n/o') },
  { calls: triple('mkdtemp'), args: "[D + '/tmp-']", event: ['tempfile.mkdtemp', '$D/tmp-XXXXXX'], effect: 'fs.readdirSync(D).length' },
  { calls: [sync('mkdtempDisposableSync'), promise('mkdtempDisposable')], args: "[D + '/tmp-']", event: ['tempfile.mkdtemp', '$D/tmp-XXXXXX'], effect: 'fs.readdirSync(D).length', since: 24 },
  { calls: triple('readdir'), setup: TREE, args: "[D + '/t']", event: ['os.listdir', '$D/t'] },
  { calls: triple('readdir'), setup: TREE, args: "[D + '/t', { recursive: true, withFileTypes: true }]", event: ['os.walk', '$D/t', true, null, false], then: ['os.listdir', '$D/t'] },
  { calls: triple('readdir'), setup: TREE, args: "[D + '/t', { recursive: false }]", event: ['os.listdir', '$D/t'] },
  { calls: triple('opendir'), setup: TREE, args: "[D + '/t']", event: ['os.scandir', '$D/t'] },
  { calls: triple('opendir'), setup: TREE, args: "[D + '/t', { recursive: true }]", event: ['os.walk', '$D/t', true, null, false], then: ['os.scandir', '$D/t'] },
  { calls: triple('chmod'), setup: FILE, args: "[D + '/a', 0o600]", event: ['os.chmod', '$D/a', 0o600, null], effect: modeOf('a') },
  { calls: triple('chmod'), setup: FILE, args: "[D + '/a', '640']", event: ['os.chmod', '$D/a', 0o640, null], effect: modeOf('a') },
  { calls: [callback('fchmod'), sync('fchmodSync')], setup: `${FILE}; globalThis.fd = fs.openSync(D + '/a', 'r')`, args: '[fd, 0o600]', event: ['os.chmod', '$FD', 0o600, null], effect: modeOf('a') },
  { calls: triple('chown'), setup: FILE, args: "[D + '/a', process.getuid(), process.getgid()]", event: ['os.chown', '$D/a', '$UID', '$GID', null] },
  { calls: triple('lchown'), setup: FILE, args: "[D + '/a', process.getuid(), process.getgid()]", event: ['os.chown', '$D/a', '$UID', '$GID', null] },
  { calls: [callback('fchown'), sync('fchownSync')], setup: `${FILE}; globalThis.fd = fs.openSync(D + '/a', 'r')`, args: '[fd, process.getuid(), process.getgid()]', event: ['os.chown', '$FD', '$UID', '$GID', null] },
  { calls: triple('link'), setup: FILE, args: "[D + '/a', D + '/hard']", event: ['os.link', '$D/a', '$D/hard', null, null], effect: exists('hard') },
  { calls: triple('symlink'), setup: FILE, args: "['a', D + '/soft']", event: ['os.symlink', 'a', '$D/soft', null], effect: exists('soft') },
  { calls: triple('truncate'), setup: FILE, args: "[D + '/a', 2]", event: ['os.truncate', '$D/a', 2], effect: "fs.readFileSync(D + '/a', 'utf8')" },
  { calls: triple('truncate'), setup: FILE, args: "[D + '/a']", event: ['os.truncate', '$D/a', 0], effect: "fs.readFileSync(D + '/a', 'utf8')" },
  { calls: [callback('ftruncate'), sync('ftruncateSync')], setup: `${FILE}; globalThis.fd = fs.openSync(D + '/a', 'r+')`, args: '[fd, 1]', event: ['os.truncate', '$FD', 1], effect: "fs.readFileSync(D + '/a', 'utf8')" },
  { calls: triple('utimes'), setup: FILE, args: "[D + '/a', 1000, new Date(2000000)]", event: ['os.utime', '$D/a', [1000, 2000], null, null], effect: "fs.statSync(D + '/a').mtimeMs" },
  { calls: triple('utimes'), setup: FILE, args: "[D + '/a', '', ' 7 ']", event: ['os.utime', '$D/a', [0, 7], null, null], effect: "fs.statSync(D + '/a').mtimeMs" },
  { calls: triple('utimes'), setup: FILE, args: "[D + '/a', '-5', '0x10']", event: ['os.utime', '$D/a', [-5, 16], null, null], effect: "fs.statSync(D + '/a').mtimeMs" },
  { calls: triple('lutimes'), setup: FILE, args: "[D + '/a', '1000', 2000]", event: ['os.utime', '$D/a', [1000, 2000], null, null], effect: "fs.statSync(D + '/a').mtimeMs" },
  { calls: [callback('futimes'), sync('futimesSync')], setup: `${FILE}; globalThis.fd = fs.openSync(D + '/a', 'r+')`, args: '[fd, 1000, 2000]', event: ['os.utime', '$FD', [1000, 2000], null, null], effect: "fs.statSync(D + '/a').mtimeMs" },
  { calls: triple('copyFile'), setup: FILE, args: "[D + '/a', D + '/c']", event: ['shutil.copyfile', '$D/a', '$D/c'], effect: exists('c') },
  { calls: triple('cp'), setup: FILE, args: "[D + '/a', D + '/c']", event: ['shutil.copyfile', '$D/a', '$D/c'], effect: exists('c') },
  { calls: triple('cp'), setup: TREE, args: "[D + '/t', D + '/c', { recursive: true }]", event: ['shutil.copytree', '$D/t', '$D/c'], effect: exists('c/sub/f') },
  { calls: triple('glob'), setup: TREE, args: "['**', { cwd: D + '/t' }]", event: ['glob.glob', '**', true], then: ['glob.glob/2', '**', true, '$D/t', null] },
  { calls: triple('glob'), setup: TREE, args: "[['t/*', 't/sub/*'], { cwd: D, exclude: (p) => p.endsWith('g') }]", event: ['glob.glob', ['t/*', 't/sub/*'], true], then: ['glob.glob/2', ['t/*', 't/sub/*'], true, '$D', null] },
];

/** The events the instrumentation's table (FS_APIS in src/instrument/fs.ts) says each fs name raises. */
const DECLARED = new Map<string, readonly string[]>([
  ...FS_APIS.flatMap((api) => [
    ...api.callback === undefined ? [] : [[`fs.${api.callback}`, api.events] as const],
    ...api.sync === undefined ? [] : [[`fs.${api.sync}`, api.events] as const],
    ...api.promise === undefined ? [] : [[`fsPromises.${api.promise}`, api.events] as const],
  ]),
  ...FILE_HANDLE_APIS.map(([method, , events]) => [`filehandle.${method}`, events] as const),
]);

test('every call below raises events the instrumentation\'s table declares for its API (the table the catalogue\'s raisedBy lists are checked against)', () => {
  for (const c of CASES) {
    for (const call of c.calls) {
      for (const event of [c.event, ...c.then === undefined ? [] : [c.then]]) {
        assert.ok(DECLARED.get(call.api)?.includes(event[0] as string), `${call.api} raises ${String(event[0])}, which FS_APIS does not declare`);
      }
    }
  }
  const called = new Set(CASES.flatMap((c) => c.calls.map((call) => call.api)));
  // The rest have tests of their own in test/fs-paths.test.ts (handles, blobs, watchers), but lchmod, which Node defines on macOS only.
  const elsewhere = ['filehandle.chmod', 'filehandle.chown', 'filehandle.truncate', 'filehandle.utimes', 'fs.openAsBlob', 'fs.openAsBlobSync',
    'fs.watch', 'fsPromises.watch', 'fs.watchFile', 'fs.lchmod', 'fs.lchmodSync', 'fsPromises.lchmod'];
  assert.deepEqual([...DECLARED.keys()].filter((api) => !called.has(api) && !elsewhere.includes(api)), [], 'fs APIs of the table that no case here calls');
});

interface Report {
  D: string;
  fd: number | null;
  outcome: { kind: string; error?: { code: string | null }; value?: unknown };
  before: unknown;
  after: unknown;
}

/** The row's call on a fresh directory D, as statements that leave what it did in `report`. */
function row(c: FsCase, call: Call, block: boolean): string {
  return `
    const D = harness.tmp();
    harness.pause();
    ${c.setup ?? ''}
    const before = ${c.effect ?? 'null'};
    harness.clear();
    harness.resume();
    ${block ? `harness.block(${JSON.stringify(c.event[0])});` : ''}
    const outcome = await via.${call.form}(${call.target}, ${JSON.stringify(call.method)}, ${c.args});
    harness.unblock();
    harness.pause();
    const report = { D, fd: globalThis.fd ?? null, outcome, before, after: ${c.effect ?? 'null'} };
  `;
}

function scenario(c: FsCase, call: Call, block: boolean): string {
  return `${row(c, call, block)}\nharness.done(report);`;
}

interface Row { readonly c: FsCase; readonly call: Call }

/** Why a case does not run on this Node: its APIs are later, or its events (from the catalogue's since). */
function skipOf(c: FsCase): string | false {
  if (c.since !== undefined && NODE_MAJOR < c.since) return `needs Node ${c.since}`;
  return fromSince(...[c.event, ...c.then === undefined ? [] : [c.then]].map((event) => event[0] as CatalogueEventName));
}

const ROWS: readonly Row[] = CASES.filter((c) => skipOf(c) === false).flatMap((c) => c.calls.map((call) => ({ c, call })));

/**
 * Every row's outcome under plain Node, from one plain process (the baselines need no process of
 * their own: nothing is patched, and each row works in a fresh directory of its own).
 */
let baselines: readonly Report[] | undefined;
function baseline(c: FsCase, call: Call): Report {
  baselines ??= runScenario(`
    const reports = [];
    ${ROWS.map((r) => `{
      delete globalThis.fd;
      try {${row(r.c, r.call, false)} reports.push(report); } catch (error) { reports.push({ uncaught: errorData(error) }); }
    }`).join('\n')}
    harness.done(reports);
  `, { plain: true }).result as Report[];
  const report = baselines[ROWS.findIndex((r) => r.c === c && r.call === call)];
  assert.ok(report !== undefined && !('uncaught' in report), JSON.stringify(report));
  return report;
}

/** Puts the scenario's own values (directory, descriptor, ids) in place of the placeholders. */
function expected(event: readonly unknown[], report: Report): unknown[] {
  const fill = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(fill);
    if (value === '$FD') return report.fd;
    if (value === '$UID') return process.getuid?.();
    if (value === '$GID') return process.getgid?.();
    return typeof value === 'string' ? value.replace('$D', report.D) : value;
  };
  return event.map(fill);
}

const SUCCESS: Record<Form, string> = { sync: 'returned', callback: 'callback', promise: 'resolved' };
const BLOCKED: Record<Form, string> = { sync: 'thrown', callback: 'thrown', promise: 'rejected' };

for (const c of CASES) {
  for (const call of c.calls) {
    const title = `${call.api}(${c.args})`;
    const skip = skipOf(c);
    describe(title, { skip }, () => {
      let allowed: Report;

      test('raises its event once, with its arguments', () => {
        const run = runScenario(scenario(c, call, false));
        allowed = run.result as Report;
        assert.equal(allowed.outcome.kind, SUCCESS[call.form], JSON.stringify(allowed.outcome));
        assert.deepEqual(run.events, [c.event, ...c.then === undefined ? [] : [c.then]].map((event) => expected(event, allowed)));
        if (c.effect !== undefined) assert.notDeepEqual(allowed.after, allowed.before, 'the operation had its effect');
      });

      test('is blocked by a throwing hook before any side effect', () => {
        const run = runScenario(scenario(c, call, true));
        const report = run.result as Report;
        assert.equal(report.outcome.kind, BLOCKED[call.form]);
        assert.equal(report.outcome.error?.code, 'TEST_BLOCKED');
        assert.deepEqual(run.events, [expected(c.event, report)], 'the blocked event, and nothing after it');
        assert.deepEqual(report.after, report.before, 'no side effect');
      });

      test('behaves as in plain Node when allowed', () => {
        const plain = baseline(c, call);
        // mkdtemp's names are random: compare their template. A descriptor's number is not compared:
        // with a hook, Node 24 loads undici (for WebSocket), which opens stderr and one more descriptor.
        const normalise = (r: Report): unknown =>
          JSON.parse(JSON.stringify({ ...r.outcome, value: call.method.startsWith('open') && typeof r.outcome.value === 'number' ? 'fd' : r.outcome.value })
            .replaceAll(r.D, '$D').replace(/tmp-[A-Za-z0-9]{6}/g, 'tmp-XXXXXX'));
        assert.deepEqual(normalise(allowed), normalise(plain));
        assert.deepEqual(allowed.after, plain.after);
      });
    });
  }
}

// fs.promises loads when the program first reaches it (src/instrument/fs.ts): every way to it is
// instrumented, even taken before the first hook (audithook loaded first, as audithook/register).
describe('fs.promises, whichever way the program reaches it', () => {
  const RECORD = "const seen = []; require('audithook').addAuditHook((event, args) => { if (event === 'open' && args[0] === '/dev/null') seen.push(args[1]); });";
  const ROUTES: readonly (readonly [string, string])[] = [
    ['fs.promises', "const { readFile } = require('node:fs').promises;"],
    ["require('fs/promises')", "const { readFile } = require('fs/promises');"],
    ['process.getBuiltinModule', "const { readFile } = process.getBuiltinModule('node:fs/promises');"],
  ];
  for (const [route, take] of ROUTES) {
    test(`${route}, its function taken before the first hook: readFile raises open`, () => {
      const code = `${take} ${RECORD} readFile('/dev/null').then(() => console.log(JSON.stringify(seen)));`;
      const child = spawnSync(process.execPath, ['-r', './dist/register.js', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8' });
      assert.equal(child.stderr, '');
      assert.equal(child.stdout, '["r"]\n');
    });
  }
  test("an ES module's import of node:fs/promises before the first hook: the binding is instrumented with it", () => {
    const code = `import { readFile } from 'node:fs/promises'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${RECORD} await readFile('/dev/null'); console.log(JSON.stringify(seen));`;
    const child = spawnSync(process.execPath, ['--import', 'audithook/register', '--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(child.stderr, '');
    assert.equal(child.stdout, '["r"]\n');
  });
});
