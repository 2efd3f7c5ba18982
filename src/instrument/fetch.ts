/**
 * The web globals that reach the network: `fetch`, `WebSocket` and `EventSource` raise
 * `urllib.Request` (fullurl, data, headers, method) once per call, before any look-up or dial
 * (which raise their own socket events underneath).
 */
import {
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyDescriptor,
  ReflectApply,
  StringCtor,
  StringPrototypeToUpperCase,
  nullPrototype,
} from '../core/primordials.js';
import { readOptions } from './args.js';
import { REJECTS, instrument, instrumentConstructor, operation, replaceFunction } from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';
import { HTTP_REACHED_THROUGH } from './http.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';

type Getter = (this: unknown) => unknown;

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
  const url = StringCtor(args[0]);
  args[0] = url;
  return operation('urllib.Request', [url, null, ObjectFreeze({}), 'GET']);
};

export const fetchDomain: Domain = {
  /** fetch is a plain function in every Node version: wrapping it loads nothing. */
  atLoad() {
    instrument(globalThis, 'fetch', describeFetch, REJECTS);
  },
  /**
   * The WebSocket global (Node 22 and later): reading it (even its property descriptor, a lazy data
   * property of Node's) loads the bundled undici, 20 to 40 ms, which a process without hooks should
   * not pay. With the first hook it is paid: no later point exists where a program could not
   * already hold the original (docs/security-model.md, *Installed with the first hook*). Code that
   * runs before the first hook could keep the original class.
   */
  withFirstHook() {
    const original = (globalThis as { WebSocket?: unknown }).WebSocket;
    instrumentConstructor(globalThis, 'WebSocket', describeGetUrl);
    // EventSource is a global under --experimental-eventsource only (Node 20 to 26): absent, nothing is read.
    instrumentConstructor(globalThis, 'EventSource', describeGetUrl);
    const audited = (globalThis as { WebSocket?: unknown }).WebSocket;
    if (original === undefined) return;
    // Node 26's http.WebSocket is a getter of the same class: it answers with the audited one, from
    // when the program can reach http (the http domain's instrumentWhenLoaded).
    instrumentWhenLoaded('http', (http) => {
      const descriptor = ObjectGetOwnPropertyDescriptor(http, 'WebSocket');
      if (descriptor?.get === undefined) return;
      const own = nullPrototype(descriptor);
      replaceFunction(own, 'get', (get) => function (this: unknown) {
        const value = ReflectApply(get, this, []);
        return value === original ? audited : value;
      });
      ObjectDefineProperty(http, 'WebSocket', own);
    }, HTTP_REACHED_THROUGH);
  },
};
