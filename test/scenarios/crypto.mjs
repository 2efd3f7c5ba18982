// Scenarios of test/crypto.test.ts: each way a program has OpenSSL load an engine (a shared object).
import fs from 'node:fs';
import { errorData } from '../fixtures/outcome.mjs';

/** Each API given the engine path, by the name test/crypto.test.ts uses; resolves with how it failed. */
const LOADS = {
  'crypto.setEngine': async (engine) => (await import('node:crypto')).setEngine(engine),
  'tls.createSecureContext clientCertEngine': async (engine) => (await import('node:tls')).createSecureContext({ clientCertEngine: engine }),
  'tls.createSecureContext privateKeyEngine': async (engine) => (await import('node:tls')).createSecureContext({ privateKeyEngine: engine, privateKeyIdentifier: 'key' }),
  'tls.connect privateKeyEngine': async (engine) => (await import('node:tls')).connect({ port: 9, privateKeyEngine: engine, privateKeyIdentifier: 'key' }),
  'tls.createServer clientCertEngine': async (engine) => (await import('node:tls')).createServer({ clientCertEngine: engine }),
  'https.request clientCertEngine': async (engine) => {
    const https = await import('node:https');
    const request = https.request({ port: 9, clientCertEngine: engine, agent: false });
    return new Promise((resolve, reject) => request.on('error', reject));
  },
  'https.get privateKeyEngine': async (engine) => {
    const https = await import('node:https');
    const request = https.get({ port: 9, privateKeyEngine: engine, privateKeyIdentifier: 'key', agent: false });
    return new Promise((resolve, reject) => request.on('error', reject));
  },
  'https.createServer clientCertEngine': async (engine) => (await import('node:https')).createServer({ clientCertEngine: engine }),
  'new tls.TLSSocket privateKeyEngine': async (engine) => {
    const [tls, net] = await Promise.all([import('node:tls'), import('node:net')]);
    return new tls.TLSSocket(new net.Socket(), { privateKeyEngine: engine, privateKeyIdentifier: 'key' });
  },
  'tls.Server#addContext clientCertEngine': async (engine) => (await import('node:tls')).createServer().addContext('example.com', { clientCertEngine: engine }),
  'tls.Server#setSecureContext clientCertEngine': async (engine) => (await import('node:tls')).createServer().setSecureContext({ clientCertEngine: engine }),
  'http2.connect privateKeyEngine': async (engine) => {
    const session = (await import('node:http2')).connect('https://127.0.0.1:9', { privateKeyEngine: engine, privateKeyIdentifier: 'key' });
    return new Promise((resolve, reject) => session.on('error', reject));
  },
  'http2.createSecureServer clientCertEngine': async (engine) => (await import('node:http2')).createSecureServer({ clientCertEngine: engine }),
  '_tls_common.SecureContext': async (engine) => {
    const { SecureContext } = (await import('node:module')).createRequire(import.meta.url)('_tls_common');
    new SecureContext().context.setClientCertEngine(engine);
  },
};

/** `block`: refuse ctypes.dlopen. Reports the error and whether the shared object was loaded. */
export async function loadEngine(harness, { api, engine, marker, block }) {
  if (block) harness.block('ctypes.dlopen');
  let thrown = null;
  try { await LOADS[api](engine); } catch (error) { thrown = errorData(error); }
  harness.unblock();
  harness.done({ thrown, loaded: fs.existsSync(marker) });
}

/** tls.setDefaultCACertificates: refused, the default trust store stays; allowed, it is what was audited. */
export async function setDefaultCACertificates(harness) {
  const tls = await import('node:tls');
  const before = tls.getCACertificates('default').length;
  const certs = [tls.rootCertificates[0]];
  harness.block('tls.setDefaultCACertificates');
  let refused = null;
  try { tls.setDefaultCACertificates(certs); } catch (error) { refused = error.code; }
  harness.unblock();
  const afterRefused = tls.getCACertificates('default').length;
  tls.setDefaultCACertificates(certs);
  let invalid = null;
  try { tls.setDefaultCACertificates([1]); } catch (error) { invalid = error.code; }
  harness.done({ refused, kept: afterRefused === before, after: tls.getCACertificates('default').length, invalid, same: harness.events[1]?.[1]?.[0] === certs[0] });
}
