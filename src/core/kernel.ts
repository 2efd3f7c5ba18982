/**
 * The audit kernel: PEP 578's `audit` and `addAuditHook`, as small as CPython's `sys.audit`.
 *
 * The hook list lives in this closure only: no export, property or global reaches it, so hooks
 * cannot be listed, replaced or removed.
 */
import { ErrorCtor, ObjectFreeze, TypeErrorCtor, isInstanceOf, isNativeError } from './primordials.js';

export type Hook = (event: string, args: readonly unknown[]) => void;

const hooks: Hook[] = [];
/**
 * Whether an event raised now reaches a hook: some hook exists and none is running (events that
 * hooks raise synchronously are not dispatched: no re-entry). One field of a constant object, so
 * the no-hook path of audit() and of every wrapper is a single load and compare.
 */
const state = { auditing: false };
let dispatching = false;

/** Whether an event raised now would reach a hook. Wrappers check it before building arguments. */
export function isAuditing(): boolean {
  return state.auditing;
}

/** Calls every hook in order with `args` (already frozen); the first exception propagates. */
export function dispatch(event: string, args: readonly unknown[]): void {
  dispatching = true;
  state.auditing = false;
  try {
    // A hook added by a running hook sees the events after this one.
    const count = hooks.length;
    for (let i = 0; i < count; i++) {
      const hook = hooks[i] as Hook;
      hook(event, args);
    }
  } finally {
    dispatching = false;
    state.auditing = true;
  }
}

export function audit(event: string, ...args: unknown[]): void {
  if (typeof event !== 'string') {
    throw new TypeErrorCtor(`audit(): expected the event name to be a string, received ${describe(event)}`);
  }
  if (!state.auditing) return;
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
    if (isNativeError(error) || isInstanceOf(error, ErrorCtor)) return false;
    throw error;
  }
  hooks[hooks.length] = hook;
  // A hook that adds a hook is still running: auditing resumes when the dispatch ends.
  if (!dispatching) state.auditing = true;
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `type ${typeof value}`;
}
