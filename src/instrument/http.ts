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
 * Installed when the program loads http (or https, _http_agent, _http_client, which hand out the
 * same agents and requests): loading it costs ~1 ms. http2 is instrumented when the program loads it.
 */
import {
  NumberParseInt, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ProcessNextTick, ReflectApply, StringCtor, StringPrototypeSlice, URLCtor,
} from '../core/primordials.js';
import { optionOf, ownOptions } from './args.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { THROWS, instrument, operation, replaceFunction } from './wrap.js';
import type { Deliver, Describe } from './wrap.js';
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
  return operation('http.client.connect', [request, host, typeof port === 'string' ? NumberParseInt(port, 10) : port]);
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

function installHttp(http: { Agent: { prototype: object }; ClientRequest: { prototype: object } }): void {
  instrument(http.Agent.prototype, 'addRequest', describeAddRequest, { delivery: refuseRequest });
  // write and end are OutgoingMessage's, shared with server responses: the client's own copies are audited.
  const clientPrototype = http.ClientRequest.prototype as Record<string, unknown>;
  // instrument() reads the inherited method and defines the wrapper on ClientRequest's own prototype.
  instrument(clientPrototype, 'write', describeSend, { delivery: refuseSend(() => false) });
  instrument(clientPrototype, 'end', describeSend, { delivery: refuseSend((request) => request) });
}
