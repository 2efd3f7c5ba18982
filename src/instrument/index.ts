/**
 * The runtime instrumentation: one module per Node module domain, installed once per thread.
 */
import { syncBuiltinESMExports } from 'node:module';
// The module object itself, whose setPriority every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above: the module object itself
import dns = require('node:dns');
import { installChildProcess } from './child_process.js';
import { installFs } from './fs.js';
import { installNet } from './net.js';
import { auditEnvironment, installProcess } from './process.js';

let installed = false;
let environmentAudited = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  installFs();
  // The bindings where every process starts, taken before process.binding itself is audited.
  const { binding } = process as unknown as { binding(name: string): Record<string, unknown> };
  installChildProcess(binding);
  installNet(binding, dns as unknown as Parameters<typeof installNet>[1], os);
  installProcess(os);
  // ESM named imports (`import { readFile } from 'node:fs'`) are bindings to a copy of the exports.
  syncBuiltinESMExports();
}

/** The parts that cost something on every use even without hooks: installed with the first hook. */
export function installForHooks(): void {
  installInstrumentation();
  if (environmentAudited) return;
  environmentAudited = true;
  auditEnvironment();
}
