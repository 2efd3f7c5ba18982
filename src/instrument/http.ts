/**
 * HTTP client events: `http.client.connect` (self, host, port) once per request, before its
 * connection is made or reused, and `http.client.send` (self, data) for each body chunk the caller
 * writes (`write(chunk)`, `end(chunk)`): the chunk itself, as given, never copied, so streaming a
 * large body costs one event per chunk and no memory. The layering a hook sees for a request over a
 * new connection: http.client.connect, socket.getaddrinfo (by name), socket.connect; the sends
 * come as the body is written.
 *
 * Installed with the first hook: loading http costs ~3 ms, and prototypes patched late still
 * apply to every request, whenever http was loaded.
 */
import { NumberParseInt, ObjectGetOwnPropertyDescriptor, ProcessNextTick, ReflectApply } from '../core/primordials.js';
import { optionOf } from './args.js';
import { instrument, operation } from './wrap.js';
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

export const httpDomain: Domain = {
  withFirstHook() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup
    installHttp(require('node:http') as Parameters<typeof installHttp>[0]);
  },
};

function installHttp(http: { Agent: { prototype: object }; ClientRequest: { prototype: object } }): void {
  instrument(http.Agent.prototype, 'addRequest', describeAddRequest, { delivery: refuseRequest });
  // write and end are OutgoingMessage's, shared with server responses: the client's own copies are audited.
  const clientPrototype = http.ClientRequest.prototype as Record<string, unknown>;
  // instrument() reads the inherited method and defines the wrapper on ClientRequest's own prototype.
  instrument(clientPrototype, 'write', describeSend, { delivery: refuseSend(() => false) });
  instrument(clientPrototype, 'end', describeSend, { delivery: refuseSend((request) => request) });
}
