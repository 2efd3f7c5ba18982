/**
 * The audit kernel: PEP 578's `audit` and `addAuditHook`, as small as CPython's `sys.audit`.
 *
 * The hook list lives in this closure only: no export, property or global reaches it, so hooks
 * cannot be listed, replaced or removed.
 */
import { ErrorCtor, ObjectFreeze, TypeErrorCtor, isNativeError } from './primordials.js';

export type Hook = (event: string, args: readonly unknown[]) => void;

const hooks: Hook[] = [];
/** True while hooks run: events they raise synchronously are not dispatched (no re-entry). */
let dispatching = false;

/** Whether an event raised now would reach a hook. Wrappers check it before building arguments. */
export function isAuditing(): boolean {
  return hooks.length !== 0 && !dispatching;
}

/** Calls every hook in order with `args` (already frozen); the first exception propagates. */
export function dispatch(event: string, args: readonly unknown[]): void {
  dispatching = true;
  try {
    for (let i = 0; i < hooks.length; i++) {
      const hook = hooks[i] as Hook;
      hook(event, args);
    }
  } finally {
    dispatching = false;
  }
}

export function audit(event: string, ...args: unknown[]): void {
  if (typeof event !== 'string') {
    throw new TypeErrorCtor(`audit(): expected the event name to be a string, received ${describe(event)}`);
  }
  if (hooks.length === 0 || dispatching) return;
  dispatch(event, ObjectFreeze(args));
}

/**
 * Adds a hook after raising `sys.addaudithook`. An existing hook that throws an Error vetoes the
 * addition silently (false); any other thrown value propagates, as CPython separates RuntimeError
 * from BaseException.
 */
export function addHook(hook: Hook): boolean {
  if (typeof hook !== 'function') {
    throw new TypeErrorCtor(`addAuditHook(): expected the hook to be a function, received ${describe(hook)}`);
  }
  try {
    audit('sys.addaudithook');
  } catch (error) {
    if (isNativeError(error) || error instanceof ErrorCtor) return false;
    throw error;
  }
  hooks[hooks.length] = hook;
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `type ${typeof value}`;
}
