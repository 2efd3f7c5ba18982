/**
 * HTTP client events: `http.client.connect` (self, host, port) once per request, before its
 * connection is made or reused, and `http.client.send` (self, data) for each body chunk the caller
 * writes (`write(chunk)`, `end(chunk)`): the chunk itself, as given, never copied, so streaming a
 * large body costs one event per chunk and no memory. The layering a hook sees for a request over a
 * new connection: http.client.connect, socket.getaddrinfo (by name), socket.connect; the sends
 * come as the body is written.
 *
 * http2 clients raise the same two: `http.client.connect` (null, host, port) when http2.connect is
 * about to open a session (the session object does not exist yet), then `http.client.send` (session,
 * data) for each request's header block (a request without a body raises that one send, as CPython's
 * send sees the header block too) and for each body chunk written to its stream. Refused, connect
 * and request throw the hook's error (as for their invalid arguments); a refused chunk is not
 * written and the stream is destroyed with the error.
 *
 * A request an agent queues (its pool is busy) is dialled later, when another of its connections
 * closes, from that close's stack: the stack that queued it is the cause of that dial (core/cause.ts).
 *
 * Installed when the program loads http (or https, _http_agent, _http_client, which hand out the
 * same agents and requests): loading it costs ~1 ms. http2 is instrumented when the program loads it.
 */
import { rememberCause, withCauseOf } from '../core/cause.js';
import type { Cause, Causes } from '../core/cause.js';
import {
  ArrayIsArray, NumberParseInt, ObjectAssign, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectHasOwn, ProcessNextTick, ReflectApply, StringCtor, StringPrototypeSlice, URLCtor,
  ObjectKeys, WeakMapCtor, WeakMapPrototypeGet, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas,
} from '../core/primordials.js';
import { isAuditing } from '../core/kernel.js';
import { optionOf, ownOptions } from './args.js';
import { builtinModule, instrumentWhenLoaded } from './lazy-builtins.js';
import { THROWS, instrument, instrumentConstructor, operation, raise, replaceFunction, replaceValue } from './wrap.js';
import type { Callable, Deliver, Describe } from './wrap.js';
import type { Domain } from './domain.js';


interface ClientRequestLike {
  destroy(error: unknown): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  socket?: unknown;
}

/**
 * A refused request fails as a failed connection does: on the next tick it is destroyed and emits
 * 'error' and 'close'. A request that has a socket gets both from destroying it; one refused
 * before it had any (its connect) is told directly, as Node would never give it a socket now.
 */
function failRequest(request: unknown, error: unknown): void {
  const { destroy, emit } = request as ClientRequestLike;
  ProcessNextTick(() => {
    const hadSocket = (request as ClientRequestLike).socket != null;
    ReflectApply(destroy, request, [error]);
    if (!hadSocket) {
      ReflectApply(emit, request, ['error', error]);
      ReflectApply(emit, request, ['close']);
    }
  });
}

/**
 * Agent#addRequest(req, options): every request with an agent (agent: false makes a fresh one)
 * passes here once. Node spreads the agent's own options over the request's
 * (`{ ...options, ...this.options }`): a host or port the agent was made with is the one dialled.
 */
const describeAddRequest: Describe = (args, agent) => {
  const request = args[0];
  if (request === null || typeof request !== 'object') return undefined;
  const agentOptions = (agent as { options?: unknown }).options;
  // The legacy form addRequest(req, host, port).
  const given = typeof args[1] === 'string' ? { host: args[1], port: args[2] } : args[1];
  const option = (key: 'host' | 'hostname' | 'port'): unknown => {
    const spread = typeof agentOptions === 'object' && agentOptions !== null && ObjectGetOwnPropertyDescriptor(agentOptions, key)?.enumerable === true;
    return spread ? (agentOptions as Record<string, unknown>)[key] : optionOf(given, key);
  };
  const host = option('host') ?? option('hostname') ?? 'localhost';
  const port = option('port') ?? (agent as { defaultPort?: unknown }).defaultPort ?? null;
  return operation('http.client.connect', [request, host, portNumber(port)]);
};

/** The port as Agent#addRequest and createConnection get it: a string port is a number. */
export function portNumber(port: unknown): unknown {
  return typeof port === 'string' ? NumberParseInt(port, 10) : port;
}

/**
 * A request with its own `createConnection` and no agent never reaches Agent#addRequest: the
 * ClientRequest constructor, once the request is valid, calls `opts.createConnection(opts,
 * oncreate)` on its own copy of the options, with the host and port it settled on. That call
 * raises http.client.connect (`self` null: the request is still being built) before the caller's
 * function runs; refused, it throws, and Node reports that as the request's 'error'.
 */
function auditedCreateConnection(create: Callable): Callable {
  const audited = function createConnection(this: unknown, ...args: unknown[]) {
    const opts = this as Record<string, unknown>;
    // The caller's function sees the options as in plain Node: with itself as createConnection.
    opts['createConnection'] = create;
    if (isAuditing()) raise('http.client.connect', [null, opts['host'], portNumber(opts['port'])]);
    return ReflectApply(create, this, args);
  };
  WeakSetPrototypeAdd(auditedConnections, audited);
  return audited;
}

/**
 * https.request reaches ClientRequest too, as audited when https loaded after http was
 * instrumented: options already given an audited createConnection keep it.
 */
const auditedConnections = new WeakSetCtor<Callable>();

/** As Node's isURL: the first argument is a URL (or URL-like) and the options, if any, come second. */
function isUrlLike(value: { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown }): boolean {
  return !!value.href && !!value.protocol && value.auth === undefined && value.path === undefined;
}

function hasOwnCreateConnection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && ObjectHasOwn(value, 'createConnection');
}

/**
 * http.request, http.get, https.request, https.get and new ClientRequest (url, options, callback):
 * options with a createConnection of their own (checked without reading them) are handed to Node
 * as a copy (Node copies their own fields too, so each is read once, as in plain Node) whose
 * createConnection, when no agent is given, is audited. Raises nothing itself.
 */
const describeOwnConnection: Describe = (args) => {
  const first = args[0];
  let at: number;
  if (typeof first === 'string') at = 1;
  else if (hasOwnCreateConnection(first)) at = isUrlLike(first) ? 1 : 0;
  // Only when the second argument could be the options are the first one's URL fields read twice.
  else if (typeof first === 'object' && first !== null && hasOwnCreateConnection(args[1]) && isUrlLike(first)) at = 1;
  else return undefined;
  const given = args[at];
  if (!hasOwnCreateConnection(given)) return undefined;
  const options: Record<string, unknown> = ObjectAssign({}, given);
  const create = options['createConnection'];
  if ((options['agent'] === undefined || options['agent'] === null) && typeof create === 'function' && !WeakSetPrototypeHas(auditedConnections, create as Callable)) {
    options['createConnection'] = auditedCreateConnection(create as Callable);
  }
  args[at] = options;
  return undefined;
};

const refuseRequest: Deliver = (error, _agent, args) => {
  failRequest(args[0], error);
  return undefined;
};

/** ClientRequest#write(chunk) and #end(chunk): a body chunk (end() without one sends nothing). */
const describeSend: Describe = (args, request) => {
  const chunk = args[0];
  return chunk === undefined || chunk === null || typeof chunk === 'function' ? undefined
    : operation('http.client.send', [request, chunk]);
};

/** A refused chunk is not written: the request is destroyed with the hook's error. */
function refuseSend(returned: (request: unknown) => unknown): Deliver {
  return (error, request) => {
    failRequest(request, error);
    return returned(request);
  };
}

/** The built-ins that hand out http's agents and requests: https's Agent extends http's, its requests are http's ClientRequest. */
export const HTTP_REACHED_THROUGH: readonly string[] = ['https', '_http_agent', '_http_client'];

export const httpDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('http', (http) => installHttp(http as unknown as Parameters<typeof installHttp>[0]), HTTP_REACHED_THROUGH);
    instrumentWhenLoaded('https', installRequestFunctions);
    instrumentWhenLoaded('http2', installHttp2);
  },
};

// ---- http2 -------------------------------------------------------------------------------------

/**
 * http2.connect(authority[, options][, listener]): Node makes a string a URL and reads its
 * protocol, port, hostname and host: they are read here once, and Node gets them as a plain object,
 * so the host and port audited are the ones dialled (a string that is no URL throws in Node).
 */
const describeHttp2Connect: Describe = (args) => {
  let authority = args[0];
  if (typeof authority === 'string') {
    try {
      authority = new URLCtor(authority);
    } catch {
      return undefined;
    }
  }
  if (typeof authority !== 'object' || authority === null) return undefined;
  const { protocol, port, hostname, host } = authority as Record<string, unknown>;
  args[0] = authorityOf(protocol, port, hostname, host);
  const portNumber = port !== undefined && port !== '' ? NumberParseInt(StringCtor(port), 10) : protocol === 'http:' ? 80 : 443;
  let name: unknown = 'localhost';
  if (typeof hostname === 'string' && hostname !== '') name = hostname[0] === '[' ? StringPrototypeSlice(hostname, 1, -1) : hostname;
  else if (host !== undefined && host !== '') name = host;
  return operation('http.client.connect', [null, name, portNumber]);
};

function authorityOf(protocol: unknown, port: unknown, hostname: unknown, host: unknown): object {
  return { protocol, port, hostname, host };
}

/** ClientHttp2Session#request(headers[, options]): Node copies the headers' own fields; the copy audited is the one it gets. */
const describeHttp2Request: Describe = (args, session) => {
  const headers = args[0] === undefined || args[0] === null ? {} : ownOptions(args[0]);
  if (typeof headers !== 'object' || headers === null) return undefined;
  args[0] = headers;
  return operation('http.client.send', [session, headers]);
};

/** ClientHttp2Stream#write(chunk) and #end(chunk): a body chunk, as for HTTP/1 (end() without one sends nothing). */
const describeHttp2Send: Describe = (args, stream) => {
  const chunk = args[0];
  return chunk === undefined || chunk === null || typeof chunk === 'function' ? undefined
    : operation('http.client.send', [(stream as { session?: unknown }).session ?? null, chunk]);
};

function refuseHttp2Send(returned: (stream: unknown) => unknown): Deliver {
  return (error, stream) => {
    const { destroy } = stream as ClientRequestLike;
    ProcessNextTick(() => ReflectApply(destroy, stream, [error]));
    return returned(stream);
  };
}

function installHttp2(http2: Record<string, unknown>): void {
  instrument(http2, 'connect', describeHttp2Connect, THROWS);
  const audited = http2['connect'] as (...args: unknown[]) => unknown;
  let sessions = false;
  let streams = false;
  // Node exports neither ClientHttp2Session nor ClientHttp2Stream: their prototypes are
  // instrumented when the first session and the first stream are made, before the caller has them.
  replaceFunction(http2, 'connect', () => function connect(this: unknown, ...args: unknown[]) {
    const session = ReflectApply(audited, this, args) as object;
    if (sessions) return session;
    sessions = true;
    const prototype = ObjectGetPrototypeOf(session) as Record<string, unknown>;
    instrument(prototype, 'request', describeHttp2Request, THROWS);
    const request = prototype['request'] as (...args: unknown[]) => unknown;
    replaceFunction(prototype, 'request', () => function (this: unknown, ...requestArgs: unknown[]) {
      const stream = ReflectApply(request, this, requestArgs) as object;
      if (!streams) {
        streams = true;
        const streamPrototype = ObjectGetPrototypeOf(stream) as Record<string, unknown>;
        instrument(streamPrototype, 'write', describeHttp2Send, { delivery: refuseHttp2Send(() => false) });
        instrument(streamPrototype, 'end', describeHttp2Send, { delivery: refuseHttp2Send((refused) => refused) });
      }
      return stream;
    });
    return session;
  });
}

/** The stack that queued each request an agent keeps waiting (its pool busy): the cause of its later dial. */
const queuedCauses: Causes = new WeakMapCtor<object, Cause>();

/** Whether `agent` keeps `request` waiting in one of its queues (agent.requests, by pool name). */
function isQueued(agent: unknown, request: unknown): boolean {
  const queues = (agent as { requests?: unknown }).requests;
  if (typeof queues !== 'object' || queues === null || typeof request !== 'object' || request === null) return false;
  const names = ObjectKeys(queues);
  for (let i = 0; i < names.length; i++) {
    const queue = (queues as Record<string, unknown>)[names[i] as string];
    if (!ArrayIsArray(queue)) continue;
    for (let j = 0; j < queue.length; j++) if (queue[j] === request) return true;
  }
  return false;
}

/**
 * Agent#addRequest (audited) remembers the stack of a request it queues, and Agent#createSocket,
 * which Node calls for a queued request when a connection of the pool closes, runs with it.
 */
function installQueuedCauses(agentPrototype: object): void {
  replaceFunction(agentPrototype, 'addRequest', (addRequest) => function (this: unknown, ...args: unknown[]) {
    const result = ReflectApply(addRequest, this, args);
    if (isAuditing() && isQueued(this, args[0])) rememberCause(queuedCauses, args[0] as object);
    return result;
  });
  replaceFunction(agentPrototype, 'createSocket', (createSocket) => withCauseOf(createSocket, (_agent, args) => WeakMapPrototypeGet(queuedCauses, args[0] as object)));
}

/** request and get of http or https: each builds a ClientRequest with Node's own reference to the class. */
function installRequestFunctions(module: object): void {
  instrument(module, 'request', describeOwnConnection, THROWS);
  instrument(module, 'get', describeOwnConnection, THROWS);
}

function installHttp(http: { Agent: { prototype: object }; ClientRequest: { prototype: object } }): void {
  instrument(http.Agent.prototype, 'addRequest', describeAddRequest, { delivery: refuseRequest });
  installQueuedCauses(http.Agent.prototype);
  installRequestFunctions(http);
  // write and end are OutgoingMessage's, shared with server responses: the client's own copies are audited.
  const clientPrototype = http.ClientRequest.prototype as Record<string, unknown>;
  // instrument() reads the inherited method and defines the wrapper on ClientRequest's own prototype.
  instrument(clientPrototype, 'write', describeSend, { delivery: refuseSend(() => false) });
  instrument(clientPrototype, 'end', describeSend, { delivery: refuseSend((request) => request) });
  instrumentConstructor(http, 'ClientRequest', describeOwnConnection);
  // _http_client hands out the same class: one audited class for both, as instances' constructor.
  const client = builtinModule('_http_client');
  if (client !== undefined) replaceValue(client, 'ClientRequest', http.ClientRequest);
}
