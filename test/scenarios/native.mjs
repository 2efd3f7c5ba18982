// Scenarios of test/native.test.ts: a real addon (test/fixtures/addon.c) loaded each way Node loads
// native code, and SQLite extensions. The addon creates $ADDON_MARKER when the library is loaded at all.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { errorData } from '../fixtures/outcome.mjs';

const require = createRequire(import.meta.url);

/** Each way a program loads an addon, by the name test/native.test.ts uses; returns its exports. */
const LOADS = {
  require: (addon) => require(addon),
  'module.createRequire()': (addon) => createRequire(addon)(addon),
  'process.dlopen': (addon) => {
    const module = { exports: {} };
    process.dlopen(module, addon);
    return module.exports;
  },
};

/** `block`: refuse ctypes.dlopen. Allowed, the addon sets a variable through the C library. */
export async function loadAddon(harness, { api, addon, block }) {
  if (block) harness.block('ctypes.dlopen');
  let thrown = null;
  let exports = null;
  try { exports = LOADS[api](addon); } catch (error) { thrown = errorData(error); }
  harness.unblock();
  let environment = null;
  if (exports !== null) {
    exports.setenv('AH_NATIVE', 'set by C');
    environment = process.env.AH_NATIVE;
  }
  harness.done({ thrown, loaded: fs.existsSync(process.env.ADDON_MARKER), environment });
}

/**
 * node:sqlite: the SQL function load_extension() on a database created with allowExtension, and
 * after enableLoadExtension(true); then loadExtension, refused when `block`.
 */
export async function sqliteExtensions(harness, { library, block }) {
  const { DatabaseSync } = await import('node:sqlite');
  const attempt = (run) => { try { run(); return 'ran'; } catch (error) { return errorData(error); } };
  const marker = () => fs.existsSync(process.env.ADDON_MARKER);
  // allowExtension: Node refuses enableLoadExtension on a database created without it.
  const db = new DatabaseSync(':memory:', { allowExtension: true });
  const sqlAllowed = attempt(() => db.prepare('SELECT load_extension(?)').get(library));
  db.enableLoadExtension(true);
  const sqlEnabled = attempt(() => db.prepare('SELECT load_extension(?)').get(library));
  const loadedBySql = marker();
  if (block) harness.block('sqlite3.load_extension');
  const api = attempt(() => db.loadExtension(library));
  harness.unblock();
  harness.done({ sqlAllowed, sqlEnabled, loadedBySql, api, loaded: marker() });
}
