/**
 * `sys.excepthook` (hook, type, value, traceback) when an uncaught exception (or a rejection Node
 * treats as one) is about to reach its handler: `hook` is the capture callback
 * (process.setUncaughtExceptionCaptureCallback) when one is set, else a frozen copy of the
 * 'uncaughtException' listeners, or null when Node's default handler prints it and exits; `type`
 * is the thrown value's constructor (null for primitives), `value` the thrown value, `traceback`
 * its stack (null when it has none).
 *
 * Raised from an 'uncaughtExceptionMonitor' listener, which Node calls before any handler and
 * which changes nothing about how the error is handled. A hook that throws there stops the
 * handlers: Node prints the hook's error and exits with code 7, as for any failing monitor.
 * The listener is added with the first hook; the capture callback is tracked from startup.
 */
import { isAuditing } from '../core/kernel.js';
import {
  ArrayIsArray, EventEmitterPrototypeOn, ObjectFreeze, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ReflectApply,
} from '../core/primordials.js';
import type { Domain } from './domain.js';
import { raise, replaceFunction } from './wrap.js';

let captureCallback: unknown = null;

/** Keeps the capture callback this thread sets (after the audited call succeeds): the hook argument names it. */
export const uncaughtDomain: Domain = { atLoad: trackCaptureCallback, withFirstHook: auditUncaughtExceptions };

function trackCaptureCallback(): void {
  replaceFunction(process, 'setUncaughtExceptionCaptureCallback', (setCapture) => function (this: unknown, fn: unknown) {
    ReflectApply(setCapture, this, [fn]);
    captureCallback = fn;
  });
}

function typeOf(value: unknown): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  const prototype = ObjectGetPrototypeOf(value) as { constructor?: unknown } | null;
  const descriptor = prototype === null ? undefined : ObjectGetOwnPropertyDescriptor(prototype, 'constructor');
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value as unknown : null;
}

/** The error's own stack (V8 may keep it as an accessor that formats it once, as Node's own handler does). */
function stackOf(value: unknown): string | null {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  const descriptor = ObjectGetOwnPropertyDescriptor(value, 'stack');
  if (descriptor === undefined) return null;
  const stack = 'value' in descriptor ? descriptor.value as unknown : ReflectApply(descriptor.get as () => unknown, value, []);
  return typeof stack === 'string' ? stack : null;
}

function auditUncaughtExceptions(): void {
  const { listeners, hasUncaughtExceptionCaptureCallback } = process;
  EventEmitterPrototypeOn(process, 'uncaughtExceptionMonitor', (error: unknown) => {
    if (!isAuditing()) return;
    const hook = ReflectApply(hasUncaughtExceptionCaptureCallback, process, []) === true
      ? captureCallback
      : (ReflectApply(listeners, process, ['uncaughtException']) as unknown[]);
    const handler = ArrayIsArray(hook) ? (hook.length === 0 ? null : ObjectFreeze(hook)) : hook;
    raise('sys.excepthook', [handler, typeOf(error), error, stackOf(error)]);
  });
}
