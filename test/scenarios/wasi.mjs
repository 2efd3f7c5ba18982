// Scenarios of test/wasi.test.ts: node:wasi reached each way a program can, constructed, refused, invalid.
import { createRequire } from 'node:module';
import { errorData } from '../fixtures/outcome.mjs';

const LOADS = {
  import: async () => (await import('node:wasi')).WASI,
  require: async () => createRequire(import.meta.url)('node:wasi').WASI,
  getBuiltinModule: async () => process.getBuiltinModule('node:wasi').WASI,
};

export async function wasiPreopens(harness, { how }) {
  const D = harness.tmp();
  const WASI = await LOADS[how]();
  const attempt = (options) => { try { return typeof new WASI(options).wasiImport; } catch (error) { return errorData(error); } };
  let reads = 0;
  const twoFaced = { toString: () => (reads++ === 0 ? D : '/') };
  const made = attempt({ version: 'preview1', preopens: { '/sandbox': D, '/other': twoFaced } });
  const none = attempt({ version: 'unstable' });
  const invalid = attempt({ version: 'preview9', preopens: { '/sandbox': D } });
  harness.block('wasi.WASI');
  const refused = attempt({ version: 'preview1', preopens: { '/': '/' } });
  harness.unblock();
  harness.done({ D, made, none, invalid, refused, reads });
}

/** A program that never loads node:wasi: the first hook does not load it either. */
export async function wasiNotLoaded(harness) {
  harness.done({ loaded: process.moduleLoadList.includes('NativeModule wasi') });
}
