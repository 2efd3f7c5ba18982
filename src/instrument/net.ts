/**
 * Network events (issue #4, in progress). `socket.connect` is raised at the connection handles
 * (tcp_wrap, pipe_wrap), where every dial passes once with its resolved address: net, tls, http,
 * https and the bundled undici behind fetch all dial there, and each attempt of autoSelectFamily
 * (happy eyeballs) is one call. Name look-ups and the host name are audited at the dns and os modules.
 */
import {
  ObjectFreeze,
  ObjectGetOwnPropertySymbols,
  ReflectApply,
  SymbolPrototypeGetDescription,
} from '../primordials.js';
import { instrument } from './wrap.js';
import type { Deliver, Describe, Operation } from './wrap.js';

function operation(event: string, args: unknown[]): Operation {
  return { event, args, covers: undefined };
}

/** The key under which Node links a handle to its net.Socket (an internal symbol, found once by its description). */
let ownerKey: symbol | undefined;

function ownerOf(handle: object): { destroy?: unknown } | undefined {
  if (ownerKey === undefined) {
    const symbols = ObjectGetOwnPropertySymbols(handle);
    for (let i = 0; i < symbols.length; i++) {
      const symbol = symbols[i] as symbol;
      if (SymbolPrototypeGetDescription(symbol) === 'owner_symbol') ownerKey = symbol;
    }
    if (ownerKey === undefined) return undefined;
  }
  return (handle as Record<symbol, { destroy?: unknown } | undefined>)[ownerKey];
}

/**
 * A dial a hook refuses fails as a refused connection does: Node is told the dial started, and on
 * the next tick the socket is destroyed with the hook's error, so it reaches the caller as the
 * socket's (or the request's, or fetch's) 'error', and nothing hangs. Code that drives a raw handle
 * has no socket to tell: it gets the error thrown.
 */
const failDial: Deliver = (error, handle) => {
  const socket = ownerOf(handle as object);
  if (socket === undefined || typeof socket.destroy !== 'function') throw error;
  const destroy = socket.destroy as (this: unknown, error: unknown) => void;
  process.nextTick(() => ReflectApply(destroy, socket, [error]));
  return 0;
};

/** TCP#connect(req, address, port) and TCP#connect6: the address as dialled, [host, port]. */
const describeTcpConnect: Describe = (args, handle) => {
  const address = args[1];
  const port = args[2];
  if (typeof address !== 'string' || typeof port !== 'number') return undefined;
  return operation('socket.connect', [ownerOf(handle as object) ?? null, ObjectFreeze([address, port])]);
};

/** Pipe#connect(req, path): an IPC (Unix socket) connection, the address being its path. */
const describePipeConnect: Describe = (args, handle) => {
  const path = args[1];
  return typeof path === 'string' ? operation('socket.connect', [ownerOf(handle as object) ?? null, path]) : undefined;
};

const describeHostname: Describe = () => operation('socket.gethostname', []);

/** dns.lookup(hostname[, options], callback): CPython's getaddrinfo arguments; options may be the family. */
const describeLookup: Describe = (args) => {
  const hostname = args[0];
  if (typeof hostname !== 'string') return undefined;
  const options = args[1];
  const family = typeof options === 'number' ? options
    : typeof options === 'object' && options !== null ? (options as { family?: unknown }).family ?? 0 : 0;
  return operation('socket.getaddrinfo', [hostname, null, family, null, null]);
};

const describeLookupService: Describe = (args) => {
  const address = args[0];
  return typeof address === 'string' ? operation('socket.getnameinfo', [ObjectFreeze([address, args[1]])]) : undefined;
};

const describeReverse: Describe = (args) =>
  typeof args[0] === 'string' ? operation('socket.gethostbyaddr', [args[0]]) : undefined;

/** The resolve* family queries DNS records directly (not getaddrinfo): the Node-only dns.resolve. */
function describeResolve(rrtype: string | undefined): Describe {
  return (args) => {
    const hostname = args[0];
    if (typeof hostname !== 'string') return undefined;
    const type = rrtype ?? (typeof args[1] === 'string' ? args[1] : 'A');
    return operation('dns.resolve', [hostname, type]);
  };
}

const RESOLVE_METHODS: Readonly<Record<string, string | undefined>> = {
  resolve: undefined,
  resolve4: 'A',
  resolve6: 'AAAA',
  resolveAny: 'ANY',
  resolveCaa: 'CAA',
  resolveCname: 'CNAME',
  resolveMx: 'MX',
  resolveNaptr: 'NAPTR',
  resolveNs: 'NS',
  resolvePtr: 'PTR',
  resolveSoa: 'SOA',
  resolveSrv: 'SRV',
  resolveTlsa: 'TLSA',
  resolveTxt: 'TXT',
};

/** A refused look-up reports through the callback, as a failed look-up does; the call returns as it would. */
const failThroughCallback: Deliver = (error, _thisArg, args) => {
  const callback = args[args.length - 1];
  if (typeof callback !== 'function') throw error;
  process.nextTick(callback, error);
  return {};
};

interface DnsModule {
  promises: Record<string, unknown> & { Resolver: { prototype: Record<string, unknown> } };
  Resolver: { prototype: Record<string, unknown> };
  [name: string]: unknown;
}

export function installNet(binding: (name: string) => Record<string, unknown>, dns: DnsModule, os: object): void {
  const tcp = (binding('tcp_wrap')['TCP'] as { prototype: Record<string, unknown> }).prototype;
  const pipe = (binding('pipe_wrap')['Pipe'] as { prototype: Record<string, unknown> }).prototype;
  instrument(tcp, 'connect', describeTcpConnect, { delivery: failDial });
  instrument(tcp, 'connect6', describeTcpConnect, { delivery: failDial });
  instrument(pipe, 'connect', describePipeConnect, { delivery: failDial });
  instrument(os, 'hostname', describeHostname, { delivery: 'throw' });

  const callbacks = { delivery: failThroughCallback };
  const promises = { delivery: 'reject' } as const;
  instrument(dns, 'lookup', describeLookup, callbacks);
  instrument(dns.promises, 'lookup', describeLookup, promises);
  instrument(dns, 'lookupService', describeLookupService, callbacks);
  instrument(dns.promises, 'lookupService', describeLookupService, promises);
  instrument(dns, 'reverse', describeReverse, callbacks);
  instrument(dns.promises, 'reverse', describeReverse, promises);
  for (const method of Object.keys(RESOLVE_METHODS)) {
    const describe = describeResolve(RESOLVE_METHODS[method]);
    // The module functions are bound to a default Resolver's original methods: both are wrapped, once each.
    instrument(dns, method, describe, callbacks);
    instrument(dns.Resolver.prototype, method, describe, callbacks);
    instrument(dns.promises, method, describe, promises);
    instrument(dns.promises.Resolver.prototype, method, describe, promises);
  }
  instrument(dns.Resolver.prototype, 'reverse', describeReverse, callbacks);
  instrument(dns.promises.Resolver.prototype, 'reverse', describeReverse, promises);
}
