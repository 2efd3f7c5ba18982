/**
 * Transparency of errors: an error Node throws from an audited API has the stack it has in plain
 * Node, with no frame of audithook's wrappers, whatever the stack-trace limit, hooks or not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario, scenario } from './helpers/scenario';

const REGISTER = ['--import', 'audithook/register'];

test('errors Node throws from audited APIs carry the stacks of plain Node, without audithook\'s frames', () => {
  const body = scenario('stacks/errorStacks');
  const plain = runScenario(body, { plain: true }).result;
  assert.deepEqual(runScenario(body, { plain: true, nodeArgs: REGISTER }).result, plain, 'instrumented, no hook');
  assert.deepEqual(runScenario(body).result, plain, 'with a hook');
});
