/**
 * The runtime instrumentation: one module per Node module domain, installed once per thread.
 */
import { syncBuiltinESMExports } from 'node:module';
// The module object itself, whose setPriority every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
import { installChildProcess } from './child_process.js';
import { installFs } from './fs.js';
import { installProcess } from './process.js';

let installed = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  installFs();
  // The synchronous spawns' one entry point; taken before process.binding itself is audited.
  const { binding } = process as unknown as { binding(name: string): { spawn: unknown } };
  installChildProcess(binding('spawn_sync'));
  installProcess(os);
  // ESM named imports (`import { readFile } from 'node:fs'`) are bindings to a copy of the exports.
  syncBuiltinESMExports();
}
