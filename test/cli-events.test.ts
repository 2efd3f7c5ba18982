/** `audithook events [--json]`: the catalogue, as data and as text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { events } from '../src/catalogue/index';
import { runAudithook } from './helpers/audithook-cli';

test('events --json prints the whole catalogue, in its order', () => {
  const { status, stdout, stderr } = runAudithook(['events', '--json']);
  assert.equal(status, 0);
  assert.equal(stderr, '');
  assert.deepEqual(JSON.parse(stdout), JSON.parse(JSON.stringify(events)));
});

test('events prints each event with its arguments, description and the APIs that raise it', () => {
  const { status, stdout } = runAudithook(['events']);
  assert.equal(status, 0);
  const blocks = stdout.trimEnd().split('\n\n');
  assert.equal(blocks.pop(), `${events.length} events (audithook events --json for the data)`);
  assert.equal(blocks.length, events.length);
  blocks.forEach((block, index) => {
    const spec = events[index];
    const [signature, ...body] = block.split('\n');
    assert.equal(signature, `${spec.name}(${spec.args.map((arg) => `${arg.name}: ${arg.type}`).join(', ')})`);
    for (const line of body) assert.ok(line.startsWith('    ') && line.length <= 100, `${spec.name}: ${JSON.stringify(line)}`);
    const text = body.map((line) => line.trim()).join(' ');
    assert.equal(text, `${spec.description} raised by: ${spec.raisedBy.join(', ')}`.replace(/\s+/g, ' '));
  });
});
