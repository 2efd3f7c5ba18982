/**
 * eval in loaded modules: direct eval stays direct (same scope as plain Node) and raises compile
 * with the module's filename; other references to the global eval become an audited indirect
 * eval; blocking stops the code; lines are unchanged; what cannot be audited is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mentionsEval } from '../src/instrument/module/mentions-eval';
import { runScenario, scenario } from './helpers/scenario';

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
  const body = scenario('eval/directEvalStaysDirect', { files: { 'scope.cjs': SCOPE_CJS, 'scope.mjs': SCOPE_ESM, 'indirect.cjs': INDIRECT, 'local.cjs': LOCAL_EVAL } });
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
  const { result } = runScenario(scenario('eval/blockedCompileStopsBoth', { files }));
  assert.deepEqual(result, { outcomes: ['TEST_BLOCKED', 'TEST_BLOCKED', 'TEST_BLOCKED'], ran: [] });
});

test('line numbers of errors are those of plain Node, also on and after a line with eval', () => {
  const source = [
    'const at = (error) => error.stack.split("\\n")[1].replace(/^.*[\\\\/]/, "");',
    "const first = at(new Error('first'));",
    "const onEvalLine = eval('1'), sameLine = at(new Error('same line'));",
    "module.exports = [first, onEvalLine, sameLine.split(':')[1], at(new Error('after'))];",
  ].join('\n');
  const body = scenario('eval/errorLineNumbers', { files: { 'lines.cjs': source } });
  const audited = runScenario(body).result;
  const plain = runScenario(body, { plain: true }).result;
  assert.deepEqual(plain, ['lines.cjs:2:18)', 1, '3', 'lines.cjs:4:65)']);
  assert.deepEqual(audited, plain);
});

test('sources that cannot be audited are refused: eval inside with, the reserved identifier', () => {
  const { result } = runScenario(scenario('eval/unauditableSourcesRefused', { files: {
    'with.cjs': "with ({}) { eval('globalThis.ran.push(1)'); }",
    'reserved.cjs': "var __audithook = { direct: (x) => x }; eval('globalThis.ran.push(2)');",
    'no-eval.cjs': "module.exports = function plain() { return 'untouched'; };",
    'reserved.mjs': "const __audithook = { direct: (x) => x }; eval('globalThis.ran.push(3)');",
  } }));
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
