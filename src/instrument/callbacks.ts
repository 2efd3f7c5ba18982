/**
 * Callbacks a package schedules: a timer, the tick queue, a microtask or a promise reaction runs
 * its callback later, from Node's or V8's queue, with none of the scheduler's frames on the stack.
 * A package's own function keeps its frame there; a function that is not the package's code (one
 * of Node's audited functions, a bound copy of one, a built-in such as Reflect.apply that calls
 * what it is given) would run the package's action as nobody's, and so as the application's.
 * Scheduling such a function keeps the scheduler's stack as the cause of what it raises
 * (core/cause.ts), as deferred work does, so the agent decides it under the package's rules.
 *
 * A bound copy of one of Node's audited functions keeps its binder's stack the same way, whoever
 * calls it later (a package's API it was handed to: a router calling it as a handler).
 *
 * Only those functions pay for a stack capture (2 to 4 µs); any other callback costs two look-ups
 * in weak sets (promise reactions) or a look at its source text (timers, bind). Installed with the
 * first hook: without one nothing is wrapped.
 */
import { causeOfScheduling, withAddedCause, withCause } from '../core/cause.js';
import { isAuditing } from '../core/kernel.js';
import {
  FunctionPrototype, FunctionPrototypeToString, PromisePrototype, StringPrototypeEndsWith, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas,
} from '../core/primordials.js';
import type { Domain } from './domain.js';
import { builtinModule } from './lazy-builtins.js';
import { applyHidingOwnFrames, copyIdentity, isReplacement, replaceFunction, replaceValue } from './wrap.js';
import type { Callable } from './wrap.js';

/** Bound functions whose target is such a function: what they run is not the code of whoever binds them. */
const boundForeign = new WeakSetCtor<object>();

/** A built-in of V8 or a bound function: its text is `function name() { [native code] }`. */
function isNativeCode(callback: object): boolean {
  try {
    return StringPrototypeEndsWith(FunctionPrototypeToString(callback), '{ [native code] }');
  } catch {
    // A revoked Proxy: nothing can be known of what it runs.
    return true;
  }
}

/**
 * Whether `callback` runs code that is not its scheduler's: audithook's replacement of a built-in,
 * a bound function of one, or (`nativesToo`) any native function, which only a caller that passes
 * it arguments (timers, bind) can put to use.
 */
function isForeign(callback: unknown, nativesToo: boolean): callback is Callable {
  if (typeof callback !== 'function') return false;
  if (isReplacement(callback) || WeakSetPrototypeHas(boundForeign, callback)) return true;
  return nativesToo && isNativeCode(callback);
}

/** Replaces the callback at `at` of `args` by one run with its scheduler's cause, when it is foreign. */
function keepCause(args: unknown[], at: number, nativesToo: boolean, below: (...args: never[]) => unknown): void {
  const callback = args[at];
  if (!isAuditing() || !isForeign(callback, nativesToo)) return;
  const cause = causeOfScheduling(below);
  if (cause !== undefined) args[at] = withCause(callback, cause);
}

/** `target[key]` with its callbacks at `positions` kept with their scheduler's cause. */
function schedulesAt(target: object, key: string, positions: readonly number[], nativesToo: boolean): void {
  replaceFunction(target, key, (original) => {
    const scheduling = function (this: unknown, ...args: unknown[]): unknown {
      for (let i = 0; i < positions.length; i++) keepCause(args, positions[i] as number, nativesToo, scheduling);
      // Node's own error (a callback that is no function) shows Node's frames only.
      return applyHidingOwnFrames(original, this, args, scheduling);
    };
    return scheduling;
  });
}

/**
 * What a bound copy of `target` runs: one of Node's audited functions (or a bound copy of one) a
 * package binds runs later for whoever calls the copy, a package's API that calls it back (a
 * router calling it as a route handler) included, so it keeps its binder's stack as a cause, added
 * to the cause in effect when it runs. Any other target is bound as it is.
 */
function boundTarget(target: unknown, bind: (...args: never[]) => unknown): unknown {
  if (!isAuditing() || typeof target !== 'function' || !(isReplacement(target) || WeakSetPrototypeHas(boundForeign, target))) return target;
  const cause = causeOfScheduling(bind);
  return cause === undefined ? target : copyIdentity(withAddedCause(target as Callable, cause), target);
}

const TIMERS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

function installCallbacks(): void {
  const timers = builtinModule('timers');
  for (let i = 0; i < TIMERS.length; i++) {
    const name = TIMERS[i] as string;
    const shared = timers !== undefined && timers[name] === (globalThis as unknown as Record<string, unknown>)[name];
    schedulesAt(globalThis, name, [0], true);
    // node:timers hands out the same functions as the globals.
    if (shared) replaceValue(timers, name, (globalThis as unknown as Record<string, unknown>)[name]);
  }
  schedulesAt(globalThis, 'queueMicrotask', [0], true);
  schedulesAt(process, 'nextTick', [0], true);
  // catch calls then; finally calls then with functions of V8's that call its argument.
  schedulesAt(PromisePrototype, 'then', [0, 1], false);
  schedulesAt(PromisePrototype, 'finally', [0], false);
  replaceFunction(FunctionPrototype, 'bind', (original) => {
    const bind = function (this: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      const bound = applyHidingOwnFrames(original, boundTarget(this, bind), arguments as unknown as unknown[], bind) as object;
      if (isAuditing() && isForeign(this, true)) WeakSetPrototypeAdd(boundForeign, bound);
      return bound;
    };
    return bind;
  });
}

export const callbacksDomain: Domain = { withFirstHook: installCallbacks };
