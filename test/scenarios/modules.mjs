// Scenarios of test/modules.test.ts, each run in its own process by runScenario(scenario('modules/<name>')).
import fs from 'node:fs';
import path from 'node:path';
import { errorData } from '../fixtures/outcome.mjs';

/** `files` in a fresh directory D, a require from D, and `imports()`: the import events, with D as $D. */
async function withFiles(harness, files) {
  const D = harness.tmp();
  harness.pause();
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(D, name)), { recursive: true });
    fs.writeFileSync(path.join(D, name), text);
  }
  harness.resume();
  const { createRequire } = await import('node:module');
  const require = createRequire(D + '/');
  globalThis.ran = [];
  const rel = (value) => typeof value === 'string' ? value.split(D).join('$D') : value;
  const imports = () => harness.events.filter((e) => e[0] === 'import').map((e) => e.map((v) => Array.isArray(v) ? v.map(rel) : rel(v)));
  return { D, require, rel, imports };
}

export async function requireImportPerModule(harness, { files }) {
  const { require, imports } = await withFiles(harness, files);
  const exported = require('./main.js');
  require('./main.js');
  harness.done({ exported, ran: globalThis.ran, imports: imports() });
}

export async function requireBlockedHookError(harness, { files }) {
  const { D, require } = await withFiles(harness, files);
  harness.block('import');
  let thrown = null;
  try { require('./main.js'); } catch (error) { thrown = errorData(error); }
  harness.unblock();
  const cached = Object.keys(require.cache).filter((k) => k.startsWith(D));
  const again = require('./main.js');
  harness.done({ thrown, cached, ran: globalThis.ran, again });
}

export async function importImportPerModule(harness, { files }) {
  const { D, imports } = await withFiles(harness, files);
  const { default: value } = await import(D + '/entry.mjs');
  await import(D + '/entry.mjs');
  harness.done({ value, ran: globalThis.ran, imports: imports() });
}

/** The import and open events of D's files, in order, as [event, file] (with D as $D). */
export async function importOpensEachSource(harness, { files }) {
  const { D, rel } = await withFiles(harness, files);
  await import(D + '/entry.mjs');
  const mine = harness.events.filter((e) => (e[0] === 'import' || e[0] === 'open') && String(e[e[0] === 'import' ? 2 : 1]).startsWith(D));
  harness.done({ events: mine.map((e) => e[0] === 'import' ? ['import', rel(e[2])] : ['open', rel(e[1]), e[2], e[3]]) });
}

export async function importEventsSurviveTampering(harness, { files }) {
  const { D, imports } = await withFiles(harness, files);
  Map.prototype.get = function () { return undefined; };
  Map.prototype.has = function () { return true; };
  Set.prototype.delete = function () { return true; };
  Set.prototype.add = function () { return this; };
  await import(D + '/entry.mjs');
  harness.done({ imports: imports().map((e) => e[2]).sort() });
}

export async function importBlockedImportRejects(harness, { files }) {
  const { D } = await withFiles(harness, files);
  const outcome = async (run) => { try { await run(); return 'loaded'; } catch (error) { return errorData(error); } };
  harness.block('import');
  const dynamic = await outcome(() => import(D + '/blocked.mjs'));
  const commonjs = await outcome(() => import(D + '/c.cjs'));
  harness.unblock();
  const { addAuditHook } = await import('audithook');
  addAuditHook((event, args) => { if (event === 'import' && String(args[1]).endsWith('refused.mjs')) throw Object.assign(new Error('refused'), { code: 'REFUSED' }); });
  const graph = await outcome(() => import(D + '/graph.mjs'));
  harness.done({ dynamic, commonjs, graph, ran: globalThis.ran });
}

export async function importCommonJSRaisesImport(harness, { files }) {
  const { require, imports } = await withFiles(harness, files);
  const value = await require('./dynamic.cjs');
  harness.done({ value, imports: imports().map((e) => e.slice(1, 3)) });
}

export async function requireEsmRaisesImport(harness, { files }) {
  const { require, imports } = await withFiles(harness, files);
  const value = require('./esm.mjs').x;
  harness.done({ value, imports: imports().map((e) => e.slice(0, 3)) });
}

export async function modulesBehavePlainNode(harness, { files }) {
  const { D, require, rel } = await withFiles(harness, files);
  const children = require('./c.cjs') && Object.keys(require.cache).filter((k) => k.startsWith(D)).map(rel).sort();
  const parent = require.cache[D + '/c.cjs'];
  const kids = parent.children.map((m) => rel(m.id));
  const resolved = rel(require.resolve('./d.cjs'));
  const missing = (() => { try { require('./nope'); } catch (error) { return [error.code, rel(error.message.split('\n')[0])]; } })();
  const missingEsm = await import(D + '/nope.mjs').then(() => null, (error) => [error.code, rel(error.message)]);
  const missingPackage = await import('no-such-package-xyz').then(() => null, (error) => [error.code, error.message]);
  const entry = (await import(D + '/entry.mjs')).default;
  const meta = (await import(D + '/meta.mjs')).default.map(rel);
  const stackLine = require('./throws.js')();
  const namespace = Object.keys(await import(D + '/c.cjs')).sort();
  harness.done({ children, kids, resolved, missing, missingEsm, missingPackage, entry, meta, stackLine, namespace, ran: globalThis.ran });
}

export async function setOpenCodeHookSeesCommonJSESM(harness, { files }) {
  const { D, require, rel } = await withFiles(harness, files);
  const { setOpenCodeHook } = await import('audithook');
  const seen = [];
  setOpenCodeHook((file, source) => {
    seen.push([rel(file), source === fs.readFileSync(file, 'utf8')]);
    if (file.includes('refused')) throw Object.assign(new Error('not on the allowlist'), { code: 'REFUSED' });
  });
  await import(D + '/entry.mjs');
  const esm = await import(D + '/refused.mjs').then(() => 'ran', errorData);
  let cjs = 'ran';
  try { require('./refused.cjs'); } catch (error) { cjs = errorData(error); }
  const again = (() => { try { setOpenCodeHook(() => {}); return 'set'; } catch (error) { return error.message; } })();
  harness.done({ seen: seen.sort(), esm, cjs, again, ran: globalThis.ran.sort() });
}

export async function setopencodehookRaisedFirstHook(harness, { files }) {
  const { require } = await withFiles(harness, files);
  const { setOpenCodeHook } = await import('audithook');
  harness.block('setopencodehook');
  const vetoed = (() => { try { setOpenCodeHook(() => { throw new Error('hook ran'); }); return 'set'; } catch (error) { return errorData(error).code; } })();
  harness.unblock();
  require('./x.cjs');
  harness.done({ vetoed, ran: globalThis.ran });
}

export async function moduleRegisterRaisesModule(harness, { files }) {
  const { D } = await withFiles(harness, files);
  const module = await import('node:module');
  harness.block('module.register');
  let thrown = null;
  try { module.register(D + '/hooks.mjs', 'file:///'); } catch (error) { thrown = errorData(error).code; }
  harness.unblock();
  const before = (await import(D + '/y.mjs')).default;
  module.register(D + '/hooks.mjs', 'file:///');
  const after = (await import(D + '/x.mjs')).default;
  harness.done({ thrown, before, after });
}

export async function importAudithookRegisterEntry(harness, { files }) {
  const { D, rel } = await withFiles(harness, files);
  const { spawnSync } = await import('node:child_process');
  const vm = await import('node:vm');
  harness.pause();
  fs.writeFileSync(D + '/hook.mjs', "import { addAuditHook } from " + JSON.stringify(process.cwd() + '/dist/esm/index.mjs') + "; globalThis.ran = []; addAuditHook((e, a) => { if (e === 'import') process.stdout.write(a[0] + '\\n'); });");
  const run = (entry) => spawnSync(process.execPath, ['--no-warnings', '--import', 'audithook/register', '--import', D + '/hook.mjs', D + entry], { encoding: 'utf8', cwd: process.cwd() });
  const child = run('/entry.mjs');
  const vmChild = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER === undefined ? null : run('/vm.cjs');
  const lines = (c) => c.stdout.split('\n').filter(Boolean).map(rel).sort();
  harness.done({ status: child.status, lines: lines(child), stderr: child.stderr, vm: vmChild && { status: vmChild.status, lines: lines(vmChild), stderr: vmChild.stderr } });
}

export async function moduleRegisterHooksRaisesModule(harness) {
  const module = await import('node:module');
  harness.block('module.register');
  let thrown = null;
  try { module.registerHooks({ resolve: (s, c, next) => next(s, c) }); } catch (error) { thrown = errorData(error).code; }
  harness.done({ thrown });
}

/** module.enableCompileCache: refused, no cache; allowed, the directory audited is the one used. */
export async function enableCompileCache(harness) {
  const module = await import('node:module');
  const D = harness.tmp();
  harness.block('module.enableCompileCache');
  let refused = null;
  try { module.enableCompileCache(D + '/refused'); } catch (error) { refused = error.code; }
  harness.unblock();
  const afterRefused = module.getCompileCacheDir() ?? null;
  const status = module.enableCompileCache(D + '/cache').status;
  harness.done({ D, refused, afterRefused, status, inCache: module.getCompileCacheDir().startsWith(D + '/cache') });
}

/** Run with --experimental-addon-modules: an ES import of a .node file (not a real addon: Node's dlopen fails after the events). */
export async function importAddonOnce(harness) {
  const D = harness.tmp();
  harness.pause(); fs.writeFileSync(D + '/fake.node', 'not an addon'); harness.resume();
  const error = await import(D + '/fake.node').then(() => null, (caught) => caught.code);
  harness.done({ D, error, events: harness.events.filter((e) => e[0] === 'import' || e[0] === 'ctypes.dlopen') });
}

/**
 * Run with --experimental-network-imports (Node 20 only): an import of an http: URL on the loopback,
 * which Node's loader fetches itself. `block` refuses import.
 */
export async function networkImport(harness, { block }) {
  const http = await import('node:http');
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    response.setHeader('content-type', 'text/javascript');
    response.end('export default 42;');
  });
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const url = `http://127.0.0.1:${server.address().port}/remote.mjs`;
  if (block) harness.block('import');
  let value = null;
  try { value = (await import(url)).default; } catch (error) { value = errorData(error).code; }
  harness.unblock();
  server.close();
  harness.done({ url, value, requests });
}
