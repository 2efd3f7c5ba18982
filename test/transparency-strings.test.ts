/**
 * Code compiled from strings behaves as in plain Node, hooks or not: `import()` in code built by
 * the Function constructors or an indirect eval resolves from the caller's file, and a module that
 * mentions eval compiles exactly as written while no hook can observe it (its functions' text,
 * eval inside `with`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';

const REGISTER = ['--import', 'audithook/register'];

/** The same calls from a CommonJS and an ES module: every Function constructor, indirect eval, code built in built code. */
const CALLS = [
  "const AsyncFunction = (async () => {}).constructor;",
  'const GeneratorFunction = (function* () {}).constructor;',
  'const AsyncGeneratorFunction = (async function* () {}).constructor;',
  'const settle = (promise) => promise.then((m) => m.default, (error) => error.code ?? error.message);',
  // What an import that fails says it was imported from: the caller's own file name.
  "const from = (promise) => promise.then(() => 'loaded', (error) => error.message.includes('/./') ? error.message : error.message.slice(error.message.lastIndexOf('/') + 1));",
  'const calls = Promise.all([',
  "  settle(new Function('m', 'return import(m)')('./b.mjs')),",
  "  settle(Function('m', 'return import(m)')('pkg')),",
  "  settle(new AsyncFunction('m', 'return import(m)')('./b.mjs')),",
  "  settle(new GeneratorFunction('m', 'yield import(m)')('pkg').next().value),",
  "  settle(AsyncGeneratorFunction('m', 'yield import(m)')('./b.mjs').next().then((step) => step.value)),",
  "  settle(Reflect.construct(Function, ['m', 'return import(m)'])('pkg')),",
  "  settle((0, eval)('import(\"./b.mjs\")')),",
  "  settle(globalThis.eval('import(\"pkg\")')),",
  "  settle(new Function(\"return new Function('m', 'return import(m)')\")()('./b.mjs')),",
  "  settle((0, eval)(\"new Function('m', 'return import(m)')\")('pkg')),",
  "  settle(new Function(\"return (0, eval)('new Function(\\\\'m\\\\', \\\\'return import(m)\\\\')')\")()('./b.mjs')),",
  // Each file's own text: V8 reuses the code of a Function body it compiled before, with the referrer of the first caller.
  "  from(new Function('m', `return import(m) // ${kind}`)(`./missing-${kind}.mjs`)),",
  "  from((0, eval)(`import('./missing-eval-${kind}.mjs')`)),",
  ']);',
].join('\n');

const IMPORT_FILES = {
  'b.mjs': "export default 'b';",
  'node_modules/pkg/package.json': '{ "name": "pkg", "exports": "./index.mjs" }',
  'node_modules/pkg/index.mjs': "export default 'pkg';",
  'caller.cjs': `const kind = 'cjs';\n${CALLS}\nmodule.exports = calls;`,
  'caller.mjs': `const kind = 'esm';\n${CALLS}\nexport default await calls;`,
};

test('import() in code built from strings resolves from the caller\'s file, relative and bare, as in plain Node', () => {
  const body = scenario('transparency-strings/importFromBuiltCode', { files: IMPORT_FILES });
  const plain = runScenario(body, { plain: true }).result as { cjs: unknown[] };
  const resolved = ['b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b'];
  assert.deepEqual(plain, { cjs: [...resolved, 'caller.cjs', 'caller.cjs'], esm: [...resolved, 'caller.mjs', 'caller.mjs'], compiled: false });
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'register, no hook');
  assert.deepEqual(runScenario(body).result, { ...plain, compiled: true }, 'a hook');
  assert.deepEqual(runScenario(body, { nodeArgs: REGISTER }).result, { ...plain, compiled: true }, 'register and a hook');
});

const SERIAL_FILES = {
  'serial.cjs': "module.exports = function add(a, b) { return eval('a + b'); };",
  'with.cjs': "with ({ x: 1 }) { module.exports = eval('x + 1'); }",
};

test('with no hook, a module that mentions eval compiles as written: its functions run elsewhere, eval inside with works', () => {
  const body = scenario('transparency-strings/functionTextRunsElsewhere', { files: SERIAL_FILES });
  const plain = runScenario(body, { plain: true }).result;
  assert.deepEqual(plain, { text: "function add(a, b) { return eval('a + b'); }", elsewhere: 3, here: 3, withEval: 2 });
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'register, no hook');
  // A hook at load: eval is audited, so the text is the rewritten one; eval inside with cannot be audited and is refused.
  const hooked = runScenario(body).result as { text: string; here: number; withEval: unknown };
  assert.match(hooked.text, /__audithook\.direct\(/);
  assert.equal(hooked.here, 3);
  assert.equal(hooked.withEval, 'ERR_AUDITHOOK_UNAUDITABLE_SOURCE');
});

/** A program in a fresh directory that finds this checkout as node_modules/audithook. */
function program(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'audithook-test-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'audithook'), 'dir');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A main module that adds the first hook, with a module loaded before it and one after. */
const MAIN_ADDS_HOOK = {
  cjs: [
    "const early = require('./early.cjs');",
    "const { addAuditHook } = require('audithook');",
    'const seen = [];',
    "addAuditHook((event, args) => { if (event === 'compile') seen.push(args[0]); });",
    "(0, eval)('1 + 1'); eval('2 + 2'); early('3 + 3');",
    "require('./late.cjs')('4 + 4');",
    'console.log(JSON.stringify(seen));',
  ],
  // Static imports are evaluated before the module's body: early.cjs is loaded before the hook exists.
  mjs: [
    "import early from './early.cjs';",
    "import { addAuditHook } from 'audithook';",
    'const seen = [];',
    "addAuditHook((event, args) => { if (event === 'compile') seen.push(args[0]); });",
    "(0, eval)('1 + 1'); eval('2 + 2'); early('3 + 3');",
    "(await import('./late.mjs')).default('4 + 4');",
    'console.log(JSON.stringify(seen));',
  ],
};

for (const [extension, lines] of Object.entries(MAIN_ADDS_HOOK)) {
  test(`a hook added in the main module sees eval in that module, and not in a module loaded before it (${extension})`, () => {
    const dir = program({
      [`main.${extension}`]: lines.join('\n'),
      'early.cjs': 'module.exports = (source) => (0, eval)(source);',
      'late.cjs': 'module.exports = (source) => (0, eval)(source);',
      'late.mjs': 'export default (source) => (0, eval)(source);',
    });
    const child = spawnSync(process.execPath, [...REGISTER, `main.${extension}`], { cwd: dir, encoding: 'utf8' });
    assert.equal(child.stderr, '');
    assert.deepEqual(JSON.parse(child.stdout), ['1 + 1', '2 + 2', '4 + 4']);
  });
}
