/**
 * The one mechanism that instruments Node: every event is raised through a verb of this file.
 *
 * - `instrument(target, key, describe, spec)`: a function or method. Its wrapper, when a hook exists,
 *   describes the call as an audit event, raises it, and then calls the original with the very
 *   arguments that were audited. With no hook the wrapper only forwards the call.
 * - `instrumentConstructor(target, key, describe, spec)`: a class (or a Function constructor, with
 *   `callable`), the same contract in a Proxy's construct trap; `auditedConstructor` makes the Proxy
 *   without installing it (vm's base classes).
 * - `raise(event, args)`: every other event, after the caller checked `isAuditing()`: at seams that
 *   are not a call of an API (a Proxy trap, a listener, a loader's step), or where only the call's
 *   own wrapper knows the event (after the call: a connection's handle; per value it reads: an env
 *   file's variables; when an answer arrives: readline's).
 * - `replaceFunction` / `beforeCall`: those wrappers, and seams that raise nothing (keeping state
 *   for a later event, keeping children audited).
 *
 * Every replacement keeps the original's identity: name, length, own properties, prototype chain,
 * and the source text `Function.prototype.toString` shows (see `disguise`).
 *
 * What a wrapper may cost in each phase (at load, with the first hook) is stated once, in domain.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CatalogueEventArgs, CatalogueEventName } from '../catalogue/index.js';
import { OWN_FILE, stackLinesAbove, stackTraceLimit } from '../core/callsites.js';
import { runCausedBy } from '../core/cause.js';
import { dispatch, isAuditing } from '../core/kernel.js';
import type { Reflector } from './referrer.js';
import {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetOwnPropertyDescriptors, ObjectGetPrototypeOf, ObjectHasOwn, ObjectSetPrototypeOf, PromiseReject, PromiseResolve, ProxyCtor, ReflectApply, ReflectConstruct, ReflectOwnKeys, StringPrototypeIndexOf, StringPrototypeSlice, SymbolAsyncIterator, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeHas, WeakMapPrototypeSet, isNativeError, isPromise, newList, nullPrototype,
} from '../core/primordials.js';

/** An event of the catalogue and its arguments, as the catalogue types them. */
export type EventName = CatalogueEventName;
export type ArgsOf<E extends EventName> = CatalogueEventArgs[E];

export interface Operation {
  readonly event: EventName;
  readonly args: readonly unknown[];
  /**
   * Calls `[event, ...args]` that Node's implementation of this API makes through other public
   * functions while it runs synchronously: they are this operation, already audited, and raise
   * nothing again. `ANY` matches every value.
   */
  readonly covers: readonly (readonly unknown[])[] | undefined;
  /** A second event the same call raises after this one (a worker's source is also compiled code). */
  readonly next: Operation | undefined;
  /**
   * A composite operation (rm, cp, glob): Node carries it out with further public calls, some of
   * them asynchronous, which run in the operation's context; those `nested` answers true for raise
   * nothing. Anything else raised there (code the program reached Node with, what it schedules) is
   * audited as usual.
   */
  readonly nested: NestedCalls | undefined;
  /** Code to add to the cause of the events (core/cause.ts `runCausedBy`): Node's own read of a module's source is its importer's. */
  readonly causedBy: string | undefined;
}

/** Whether a call raised inside a composite operation is that operation's own work (on the paths it was audited for). */
export type NestedCalls = (event: string, args: readonly unknown[]) => boolean;

/**
 * Reads a call's arguments (and its receiver, for methods; the new.target, for constructors);
 * undefined when the arguments are invalid (Node throws) or name nothing to audit. `args` is the
 * wrapper's own array, which Node receives afterwards: a describer normalises values in place (a URL
 * becomes its path, options a plain copy), so that Node gets exactly what was audited.
 */
export type Describe = (args: unknown[], thisArg: unknown) => Operation | undefined;

/**
 * Reports a hook's error through an API's own channel (an 'error' event, a callback) and returns
 * what the API returns when it has started an operation that will fail.
 */
export type Deliver = (error: unknown, thisArg: unknown, args: unknown[]) => unknown;

export interface WrapSpec {
  /**
   * How the API reports errors, and so a hook's: thrown (sync and callback APIs), as a rejected
   * promise, or from the first `next()` of the async iterator it returns (fs.promises.glob, watch).
   */
  readonly delivery: 'throw' | 'reject' | 'iterator' | Deliver;
  /**
   * Node implements the API with other public functions, called while it runs (writeFileSync calls
   * openSync): the operation is kept on the running stack so that those calls are covered. Other
   * APIs skip that bookkeeping.
   */
  readonly nests?: boolean;
  /**
   * Runs on every call, hooks or not, before the call is described: what Node must receive whatever
   * the hooks (the agent's preload in a child's environment). Rewrites `args` in place.
   */
  readonly prepare?: (args: unknown[], thisArg: unknown) => void;
}

/** The spec of an API that reports errors by throwing. */
export const THROWS: WrapSpec = { delivery: 'throw' };
/** The spec of an API that reports errors as a rejected promise. */
export const REJECTS: WrapSpec = { delivery: 'reject' };

/** An operation to audit: `covers` only for the few APIs Node implements with other public calls. */
export function operation<E extends EventName>(event: E, args: ArgsOf<E>, covers?: readonly (readonly unknown[])[]): Operation {
  return { event, args, covers, next: undefined, nested: undefined, causedBy: undefined };
}

/** `first`, then `next`: two events of one call, raised in that order (a composite `next` keeps its nested calls). */
export function andThen(first: Operation, next: Operation): Operation {
  return { event: first.event, args: first.args, covers: first.covers, next, nested: first.nested ?? next.nested, causedBy: first.causedBy };
}

/** `op` with the code at `file` added to the cause of its events. */
export function causedBy(op: Operation, file: string): Operation {
  return { event: op.event, args: op.args, covers: op.covers, next: op.next, nested: op.nested, causedBy: file };
}

/** A composite operation: its event, then Node's own further calls, which `nested` tells apart, in its context. */
export function compositeOperation<E extends EventName>(event: E, args: ArgsOf<E>, nested: NestedCalls): Operation {
  return { event, args, covers: undefined, next: undefined, nested, causedBy: undefined };
}

/** Raises `event` now; for seams that are not a call (the caller checks `isAuditing()` before building `args`). */
export function raise<E extends EventName>(event: E, args: ArgsOf<E>): void {
  dispatch(event, args);
}

export const ANY: unique symbol = Symbol('any value');

// ---- stacks ----------------------------------------------------------------------------------

const FRAME = '\n    at ';

/** Whether the frame line from `start` in `text` (up to `end`) is one of this bundle's. */
function isOwnFrame(text: string, start: number, end: number): boolean {
  if (OWN_FILE === undefined) return false;
  const at = StringPrototypeIndexOf(text, OWN_FILE, start);
  return at !== -1 && at < end;
}

/**
 * An error Node threw from the original under `wrapper`: its stack shows no frame of audithook's,
 * as in plain Node. Node's own frames stay; the caller's part is written again from the current
 * stack above `wrapper`, so that a stack-trace limit the wrapper's frame used up is given back.
 * A formatter that returns anything but text is left alone.
 */
export function hideOwnFrames(error: unknown, wrapper: (...args: never[]) => unknown): void {
  if (!isNativeError(error)) return;
  const text = (error as { stack?: unknown }).stack;
  if (typeof text !== 'string') return;
  // Node's frames: those before the first of ours.
  let nodeFrames = 0;
  let cut = -1;
  for (let at = StringPrototypeIndexOf(text, FRAME); at !== -1;) {
    const next = StringPrototypeIndexOf(text, FRAME, at + 1);
    if (isOwnFrame(text, at, next === -1 ? text.length : next)) {
      cut = at;
      break;
    }
    nodeFrames++;
    at = next;
  }
  if (cut === -1) return;
  const callers = stackLinesAbove(wrapper, stackTraceLimit() - nodeFrames);
  if (callers === undefined) return;
  (error as { stack: string }).stack = `${StringPrototypeSlice(text, 0, cut)}${callers}`;
}

/** `original` applied for `wrapper`: an error it throws (Node's own) shows no frame of audithook's, as in plain Node. */
export function applyHidingOwnFrames(original: Callable, thisArg: unknown, args: readonly unknown[], wrapper: (...args: never[]) => unknown): unknown {
  try {
    return ReflectApply(original, thisArg, args);
  } catch (error) {
    hideOwnFrames(error, wrapper);
    throw error;
  }
}

// ---- identity --------------------------------------------------------------------------------

/** Replacements standing in for built-ins, mapped to the built-in whose source text they show. */
const disguised = new WeakMapCtor<object, object>();

/** Makes `Function.prototype.toString` show `original`'s text for `replacement` (a Proxy shows a nameless native one). */
export function disguise(replacement: object, original: object): void {
  WeakMapPrototypeSet(disguised, replacement, WeakMapPrototypeGet(disguised, original) ?? original);
}

/** Whether `value` is one of audithook's replacements of a built-in (an audited function or class). */
export function isReplacement(value: object): boolean {
  return WeakMapPrototypeHas(disguised, value);
}

/** A realm's Function.prototype.toString, answering for disguised replacements. */
export function disguiseToString(functionPrototype: object): void {
  const toString = (functionPrototype as { toString: (this: unknown) => string }).toString;
  const audited = new ProxyCtor(toString, nullPrototype({
    apply(target: (this: unknown) => string, thisArg: unknown, args: unknown[]): unknown {
      return ReflectApply(target, WeakMapPrototypeGet(disguised, thisArg as object) ?? thisArg, args);
    },
  }));
  disguise(audited, toString);
  replaceValue(functionPrototype, 'toString', audited);
}

/** Sets a data property keeping its attributes (`AsyncFunction.prototype.constructor` is read-only but configurable). */
export function replaceValue(target: object, key: string, value: unknown): void {
  const descriptor = ObjectGetOwnPropertyDescriptor(target, key);
  if (descriptor === undefined) return;
  const own = nullPrototype(descriptor);
  own.value = value;
  ObjectDefineProperty(target, key, own);
}

/** Gives `wrapper` the original's name, length, prototype chain, own properties (promisify.custom, ...) and source text. */
export function copyIdentity<T extends object>(wrapper: T, original: object): T {
  const keys = ReflectOwnKeys(original);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string | symbol;
    if (key === 'arguments' || key === 'caller') continue;
    ObjectDefineProperty(wrapper, key, nullPrototype(ObjectGetOwnPropertyDescriptor(original, key) as PropertyDescriptor));
  }
  ObjectSetPrototypeOf(wrapper, ObjectGetPrototypeOf(original) as object | null);
  disguise(wrapper, original);
  return wrapper;
}

export type Callable = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces the function `target[key]` with `make(original)`, with the original's identity; absent
 * keys (APIs of other Node versions) are skipped. For seams that raise nothing, or whose events only
 * the wrapper knows (`raise`, see the header).
 */
export function replaceFunction(target: object, key: string | symbol, make: (original: Callable) => Callable): void {
  const original = (target as Record<string | symbol, unknown>)[key];
  if (typeof original !== 'function') return;
  (target as Record<string | symbol, unknown>)[key] = copyIdentity(make(original as Callable), original);
}

/** Runs `before(args, thisArg)` ahead of every call of `target[key]`; it may rewrite `args`. */
export function beforeCall(target: object, key: string, before: (args: unknown[], thisArg: unknown) => void): void {
  replaceFunction(target, key, (original) => function (this: unknown, ...args: unknown[]) {
    before(args, this);
    return ReflectApply(original, this, args);
  });
}

// ---- composite operations ----------------------------------------------------------------------

/** Operations whose original is running synchronously now, innermost at `depth - 1`. */
const running = newList<Operation | undefined>();
let depth = 0;
/** Created on the first composite operation a hook sees; until then nothing pays for it. */
let compositeContext: AsyncLocalStorage<NestedCalls> | undefined;
const { getStore, run, exit } = AsyncLocalStorage.prototype;
const storageMethods = ObjectGetOwnPropertyDescriptors(AsyncLocalStorage.prototype);

/**
 * Node's AsyncLocalStorage calls its own methods through `this` (run checks `this.getStore()`):
 * the context gets the methods captured at load as own, read-only properties, out of reach of
 * code that later replaces them on the prototype.
 */
function createCompositeContext(): AsyncLocalStorage<NestedCalls> {
  const context = new AsyncLocalStorage<NestedCalls>();
  const keys = ReflectOwnKeys(storageMethods);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'constructor') continue;
    const method = (storageMethods as Record<string, PropertyDescriptor>)[key] as PropertyDescriptor;
    const descriptor = nullPrototype<PropertyDescriptor>({ configurable: false, enumerable: method.enumerable === true });
    if (ObjectHasOwn(method, 'value')) {
      descriptor.value = method.value as unknown;
      descriptor.writable = false;
    } else {
      if (method.get !== undefined) descriptor.get = method.get;
      if (method.set !== undefined) descriptor.set = method.set;
    }
    ObjectDefineProperty(context, key, descriptor);
  }
  return context;
}

/** Whether `op` is the work of the composite operation whose context this is. */
function nestedInComposite(op: Operation): boolean {
  if (compositeContext === undefined) return false;
  const nested = ReflectApply(getStore, compositeContext, []) as NestedCalls | undefined;
  return typeof nested === 'function' && nested(op.event, op.args);
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
  }, callback as Callable);
}

function callComposite(original: Callable, thisArg: unknown, args: unknown[], nested: NestedCalls): unknown {
  const context = compositeContext ??= createCompositeContext();
  const last = args.length - 1;
  if (last >= 0) args[last] = outsideOperation(args[last]);
  const result = ReflectApply(run, context, [nested, ReflectApply, original, thisArg, args]);
  return isAsyncIterator(result) ? iterateInside(context, nested, result) : result;
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return typeof value === 'object' && value !== null && !isPromise(value)
    && typeof (value as { next?: unknown }).next === 'function'
    && typeof (value as { [Symbol.asyncIterator]?: unknown })[SymbolAsyncIterator] === 'function';
}

/** fs.promises.glob works lazily, on each `next()`: that work belongs to the operation too. */
function iterateInside(context: AsyncLocalStorage<NestedCalls>, nested: NestedCalls, iterator: AsyncIterator<unknown>): AsyncIterableIterator<unknown> {
  const step = (method: 'next' | 'return' | 'throw', args: unknown[]): unknown => {
    const fn = iterator[method];
    if (typeof fn !== 'function') return PromiseResolve({ done: true, value: args[0] });
    return ReflectApply(run, context, [nested, ReflectApply, fn, iterator, args]);
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

// ---- functions ---------------------------------------------------------------------------------

/** Replaces `target[key]` with its audited wrapper. Absent keys (APIs of other Node versions) are skipped. */
export function instrument(target: object, key: string | symbol, describe: Describe, spec: WrapSpec): void {
  replaceFunction(target, key, (original) => wrap(original, describe, spec));
}

/**
 * Raises the operation's event unless an outer operation covers it; a hook's error goes to the
 * caller through `delivery`: undefined when it was raised (or covered), else what the API returns.
 */
const RAISED: unique symbol = Symbol('raised');

function dispatchAll(op: Operation): void {
  const file = op.causedBy;
  if (file === undefined) dispatchEach(op);
  else runCausedBy(file, () => dispatchEach(op));
}

function dispatchEach(op: Operation): void {
  for (let current: Operation | undefined = op; current !== undefined; current = current.next) {
    dispatch(current.event, current.args);
  }
}

function raiseOperation(op: Operation, delivery: WrapSpec['delivery'], thisArg: unknown, args: unknown[]): unknown {
  if (depth !== 0 && isCovered(op.event, op.args)) return RAISED;
  if (delivery === 'throw') {
    dispatchAll(op);
    return RAISED;
  }
  try {
    dispatchAll(op);
  } catch (error) {
    if (delivery === 'reject') return PromiseReject(error);
    if (delivery === 'iterator') return failingIterator(error);
    return delivery(error, thisArg, args);
  }
  return RAISED;
}

function wrap(original: Callable, describe: Describe, { delivery, nests = false, prepare }: WrapSpec): Callable {
  const audited = {
    audited(this: unknown, ...args: unknown[]): unknown {
      if (prepare !== undefined) prepare(args, this);
      // The operation to keep on the running stack while the original runs (nested calls it covers).
      let kept: Operation | undefined;
      if (isAuditing()) {
        const op = describe(args, this);
        if (op !== undefined && !nestedInComposite(op)) {
          const refused = raiseOperation(op, delivery, this, args);
          if (refused !== RAISED) return refused;
          if (nests || op.nested !== undefined) kept = op;
        }
      }
      try {
        if (kept === undefined) return ReflectApply(original, this, args);
        running[depth++] = kept;
        try {
          return kept.nested !== undefined ? callComposite(original, this, args, kept.nested) : ReflectApply(original, this, args);
        } finally {
          running[--depth] = undefined;
        }
      } catch (error) {
        hideOwnFrames(error, audited);
        throw error;
      }
    },
  }.audited;
  return audited;
}

/** What an async generator function returns when its body throws at once: the error comes from the first next(). */
// eslint-disable-next-line require-yield, @typescript-eslint/require-await -- it only ever throws
async function* failingIterator(error: unknown): AsyncGenerator<never> {
  throw error;
}

// ---- constructors ------------------------------------------------------------------------------

type Constructor = new (...args: unknown[]) => object;

export interface ConstructorSpec {
  /** Called without `new` too (the Function constructors): the call is described and raised the same way. */
  readonly callable?: boolean;
  /** As WrapSpec.prepare: runs on every construction, hooks or not, before it is described. */
  readonly prepare?: (args: unknown[]) => void;
  /** Runs with the new instance once it exists (keeping state for a later event). */
  readonly constructed?: (instance: object, args: readonly unknown[]) => void;
  /**
   * Makes the call of the original in place of the trap, after the audit: `reflect(target, x, y)`
   * is `Reflect.construct(target, args, newTarget)` or, for a call, `Reflect.apply(target, thisArg, args)`.
   */
  readonly invoke?: (args: readonly unknown[], reflect: Reflector, target: unknown, x: unknown, y: unknown) => unknown;
}

/**
 * A Proxy of the class `original` whose `new` (and call, with `callable`) raises the event
 * `describe` reads from the arguments (`thisArg` is the new.target), then builds with the audited
 * arguments: instanceof, statics, subclassing and the source text hold as before. A refusal throws
 * before anything is built.
 */
export function auditedConstructor<C extends object>(original: C, describe: Describe, spec: ConstructorSpec = {}): C {
  const { callable = false, prepare, constructed, invoke } = spec;
  const audit = (args: unknown[], newTarget: unknown): void => {
    if (prepare !== undefined) prepare(args);
    if (!isAuditing()) return;
    const op = describe(args, newTarget);
    if (op !== undefined) raiseOperation(op, 'throw', newTarget, args);
  };
  const handler: ProxyHandler<C> = nullPrototype({
    construct(target, args: unknown[], newTarget: Constructor): object {
      audit(args, newTarget);
      // `new C()` reaches here with the Proxy as newTarget: the original spares V8's slow path for a Proxy.
      const builtBy = newTarget === (audited as unknown) ? target as Constructor : newTarget;
      const instance = (invoke === undefined ? ReflectConstruct(target as Constructor, args, builtBy) : invoke(args, ReflectConstruct, target, args, builtBy)) as object;
      if (constructed !== undefined) constructed(instance, args);
      return instance;
    },
  });
  if (callable) {
    handler.apply = (target: C, thisArg: unknown, args: unknown[]): unknown => {
      audit(args, undefined);
      return invoke === undefined ? ReflectApply(target as Callable, thisArg, args) : invoke(args, ReflectApply, target, thisArg, args);
    };
  }
  const audited: C = new ProxyCtor(original, nullPrototype(handler));
  disguise(audited, original);
  return audited;
}

/**
 * Replaces the class `target[key]` with its audited Proxy (see auditedConstructor), also as its
 * prototype's `constructor`, so that `instance.constructor === target[key]` holds. Absent keys are skipped.
 */
export function instrumentConstructor(target: object, key: string, describe: Describe, spec?: ConstructorSpec): void {
  const original = (target as Record<string, unknown>)[key];
  if (typeof original !== 'function') return;
  const audited = auditedConstructor(original as Constructor, describe, spec);
  const prototype = (original as { prototype?: unknown }).prototype;
  if (typeof prototype === 'object' && prototype !== null) replaceValue(prototype, 'constructor', audited);
  (target as Record<string, unknown>)[key] = audited;
}
