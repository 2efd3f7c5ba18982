/**
 * The audit kernel: PEP 578's `audit` and `addAuditHook`, as small as CPython's `sys.audit`.
 *
 * The hook list lives in this closure only: no export, property or global reaches it, so hooks
 * cannot be listed, replaced or removed.
 */
import { accessDenied } from './errors.js';
import { ErrorCtor, ObjectFreeze, TypeErrorCtor, defineValue, isInstanceOf, isNativeError } from './primordials.js';

export type Hook = (event: string, args: readonly unknown[]) => void;

interface HookEntry {
  readonly hook: Hook;
  /** It performs no audited operation, so an event raised while it runs is not its own. */
  readonly strict: boolean;
  /** It is running now; an event it raises itself is not dispatched back to it. */
  running: boolean;
}

/**
 * The hooks, in order. Entries are added with defineProperty (an index setter a program put on
 * Array.prototype is never called) and are object literals, whose fields are their own.
 */
const hooks: HookEntry[] = [];
/** Whether every hook is strict: then no code but audithook's can see an event's arguments. */
let onlyStrict = true;
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
 * Calls every hook in order with `args`, a fresh array no one else holds, frozen first unless only
 * strict hooks (audithook's own) will see it; the first exception propagates.
 *
 * Re-entry: an event raised while hooks run reaches every hook that is not running, so what one
 * hook does (or code it reaches) is seen by the others, and a hook that writes its own log is not
 * called again for its own writes. An event raised while a strict hook runs cannot come from that
 * hook: it comes from code the hook reached without meaning to, and it is refused, never dropped.
 */
export function dispatch(event: string, args: readonly unknown[]): void {
  if (strictRunning !== 0) throw reentryRefusal(event);
  if (!onlyStrict) ObjectFreeze(args);
  // A hook added by a running hook sees the events after this one.
  const count = hooks.length;
  for (let i = 0; i < count; i++) {
    const entry = hooks[i] as HookEntry;
    if (entry.running) continue;
    entry.running = true;
    if (entry.strict) strictRunning++;
    try {
      entry.hook(event, args);
    } finally {
      entry.running = false;
      if (entry.strict) strictRunning--;
    }
  }
}

export function audit(event: string, ...args: unknown[]): void {
  if (typeof event !== 'string') {
    throw new TypeErrorCtor(`audit(): expected the event name to be a string, received ${describe(event)}`);
  }
  if (!state.auditing) return;
  dispatch(event, args);
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
  const entry: HookEntry = { hook, strict: isStrict === true, running: false };
  if (!entry.strict) onlyStrict = false;
  defineValue(hooks, hooks.length, entry);
  state.auditing = true;
  return true;
}

function reentryRefusal(event: string): Error {
  return accessDenied(`audithook: ${event} refused: raised by code that ran inside a hook`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `type ${typeof value}`;
}
