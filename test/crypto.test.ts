/**
 * OpenSSL engines load native code: crypto.setEngine and the TLS engine options raise ctypes.dlopen
 * with the engine before OpenSSL loads it; refused, the shared object is never loaded; allowed, Node
 * fails (or succeeds) exactly as plain Node. Scenarios: test/scenarios/crypto.mjs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, runScenario, scenario } from './helpers/scenario';
import { fromSince } from './helpers/since';

const APIS = [
  'crypto.setEngine', 'tls.createSecureContext clientCertEngine', 'tls.createSecureContext privateKeyEngine',
  'tls.connect privateKeyEngine', 'tls.createServer clientCertEngine', 'https.request clientCertEngine', 'https.get privateKeyEngine',
  'https.createServer clientCertEngine', 'new tls.TLSSocket privateKeyEngine', 'tls.Server#addContext clientCertEngine',
  'tls.Server#setSecureContext clientCertEngine', 'http2.connect privateKeyEngine', 'http2.createSecureServer clientCertEngine',
  '_tls_common.SecureContext',
];

const D = mkdtempSync(join(tmpdir(), 'audithook-engine-'));
process.on('exit', () => rmSync(D, { recursive: true, force: true }));
const engine = join(D, 'engine.so');
const compiled = spawnSync('cc', ['-shared', '-fPIC', '-o', engine, resolve(REPO_ROOT, 'test', 'fixtures', 'engine.c')]);
const skip = compiled.status === 0 ? false : 'needs a C compiler (cc) to build the engine fixture';

for (const api of APIS) {
  test(`${api}: ctypes.dlopen with the engine before it loads; refused, nothing loads; allowed, as plain Node`, { skip }, () => {
    const run = (name: string, block: boolean, plain = false) => {
      const marker = join(D, `${api}.${name}`);
      const result = runScenario(scenario('crypto/loadEngine', { api, engine, marker, block }), { env: { ENGINE_MARKER: marker }, plain });
      return { ...result, loaded: (result.result as { loaded: boolean }).loaded, thrown: (result.result as { thrown: unknown }).thrown };
    };
    const refused = run('refused', true);
    assert.deepEqual(refused.thrown, { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: ctypes.dlopen' });
    assert.equal(refused.loaded, false, 'the shared object never loaded');
    assert.deepEqual(refused.events.filter((e) => e[0] === 'ctypes.dlopen'), [['ctypes.dlopen', engine]]);

    const allowed = run('allowed', false);
    const plain = run('plain', false, true);
    assert.equal(plain.loaded, true, 'plain Node loads the shared object (so the refused case can fail)');
    assert.equal(allowed.loaded, true);
    assert.deepEqual(allowed.thrown, plain.thrown, 'Node\'s own error is unchanged');
    assert.deepEqual(allowed.events.filter((e) => e[0] === 'ctypes.dlopen'), [['ctypes.dlopen', engine]]);
    assert.ok(existsSync(engine));
  });
}

test('tls.setDefaultCACertificates raises its event with the certificates; refused, the trust store stays', { skip: fromSince('tls.setDefaultCACertificates') }, () => {
  const run = runScenario(scenario('crypto/setDefaultCACertificates'));
  assert.deepEqual(run.result, { refused: 'TEST_BLOCKED', kept: true, after: 1, invalid: 'ERR_INVALID_ARG_TYPE', same: true });
  assert.deepEqual(run.events.map((e) => [e[0], (e[1] as unknown[]).length]), [['tls.setDefaultCACertificates', 1], ['tls.setDefaultCACertificates', 1]]);
});
