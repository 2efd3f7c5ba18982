/**
 * OpenSSL engines: native code that crypto.setEngine and the TLS options `clientCertEngine` and
 * `privateKeyEngine` load (an engine id is a built-in engine's name or the path of a shared object,
 * which OpenSSL's dynamic engine dlopens). Each raises `ctypes.dlopen` with the id, after Node
 * validated the arguments and before OpenSSL looks the engine up.
 *
 * The TLS options reach OpenSSL through two methods of the native SecureContext, which every path
 * calls (tls.createSecureContext, tls.connect, https, http2, tls.createServer, setSecureContext, and
 * the deprecated `_tls_common.SecureContext`): they are audited on its prototype. Reaching that
 * prototype makes one context (3 to 6 ms, OpenSSL's set-up), so this is done when the program loads
 * a module that makes contexts (tls, https, http2, _tls_common, _tls_wrap), and crypto.setEngine
 * when it loads crypto.
 *
 * tls.setDefaultCACertificates(certs) replaces the certificates every later TLS connection trusts:
 * the Node-only `tls.setDefaultCACertificates` (certs), a frozen copy that Node then gets.
 */
import { ArrayIsArray, ObjectGetPrototypeOf, isArrayBufferView } from '../core/primordials.js';
import { frozenCopy } from './args.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { instrument, operation, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';

/** crypto.setEngine(id[, flags]): Node checks id is a string and flags, when truthy, a number. */
const describeSetEngine: Describe = (args) => {
  const flags = args[1];
  if (typeof args[0] !== 'string' || (flags && typeof flags !== 'number')) return undefined;
  return operation('ctypes.dlopen', [args[0]]);
};

/** The engine is the native method's argument at `index`: setClientCertEngine(engine), setEngineKey(keyId, engine). */
const engineAt = (index: number): Describe => (args) =>
  typeof args[index] === 'string' ? operation('ctypes.dlopen', [args[index]]) : undefined;

/** Node checks certs is an array of strings and ArrayBufferViews. */
const describeSetDefaultCA: Describe = (args) => {
  const certs = args[0];
  if (!ArrayIsArray(certs)) return undefined;
  for (let i = 0; i < certs.length; i++) if (typeof certs[i] !== 'string' && !isArrayBufferView(certs[i])) return undefined;
  const copy = frozenCopy(certs as readonly (string | ArrayBufferView)[]);
  args[0] = copy;
  return operation('tls.setDefaultCACertificates', [copy]);
};

interface Tls {
  createSecureContext: () => { context: object };
}

export const cryptoDomain: Domain = {
  withFirstHook() {
    // A Node built without OpenSSL has neither.
    if (process.versions.openssl === undefined) return;
    instrumentWhenLoaded('crypto', (crypto) => instrument(crypto, 'setEngine', describeSetEngine, THROWS));
    instrumentWhenLoaded('tls', (tls) => {
      const native = ObjectGetPrototypeOf((tls as unknown as Tls).createSecureContext().context) as object;
      instrument(tls, 'setDefaultCACertificates', describeSetDefaultCA, THROWS);
      instrument(native, 'setClientCertEngine', engineAt(0), THROWS);
      instrument(native, 'setEngineKey', engineAt(1), THROWS);
    }, ['https', 'http2', '_tls_common', '_tls_wrap']);
  },
};
