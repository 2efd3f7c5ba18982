/**
 * The architecture's rules are tools: the repo's own lint configuration rejects a wrong import
 * across layers and every kind of un-captured built-in in code that runs in audited processes,
 * and accepts the same code where it runs only at load. Each probe is the text of a real source
 * file with a few lines appended, linted as that file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './helpers/scenario';

// Each probe lints a file's text as changed in memory: typescript-eslint's single-run mode (which it
// turns on when CI is set) would read types from the file on disk instead.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { disallowAutomaticSingleRunInference: true } } }],
});

/** The messages of `rule` when `file` has `appended` at its end. */
async function problems(file: string, appended: string, rule: string): Promise<string[]> {
  const filePath = join(REPO_ROOT, file);
  const [result] = await eslint.lintText(`${readFileSync(filePath, 'utf8')}\n${appended}\n`, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === rule).map((message) => message.message);
}

test('layers: core may not import the CLI, nor the agent the policy loader', async () => {
  assert.deepEqual(await problems('src/core/kernel.ts', "export { runCommand } from '../cli/run.js';", 'audithook/layers'),
    ['core/ may not import cli/run (../cli/run.js): core depends only on core']);
  const [agent] = await problems('src/agent/json-text.ts', "export { loadPolicy } from '../policy/load.js';", 'audithook/layers');
  assert.match(agent ?? '', /^agent\/ may not import policy\/load/);
});

test('layers: an allowed direction passes', async () => {
  assert.deepEqual(await problems('src/agent/json-text.ts', "export { audit } from '../core/kernel.js';", 'audithook/layers'), []);
});

const UNCAPTURED: readonly (readonly [string, RegExp])[] = [
  ['export function probe(list: string[]): number { return list.indexOf("x"); }', /list\.indexOf is a built-in method/],
  ['export function probe(): string { return JSON.stringify(1); }', /JSON\.stringify is a built-in method/],
  ['export function probe(u: URL): string { return u.href; }', /u\.href is a built-in getter/],
  ['export function probe(m: Map<string, number>): number { return m.size; }', /m\.size is a built-in getter/],
  ['export function probe(): object { return new Map(); }', /Map is looked up on globalThis/],
  ['export function probe(list: number[]): number[] { return [...list]; }', /spreading runs the iterator/],
  ['export function probe(list: number[]): void { for (const x of list) void x; }', /for\.\.of runs the iterator/],
  ['export function probe(x: unknown): boolean { return x instanceof ErrorCtor; }', /instanceof asks Symbol\.hasInstance/],
  ['export function probe(o: object): void { ObjectDefineProperty(o, "k", { value: 1 }); }', /a property descriptor with a prototype/],
  ['export function probe(o: object): object { return new ProxyCtor(o, {}); }', /a Proxy handler with a prototype/],
];

for (const [code, expected] of UNCAPTURED) {
  test(`primordials: ${code.slice(16, 80)}`, async () => {
    const found = await problems('src/core/kernel.ts', `import { ObjectDefineProperty, ProxyCtor } from './primordials.js';\n${code}`, 'audithook/primordials');
    assert.ok(found.some((message) => expected.test(message)), found.join('\n'));
  });
}

test('primordials: a function imported by name from node: is looked up at each call', async () => {
  const found = await problems('src/instrument/fs.ts',
    "import { isAbsolute as probeIsAbsolute } from 'node:path';\nexport const probe = (p: string): boolean => probeIsAbsolute(p);", 'audithook/primordials');
  assert.deepEqual(found, ['probeIsAbsolute is read from the module object of node:path at each call, where the program can replace it: capture it at load']);
});

test('primordials: the captured forms, and anything at module load, pass', async () => {
  const found = await problems('src/core/kernel.ts', [
    "import { ObjectDefineProperty, ProxyCtor, StringPrototypeIndexOf, nullPrototype } from './primordials.js';",
    'const atLoad = [...[1, 2]].indexOf(2) + new Map().size;',
    'export function probe(text: string, o: object): number {',
    '  ObjectDefineProperty(o, "k", nullPrototype({ value: atLoad }));',
    '  const handler = nullPrototype({});',
    '  void new ProxyCtor(o, handler);',
    '  return StringPrototypeIndexOf(text, "x");',
    '}',
  ].join('\n'), 'audithook/primordials');
  assert.deepEqual(found, []);
});

test('one mechanism: instrumentation reaches the kernel\'s dispatch through wrap.ts only, by import or by require', async () => {
  const message = 'raise events through src/instrument/wrap.ts (instrument, instrumentConstructor, raise)';
  const imported = await problems('src/instrument/wasi.ts', "import { dispatch } from '../core/kernel.js';\nexport const probe = dispatch;", 'no-restricted-imports');
  assert.equal(imported.length, 1);
  assert.match(imported[0] ?? '', /raise events through src\/instrument\/wrap\.ts/);
  assert.deepEqual(await problems('src/instrument/wasi.ts', "export const probe: unknown = require('../core/kernel.js').dispatch;", 'no-restricted-syntax'), [message]);
  assert.deepEqual(await problems('src/instrument/wasi.ts', "import kernel = require('../core/kernel.js');\nexport const probe = kernel.dispatch;", 'no-restricted-syntax'), [message]);
  assert.deepEqual(await problems('src/instrument/wrap.ts', "export const probe: unknown = require('../core/kernel.js').dispatch;", 'no-restricted-syntax'), []);
});

test('one mechanism: a module the instrumentation names at run time (the kernel, unseen) is refused; Node\'s built-ins by a node: template pass', async () => {
  const byName = 'require a module by its literal name (a `node:` template for built-ins)';
  const where = 'const where = \'../core/\';\n';
  assert.deepEqual(await problems('src/instrument/wasi.ts', `${where}export const probe: unknown = require(where + 'kernel.js');`, 'no-restricted-syntax'), [byName]);
  assert.deepEqual(await problems('src/instrument/wasi.ts', `${where}export const probe: unknown = require(\`\${where}kernel.js\`);`, 'no-restricted-syntax'), [byName]);
  const imported = await problems('src/instrument/wasi.ts', "export const probe = import('../core/kernel.js');", 'no-restricted-syntax');
  assert.equal(imported.length, 1);
  assert.deepEqual(await problems('src/instrument/wasi.ts', "const id = 'wasi';\nexport const probe: unknown = require(`node:${id}`);", 'no-restricted-syntax'), []);
});

test('primordials: the runtime, which every audited process loads, is held to it', async () => {
  const found = await problems('src/runtime.ts', 'export function probe(list: string[]): number { return list.indexOf("x"); }', 'audithook/primordials');
  assert.ok(found.some((m) => /list\.indexOf is a built-in method/.test(m)), found.join('\n'));
});

test('primordials: the CLI, which runs in no audited process, is not held to it', async () => {
  assert.deepEqual(await problems('src/cli/log.ts', 'export function probe(list: string[]): number { return list.indexOf("x"); }', 'audithook/primordials'), []);
});
