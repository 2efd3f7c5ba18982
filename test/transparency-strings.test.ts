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
  ']);',
].join('\n');

const IMPORT_FILES = {
  'b.mjs': "export default 'b';",
  'node_modules/pkg/package.json': '{ "name": "pkg", "exports": "./index.mjs" }',
  'node_modules/pkg/index.mjs': "export default 'pkg';",
  'caller.cjs': `${CALLS}\nmodule.exports = calls;`,
  'caller.mjs': `${CALLS}\nexport default await calls;`,
};

test('import() in code built from strings resolves from the caller\'s file, relative and bare, as in plain Node', () => {
  const body = scenario('transparency-strings/importFromBuiltCode', { files: IMPORT_FILES });
  const plain = runScenario(body, { plain: true }).result as { cjs: unknown[] };
  const resolved = ['b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b', 'pkg', 'b'];
  assert.deepEqual(plain, { cjs: resolved, esm: resolved, compiled: false });
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'register, no hook');
  assert.deepEqual(runScenario(body).result, { ...plain, compiled: true }, 'a hook');
  assert.deepEqual(runScenario(body, { nodeArgs: REGISTER }).result, { ...plain, compiled: true }, 'register and a hook');
});
