/**
 * The runtime instrumentation: one module per Node module domain, installed once per thread.
 */
import { Module, syncBuiltinESMExports } from 'node:module';
// The module object itself, whose setPriority every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as os: the module object whose exports callers read
import vm = require('node:vm');
import { installChildProcess } from './child_process.js';
import { captureResponseClass, installCode } from './code.js';
import { installFs } from './fs.js';
import { installHttp } from './http.js';
import { installModules, auditHookAdded } from './module/index.js';
import { auditWebSocket, installFetch } from './fetch.js';
import { installNet } from './net.js';
import { auditEnvironment, installProcess } from './process.js';
import { installAsyncHooks } from './async_hooks.js';
import { installInspector } from './inspector.js';
import { installReadline } from './readline.js';
import { installSqlite } from './sqlite.js';
import { announceStartup as announce } from './startup.js';
import { installTraceEvents } from './trace_events.js';
import { auditUncaughtExceptions, trackCaptureCallback } from './uncaught.js';
import { installV8, installWorkerHeapSnapshot } from './v8.js';
import { installWorkerThreads } from './worker_threads.js';
import { auditVmCompiles, installVm } from './vm.js';
import { NumberParseInt } from '../core/primordials.js';

const NODE_MAJOR = NumberParseInt(process.versions.node, 10);
let installed = false;
let hookedPartsInstalled = false;

export function installInstrumentation(): void {
  if (installed) return;
  installed = true;
  installFs();
  installModules();
  // The bindings where every process starts, taken before process.binding itself is audited.
  const { binding } = process as unknown as { binding(name: string): Record<string, unknown> };
  installChildProcess(binding);
  installNet(binding, os);
  installProcess(os);
  installFetch(globalThis);
  trackCaptureCallback();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- already loaded by Node's bootstrap
  installAsyncHooks(require('node:async_hooks') as object);
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
  auditHookAdded();
  auditEnvironment();
  auditWebSocket(globalThis);
  captureResponseClass(globalThis);
  auditVmCompiles(vm);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup
  installHttp(require('node:http') as Parameters<typeof installHttp>[0]);
  installRuntimeDomains();
  auditUncaughtExceptions();
}

/**
 * worker_threads (with the streams it loads), v8, readline, inspector, trace_events and node:sqlite
 * cost ~5 ms to load: instrumented with the first hook. Prototype methods patched then apply to
 * every object; a module function or constructor taken before the first hook was added stays
 * unaudited (docs/security-model.md). Workers lose no preload that adds hooks by this: such a
 * preload has added its hook, and so installed this, before user code could start one.
 */
function installRuntimeDomains(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup */
  const workerThreads = require('node:worker_threads') as { Worker: { prototype: object }; isMainThread: boolean };
  installWorkerThreads(workerThreads);
  installWorkerHeapSnapshot(workerThreads.Worker.prototype);
  installV8(require('node:v8') as Parameters<typeof installV8>[0]);
  installReadline(require('node:readline') as Parameters<typeof installReadline>[0]);
  installInspector(require('node:inspector') as Parameters<typeof installInspector>[0], require('node:inspector/promises') as object);
  // Workers have no trace_events module (requiring it throws there).
  if (workerThreads.isMainThread) installTraceEvents(require('node:trace_events') as object);
  /* eslint-enable @typescript-eslint/no-require-imports */
  // node:sqlite loads without a flag or an experimental warning from Node 24 on.
  if (NODE_MAJOR >= 24) {
    const sqlite = process.getBuiltinModule('node:sqlite') as Parameters<typeof installSqlite>[0] | undefined;
    if (sqlite !== undefined) installSqlite(sqlite);
  }
  syncBuiltinESMExports();
}

/** The startup event (startup.ts), raised by audithook/register. */
export function announceStartup(requirePreload: boolean): void {
  announce(requirePreload, Module as unknown as { runMain: (...args: unknown[]) => unknown });
}
