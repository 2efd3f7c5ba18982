/**
 * How an API is instrumented: its function is replaced by a wrapper that, when a hook exists,
 * describes the call as an audit event, raises it, and then calls the original with the very
 * arguments that were audited. With no hook the wrapper only forwards the call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dispatch, isAuditing } from '../core/kernel.js';
import {
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyDescriptor,
  ObjectGetOwnPropertyDescriptors,
  ObjectGetPrototypeOf,
  ObjectSetPrototypeOf,
  PromiseReject,
  PromiseResolve,
  ProxyCtor,
  ReflectApply,
  SymbolAsyncIterator,
  isPromise,
  ReflectOwnKeys,
} from '../core/primordials.js';

export interface Operation {
  readonly event: string;
  readonly args: unknown[];
  /**
   * Calls `[event, ...args]` that Node's implementation of this API makes through other public
   * functions while it runs synchronously: they are this operation, already audited, and raise
   * nothing again. `ANY` matches every value.
   */
  readonly covers: readonly (readonly unknown[])[] | undefined;
}

/**
 * Reads a call's arguments (and its receiver, for methods); undefined when the arguments are
 * invalid (Node throws) or name nothing to audit. `args` is the wrapper's own array, which Node
 * receives afterwards: a describer normalises values in place (a URL becomes its path, options a
 * plain copy), so that Node gets exactly what was audited.
 */
export type Describe = (args: unknown[], thisArg: unknown) => Operation | undefined;

export interface WrapSpec {
  /**
   * How the API reports errors, and so a hook's: thrown (sync and callback APIs), as a rejected
   * promise, or from the first `next()` of the async iterator it returns (fs.promises.glob, watch).
   */
  readonly delivery: 'throw' | 'reject' | 'iterator' | Deliver;
  /**
   * Node carries the operation out with further public calls, some of them asynchronous (rm, cp,
   * glob): those run in the operation's context and raise nothing; the caller's callbacks run outside it.
   */
  readonly composite?: boolean;
  /**
   * Node implements the API with other public functions, called while it runs (writeFileSync calls
   * openSync): the operation is kept on the running stack so that those calls are covered. Other
   * APIs skip that bookkeeping.
   */
  readonly nests?: boolean;
}

/** The spec of an API that reports errors by throwing. */
export const THROWS: WrapSpec = { delivery: 'throw' };

/** An operation to audit: `covers` only for the few APIs Node implements with other public calls. */
export function operation(event: string, args: unknown[], covers?: readonly (readonly unknown[])[]): Operation {
  return { event, args, covers };
}

/**
 * Reports a hook's error through an API's own channel (an 'error' event, a callback) and returns
 * what the API returns when it has started an operation that will fail.
 */
export type Deliver = (error: unknown, thisArg: unknown, args: unknown[]) => unknown;

export const ANY: unique symbol = Symbol('any value');

/** Operations whose original is running synchronously now, innermost at `depth - 1`. */
const running: (Operation | undefined)[] = [];
let depth = 0;
/** Created on the first composite operation a hook sees; until then nothing pays for it. */
let compositeContext: AsyncLocalStorage<true> | undefined;
const { getStore, run, exit } = AsyncLocalStorage.prototype;
const storageMethods = ObjectGetOwnPropertyDescriptors(AsyncLocalStorage.prototype);

/**
 * Node's AsyncLocalStorage calls its own methods through `this` (run checks `this.getStore()`):
 * the context gets the methods captured at load as own, read-only properties, out of reach of
 * code that later replaces them on the prototype.
 */
function createCompositeContext(): AsyncLocalStorage<true> {
  const context = new AsyncLocalStorage<true>();
  const keys = ReflectOwnKeys(storageMethods);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'constructor') continue;
    const descriptor = (storageMethods as Record<string, PropertyDescriptor>)[key] as PropertyDescriptor;
    ObjectDefineProperty(context, key, { ...descriptor, configurable: false, ...('value' in descriptor ? { writable: false } : {}) });
  }
  return context;
}

function insideComposite(): boolean {
  return compositeContext !== undefined && ReflectApply(getStore, compositeContext, []) === true;
}

function isCovered(event: string, args: readonly unknown[]): boolean {
  for (let i = 0; i < depth; i++) {
    const outer = running[i] as Operation;
    if (outer.event === event && matches(outer.args, args, 0)) return true;
    const covers = outer.covers;
    if (covers === undefined) continue;
    for (let j = 0; j < covers.length; j++) {
      const cover = covers[j] as readonly unknown[];
      if (cover[0] === event && matches(cover, args, 1)) return true;
    }
  }
  return false;
}

function matches(expected: readonly unknown[], args: readonly unknown[], offset: number): boolean {
  if (expected.length - offset !== args.length) return false;
  for (let i = 0; i < args.length; i++) {
    const value = expected[i + offset];
    if (value !== ANY && value !== args[i]) return false;
  }
  return true;
}

/** A callback that runs outside any composite operation, so the caller's own calls are audited. */
export function outsideOperation(callback: unknown): unknown {
  if (typeof callback !== 'function') return callback;
  const context = compositeContext ??= createCompositeContext();
  return copyIdentity(function (this: unknown, ...args: unknown[]) {
    return ReflectApply(exit, context, [ReflectApply, callback, this, args]) as unknown;
  }, callback as (...args: unknown[]) => unknown);
}

function callComposite(original: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
  const context = compositeContext ??= createCompositeContext();
  const last = args.length - 1;
  if (last >= 0) args[last] = outsideOperation(args[last]);
  const result = ReflectApply(run, context, [true, ReflectApply, original, thisArg, args]);
  return isAsyncIterator(result) ? iterateInside(context, result) : result;
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return typeof value === 'object' && value !== null && !isPromise(value)
    && typeof (value as { next?: unknown }).next === 'function'
    && typeof (value as { [Symbol.asyncIterator]?: unknown })[SymbolAsyncIterator] === 'function';
}

/** fs.promises.glob works lazily, on each `next()`: that work belongs to the operation too. */
function iterateInside(context: AsyncLocalStorage<true>, iterator: AsyncIterator<unknown>): AsyncIterableIterator<unknown> {
  const step = (method: 'next' | 'return' | 'throw', args: unknown[]): unknown => {
    const fn = iterator[method];
    if (typeof fn !== 'function') return PromiseResolve({ done: true, value: args[0] });
    return ReflectApply(run, context, [true, ReflectApply, fn, iterator, args]);
  };
  return {
    next: (...args: unknown[]) => step('next', args),
    return: (...args: unknown[]) => step('return', args),
    throw: (...args: unknown[]) => step('throw', args),
    [SymbolAsyncIterator]() {
      return this;
    },
  } as AsyncIterableIterator<unknown>;
}

/** Replaces `target[key]` with its audited wrapper. Absent keys (APIs of other Node versions) are skipped. */
export function instrument(target: object, key: string, describe: Describe, spec: WrapSpec): void {
  const original = (target as Record<string, unknown>)[key];
  if (typeof original !== 'function') return;
  (target as Record<string, unknown>)[key] = wrap(original as (...args: unknown[]) => unknown, describe, spec);
}

export function wrap(
  original: (...args: unknown[]) => unknown,
  describe: Describe,
  { delivery, composite = false, nests = false }: WrapSpec,
): (...args: unknown[]) => unknown {
  const wrapper = {
    audited(this: unknown, ...args: unknown[]): unknown {
      if (!isAuditing() || insideComposite()) return ReflectApply(original, this, args);
      const op = describe(args, this);
      if (op === undefined) return ReflectApply(original, this, args);
      if (depth === 0 || !isCovered(op.event, op.args)) {
        if (delivery === 'throw') {
          dispatch(op.event, ObjectFreeze(op.args));
        } else {
          try {
            dispatch(op.event, ObjectFreeze(op.args));
          } catch (error) {
            if (delivery === 'reject') return PromiseReject(error);
            if (delivery === 'iterator') return failingIterator(error);
            return delivery(error, this, args);
          }
        }
      }
      if (!nests && !composite) return ReflectApply(original, this, args);
      running[depth++] = op;
      try {
        return composite ? callComposite(original, this, args) : ReflectApply(original, this, args);
      } finally {
        running[--depth] = undefined;
      }
    },
  }.audited;
  return copyIdentity(wrapper, original);
}

/** What an async generator function returns when its body throws at once: the error comes from the first next(). */
// eslint-disable-next-line require-yield, @typescript-eslint/require-await -- it only ever throws
async function* failingIterator(error: unknown): AsyncGenerator<never> {
  throw error;
}

type Constructor = new (...args: unknown[]) => object;

/**
 * Replaces the class `target[key]` with a Proxy whose `new` runs `construct(original, args,
 * newTarget)`: instanceof, statics, subclassing and `instance.constructor === target[key]` hold as before.
 */
export function replaceConstructor(
  target: object,
  key: string,
  construct: (original: Constructor, args: unknown[], newTarget: Constructor) => object,
): void {
  const original = (target as Record<string, unknown>)[key] as Constructor & { prototype: object };
  const audited: Constructor = new ProxyCtor(original, {
    // `new Worker()` reaches here with the Proxy as newTarget: the original spares V8's slow path for a Proxy.
    construct: (ctor, args: unknown[], newTarget: Constructor) => construct(ctor, args, newTarget === audited ? ctor : newTarget),
  });
  ObjectDefineProperty(original.prototype, 'constructor', { value: audited, writable: true, enumerable: false, configurable: true });
  (target as Record<string, unknown>)[key] = audited;
}

/** Gives `wrapper` the original's name, length, prototype chain and own properties (promisify.custom, ...). */
export function copyIdentity<T extends object>(wrapper: T, original: object): T {
  const keys = ReflectOwnKeys(original);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string | symbol;
    if (key === 'arguments' || key === 'caller') continue;
    ObjectDefineProperty(wrapper, key, ObjectGetOwnPropertyDescriptor(original, key) as PropertyDescriptor);
  }
  ObjectSetPrototypeOf(wrapper, ObjectGetPrototypeOf(original) as object | null);
  return wrapper;
}
