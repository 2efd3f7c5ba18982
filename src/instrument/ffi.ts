/**
 * node:ffi (Node 26): CPython's ctypes events. Loading a library is `ctypes.dlopen` (path, or null
 * for the process image); resolving a symbol `ctypes.dlsym` (library path, name), the gate of every
 * native call; each call of a resolved function `ctypes.call_function` (address, arguments); memory
 * reads `ctypes.cdata` (get*), `ctypes.cdata/buffer` (toBuffer, toArrayBuffer), `ctypes.string_at`
 * (toString); writes the Node-only `ffi.write` (set*, export*); `ctypes.addressof` (getRawPointer).
 *
 * Loading node:ffi costs milliseconds and prints Node's ExperimentalWarning, so it is instrumented
 * when the program loads it (see lazy-builtins.ts).
 */
import {
  ArrayIsArray, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectHasOwn, ObjectKeys, ProxyCtor,
  ReflectApply, RegExpPrototypeExec, withFirst, StringPrototypeStartsWith, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, newList, nullPrototype,
} from '../core/primordials.js';
import { isAuditing } from '../core/kernel.js';
import { frozenCopy } from './args.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { andThen, disguise, instrument, instrumentConstructor, operation, raise, replaceFunction, THROWS } from './wrap.js';
import type { Callable, Describe, Operation } from './wrap.js';

interface FfiModule extends Record<string, unknown> {
  DynamicLibrary: { prototype: Record<string, unknown> };
}

const MEMORY_READ = /^get(Ui|I)nt(8|16|32|64)$|^getFloat(32|64)$/;
const MEMORY_WRITE = /^set(Ui|I)nt(8|16|32|64)$|^setFloat(32|64)$/;

const pathOf = (value: unknown): string | null | undefined => (typeof value === 'string' || value === null ? value : undefined);


/** The library path of a DynamicLibrary (its `path`; null for the process image, whose path Node reports as ''). */
function libraryPath(library: unknown): string | null {
  const path = (library as { path?: unknown } | null)?.path;
  return typeof path === 'string' && path !== '' ? path : null;
}

/** `ctypes.dlsym` for each name of a definitions object, chained after `first` when given. */
function symbolsOf(library: string | null, definitions: unknown, first: Operation | undefined): Operation | undefined {
  if (definitions === null || typeof definitions !== 'object') return first;
  const names = ObjectKeys(definitions);
  let chain: Operation | undefined;
  for (let i = names.length - 1; i >= 0; i--) {
    const op = operation('ctypes.dlsym', [library, names[i] as string]);
    chain = chain === undefined ? op : andThen(op, chain);
  }
  if (first === undefined) return chain;
  return chain === undefined ? first : andThen(first, chain);
}

const describeDlopen: Describe = (args) => {
  const path = pathOf(args[0]);
  if (path === undefined) return undefined;
  const library = path === '' ? null : path;
  const symbols = symbolsOf(library, args[1], undefined);
  // What Node's own getFunctions call then raises is covered: the same events, once.
  const covers = newList<readonly unknown[]>();
  for (let op = symbols; op !== undefined; op = op.next) covers[covers.length] = withFirst(op.event, op.args);
  const open = operation('ctypes.dlopen', [library], covers);
  return symbols === undefined ? open : andThen(open, symbols);
};

const describeConstruct: Describe = (args) => {
  const path = pathOf(args[0]);
  return path === undefined ? undefined : operation('ctypes.dlopen', [path]);
};

const describeGetFunction: Describe = (args, library) =>
  typeof args[0] === 'string' ? operation('ctypes.dlsym', [libraryPath(library), args[0]]) : undefined;

const describeGetFunctions: Describe = (args, library) =>
  args[0] === undefined ? operation('ctypes.dlsym', [libraryPath(library), '*']) : symbolsOf(libraryPath(library), args[0], undefined);

const describeGetSymbols: Describe = (_args, library) => operation('ctypes.dlsym', [libraryPath(library), '*']);

const describeDlsym: Describe = (args) =>
  typeof args[1] === 'string' ? operation('ctypes.dlsym', [libraryPath(args[0]), args[1]]) : undefined;

const describeRead: Describe = (args) => (typeof args[0] === 'bigint' ? operation('ctypes.cdata', [args[0]]) : undefined);
const describeWrite = (pointerIndex: number): Describe => (args) =>
  typeof args[pointerIndex] === 'bigint' ? operation('ffi.write', [args[pointerIndex]]) : undefined;
const describeToBuffer: Describe = (args) =>
  typeof args[0] === 'bigint' ? operation('ctypes.cdata/buffer', [args[0], args[1], 0]) : undefined;
const describeToString: Describe = (args) => (typeof args[0] === 'bigint' ? operation('ctypes.string_at', [args[0], -1]) : undefined);
const describeAddress: Describe = (args) => operation('ctypes.addressof', [args[0]]);

/** Each native function wrapper Node returned, and its audited stand-in (one per wrapper: identity is kept). */
const standIns = new WeakMapCtor<object, Callable>();

/** A function that raises `ctypes.call_function` (its address, the arguments) before each native call. */
function auditedFunction(native: unknown): unknown {
  if (typeof native !== 'function') return native;
  const known = WeakMapPrototypeGet(standIns, native);
  if (known !== undefined) return known;
  const audited = new ProxyCtor(native as Callable, nullPrototype({
    apply(target: Callable, thisArg: unknown, args: unknown[]): unknown {
      if (isAuditing()) raise('ctypes.call_function', [(target as unknown as { pointer?: unknown }).pointer, frozenCopy(args)]);
      return ReflectApply(target, thisArg, args);
    },
  }));
  disguise(audited, native);
  WeakMapPrototypeSet(standIns, native, audited);
  WeakMapPrototypeSet(standIns, audited, audited);
  return audited;
}

/** An object of native functions (getFunctions, #functions, dlopen's `functions`) with each replaced by its audited stand-in. */
function auditFunctionsOf(functions: unknown): unknown {
  if (functions === null || typeof functions !== 'object' || ArrayIsArray(functions)) return functions;
  const names = ObjectKeys(functions);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const descriptor = ObjectGetOwnPropertyDescriptor(functions, name);
    if (descriptor === undefined || !ObjectHasOwn(descriptor, 'value')) continue;
    const own = nullPrototype(descriptor);
    own.value = auditedFunction(own.value);
    if (own.configurable === true || own.writable === true) ObjectDefineProperty(functions, name, own);
  }
  return functions;
}

/** Gives the results of `key` audited functions: `pick` says where they are in the result. */
function auditResults(target: Record<string, unknown>, key: string, pick: (result: unknown) => unknown): void {
  replaceFunction(target, key, (original) => function (this: unknown) {
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    const result = ReflectApply(original, this, arguments as unknown as unknown[]);
    pick(result);
    return result;
  });
}

function installFfi(ffi: FfiModule): void {
  // Node resolves dlopen's definitions with DynamicLibrary#getFunctions: its ctypes.dlsym events are
  // dlopen's own (nests), raised once, before the library is even loaded.
  instrument(ffi, 'dlopen', describeDlopen, { delivery: 'throw', nests: true });
  auditResults(ffi, 'dlopen', (result) => auditFunctionsOf((result as { functions?: unknown } | null)?.functions));
  instrument(ffi, 'dlsym', describeDlsym, THROWS);
  const prototype = ffi.DynamicLibrary.prototype;
  instrument(prototype, 'getFunction', describeGetFunction, THROWS);
  replaceFunction(prototype, 'getFunction', (original) => function getFunction(this: unknown) {
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    return auditedFunction(ReflectApply(original, this, arguments as unknown as unknown[]));
  });
  instrument(prototype, 'getFunctions', describeGetFunctions, THROWS);
  auditResults(prototype, 'getFunctions', auditFunctionsOf);
  instrument(prototype, 'getSymbol', describeGetFunction, THROWS);
  instrument(prototype, 'getSymbols', describeGetSymbols, THROWS);
  // library.functions: the functions resolved so far, as their audited stand-ins.
  const functions = ObjectGetOwnPropertyDescriptor(prototype, 'functions');
  if (functions?.get !== undefined) {
    const get = functions.get as Callable;
    const own = nullPrototype(functions);
    own.get = function functions(this: unknown) {
      return auditFunctionsOf(ReflectApply(get, this, []));
    };
    ObjectDefineProperty(prototype, 'functions', own);
  }
  instrumentConstructor(ffi, 'DynamicLibrary', describeConstruct);
  const names = ObjectKeys(ffi);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // getInt8 ... getFloat64(pointer, offset), setInt8 ... (pointer, offset, value), export*(value, pointer, length).
    if (RegExpPrototypeExec(MEMORY_READ, name) !== null) instrument(ffi, name, describeRead, THROWS);
    else if (RegExpPrototypeExec(MEMORY_WRITE, name) !== null) instrument(ffi, name, describeWrite(0), THROWS);
    else if (StringPrototypeStartsWith(name, 'export')) instrument(ffi, name, describeWrite(1), THROWS);
  }
  instrument(ffi, 'toBuffer', describeToBuffer, THROWS);
  instrument(ffi, 'toArrayBuffer', describeToBuffer, THROWS);
  instrument(ffi, 'toString', describeToString, THROWS);
  instrument(ffi, 'getRawPointer', describeAddress, THROWS);
}

export const ffiDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('ffi', (ffi) => installFfi(ffi as FfiModule));
  },
};
