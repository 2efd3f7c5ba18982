/**
 * Event arguments as JSON for the log: what they are, never a crash. Buffers become their size and
 * a short prefix, sockets their addresses, functions their name; cycles, depth and length are cut.
 * Reading never runs user code: accessors are not called (except the addresses of Node's own
 * sockets), Proxies are not looked into, and anything that throws becomes a marker.
 */
import { types } from 'node:util';

const MAX_DEPTH = 4;
const MAX_ITEMS = 32;
const MAX_STRING = 1024;
const PREFIX_BYTES = 32;

const { isProxy, isArrayBufferView, isAnyArrayBuffer, isDate, isRegExp, isNativeError, isMap, isSet, isPromise } = types;
const { getPrototypeOf, getOwnPropertyDescriptor, keys: objectKeys } = Object;
const { isArray } = Array;
const BufferFrom = Buffer.from.bind(Buffer) as (buffer: ArrayBufferLike, offset?: number, length?: number) => Buffer;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An event's arguments (the kernel's own frozen array: read directly). */
export function jsonSafeArgs(args: readonly unknown[]): Json[] {
  const result: Json[] = [];
  const seen = new Set<object>();
  for (let i = 0; i < args.length; i++) result[i] = convert(args[i], 1, seen);
  return result;
}

function text(value: string): string {
  return value.length <= MAX_STRING ? value : `${value.slice(0, MAX_STRING)}…(${value.length} chars)`;
}

function convert(value: unknown, depth: number, seen: Set<object>): Json {
  switch (typeof value) {
    case 'string': return text(value);
    case 'number': return Number.isFinite(value) ? value : String(value);
    case 'boolean': return value;
    case 'undefined': return null;
    case 'bigint': return `${value}n`;
    case 'symbol': return String(value.description === undefined ? 'Symbol()' : `Symbol(${value.description})`);
    case 'function': return { $type: 'function', name: functionName(value) };
    default: break;
  }
  if (value === null) return null;
  const object = value as object;
  try {
    if (isProxy(object)) return { $type: 'Proxy' };
    if (seen.has(object)) return { $type: 'circular' };
    if (isArrayBufferView(object)) return bytes(typeName(object), object.buffer, object.byteOffset, object.byteLength);
    if (isAnyArrayBuffer(object)) return bytes(typeName(object), object, 0, object.byteLength);
    if (isDate(object)) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (isRegExp(object)) return String(object);
    if (isNativeError(object)) return { $type: typeName(object), message: messageOf(object) };
    if (isPromise(object)) return { $type: 'Promise' };
    if (object instanceof URL) return object.href;
    if (depth >= MAX_DEPTH) return { $type: typeName(object), cut: 'depth' };
    seen.add(object);
    try {
      if (isArray(object)) return items(object, depth, seen);
      if (isMap(object)) return { $type: 'Map', size: object.size, entries: items([...object].slice(0, MAX_ITEMS), depth, seen) };
      if (isSet(object)) return { $type: 'Set', size: object.size, values: items([...object].slice(0, MAX_ITEMS), depth, seen) };
      return fields(object, depth, seen);
    } finally {
      seen.delete(object);
    }
  } catch {
    return { $type: 'unreadable' };
  }
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
  const descriptor = getOwnPropertyDescriptor(object, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

/** The constructor's name, read from the prototype chain's data properties only. */
function typeName(object: object): string {
  for (let proto = getPrototypeOf(object) as object | null; proto !== null; proto = getPrototypeOf(proto) as object | null) {
    if (isProxy(proto)) return 'Object';
    const ctor = dataProperty(proto, 'constructor');
    if (typeof ctor === 'function') return functionName(ctor);
  }
  return 'Object';
}

function bytes(type: string, buffer: ArrayBufferLike, offset: number, size: number): Json {
  const prefix = BufferFrom(buffer, offset, Math.min(size, PREFIX_BYTES));
  const utf8 = prefix.toString('utf8');
  // The text form only when the prefix reads as text.
  // eslint-disable-next-line no-control-regex -- control characters are what marks binary data
  const printable = !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(utf8);
  return { $type: type, size, ...(printable ? { utf8 } : { hex: prefix.toString('hex') }) };
}

function items(list: readonly unknown[], depth: number, seen: Set<object>): Json[] {
  const result: Json[] = [];
  const count = Math.min(list.length, MAX_ITEMS);
  for (let i = 0; i < count; i++) {
    const descriptor = getOwnPropertyDescriptor(list, i);
    result.push(descriptor === undefined ? null : 'value' in descriptor ? convert(descriptor.value, depth + 1, seen) : '[getter]');
  }
  if (list.length > MAX_ITEMS) result.push(`…(${list.length} items)`);
  return result;
}

let netSocket: (new () => object) | undefined;
/** Node's own sockets, by class (net is loaded whenever one exists). */
function isNetSocket(object: object): object is { localAddress?: string; localPort?: number; remoteAddress?: string; remotePort?: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when the first class instance is met, not at startup
  netSocket ??= (require('node:net') as { Socket: new () => object }).Socket;
  return object instanceof netSocket;
}

function address(host: unknown, port: unknown): Json {
  return typeof host === 'string' ? `${host}:${String(port)}` : null;
}

/**
 * What identifies an instance of a class (a ClientRequest, a Server): its class and these fields
 * when it has them as own data properties. Its other state (buffers, agents, listeners) is not the
 * event, and reading it all would cost each event more than the operation.
 */
const IDENTITY_FIELDS = ['method', 'protocol', 'host', 'port', 'path', 'href', 'url', 'address', 'family', 'fd', 'pid', 'name', 'id'];

/** A plain object's own enumerable data properties; a class instance's identity fields; a socket's addresses. */
function fields(object: object, depth: number, seen: Set<object>): Json {
  const proto = getPrototypeOf(object) as object | null;
  if (proto !== null && proto !== Object.prototype) {
    const result: { [key: string]: Json } = { $type: typeName(object) };
    if (isNetSocket(object)) {
      result['local'] = address(object.localAddress, object.localPort);
      result['remote'] = address(object.remoteAddress, object.remotePort);
      return result;
    }
    for (const name of IDENTITY_FIELDS) {
      const field = dataProperty(object, name);
      if (field !== undefined && (field === null || typeof field !== 'object')) result[name] = convert(field, depth + 1, seen);
    }
    return result;
  }
  const result: { [key: string]: Json } = {};
  const names = objectKeys(object);
  let count = 0;
  for (const name of names) {
    if (count++ === MAX_ITEMS) {
      result['…'] = `${names.length} keys`;
      break;
    }
    const descriptor = getOwnPropertyDescriptor(object, name);
    if (descriptor !== undefined) result[name] = 'value' in descriptor ? convert(descriptor.value, depth + 1, seen) : '[getter]';
  }
  return result;
}
