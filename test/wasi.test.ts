/**
 * node:wasi: new WASI({ preopens }) raises wasi.WASI with the preopened directories, on every way the
 * program reaches the module; refused, no instance; invalid options, Node's own error and no event.
 * Scenarios: test/scenarios/wasi.mjs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, scenario } from './helpers/scenario';

for (const how of ['import', 'require', 'getBuiltinModule']) {
  test(`new WASI (${how}): wasi.WASI with the preopens as Node gets them; refused, nothing is made`, () => {
    const run = runScenario(scenario('wasi/wasiPreopens', { how }));
    const r = run.result as { D: string; invalid: unknown };
    const plain = runScenario(scenario('wasi/wasiPreopens', { how }), { plain: true }).result as typeof r;
    assert.deepEqual(run.result, {
      D: r.D, made: 'object', none: 'object', invalid: { ...plain.invalid as object }, reads: 1,
      refused: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: wasi.WASI' },
    });
    assert.equal((r.invalid as { code: string }).code, 'ERR_INVALID_ARG_VALUE');
    assert.deepEqual(run.events.filter((e) => e[0] === 'wasi.WASI'), [
      ['wasi.WASI', { '/sandbox': r.D, '/other': r.D }],
      ['wasi.WASI', {}],
      ['wasi.WASI', { '/': '/' }],
    ]);
  });
}

test('a program that never loads node:wasi does not load it with the first hook', () => {
  assert.deepEqual(runScenario(scenario('wasi/wasiNotLoaded')).result, { loaded: false });
});
