/**
 * The runtime instrumentation: one module per Node module domain, installed once per thread.
 */
import { syncBuiltinESMExports } from 'node:module';
import { installFs } from './fs.js';

let installed = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  installFs();
  // ESM named imports (`import { readFile } from 'node:fs'`) are bindings to a copy of the exports.
  syncBuiltinESMExports();
}
