/**
 * The runtime instrumentation: the table of domains (one module per Node module domain, see
 * domain.ts for the phases and what each may cost), installed once per thread, in this order.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { asyncHooksDomain } from './async_hooks.js';
import { callbacksDomain } from './callbacks.js';
import { childProcessDomain } from './child_process.js';
import { codeDomain } from './code.js';
import { cryptoDomain } from './crypto.js';
import type { Domain } from './domain.js';
import { fetchDomain } from './fetch.js';
import { ffiDomain } from './ffi.js';
import { fsDomain } from './fs.js';
import { httpDomain } from './http.js';
import { inspectorDomain } from './inspector.js';
import { moduleDomain } from './module/index.js';
import { netDomain } from './net.js';
import { permissionDomain } from './permission.js';
import { processDomain } from './process.js';
import { readlineDomain } from './readline.js';
import { sqliteDomain } from './sqlite.js';
import { announceStartup as announce } from './startup.js';
import { traceEventsDomain } from './trace_events.js';
import { uncaughtDomain } from './uncaught.js';
import { v8Domain } from './v8.js';
import { wasiDomain } from './wasi.js';
import { vmDomain } from './vm.js';
import { workerThreadsDomain } from './worker_threads.js';
import { ERR_AUDITHOOK_NOT_INSTRUMENTED } from '../core/errors.js';
import { ErrorCtor, defineValue } from '../core/primordials.js';

const { syncBuiltinESMExports } = Module;

/**
 * The raw bindings (child_process, net) are taken before the process domain audits
 * process.binding itself; the environment Proxy comes before the modules that read it.
 */
const DOMAINS: readonly Domain[] = [
  fsDomain,
  moduleDomain,
  childProcessDomain,
  netDomain,
  processDomain,
  callbacksDomain,
  fetchDomain,
  uncaughtDomain,
  asyncHooksDomain,
  codeDomain,
  vmDomain,
  httpDomain,
  workerThreadsDomain,
  v8Domain,
  readlineDomain,
  inspectorDomain,
  traceEventsDomain,
  sqliteDomain,
  ffiDomain,
  wasiDomain,
  cryptoDomain,
  permissionDomain,
];

let installed = false;
let hookedPartsInstalled = false;

/** Runs every domain's `atLoad` once; whether it ran now. */
function installAtLoad(): boolean {
  if (installed) return false;
  installed = true;
  for (let i = 0; i < DOMAINS.length; i++) (DOMAINS[i] as Domain).atLoad?.();
  return true;
}

export function installInstrumentation(): void {
  // ESM named imports (`import { readFile } from 'node:fs'`) are bindings to a copy of the exports.
  if (installAtLoad()) syncBuiltinESMExports();
}

/**
 * Why the first hook's parts could not be installed (a program made one of their targets read-only
 * before): the hooks would miss events, so this and every later hook's addition throws it.
 */
let hookedPartsFailure: Error | undefined;

/** With the first hook: the parts that would cost something without one (and the rest, if nothing installed it). */
export function installForHooks(): void {
  if (hookedPartsFailure !== undefined) throw hookedPartsFailure;
  const loadedNow = installAtLoad();
  if (!hookedPartsInstalled) {
    hookedPartsInstalled = true;
    try {
      for (let i = 0; i < DOMAINS.length; i++) (DOMAINS[i] as Domain).withFirstHook?.();
    } catch (error) {
      hookedPartsFailure = new ErrorCtor('audithook: the instrumentation the first hook needs could not be installed (did code change a built-in it patches?): hooks would miss events', { cause: error });
      defineValue(hookedPartsFailure, 'code', ERR_AUDITHOOK_NOT_INSTRUMENTED);
      throw hookedPartsFailure;
    }
  } else if (!loadedNow) {
    return;
  }
  syncBuiltinESMExports();
}

/** The startup event (startup.ts), raised by audithook/register. */
export function announceStartup(requirePreload: boolean): void {
  announce(requirePreload, Module as unknown as { runMain: (...args: unknown[]) => unknown });
}

export { openCodeHookSet } from './module/index.js';
export { deferEsmHooksThread } from './module/node20/esm-start.js';
