/**
 * The audit kernel: PEP 578's `audit` and `addAuditHook`, as small as CPython's `sys.audit`.
 *
 * The hook list lives in this closure only: no export, property or global reaches it, so hooks
 * cannot be listed, replaced or removed.
 */
import { ErrorCtor, ObjectDefineProperty, ObjectFreeze, TypeErrorCtor, isInstanceOf, isNativeError, nullPrototype, newList } from './primordials.js';

export type Hook = (event: string, args: readonly unknown[]) => void;

// Null-prototype lists: adding a hook finds no index setter a program put on Array.prototype.
const hooks = newList<Hook>();
/** `running[i]`: hooks[i] is running now; an event it raises itself is not dispatched back to it. */
const running = newList<boolean>();
/** `strict[i]`: hooks[i] performs no audited operation, so an event raised while it runs is not its own. */
const strict = newList<boolean>();
/** How many strict hooks are running now. */
let strictRunning = 0;
/**
 * Whether an event raised now reaches a hook: some hook exists. One field of a constant object, so
 * the no-hook path of audit() and of every wrapper is a single load and compare.
 */
const state = { auditing: false };

/** Whether an event raised now would reach a hook. Wrappers check it before building arguments. */
export function isAuditing(): boolean {
  return state.auditing;
}

/**
 * Calls every hook in order with `args` (already frozen); the first exception propagates.
 *
 * Re-entry: an event raised while hooks run reaches every hook that is not running, so what one
 * hook does (or code it reaches) is seen by the others, and a hook that writes its own log is not
 * called again for its own writes. An event raised while a strict hook runs cannot come from that
 * hook: it comes from code the hook reached without meaning to, and it is refused, never dropped.
 */
export function dispatch(event: string, args: readonly unknown[]): void {
  if (strictRunning !== 0) throw reentryRefusal(event);
  // A hook added by a running hook sees the events after this one.
  const count = hooks.length;
  for (let i = 0; i < count; i++) {
    if (running[i] === true) continue;
    const isStrict = strict[i] === true;
    running[i] = true;
    if (isStrict) strictRunning++;
    try {
      (hooks[i] as Hook)(event, args);
    } finally {
      running[i] = false;
      if (isStrict) strictRunning--;
    }
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
 * from BaseException. A strict hook (the agent's) performs no audited operation itself: see dispatch.
 */
export function addHook(hook: Hook, isStrict = false): boolean {
  if (typeof hook !== 'function') {
    throw new TypeErrorCtor(`addAuditHook(): expected the hook to be a function, received ${describe(hook)}`);
  }
  try {
    audit('sys.addaudithook');
  } catch (error) {
    if (isNativeError(error) || isInstanceOf(error, ErrorCtor)) return false;
    throw error;
  }
  const index = hooks.length;
  strict[index] = isStrict === true;
  running[index] = false;
  hooks[index] = hook;
  state.auditing = true;
  return true;
}

function reentryRefusal(event: string): Error {
  const error = new ErrorCtor(`audithook: ${event} refused: raised by code that ran inside a hook`);
  ObjectDefineProperty(error, 'code', nullPrototype({ value: 'ERR_ACCESS_DENIED', writable: true, configurable: true }));
  return error;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `type ${typeof value}`;
}
