/**
 * The runtime instrumentation: one module per Node module domain, installed once per thread.
 */
import { syncBuiltinESMExports } from 'node:module';
// The module object itself, whose setPriority every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as os: the module object whose exports callers read
import vm = require('node:vm');
import { installChildProcess } from './child_process.js';
import { captureResponseClass, installCode } from './code.js';
import { installFs } from './fs.js';
import { installHttp } from './http.js';
import { auditWebSocket, installFetch } from './fetch.js';
import { installNet } from './net.js';
import { auditEnvironment, installProcess } from './process.js';
import { auditVmCompiles, installVm } from './vm.js';

let installed = false;
let hookedPartsInstalled = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  installFs();
  // The bindings where every process starts, taken before process.binding itself is audited.
  const { binding } = process as unknown as { binding(name: string): Record<string, unknown> };
  installChildProcess(binding);
  installNet(binding, os);
  installProcess(os);
  installFetch(globalThis);
  installCode(globalThis);
  // node:vm costs about 0.1 ms to load, the one module here not loaded at startup anyway.
  installVm(vm);
  // ESM named imports (`import { readFile } from 'node:fs'`) are bindings to a copy of the exports.
  syncBuiltinESMExports();
}

/** The parts that would cost something without hooks (a Proxy on every env read, loading undici): installed with the first hook. */
export function installForHooks(): void {
  installInstrumentation();
  if (hookedPartsInstalled) return;
  hookedPartsInstalled = true;
  auditEnvironment();
  auditWebSocket(globalThis);
  captureResponseClass(globalThis);
  auditVmCompiles(vm);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup
  installHttp(require('node:http') as Parameters<typeof installHttp>[0]);
}
