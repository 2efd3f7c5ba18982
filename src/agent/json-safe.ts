/**
 * Event arguments as JSON for the log: what they are, never a crash. Buffers become their size and
 * a short prefix, sockets their addresses, functions their name; cycles, depth and length are cut.
 * Reading never runs user code: accessors are not called (except the addresses of Node's own
 * sockets), Proxies are not looked into, and anything that throws becomes a marker.
 */
import { types } from 'node:util';
import {
  ArrayBufferPrototypeGetByteLength, ArrayIsArray, BufferPrototypeHexSlice, BufferPrototypeUtf8Slice, Uint8ArrayCtor, DataViewPrototypeGetBuffer,
  DataViewPrototypeGetByteLength, DataViewPrototypeGetByteOffset, DatePrototypeGetTime, DatePrototypeToISOString,
  FunctionPrototypeHasInstance, MapIteratorPrototypeNext, MapPrototypeEntries, MapPrototypeGetSize, MathMin, NumberIsFinite, ObjectHasOwn, newList, newRecord,
  NumberIsNaN, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectKeys, ObjectPrototype, ReflectApply,
  RegExpPrototypeExec, RegExpPrototypeGetFlags, RegExpPrototypeGetSource, SetCtor, SetIteratorPrototypeNext,
  SetPrototypeAdd, SetPrototypeDelete, SetPrototypeGetSize, SetPrototypeHas, SetPrototypeValues, SharedArrayBufferPrototypeGetByteLength,
  StringCtor, StringPrototypeSlice, SymbolPrototypeGetDescription, TypedArrayPrototypeGetBuffer, TypedArrayPrototypeGetByteLength,
  TypedArrayPrototypeGetByteOffset, URLPrototypeGetHref,
} from '../core/primordials.js';

const MAX_DEPTH = 4;
const MAX_ITEMS = 32;
/**
 * An argument that is itself a plain object (an environment, a headers object) keeps this many
 * keys: its names and plain values are what it says, so a child's 200 variables are all logged.
 * At most MAX_ITEMS of its values are converted as objects, which keeps the work bounded.
 */
const MAX_ARGUMENT_KEYS = 1024;
const MAX_STRING = 1024;
const PREFIX_BYTES = 32;

const {
  isProxy, isArrayBufferView, isAnyArrayBuffer, isDate, isRegExp, isNativeError, isMap, isSet, isPromise, isDataView, isSharedArrayBuffer,
} = types;
// eslint-disable-next-line no-control-regex -- control characters are what marks binary data
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// The results are null-prototype lists and records: writing a field or an item finds no setter the
// program put on Object.prototype or Array.prototype, and a key "__proto__" is a field like any other.

/** An event's arguments (the kernel's own frozen array: read directly). */
export function jsonSafeArgs(args: readonly unknown[]): Json[] {
  const result = newList<Json>();
  const seen = new SetCtor<object>();
  for (let i = 0; i < args.length; i++) result[i] = convert(args[i], 1, seen);
  return result;
}

function text(value: string): string {
  return value.length <= MAX_STRING ? value : `${StringPrototypeSlice(value, 0, MAX_STRING)}…(${value.length} chars)`;
}

function convert(value: unknown, depth: number, seen: Set<object>): Json {
  switch (typeof value) {
    case 'string': return text(value);
    case 'number': return NumberIsFinite(value) ? value : StringCtor(value);
    case 'boolean': return value;
    case 'undefined': return null;
    case 'bigint': return `${value}n`;
    case 'symbol': {
      const description = SymbolPrototypeGetDescription(value);
      return description === undefined ? 'Symbol()' : `Symbol(${description})`;
    }
    case 'function': return { $type: 'function', name: functionName(value) };
    default: break;
  }
  if (value === null) return null;
  const object = value as object;
  try {
    if (isProxy(object)) return { $type: 'Proxy' };
    if (SetPrototypeHas(seen, object)) return { $type: 'circular' };
    if (isDataView(object)) {
      return bytes(typeName(object), DataViewPrototypeGetBuffer(object), DataViewPrototypeGetByteOffset(object), DataViewPrototypeGetByteLength(object));
    }
    if (isArrayBufferView(object)) {
      return bytes(typeName(object), TypedArrayPrototypeGetBuffer(object), TypedArrayPrototypeGetByteOffset(object), TypedArrayPrototypeGetByteLength(object));
    }
    if (isAnyArrayBuffer(object)) {
      const size = isSharedArrayBuffer(object) ? SharedArrayBufferPrototypeGetByteLength(object) : ArrayBufferPrototypeGetByteLength(object);
      return bytes(typeName(object), object, 0, size);
    }
    if (isDate(object)) return NumberIsNaN(DatePrototypeGetTime(object)) ? 'Invalid Date' : DatePrototypeToISOString(object);
    if (isRegExp(object)) return `/${RegExpPrototypeGetSource(object)}/${RegExpPrototypeGetFlags(object)}`;
    if (isNativeError(object)) return { $type: typeName(object), message: messageOf(object) };
    if (isPromise(object)) return { $type: 'Promise' };
    const href = urlHref(object);
    if (href !== undefined) return href;
    if (depth >= MAX_DEPTH) return { $type: typeName(object), cut: 'depth' };
    SetPrototypeAdd(seen, object);
    try {
      if (ArrayIsArray(object)) return items(object, depth, seen);
      if (isMap(object)) return { $type: 'Map', size: MapPrototypeGetSize(object), entries: items(firstEntries(object), depth, seen) };
      if (isSet(object)) return { $type: 'Set', size: SetPrototypeGetSize(object), values: items(firstValues(object), depth, seen) };
      return fields(object, depth, seen);
    } finally {
      SetPrototypeDelete(seen, object);
    }
  } catch {
    return { $type: 'unreadable' };
  }
}

/** A URL's href; undefined for anything else (the getter's own brand check: no Symbol.hasInstance is asked). */
function urlHref(object: object): string | undefined {
  try {
    return URLPrototypeGetHref(object as URL);
  } catch {
    return undefined;
  }
}

/** The first entries of a Map, through the iterator's built-in `next` taken at load. */
function firstEntries(map: Map<unknown, unknown>): unknown[] {
  const list = newList<unknown>();
  const iterator = MapPrototypeEntries(map);
  for (let step = MapIteratorPrototypeNext(iterator); !step.done && list.length < MAX_ITEMS; step = MapIteratorPrototypeNext(iterator)) {
    list[list.length] = step.value;
  }
  return list;
}

function firstValues(set: Set<unknown>): unknown[] {
  const list = newList<unknown>();
  const iterator = SetPrototypeValues(set);
  for (let step = SetIteratorPrototypeNext(iterator); !step.done && list.length < MAX_ITEMS; step = SetIteratorPrototypeNext(iterator)) {
    list[list.length] = step.value;
  }
  return list;
}

function messageOf(error: object): string {
  const message = dataProperty(error, 'message');
  return typeof message === 'string' ? text(message) : '';
}

function functionName(fn: unknown): string {
  try {
    const name = dataProperty(fn as object, 'name');
    return typeof name === 'string' && name !== '' ? name : '(anonymous)';
  } catch {
    return '(anonymous)';
  }
}

/** An own data property's value, without calling an accessor. */
function dataProperty(object: object, key: string): unknown {
  const descriptor = ObjectGetOwnPropertyDescriptor(object, key);
  return descriptor !== undefined && ObjectHasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/** The constructor's name, read from the prototype chain's data properties only. */
function typeName(object: object): string {
  for (let proto = ObjectGetPrototypeOf(object) as object | null; proto !== null; proto = ObjectGetPrototypeOf(proto) as object | null) {
    if (isProxy(proto)) return 'Object';
    const ctor = dataProperty(proto, 'constructor');
    if (typeof ctor === 'function') return functionName(ctor);
  }
  return 'Object';
}

function bytes(type: string, buffer: ArrayBufferLike, offset: number, size: number): Json {
  const prefix = new Uint8ArrayCtor(buffer, offset, MathMin(size, PREFIX_BYTES));
  const utf8 = BufferPrototypeUtf8Slice(prefix, 0, MathMin(size, PREFIX_BYTES));
  // The text form only when the prefix reads as text.
  return RegExpPrototypeExec(BINARY, utf8) === null ? { $type: type, size, utf8 } : { $type: type, size, hex: BufferPrototypeHexSlice(prefix, 0, MathMin(size, PREFIX_BYTES)) };
}

function items(list: readonly unknown[], depth: number, seen: Set<object>): Json[] {
  const result = newList<Json>();
  const count = MathMin(list.length, MAX_ITEMS);
  for (let i = 0; i < count; i++) {
    const descriptor = ObjectGetOwnPropertyDescriptor(list, i);
    result[i] = descriptor === undefined ? null : ObjectHasOwn(descriptor, 'value') ? convert(descriptor.value, depth + 1, seen) : '[getter]';
  }
  if (list.length > MAX_ITEMS) result[count] = `…(${list.length} items)`;
  return result;
}

let netSocket: (new () => object) | undefined;
/** Node's own sockets, by class (net is loaded whenever one exists); asked without Symbol.hasInstance. */
function isNetSocket(object: object): object is { localAddress?: string; localPort?: number; remoteAddress?: string; remotePort?: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when the first class instance is met, not at startup
  netSocket ??= (require('node:net') as { Socket: new () => object }).Socket;
  return ReflectApply(FunctionPrototypeHasInstance, netSocket, [object]);
}

function address(host: unknown, port: unknown): Json {
  return typeof host === 'string' ? `${host}:${typeof port === 'number' ? port : 'null'}` : null;
}

/**
 * What identifies an instance of a class (a ClientRequest, a Server): its class and these fields
 * when it has them as own data properties. Its other state (buffers, agents, listeners) is not the
 * event, and reading it all would cost each event more than the operation.
 */
const IDENTITY_FIELDS = ['method', 'protocol', 'host', 'port', 'path', 'href', 'url', 'address', 'family', 'fd', 'pid', 'name', 'id'];

/** A plain object's own enumerable data properties; a class instance's identity fields; a socket's addresses. */
function fields(object: object, depth: number, seen: Set<object>): Json {
  const proto = ObjectGetPrototypeOf(object) as object | null;
  if (proto !== null && proto !== ObjectPrototype) {
    const result = newRecord<Json>();
    result['$type'] = typeName(object);
    if (isNetSocket(object)) {
      result['local'] = address(object.localAddress, object.localPort);
      result['remote'] = address(object.remoteAddress, object.remotePort);
      return result;
    }
    for (let i = 0; i < IDENTITY_FIELDS.length; i++) {
      const name = IDENTITY_FIELDS[i] as string;
      const field = dataProperty(object, name);
      if (field !== undefined && (field === null || typeof field !== 'object')) result[name] = convert(field, depth + 1, seen);
    }
    return result;
  }
  const result = newRecord<Json>();
  const names = ObjectKeys(object);
  const maxKeys = depth === 1 ? MAX_ARGUMENT_KEYS : MAX_ITEMS;
  let objects = 0;
  for (let i = 0; i < names.length; i++) {
    if (i === maxKeys) {
      result['…'] = `${names.length} keys`;
      break;
    }
    const name = names[i] as string;
    const descriptor = ObjectGetOwnPropertyDescriptor(object, name);
    if (descriptor === undefined) continue;
    if (!ObjectHasOwn(descriptor, 'value')) {
      result[name] = '[getter]';
      continue;
    }
    const value: unknown = descriptor.value;
    if (value !== null && typeof value === 'object' && objects++ >= MAX_ITEMS) {
      result[name] = isProxy(value) ? { $type: 'Proxy' } : { $type: typeName(value), cut: 'items' };
      continue;
    }
    result[name] = convert(value, depth + 1, seen);
  }
  return result;
}
