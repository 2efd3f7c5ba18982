/**
 * The web globals that reach the network: `fetch`, `WebSocket` and `EventSource` raise
 * `urllib.Request` (fullurl, data, headers, method) once per call, before any look-up or dial
 * (which raise their own socket events underneath).
 */
import {
  NumberParseInt,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyDescriptor,
  ObjectHasOwn,
  ObjectPrototypePropertyIsEnumerable,
  ReflectApply,
  ReflectDeleteProperty,
  StringCtor,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToUpperCase,
  defineValue,
  nullPrototype,
} from '../core/primordials.js';
import { readOptions } from './args.js';
import { REJECTS, THROWS, auditedConstructor, instrument, instrumentConstructor, operation, replaceFunction, replaceValue } from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';
import { calledByUndici } from './caller.js';
import { HTTP_REACHED_THROUGH, portNumber } from './http.js';
import { instrumentWhenLoaded, loadingBuiltin } from './lazy-builtins.js';

type Getter = (this: unknown) => unknown;

// ---- WebSocket -----------------------------------------------------------------------------------

/**
 * The WebSocket global is a lazy data property of Node's: reading it, or its descriptor, or
 * defining it loads the bundled undici (20 to 40 ms, and undici loads worker_threads, http, tls and
 * http2), which a process that never uses it should not pay. Deleting it loads nothing, and from
 * Node 22.5 on, node:http's WebSocket getter is a second way to the same class: with the first
 * hook the global becomes an accessor that, on first use, takes the class from that getter (as it
 * was when http was first loaded for the program, which the program could not have changed),
 * audits it and puts the audited class in place of the global as Node's own lazy property would.
 * Older Nodes read and wrap the global with the first hook.
 */
const NODE_VERSION = process.versions.node;
const NODE_MAJOR = NumberParseInt(NODE_VERSION, 10);
const NODE_MINOR = NumberParseInt(StringPrototypeSlice(NODE_VERSION, StringPrototypeIndexOf(NODE_VERSION, '.') + 1), 10);
const HTTP_HAS_WEBSOCKET = NODE_MAJOR > 22 || (NODE_MAJOR === 22 && NODE_MINOR >= 5);

/** http's own WebSocket getter, taken when http is instrumented; the class it gives and its audited Proxy. */
let httpWebSocketGetter: Getter | undefined;
let httpModule: object | undefined;
let originalWebSocket: unknown;
let auditedWebSocket: unknown;

/** The audited WebSocket class (undefined where this Node has none), from http's getter. */
function webSocketClass(): unknown {
  if (auditedWebSocket !== undefined) return auditedWebSocket;
  loadingBuiltin('http');
  if (httpWebSocketGetter === undefined) return undefined;
  originalWebSocket = ReflectApply(httpWebSocketGetter, httpModule, []);
  if (typeof originalWebSocket !== 'function') return originalWebSocket;
  auditedWebSocket = auditedConstructor(originalWebSocket as new (...args: unknown[]) => object, describeGetUrl);
  // As instrumentConstructor does: instances' constructor is the audited class.
  replaceValue((originalWebSocket as { prototype: object }).prototype, 'constructor', auditedWebSocket);
  return auditedWebSocket;
}

function auditWebSocketWhenReached(): void {
  if (!ObjectHasOwn(globalThis, 'WebSocket')) return;
  // Both read the attribute without loading undici.
  const enumerable = ObjectPrototypePropertyIsEnumerable(globalThis, 'WebSocket');
  // Node 26's http.WebSocket answers with the audited class too, from when the program can reach http.
  instrumentWhenLoaded('http', (http) => {
    const descriptor = ObjectGetOwnPropertyDescriptor(http, 'WebSocket');
    if (descriptor?.get === undefined) return;
    httpModule = http;
    httpWebSocketGetter = descriptor.get as Getter;
    const own = nullPrototype(descriptor);
    replaceFunction(own, 'get', (get) => function (this: unknown) {
      const value = ReflectApply(get, this, []);
      const audited = webSocketClass();
      return value === originalWebSocket ? audited : value;
    });
    ObjectDefineProperty(http, 'WebSocket', own);
  }, HTTP_REACHED_THROUGH);
  const define = (value: unknown): void => {
    defineValue(globalThis, 'WebSocket', value, enumerable);
  };
  if (!ReflectDeleteProperty(globalThis, 'WebSocket')) return;
  ObjectDefineProperty(globalThis, 'WebSocket', nullPrototype({
    enumerable,
    configurable: true,
    get: function WebSocket(): unknown {
      const value = webSocketClass();
      define(value);
      return value;
    },
    set: function WebSocket(value: unknown): void {
      define(value);
    },
  }));
}

/** Request's own getters read its internal state: a subclass that overrides `url` cannot show the audit another URL. */
function getterOf(prototype: object, name: string): Getter | undefined {
  return (ObjectGetOwnPropertyDescriptor(prototype, name)?.get as Getter | undefined);
}

function readRequest(getter: Getter | undefined, request: object): unknown {
  if (getter === undefined) return undefined;
  try {
    return ReflectApply(getter, request, []);
  } catch {
    return undefined; // not a Request: the brand check failed
  }
}

/** Headers as a plain, frozen object of lower-case names (what `new Headers(init)` would hold). */
function plainHeaders(HeadersCtor: typeof Headers | undefined, init: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (init === undefined || init === null || HeadersCtor === undefined) return ObjectFreeze(out);
  try {
    const headers = new HeadersCtor(init as ConstructorParameters<typeof Headers>[0]);
    ReflectApply(HeadersCtor.prototype.forEach, headers, [(value: string, name: string) => {
      out[name] = value;
    }]);
  } catch {
    // Invalid headers: fetch rejects them itself; the event shows none.
  }
  return ObjectFreeze(out);
}

interface WebClasses {
  readonly requestUrl: Getter | undefined;
  readonly requestMethod: Getter | undefined;
  readonly requestHeaders: Getter | undefined;
  readonly requestBody: Getter | undefined;
  readonly HeadersCtor: typeof Headers | undefined;
}

/** Request's getters and the Headers class, taken at the first fetch a hook sees (reading them loads undici). */
let web: WebClasses | undefined;

function webClasses(global: typeof globalThis): WebClasses {
  if (web !== undefined) return web;
  const RequestCtor = global.Request as typeof Request | undefined;
  const prototype = typeof RequestCtor === 'function' ? RequestCtor.prototype : {};
  web = {
    requestUrl: getterOf(prototype, 'url'),
    requestMethod: getterOf(prototype, 'method'),
    requestHeaders: getterOf(prototype, 'headers'),
    requestBody: getterOf(prototype, 'body'),
    HeadersCtor: typeof global.Headers === 'function' ? global.Headers : undefined,
  };
  return web;
}

/**
 * fetch(input, init): a URL or string input is converted to a string once and init is copied
 * once into plain data, and fetch receives those, so what is audited is what is fetched.
 */
/** The members of RequestInit, which fetch's WebIDL conversion reads by name (inherited ones included). */
const REQUEST_INIT = [
  'method', 'headers', 'body', 'referrer', 'referrerPolicy', 'mode', 'credentials', 'cache', 'redirect', 'integrity',
  'keepalive', 'signal', 'window', 'duplex', 'priority', 'dispatcher',
] as const;

const describeFetch: Describe = (args) => {
  reachingUndici();
  const classes = webClasses(globalThis);
  const input = args[0];
  const fromRequest = typeof input === 'object' && input !== null ? readRequest(classes.requestUrl, input) : undefined;
  let url: string;
  if (typeof fromRequest === 'string') {
    url = fromRequest;
  } else {
    url = StringCtor(input);
    args[0] = url;
  }
  const init = readOptions(args[1], REQUEST_INIT) as { method?: unknown; headers?: unknown; body?: unknown } | undefined;
  if (init !== undefined) args[1] = init;
  const request = typeof fromRequest === 'string' ? input as object : undefined;
  const method = init?.method ?? (request === undefined ? 'GET' : readRequest(classes.requestMethod, request));
  const headers = init?.headers ?? (request === undefined ? undefined : readRequest(classes.requestHeaders, request));
  const body = init?.body ?? (request === undefined ? null : readRequest(classes.requestBody, request) ?? null);
  return operation('urllib.Request', [url, body, plainHeaders(classes.HeadersCtor, headers), StringPrototypeToUpperCase(StringCtor(method))]);
};

/**
 * new WebSocket(url, protocols) and new EventSource(url, init): the URL converted to a string once,
 * which the constructor then gets.
 */
const describeGetUrl: Describe = (args) => {
  reachingUndici();
  const url = StringCtor(args[0]);
  args[0] = url;
  return operation('urllib.Request', [url, null, ObjectFreeze({}), 'GET']);
};

// ---- fetch's dial --------------------------------------------------------------------------------

/**
 * The undici inside fetch, WebSocket and EventSource makes each new connection with `net.connect`
 * (http:, ws:) or `tls.connect` (https:, wss:), read from the module at each dial, with an options
 * object of its own making. A call whose nearest caller is that undici raises
 * `http.client.connect` (null: no connection object exists yet, host, port) first, as CPython's
 * HTTPConnection.connect does before its socket's `socket.connect`; refused, nothing is dialled and
 * fetch rejects with the hook's error as its cause. Other callers pay only the stack look-up.
 */
const describeUndiciDial: Describe = (args) => {
  const options = args[0];
  if (typeof options !== 'object' || options === null || !calledByUndici()) return undefined;
  const { host, port } = options as { host?: unknown; port?: unknown };
  return operation('http.client.connect', [null, host, portNumber(port)]);
};

function auditDials(module: Record<string, unknown>): void {
  const sameFunction = module['createConnection'] === module['connect'];
  instrument(module, 'connect', describeUndiciDial, THROWS);
  // net.createConnection is net.connect, which http's agents take: it stays the same function.
  if (sameFunction) replaceValue(module, 'createConnection', module['connect']);
}

/** Undici loads net and tls as it loads: a web global used now is about to dial through them. */
function reachingUndici(): void {
  loadingBuiltin('net');
  loadingBuiltin('tls');
}

export const fetchDomain: Domain = {
  /** fetch is a plain function in every Node version: wrapping it loads nothing. */
  atLoad() {
    instrument(globalThis, 'fetch', describeFetch, REJECTS);
  },
  withFirstHook() {
    instrumentWhenLoaded('net', auditDials);
    instrumentWhenLoaded('tls', auditDials);
    // EventSource is a global under --experimental-eventsource only (Node 20 to 26): absent, nothing is read.
    instrumentConstructor(globalThis, 'EventSource', describeGetUrl);
    if (HTTP_HAS_WEBSOCKET) auditWebSocketWhenReached();
    else instrumentConstructor(globalThis, 'WebSocket', describeGetUrl);
  },
};
