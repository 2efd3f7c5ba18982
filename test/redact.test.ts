/**
 * Secrets stay out of the log (src/cli/redact.ts): what the catalogue marks secret is replaced by
 * its kind, size and a short hash; everything else of the record is as the agent sent it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { events } from '../src/catalogue';
import { mayCarrySecrets, redactArgs, redactUrl } from '../src/cli/redact';

test('a URL keeps its scheme, host, path and query keys; credentials and query values go', () => {
  assert.equal(redactUrl('https://user:pw@example.com:8443/a/b?token=x&b=2#frag'), 'https://***:***@example.com:8443/a/b?token=***&b=***#frag');
  assert.equal(redactUrl('https://example.com/plain'), 'https://example.com/plain');
  assert.equal(redactUrl('not a url'), 'not a url');
});

test('environment values, credential headers, bodies and set values are replaced by kind, size and hash', () => {
  const [, , , env] = redactArgs('subprocess.Popen', ['/bin/node', ['node'], null, { PATH: '/bin', NPM_TOKEN: 'npm_abc' }]);
  assert.deepEqual(Object.keys(env as object), ['PATH', 'NPM_TOKEN']);
  assert.deepEqual((env as Record<string, unknown>)['NPM_TOKEN'], { $redacted: 'value', size: 7, sha256: (env as Record<string, { sha256: string }>)['NPM_TOKEN']?.sha256 });
  assert.match(JSON.stringify(env), /^[^]*"sha256":"[0-9a-f]{12}"[^]*$/);
  assert.doesNotMatch(JSON.stringify(env), /npm_abc|\/bin"/);

  const [url, body, headers, method] = redactArgs('urllib.Request', ['http://h/q?k=v', 'secret body', { Authorization: 'Bearer t', Accept: 'text/html' }, 'POST']);
  assert.equal(url, 'http://h/q?k=***');
  assert.deepEqual((body as { $redacted: string; size: number }).$redacted, 'body');
  assert.equal((body as { size: number }).size, 11);
  assert.equal((headers as Record<string, unknown>)['Accept'], 'text/html');
  assert.equal(((headers as Record<string, { $redacted: string }>)['Authorization'])?.$redacted, 'header');
  assert.equal(method, 'POST');

  const [self, bytes] = redactArgs('http.client.send', [{ $type: 'ClientRequest', path: '/p?token=t' }, { $type: 'Buffer', size: 4, utf8: 'abcd' }]);
  assert.deepEqual(self, { $type: 'ClientRequest', path: '/p?token=***' });
  assert.deepEqual(Object.keys(bytes as object), ['$redacted', '$type', 'size', 'sha256']);

  const [key, value] = redactArgs('os.putenv', ['API_KEY', 's3cret']);
  assert.equal(key, 'API_KEY');
  assert.equal((value as { $redacted: string }).$redacted, 'value');
});

test('the same secret hashes the same (a reader can tell values apart), and events without secrets are left alone', () => {
  const hash = (text: string): unknown => (redactArgs('os.putenv', ['K', text])[1] as { sha256: string }).sha256;
  assert.equal(hash('a'), hash('a'));
  assert.notEqual(hash('a'), hash('b'));
  assert.equal(mayCarrySecrets('open'), false);
  const marked = events.filter((spec) => spec.args.some((arg) => 'secret' in arg || ('kind' in arg && arg.kind === 'url'))).map((spec) => spec.name);
  for (const name of marked) assert.equal(mayCarrySecrets(name), true, name);
  assert.ok(marked.includes('subprocess.Popen') && marked.includes('os.exec') && marked.includes('http.client.send'));
});
