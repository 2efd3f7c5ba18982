/**
 * Module loading: `import` once per module actually loaded (CommonJS, ESM, either way round),
 * blocking before anything is evaluated, the open-code hook, `module.register`, and everything
 * else exactly as in plain Node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import * as nodeModule from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { O_CLOEXEC, REPO_ROOT, runScenario, scenario } from './helpers/scenario';
import { fromSince } from './helpers/since';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const IN_THREAD_HOOKS = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';
const REQUIRE_ESM = (process.features as { require_module?: boolean }).require_module === true;

const CJS_TREE = {
  'main.js': "globalThis.ran.push('main'); require('./lib/a'); require('./lib/a'); module.exports = require('./data.json');",
  'lib/a.js': "globalThis.ran.push('a'); require('../data.json');",
  'data.json': '{ "ok": true }',
};

test('require: one import per module loaded, with specifier, filename and lookup paths; cached modules raise nothing', () => {
  const { result } = runScenario(scenario('modules/requireImportPerModule', { files: CJS_TREE }));
  const r = result as { exported: unknown; ran: string[]; imports: unknown[][] };
  assert.deepEqual(r.exported, { ok: true });
  assert.deepEqual(r.ran, ['main', 'a']);
  const parentPaths = ['$D/node_modules'];
  assert.deepEqual(r.imports.map((e) => [e[1], e[2], (e[3] as string[])[0], e[4], e[5]]), [
    ['./main.js', '$D/main.js', parentPaths[0], null, null],
    ['./lib/a', '$D/lib/a.js', parentPaths[0], null, null],
    ['../data.json', '$D/data.json', '$D/lib/node_modules', null, null],
  ]);
});

test('a -r preload that adds a hook sees none of audithook\'s own loading (Node 20 loads its hooks in the module-hooks thread, where the preload runs too)', () => {
  const D = mkdtempSync(join(tmpdir(), 'audithook-test-'));
  writeFileSync(join(D, 'app.mjs'), "console.log('app ran');");
  const log = join(D, 'events.jsonl');
  const child = spawnSync(process.execPath, ['-r', resolve(REPO_ROOT, 'test', 'fixtures', 'hook-preload.js'), join(D, 'app.mjs')], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, AUDIT_LOG: log },
  });
  assert.equal(child.stdout, 'app ran\n', child.stderr);
  const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown[]);
  assert.ok(events.some((e) => e[1] === 'import' && e[3] === join(D, 'app.mjs')), 'the application\'s own import is seen');
  const own = events.filter((e) => JSON.stringify(e).includes(resolve(REPO_ROOT, 'dist')));
  assert.deepEqual(own, [], 'no event names a file of audithook\'s');
});

const ADDON_MODULES = process.allowedNodeEnvironmentFlags.has('--experimental-addon-modules');

test('an ES import of a .node file (--experimental-addon-modules) raises import once, then ctypes.dlopen', { skip: ADDON_MODULES ? false : `Node ${NODE_MAJOR} has no --experimental-addon-modules` }, () => {
  const run = runScenario(scenario('modules/importAddonOnce'), { nodeArgs: ['--experimental-addon-modules', '--no-warnings'] });
  const r = run.result as { D: string; error: string; events: unknown[][] };
  assert.equal(r.error, 'ERR_DLOPEN_FAILED');
  assert.deepEqual(r.events, [['import', `${r.D}/fake.node`, `${r.D}/fake.node`, null, null, null], ['ctypes.dlopen', `${r.D}/fake.node`]]);
});

test('require blocked: the hook\'s error is thrown, the module never runs and is not cached', () => {
  const { result } = runScenario(scenario('modules/requireBlockedHookError', { files: CJS_TREE }));
  assert.deepEqual(result, { thrown: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: import' }, cached: [], ran: ['main', 'a'], again: { ok: true } });
});

const ESM_TREE = {
  'entry.mjs': "import a from './a.mjs'; import c from './c.cjs'; import data from './data.json' with { type: 'json' }; globalThis.ran.push('entry'); export default [a, c, data.ok, import.meta.url.endsWith('/entry.mjs')];",
  'a.mjs': "import './c.cjs'; globalThis.ran.push('a'); export default 'A';",
  'c.cjs': "globalThis.ran.push('c'); module.exports = require('./d.cjs');",
  'd.cjs': "globalThis.ran.push('d'); module.exports = 'D';",
  'data.json': '{ "ok": true }',
  'blocked.mjs': "globalThis.ran.push('blocked');",
  // Node 20 keeps a failed load in its module map: the graph's blocked module is a file not imported before.
  'graph.mjs': "import './sibling.mjs'; import './refused.mjs';",
  'refused.mjs': "globalThis.ran.push('refused');",
  'sibling.mjs': "globalThis.ran.push('sibling');",
};

test('import: one import per module, ESM, JSON and CommonJS (also required from CommonJS) alike, with the specifier as written', () => {
  const { result } = runScenario(scenario('modules/importImportPerModule', { files: ESM_TREE }));
  const r = result as { value: unknown; ran: string[]; imports: unknown[][] };
  assert.deepEqual(r.value, ['A', 'D', true, true]);
  assert.deepEqual(r.ran, ['c', 'd', 'a', 'entry']);
  const byFile = new Map(r.imports.map((e) => [e[2], e]));
  assert.equal(r.imports.length, 5, JSON.stringify(r.imports));
  assert.deepEqual(byFile.get('$D/entry.mjs'), ['import', '$D/entry.mjs', '$D/entry.mjs', null, null, null]);
  assert.deepEqual(byFile.get('$D/a.mjs'), ['import', './a.mjs', '$D/a.mjs', null, null, null]);
  assert.deepEqual(byFile.get('$D/c.cjs'), ['import', './c.cjs', '$D/c.cjs', null, null, null], 'an imported CommonJS file raises once, from the ESM side');
  assert.deepEqual(byFile.get('$D/data.json'), ['import', './data.json', '$D/data.json', null, null, null]);
  assert.deepEqual(byFile.get('$D/d.cjs')?.slice(0, 3), ['import', './d.cjs', '$D/d.cjs']);
});

test('each module source the loaders read raises one open: ES modules, JSON and CommonJS alike, after their import', () => {
  const { result } = runScenario(scenario('modules/importOpensEachSource', { files: ESM_TREE }));
  const read = (file: string): unknown[] => ['open', file, 'r', O_CLOEXEC];
  const events = (result as { events: unknown[][] }).events;
  for (const file of ['$D/entry.mjs', '$D/a.mjs', '$D/c.cjs', '$D/data.json']) {
    assert.deepEqual(events.filter((e) => e[1] === file), [['import', file], read(file)], `${file}: ${JSON.stringify(events)}`);
  }
  // c.cjs re-exports d.cjs: Node reads d.cjs to list c.cjs's exports (before d.cjs is required) and
  // compiles that text when c.cjs requires it. Node 20 reads it with a function captured before the
  // instrumentation: no open (docs/security-model.md, "Modules and eval").
  const d = events.filter((e) => e[1] === '$D/d.cjs').map((e) => e[0]).sort();
  assert.deepEqual(d, IN_THREAD_HOOKS ? ['import', 'open'] : ['import'], JSON.stringify(events));
});

test('import events survive tampering with Map and Set prototypes', () => {
  const { result } = runScenario(scenario('modules/importEventsSurviveTampering', { files: ESM_TREE }));
  assert.deepEqual((result as { imports: string[] }).imports, ['$D/a.mjs', '$D/c.cjs', '$D/d.cjs', '$D/data.json', '$D/entry.mjs']);
});

test('import blocked: import() rejects with the hook\'s error and nothing in the static graph is evaluated', () => {
  const { result } = runScenario(scenario('modules/importBlockedImportRejects', { files: ESM_TREE }));
  const blocked = { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: import' };
  assert.deepEqual(result, { dynamic: blocked, commonjs: blocked, graph: { name: 'Error', code: 'REFUSED', message: 'refused' }, ran: [] });
});

test('import() from CommonJS raises import like any import', () => {
  const files = {
    'dynamic.cjs': "module.exports = import('./target.mjs').then((m) => m.default);",
    'target.mjs': "export default 'target';",
  };
  const { result } = runScenario(scenario('modules/importCommonJSRaisesImport', { files }));
  assert.deepEqual(result, { value: 'target', imports: [['./dynamic.cjs', '$D/dynamic.cjs'], ['./target.mjs', '$D/target.mjs']] });
});

test('require(esm) raises import once, from the CommonJS side', { skip: REQUIRE_ESM ? false : 'no require(esm) on this Node' }, () => {
  const { result } = runScenario(scenario('modules/requireEsmRaisesImport', { files: { 'esm.mjs': "import './dep.mjs'; export const x = 1;", 'dep.mjs': 'export {};' } }));
  const imports = [['import', './esm.mjs', '$D/esm.mjs'], ['import', './dep.mjs', '$D/dep.mjs']];
  // Node 20 loads the static imports of a required ES module with no hook and no patchable function
  // (docs/security-model.md, "Modules and eval"): only the required module itself raises.
  assert.deepEqual(result, { value: 1, imports: IN_THREAD_HOOKS ? imports : imports.slice(0, 1) });
});

test('modules behave as in plain Node: exports, require.cache, children, resolve, import.meta, missing modules, stack lines', () => {
  const files = {
    ...ESM_TREE,
    'throws.js': "\n\nmodule.exports = () => new Error('here').stack.split('\\n')[1].replace(/^.*\\//, '');",
    'meta.mjs': 'export default [import.meta.filename ?? null, import.meta.dirname ?? null, typeof import.meta.resolve];',
  };
  const body = scenario('modules/modulesBehavePlainNode', { files });
  const audited = runScenario(body).result;
  const plain = runScenario(body, { plain: true }).result;
  assert.deepEqual(audited, plain);
  assert.match((plain as { stackLine: string }).stackLine, /throws\.js:3:/);
});

test('setOpenCodeHook: sees every CommonJS and ESM source before it runs, as read; a refused file never runs', () => {
  const files = {
    ...ESM_TREE,
    'refused.mjs': "globalThis.ran.push('refused');",
    'refused.cjs': "globalThis.ran.push('refused.cjs');",
  };
  const { result, events } = runScenario(scenario('modules/setOpenCodeHookSeesCommonJSESM', { files }));
  const refused = { name: 'Error', code: 'REFUSED', message: 'not on the allowlist' };
  assert.deepEqual(result, {
    seen: [['$D/a.mjs', true], ['$D/c.cjs', true], ['$D/d.cjs', true], ['$D/entry.mjs', true], ['$D/refused.cjs', true], ['$D/refused.mjs', true]],
    esm: refused,
    cjs: refused,
    again: 'setOpenCodeHook(): an open-code hook is already set in this thread and cannot be changed',
    ran: ['a', 'c', 'd', 'entry'],
  });
  assert.equal(events.filter((e) => e[0] === 'setopencodehook').length, 2, 'raised before the second call is refused');
});

test('setopencodehook is raised first and a hook may veto it', () => {
  const { result } = runScenario(scenario('modules/setopencodehookRaisedFirstHook', { files: { 'x.cjs': "globalThis.ran.push('x');" } }));
  assert.deepEqual(result, { vetoed: 'TEST_BLOCKED', ran: ['x'] });
});

test('Node 20\'s --experimental-network-imports: the import of a URL raises import with it, and nothing else (the loader fetches it in its own thread); refused, nothing is fetched', { skip: NODE_MAJOR === 20 ? false : 'the flag is Node 20\'s' }, () => {
  const nodeArgs = ['--experimental-network-imports', '--no-warnings'];
  const allowed = runScenario(scenario('modules/networkImport', { block: false }), { nodeArgs });
  const { url } = allowed.result as { url: string };
  assert.deepEqual(allowed.result, { url, value: 42, requests: 1 });
  assert.deepEqual(allowed.events.filter((e) => e[0] !== 'socket.bind'), [['import', url, url, null, null, null]], 'no urllib.Request, http.client.connect or socket.connect');
  const refused = runScenario(scenario('modules/networkImport', { block: true }), { nodeArgs });
  assert.deepEqual(refused.result, { url: (refused.result as { url: string }).url, value: 'TEST_BLOCKED', requests: 0 });
});

test('module.register raises module.register with its arguments; blocked, no hook is registered', { skip: fromSince('module.register') }, () => {
  const hooks = 'export async function load(url, context, next) { const r = await next(url, context); if (url.endsWith("/x.mjs")) r.source = "export default \\"rewritten\\";"; return r; }';
  const { result, events } = runScenario(scenario('modules/moduleRegisterRaisesModule', { files: { 'hooks.mjs': hooks, 'x.mjs': "export default 'original';", 'y.mjs': "export default 'original';" } }));
  assert.deepEqual(result, { thrown: 'TEST_BLOCKED', before: 'original', after: 'rewritten' });
  const registered = events.filter((e) => e[0] === 'module.register').map((e) => [e[2]]);
  assert.deepEqual(registered, [['file:///'], ['file:///']]);
});

test('module.registerHooks raises module.register (null, null)', { skip: NODE_MAJOR >= 24 ? false : 'no registerHooks on this Node' }, () => {
  const { result, events } = runScenario(scenario('modules/moduleRegisterHooksRaisesModule'));
  assert.deepEqual(result, { thrown: 'TEST_BLOCKED' });
  assert.deepEqual(events.filter((e) => e[0] === 'module.register'), [['module.register', null, null]]);
});

test('with --import audithook/register: the entry module, its static imports and import() in a vm script raise import', () => {
  const vmEntry = "const vm = require('node:vm'); new vm.Script(\"import('./a.mjs')\", { filename: __filename, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }).runInThisContext();";
  const { result } = runScenario(scenario('modules/importAudithookRegisterEntry', { files: { ...ESM_TREE, 'vm.cjs': vmEntry } }));
  interface Run { status: number; lines: string[]; stderr: string }
  const r = result as Run & { vm: Run | null };
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.lines, ['./a.mjs', './c.cjs', './d.cjs', './data.json', 'file://$D/entry.mjs']);
  // import() in a vm script that uses the main context's loader: the same loader, the same events.
  if (r.vm !== null) {
    assert.equal(r.vm.status, 0, r.vm.stderr);
    assert.deepEqual(r.vm.lines, ['./a.mjs', './c.cjs', './d.cjs', 'file://$D/vm.cjs']);
  }
});

test('examples/integrity: the app runs as installed and is refused once a dependency is tampered with', () => {
  const child = spawnSync(process.execPath, [resolve(REPO_ROOT, 'examples', 'integrity', 'demo.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /write the allowlist: exit 0\n {2}allowlist\.json: 2 files/);
  assert.match(child.stdout, /run as installed: exit 0\n {2}HELLO, INTEGRITY\n/);
  assert.match(child.stdout, /run after tampering: exit 1\n {2}Error: integrity: node_modules\/greet\/index\.js is not on the allowlist/);
  assert.match(child.stdout, /the tampered code ran: false/);
});

test('module.enableCompileCache raises its event with the directory; refused, nothing is cached', { skip: fromSince('module.enableCompileCache') }, () => {
  const run = runScenario(scenario('modules/enableCompileCache'));
  const { D } = run.result as { D: string };
  assert.deepEqual(run.result, { D, refused: 'TEST_BLOCKED', afterRefused: null, status: (nodeModule as unknown as { constants: { compileCacheStatus: { ENABLED: number } } }).constants.compileCacheStatus.ENABLED, inCache: true });
  assert.deepEqual(run.events.filter((e) => e[0] === 'module.enableCompileCache'), [
    ['module.enableCompileCache', `${D}/refused`], ['module.enableCompileCache', `${D}/cache`],
  ]);
});
