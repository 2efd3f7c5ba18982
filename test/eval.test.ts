/**
 * eval in loaded modules: direct eval stays direct (same scope as plain Node) and raises compile
 * with the module's filename; other references to the global eval become an audited indirect
 * eval; blocking stops the code; lines are unchanged; what cannot be audited is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mentionsEval } from '../src/instrument/module/mentions-eval';
import { runScenario } from './helpers/scenario';

/** Writes `files` into a fresh directory D, then runs `body`; `compiles()` lists compile events with D as $D. */
function withFiles(files: Record<string, string>, body: string): string {
  return `
    const D = harness.tmp();
    harness.pause();
    for (const [name, text] of Object.entries(${JSON.stringify(files)})) fs.writeFileSync(path.join(D, name), text);
    harness.resume();
    const { createRequire } = await import('node:module');
    const require = createRequire(D + '/');
    globalThis.ran = [];
    const rel = (value) => typeof value === 'string' ? value.split(D).join('$D') : value;
    const compiles = () => harness.events.filter((e) => e[0] === 'compile').map((e) => e.map(rel));
    ${body}
  `;
}

const SCOPE_CJS = [
  'const secret = 42;',
  "function inner() { var local = 1; return eval('local + secret'); }",
  "module.exports = [eval('secret'), eval('typeof require'), eval('module.exports === exports'), inner(), eval(7), eval(...['1 + 1']), (eval)('secret')];",
].join('\n');

const SCOPE_ESM = [
  'const secret = 42;',
  "export default [eval('secret'), eval('this === undefined'), eval('typeof secret')];",
].join('\n');

const INDIRECT = [
  "'use strict';",
  'const local = 1;',
  'const e = eval;',
  'const { eval: fromObject } = { eval };',
  'module.exports = [',
  "  (0, eval)('typeof local'), e('typeof local'), globalThis.eval('typeof local'), global['eval']('typeof local'),",
  "  eval?.('typeof local'), [eval][0]('typeof local'), fromObject('typeof local'),",
  '  e === eval, e === globalThis.eval, e.name, e.length, typeof eval,',
  '];',
].join('\n');

const LOCAL_EVAL = [
  "function withParam(eval) { return eval('x'); }",
  "var obj = { eval: function (s) { return 'method:' + s; } };",
  "module.exports = [withParam(function (s) { return 'local:' + s; }), obj.eval('y')];",
].join('\n');

test('direct eval stays direct: the same scope as in plain Node, and compile(source, filename) once per string', () => {
  const body = withFiles({ 'scope.cjs': SCOPE_CJS, 'scope.mjs': SCOPE_ESM, 'indirect.cjs': INDIRECT, 'local.cjs': LOCAL_EVAL }, `
    const cjs = require('./scope.cjs');
    const esm = (await import(D + '/scope.mjs')).default;
    const indirect = require('./indirect.cjs');
    const local = require('./local.cjs');
    harness.done({ values: { cjs, esm, indirect, local }, compiles: compiles() });
  `);
  const audited = runScenario(body).result as { values: unknown; compiles: unknown[][] };
  const plain = runScenario(body, { plain: true }).result as { values: unknown };
  assert.deepEqual(audited.values, plain.values);
  assert.deepEqual(plain.values, {
    cjs: [42, 'function', true, 43, 7, 2, 42],
    esm: [42, true, 'number'],
    indirect: ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined', true, true, 'eval', 1, 'function'],
    local: ['local:x', 'method:y'],
  });
  const I = '<eval>';
  assert.deepEqual(audited.compiles, [
    ['compile', 'secret', '$D/scope.cjs'],
    ['compile', 'typeof require', '$D/scope.cjs'],
    ['compile', 'module.exports === exports', '$D/scope.cjs'],
    ['compile', 'local + secret', '$D/scope.cjs'],
    ['compile', '1 + 1', '$D/scope.cjs'],
    ['compile', 'secret', '$D/scope.cjs'],
    ['compile', 'secret', '$D/scope.mjs'],
    ['compile', 'this === undefined', '$D/scope.mjs'],
    ['compile', 'typeof secret', '$D/scope.mjs'],
    ...Array.from({ length: 7 }, () => ['compile', 'typeof local', I]),
    // A parameter named eval is the caller's function: wrapping its argument raises compile (a false positive, never a miss).
    ['compile', 'x', '$D/local.cjs'],
  ]);
});

test('a hook that blocks compile stops direct and indirect eval before the code runs', () => {
  const files = {
    'direct.cjs': "eval('globalThis.ran.push(1)');",
    'direct.mjs': "eval('globalThis.ran.push(2)');",
    'indirect.cjs': "(0, eval)('globalThis.ran.push(3)');",
  };
  const { result } = runScenario(withFiles(files, `
    harness.block('compile');
    const outcomes = [];
    for (const name of ['./direct.cjs', './indirect.cjs']) {
      try { require(name); outcomes.push('ran'); } catch (error) { outcomes.push(errorData(error).code); }
    }
    outcomes.push(await import(D + '/direct.mjs').then(() => 'ran', (error) => errorData(error).code));
    harness.done({ outcomes, ran: globalThis.ran });
  `));
  assert.deepEqual(result, { outcomes: ['TEST_BLOCKED', 'TEST_BLOCKED', 'TEST_BLOCKED'], ran: [] });
});

test('line numbers of errors are those of plain Node, also on and after a line with eval', () => {
  const source = [
    'const at = (error) => error.stack.split("\\n")[1].replace(/^.*[\\\\/]/, "");',
    "const first = at(new Error('first'));",
    "const onEvalLine = eval('1'), sameLine = at(new Error('same line'));",
    "module.exports = [first, onEvalLine, sameLine.split(':')[1], at(new Error('after'))];",
  ].join('\n');
  const body = withFiles({ 'lines.cjs': source }, "harness.done(require('./lines.cjs'));");
  const audited = runScenario(body).result;
  const plain = runScenario(body, { plain: true }).result;
  assert.deepEqual(plain, ['lines.cjs:2:18)', 1, '3', 'lines.cjs:4:65)']);
  assert.deepEqual(audited, plain);
});

test('sources that cannot be audited are refused: eval inside with, the reserved identifier', () => {
  const { result } = runScenario(withFiles({
    'with.cjs': "with ({}) { eval('globalThis.ran.push(1)'); }",
    'reserved.cjs': "var __audithook = { direct: (x) => x }; eval('globalThis.ran.push(2)');",
    'no-eval.cjs': "module.exports = function plain() { return 'untouched'; };",
    'reserved.mjs': "const __audithook = { direct: (x) => x }; eval('globalThis.ran.push(3)');",
  }, `
    const codes = [];
    for (const name of ['./with.cjs', './reserved.cjs']) {
      try { require(name); codes.push('ran'); } catch (error) { codes.push(error.code); }
    }
    codes.push(await import(D + '/reserved.mjs').then(() => 'ran', (error) => error.code));
    const source = require('./no-eval.cjs').toString();
    let replaced;
    try { globalThis.__audithook = {}; replaced = globalThis.__audithook.direct === undefined; } catch (error) { replaced = error.name; }
    harness.done({ codes, ran: globalThis.ran, source, replaced });
  `));
  assert.deepEqual(result, {
    codes: ['ERR_AUDITHOOK_UNAUDITABLE_SOURCE', 'ERR_AUDITHOOK_UNAUDITABLE_SOURCE', 'ERR_AUDITHOOK_UNAUDITABLE_SOURCE'],
    ran: [],
    source: "function plain() { return 'untouched'; }",
    replaced: 'TypeError',
  });
});

test('only sources that mention the word eval are parsed', () => {
  for (const source of ['eval(x)', 'x = eval', '(0,eval)', 'a.eval', '$ = [eval]', '// eval']) assert.equal(mentionsEval(source), true, source);
  for (const source of ['evaluate()', 'retrieval', 'evalx', '_eval', '$eval', 'eval$', 'eval_', 'ieval', 'éeval', '']) assert.equal(mentionsEval(source), false, source);
});
