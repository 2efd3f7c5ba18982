/**
 * Built-ins captured when audithook loads, before user code runs (the idea of Node's own
 * `primordials`). The kernel and the wrappers use only these, so code that later replaces
 * `Function.prototype.apply`, `Array.prototype.push`, `Reflect` or `Object.freeze` can neither
 * break nor skip the hooks.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects, to take their functions before anyone can replace them
import events = require('node:events');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import url = require('node:url');
import { types } from 'node:util';

/** `uncurryThis(String.prototype.includes)(text, '\0')`: a method called without looking it up again. */
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as
  <T, A extends readonly unknown[], R>(method: (this: T, ...args: A) => R) => (self: T, ...args: A) => R;

export const ReflectApply = Reflect.apply;
export const ReflectOwnKeys = Reflect.ownKeys;
export const ObjectFreeze = Object.freeze;
export const ObjectKeys = Object.keys;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const ObjectGetOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
export const ObjectGetPrototypeOf = Object.getPrototypeOf;
export const ObjectSetPrototypeOf = Object.setPrototypeOf;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectIsExtensible = Object.isExtensible;
export const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
export const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
export const SymbolPrototypeGetDescription = uncurryThis(
  (Object.getOwnPropertyDescriptor(Symbol.prototype, 'description') as { get: (this: symbol) => string | undefined }).get,
);
export const NumberIsInteger = Number.isInteger;
export const NumberIsFinite = Number.isFinite;
export const DateNow = Date.now;
export const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
export const PromisePrototypeThen = uncurryThis(Promise.prototype.then) as
  <T>(promise: Promise<T>, onFulfilled: (value: T) => unknown, onRejected: (reason: unknown) => unknown) => Promise<unknown>;
export const PromiseReject = Promise.reject.bind(Promise);
export const PromiseResolve = Promise.resolve.bind(Promise);
export const SymbolAsyncIterator: typeof Symbol.asyncIterator = Symbol.asyncIterator;
export const SymbolFor = Symbol.for;
export const SymbolHasInstance: typeof Symbol.hasInstance = Symbol.hasInstance;
export const FunctionPrototypeCall = Function.prototype.call;
export const FunctionPrototypeHasInstance = Function.prototype[Symbol.hasInstance] as (this: unknown, value: unknown) => boolean;
export const isNativeError = types.isNativeError;
export const isUint8Array = types.isUint8Array;
export const isDate = types.isDate;
export const isPromise = types.isPromise;
export const isProxy = types.isProxy;
export const isMap = types.isMap;
export const isSet = types.isSet;
export const isAnyArrayBuffer = types.isAnyArrayBuffer;
export const isArrayBufferView = types.isArrayBufferView;
export const WeakMapCtor = WeakMap;
export const WeakSetCtor = WeakSet;
export const WeakSetPrototypeAdd = uncurryThis(WeakSet.prototype.add) as <T extends object>(set: WeakSet<T>, value: T) => WeakSet<T>;
export const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has) as <T extends object>(set: WeakSet<T>, value: T) => boolean;
export const MapCtor = Map;
export const MapPrototypeGet = uncurryThis(Map.prototype.get) as <K, V>(map: Map<K, V>, key: K) => V | undefined;
export const MapPrototypeSet = uncurryThis(Map.prototype.set) as <K, V>(map: Map<K, V>, key: K, value: V) => Map<K, V>;
export const MapPrototypeHas = uncurryThis(Map.prototype.has) as <K, V>(map: Map<K, V>, key: K) => boolean;
export const MapPrototypeDelete = uncurryThis(Map.prototype.delete) as <K, V>(map: Map<K, V>, key: K) => boolean;
export const SetCtor = Set;
export const SetPrototypeHas = uncurryThis(Set.prototype.has) as <T>(set: Set<T>, value: T) => boolean;
export const SetPrototypeAdd = uncurryThis(Set.prototype.add) as <T>(set: Set<T>, value: T) => Set<T>;
export const SetPrototypeDelete = uncurryThis(Set.prototype.delete) as <T>(set: Set<T>, value: T) => boolean;
export const SetPrototypeGetSize = uncurryThis((Object.getOwnPropertyDescriptor(Set.prototype, 'size') as { get: (this: Set<unknown>) => number }).get);
export const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get) as <K extends object, V>(map: WeakMap<K, V>, key: K) => V | undefined;
export const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has) as <K extends object>(map: WeakMap<K, unknown>, key: K) => boolean;
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(map: WeakMap<K, V>, key: K, value: V) => WeakMap<K, V>;
export const WeakMapPrototypeDelete = uncurryThis(WeakMap.prototype.delete) as <K extends object, V>(map: WeakMap<K, V>, key: K) => boolean;
export const ArrayIsArray = Array.isArray;
export const NumberParseInt = Number.parseInt;
export const ObjectPrototypePropertyIsEnumerable = uncurryThis<object, [PropertyKey], boolean>(Object.prototype.propertyIsEnumerable);
export const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
export const StringPrototypeReplaceAll = uncurryThis(String.prototype.replaceAll as (this: string, search: string, replacement: string) => string);
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
export const StringPrototypeToUpperCase = uncurryThis(String.prototype.toUpperCase);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const StringPrototypeTrim = uncurryThis(String.prototype.trim);
export const RegExpCtor = RegExp;
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);
/** fetch as Node defines it (a function of its own; undici loads when it is called). */
export const GlobalFetch = (globalThis as { fetch?: (input: string) => Promise<unknown> }).fetch;
export const ObjectCreate = Object.create;
export const ProcessCwd = process.cwd.bind(process);
/**
 * Node's own environment object of this thread, as at load: what process.loadEnvFile writes, and
 * what a worker started without env copies, whatever process.env is replaced with later.
 */
export const ProcessEnvironment = process.env as Readonly<Record<string, string | undefined>>;
/** process.binding as Node's bootstrap left it: the raw bindings the instrumentation wraps, taken before process.binding is audited. */
export const nodeBinding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding.bind(process);
export const URLCtor = URL;
/** A prototype getter, called on a value without looking it up again. */
const getter = <T, R>(prototype: object, name: string) =>
  uncurryThis((ObjectGetOwnPropertyDescriptor(prototype, name) as { get: (this: T) => R }).get);
const urlGetter = (name: string) => getter<URL, string>(URL.prototype, name);
export const URLPrototypeGetHref = urlGetter('href');
export const URLPrototypeGetOrigin = urlGetter('origin');
export const URLPrototypeGetPathname = urlGetter('pathname');
export const URLPrototypeGetSearch = urlGetter('search');
export const URLPrototypeGetProtocol = urlGetter('protocol');
export const URLPrototypeGetHostname = urlGetter('hostname');
export const StringCtor = String;
export const ProxyCtor = Proxy;
export const ReflectSet = Reflect.set;
export const ReflectConstruct = Reflect.construct;
export const ReflectDeleteProperty = Reflect.deleteProperty;
export const ReflectDefineProperty = Reflect.defineProperty;
export const ReflectSetPrototypeOf = Reflect.setPrototypeOf;
export const TypeErrorCtor = TypeError;
export const ErrorCtor = Error;

export const RangeErrorCtor = RangeError;
export const PromiseCtor = Promise;
export const ObjectAssign = Object.assign;
export const ObjectPrototype = Object.prototype;
export const PromisePrototype = Promise.prototype;
export const FunctionPrototype = Function.prototype;
export const NumberIsNaN = Number.isNaN;
export const MathMin = Math.min;
export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;
export const DateCtor = Date;
export const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
export const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice) as <T>(list: readonly T[], start?: number, end?: number) => T[];
export const AtomicsLoad = Atomics.load;
export const AtomicsStore = Atomics.store;
export const SymbolCtor = Symbol;
export const SymbolToPrimitive: typeof Symbol.toPrimitive = Symbol.toPrimitive;
export const Uint8ArrayCtor = Uint8Array;
export const setImmediateCaptured = setImmediate;
export const setTimeoutCaptured = setTimeout;
const probeTimer = setTimeout(() => undefined, 0);
clearTimeout(probeTimer);
export const TimeoutPrototypeUnref: (timer: NodeJS.Timeout) => NodeJS.Timeout = uncurryThis(probeTimer.unref);

export const MapPrototypeGetSize = getter<Map<unknown, unknown>, number>(Map.prototype, 'size');
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype) as object;
export const TypedArrayPrototypeGetBuffer = getter<ArrayBufferView, ArrayBufferLike>(TypedArrayPrototype, 'buffer');
export const TypedArrayPrototypeGetByteOffset = getter<ArrayBufferView, number>(TypedArrayPrototype, 'byteOffset');
export const TypedArrayPrototypeSet = uncurryThis((TypedArrayPrototype as { set: (this: Uint8Array, source: ArrayLike<number>) => void }).set);
export const TypedArrayPrototypeGetByteLength = getter<ArrayBufferView, number>(TypedArrayPrototype, 'byteLength');
export const DataViewPrototypeGetBuffer = getter<DataView, ArrayBufferLike>(DataView.prototype, 'buffer');
export const DataViewPrototypeGetByteOffset = getter<DataView, number>(DataView.prototype, 'byteOffset');
export const DataViewPrototypeGetByteLength = getter<DataView, number>(DataView.prototype, 'byteLength');
export const ArrayBufferPrototypeGetByteLength = getter<ArrayBuffer, number>(ArrayBuffer.prototype, 'byteLength');
export const SharedArrayBufferPrototypeGetByteLength = getter<SharedArrayBuffer, number>(SharedArrayBuffer.prototype, 'byteLength');
export const RegExpPrototypeGetSource = getter<RegExp, string>(RegExp.prototype, 'source');
// RegExp#flags reads each flag through its (replaceable) getter: the flags are read one by one instead.
const REGEXP_FLAGS: readonly (readonly [string, (regexp: RegExp) => boolean])[] = [
  ['d', getter<RegExp, boolean>(RegExp.prototype, 'hasIndices')], ['g', getter<RegExp, boolean>(RegExp.prototype, 'global')],
  ['i', getter<RegExp, boolean>(RegExp.prototype, 'ignoreCase')], ['m', getter<RegExp, boolean>(RegExp.prototype, 'multiline')],
  ['s', getter<RegExp, boolean>(RegExp.prototype, 'dotAll')], ['u', getter<RegExp, boolean>(RegExp.prototype, 'unicode')],
  ['v', getter<RegExp, boolean>(RegExp.prototype, 'unicodeSets')], ['y', getter<RegExp, boolean>(RegExp.prototype, 'sticky')],
];
export function RegExpPrototypeGetFlags(regexp: RegExp): string {
  let flags = '';
  for (let i = 0; i < REGEXP_FLAGS.length; i++) {
    const flag = REGEXP_FLAGS[i] as readonly [string, (regexp: RegExp) => boolean];
    if (flag[1](regexp)) flags += flag[0];
  }
  return flags;
}

/** Iteration without the iterator protocol's look-ups: `next` taken from the built-in iterators at load. */
type Step<T> = { done: boolean; value: T };
export const MapPrototypeEntries = uncurryThis(Map.prototype.entries) as <K, V>(map: Map<K, V>) => Iterator<[K, V]>;
export const SetPrototypeValues = uncurryThis(Set.prototype.values) as <T>(set: Set<T>) => Iterator<T>;
const iteratorNext = (iterator: object) => uncurryThis((ObjectGetPrototypeOf(iterator) as { next: (this: Iterator<unknown>) => Step<unknown> }).next);
export const MapIteratorPrototypeNext = iteratorNext(new Map().entries()) as <T>(iterator: Iterator<T>) => Step<T>;
export const SetIteratorPrototypeNext = iteratorNext(new Set().values()) as <T>(iterator: Iterator<T>) => Step<T>;

/** `object` without its prototype: a property descriptor whose absent fields (get, set...) are not looked up on Object.prototype. */
export function nullPrototype<T extends object>(object: T): T {
  return ObjectSetPrototypeOf(object, null) as T;
}
/**
 * Defines `target[key]` as a writable, configurable data property, as assignment would make it
 * but without calling a setter on the prototype chain (a program's, on Object.prototype).
 */
export function defineValue(target: object, key: PropertyKey, value: unknown, enumerable = true): void {
  ObjectDefineProperty(target, key, nullPrototype({ value, writable: true, enumerable, configurable: true }));
}
/** OrdinaryHasInstance: `value instanceof ctor` without asking ctor's Symbol.hasInstance. */
export function isInstanceOf<C extends abstract new (...args: never[]) => unknown>(value: unknown, ctor: C): value is InstanceType<C> {
  return ReflectApply(FunctionPrototypeHasInstance, ctor, [value]);
}
/** `[first, ...rest]` without the array iterator. */
export function withFirst(first: unknown, rest: readonly unknown[]): unknown[] {
  const list = newList<unknown>();
  list[0] = first;
  for (let i = 0; i < rest.length; i++) list[i + 1] = rest[i];
  return list;
}
/** An array with no prototype: assigning an item finds no setter a program defined on Array.prototype. */
export function newList<T>(): T[] {
  return ObjectSetPrototypeOf([], null) as T[];
}
const ArrayPrototype = Array.prototype;
/** A list built with newList as an ordinary array again, for code that needs one (Node's own, a hook's). */
export function asArray<T>(list: T[]): T[] {
  return ObjectSetPrototypeOf(list, ArrayPrototype) as T[];
}
/** An object with no prototype: assigning a field finds no setter, and "__proto__" is a plain key. */
export function newRecord<T>(): Record<string, T> {
  return ObjectCreate(null) as Record<string, T>;
}

export const BufferFrom = Buffer.from.bind(Buffer) as {
  (text: string, encoding: 'utf8'): Buffer;
  (buffer: ArrayBufferLike, offset?: number, length?: number): Buffer;
};
// Buffer#toString looks up `this.length` and `this.utf8Slice`: the native slices are taken instead.
type Slice = (bytes: Uint8Array, start: number, end: number) => string;
const bufferPrototype = Buffer.prototype as unknown as { utf8Slice: (this: Uint8Array, start: number, end: number) => string; hexSlice: (this: Uint8Array, start: number, end: number) => string };
export const BufferPrototypeUtf8Slice: Slice = uncurryThis(bufferPrototype.utf8Slice);
export const BufferPrototypeHexSlice: Slice = uncurryThis(bufferPrototype.hexSlice);
export const BufferByteLength = Buffer.byteLength;
export const BufferPrototype = Buffer.prototype as unknown as object;
/** Decodes a Buffer or Uint8Array path as Node's fs does (UTF-8), without touching user prototypes. */
export function decodeBytes(bytes: Uint8Array): string {
  return BufferPrototypeUtf8Slice(bytes, 0, TypedArrayPrototypeGetByteLength(bytes));
}

/** Node's objects, as loaded: EventEmitter's methods (process, ports), path and url functions. */
type Listener = (...args: never[]) => void;
const emitter = events.EventEmitter.prototype;
export const EventEmitterPrototypeOn = uncurryThis(emitter.on as (this: object, event: string | symbol, listener: Listener) => unknown);
export const EventEmitterPrototypeRemoveListener = uncurryThis(emitter.removeListener as (this: object, event: string | symbol, listener: Listener) => unknown);
export const EventEmitterPrototypeListenerCount = uncurryThis(emitter.listenerCount as (this: object, event: string | symbol) => number);
export const ProcessNextTick = process.nextTick;
export const ProcessGetBuiltinModule = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
/** The list Node adds every built-in it compiles to (`NativeModule <id>`), as the process started with it. */
export const ProcessModuleLoadList = (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList;
export const PathJoin = path.join;
export const PathIsAbsolute = path.isAbsolute;
export const PathResolve = path.resolve;
export const PathDirname = path.dirname;
export const PathNormalize = path.normalize;
export const FileURLToPath = url.fileURLToPath;
export const PathToFileURL = url.pathToFileURL;
