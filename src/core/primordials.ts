/**
 * Built-ins captured when audithook loads, before user code runs (the idea of Node's own
 * `primordials`). The kernel and the wrappers use only these, so code that later replaces
 * `Function.prototype.apply`, `Array.prototype.push`, `Reflect` or `Object.freeze` can neither
 * break nor skip the hooks.
 */
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
export const FunctionPrototypeHasInstance = Function.prototype[Symbol.hasInstance] as (this: unknown, value: unknown) => boolean;
export const isNativeError = types.isNativeError;
export const isUint8Array = types.isUint8Array;
export const isDate = types.isDate;
export const isPromise = types.isPromise;
export const isProxy = types.isProxy;
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
export const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(map: WeakMap<K, V>, key: K, value: V) => WeakMap<K, V>;
export const ArrayIsArray = Array.isArray;
export const NumberParseInt = Number.parseInt;
export const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
export const StringPrototypeReplaceAll = uncurryThis(String.prototype.replaceAll as (this: string, search: string, replacement: string) => string);
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeToUpperCase = uncurryThis(String.prototype.toUpperCase);
export const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const RegExpCtor = RegExp;
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
export const ObjectCreate = Object.create;
export const ProcessCwd = process.cwd.bind(process);
/** process.binding as Node's bootstrap left it: the raw bindings the instrumentation wraps, taken before process.binding is audited. */
export const nodeBinding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding.bind(process);
export const URLCtor = URL;
const urlGetter = (name: string) => uncurryThis((Object.getOwnPropertyDescriptor(URL.prototype, name) as { get: (this: URL) => string }).get);
export const URLPrototypeGetHref = urlGetter('href');
export const URLPrototypeGetOrigin = urlGetter('origin');
export const URLPrototypeGetPathname = urlGetter('pathname');
export const URLPrototypeGetSearch = urlGetter('search');
export const StringCtor = String;
export const ProxyCtor = Proxy;
export const ReflectSet = Reflect.set;
export const ReflectConstruct = Reflect.construct;
export const ReflectDeleteProperty = Reflect.deleteProperty;
export const ReflectDefineProperty = Reflect.defineProperty;
export const TypeErrorCtor = TypeError;
export const ErrorCtor = Error;

const BufferPrototypeToString = uncurryThis((Buffer.prototype as unknown as { toString(this: Uint8Array, encoding: 'utf8'): string }).toString);
/** Decodes a Buffer or Uint8Array path as Node's fs does (UTF-8), without touching user prototypes. */
export function decodeBytes(bytes: Uint8Array): string {
  return BufferPrototypeToString(bytes, 'utf8');
}
