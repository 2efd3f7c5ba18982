/**
 * `sys.excepthook` (hook, error, origin) when an uncaught exception (or a rejection Node treats as
 * one) is about to reach its handler: `hook` is the capture callback
 * (process.setUncaughtExceptionCaptureCallback) when one is set, else a frozen copy of the
 * 'uncaughtException' listeners, or null when Node's default handler prints it and exits; `origin`
 * is Node's 'uncaughtException' or 'unhandledRejection'. CPython's (hook, type, value, traceback)
 * becomes the handler and the error itself, which carries its class and stack.
 *
 * Raised from an 'uncaughtExceptionMonitor' listener, which Node calls before any handler and
 * which changes nothing about how the error is handled. A hook that throws there stops the
 * handlers: Node prints the hook's error and exits with code 7, as for any failing monitor.
 * The listener is added with the first hook; the capture callback is tracked from startup.
 */
import { dispatch, isAuditing } from '../kernel.js';
import { ArrayIsArray, ObjectFreeze, ReflectApply } from '../primordials.js';
import { copyIdentity } from './wrap.js';

let captureCallback: unknown = null;

/** Keeps the capture callback this thread sets (after the audited call succeeds): the hook argument names it. */
export function trackCaptureCallback(): void {
  const setCapture = process.setUncaughtExceptionCaptureCallback as (fn: unknown) => void;
  process.setUncaughtExceptionCaptureCallback = copyIdentity(function (this: unknown, fn: unknown) {
    ReflectApply(setCapture, this, [fn]);
    captureCallback = fn;
  }, setCapture) as typeof process.setUncaughtExceptionCaptureCallback;
}

export function auditUncaughtExceptions(): void {
  const { listeners, hasUncaughtExceptionCaptureCallback } = process;
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    if (!isAuditing()) return;
    const hook = ReflectApply(hasUncaughtExceptionCaptureCallback, process, []) === true
      ? captureCallback
      : (ReflectApply(listeners, process, ['uncaughtException']) as unknown[]);
    const handler = ArrayIsArray(hook) ? (hook.length === 0 ? null : ObjectFreeze(hook)) : hook;
    dispatch('sys.excepthook', ObjectFreeze([handler, error, origin]));
  });
}
