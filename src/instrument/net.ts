/**
 * Socket events, raised at the handles (tcp_wrap, pipe_wrap, udp_wrap) where every dial, listen,
 * bind and datagram passes once with its resolved address: net, tls, http, https, http2, dgram and
 * the bundled undici behind fetch all go through them, and each attempt of autoSelectFamily (happy
 * eyeballs) is one dial. Name look-ups are audited at the cares_wrap binding (inside Node's
 * permission wall, at dns's functions: natives.ts), the host name at os.
 */
// The module object itself, whose hostname every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
import { constants } from 'node:os';
import {
  ObjectDefineProperty, ObjectFreeze, ObjectGetOwnPropertyDescriptor, ObjectGetOwnPropertySymbols, ObjectKeys, ProcessNextTick, ReflectApply, SymbolPrototypeGetDescription, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, nullPrototype, setImmediateCaptured, withFirst,
} from '../core/primordials.js';
import { bindingsRefused, channelWrapPrototype, pipePrototype, rawBinding, tcpPrototype, udpPrototype } from './natives.js';
import { instrumentLookups } from './public-callers.js';
import { THROWS, beforeCall, instrument, operation, replaceFunction } from './wrap.js';
import { toInt32 } from './args.js';
import { rememberCause, withCauseOf } from '../core/cause.js';
import type { Cause, Causes } from '../core/cause.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import type { Domain } from './domain.js';
import type { Deliver, Describe } from './wrap.js';


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
  ProcessNextTick(() => ReflectApply(destroy, socket, [error]));
  return 0;
};

/** The path each Unix socket handle was bound to, for its listen(). */
const pipePaths = new WeakMapCtor<object, string>();

/**
 * A listen a hook refuses fails as a port in use does: the server emits 'error' with the hook's
 * error and never 'listening'. The socket was bound (a local reservation) but accepts nothing: Node
 * is told listen() succeeded, and on the next tick, before its 'listening' would be emitted, the
 * handle is closed and detached from the server.
 */
const failListen: Deliver = (error, handle) => {
  const server = ownerOf(handle as object) as { _handle?: unknown; emit?: unknown } | undefined;
  if (server === undefined || typeof server.emit !== 'function') throw error;
  const emit = server.emit as (this: unknown, event: string, error: unknown) => void;
  ProcessNextTick(() => {
    if (server._handle === handle) {
      (handle as { close(): void }).close();
      server._handle = null;
    }
    ReflectApply(emit, server, ['error', error]);
  });
  return 0;
};

/** TCP#listen(backlog): the address it is bound to, [host, port], as getsockname reports it. */
const describeTcpListen: Describe = (_args, handle) => {
  const name: { address?: unknown; port?: unknown } = {};
  (handle as { getsockname(out: object): number }).getsockname(name);
  return operation('socket.bind', [ownerOf(handle as object) ?? null, ObjectFreeze([name.address ?? null, name.port ?? null])]);
};

const describePipeListen: Describe = (_args, handle) =>
  operation('socket.bind', [ownerOf(handle as object) ?? null, WeakMapPrototypeGet(pipePaths, handle as object) ?? null]);

/**
 * An event on a handle whose arguments hold a [host, port] address at `hostAt` and `portAt`: the
 * handle's owner (the net or dgram socket) and that address.
 */
function describeAddress(event: 'socket.connect' | 'socket.bind' | 'socket.sendto', hostAt: number, portAt: number): Describe {
  return (args, handle) => {
    const host = args[hostAt];
    const port = args[portAt];
    if (typeof host !== 'string' || typeof port !== 'number') return undefined;
    return operation(event, [ownerOf(handle as object) ?? null, ObjectFreeze([host, port])]);
  };
}

/**
 * TCP#bind(address, port) of a handle that already belongs to a socket (one with no owner yet, a
 * server's, raises nothing). net passes no port when only localAddress is given: the binding reads
 * it with ToInt32, as here, once; the handle gets the number audited.
 */
const describeSocketBind: Describe = (args, handle) => {
  const socket = ownerOf(handle as object);
  if (socket == null || typeof args[0] !== 'string') return undefined;
  const port = toInt32(args[1]);
  args[1] = port;
  return operation('socket.bind', [socket, ObjectFreeze([args[0], port])]);
};

// ---- datagrams -------------------------------------------------------------------------------

/** What libuv returns for an operation not permitted: dgram turns it into its exception. */
const UV_EPERM = -constants.errno.EPERM;

/**
 * dgram (and net, for a dial's local bind) turns an error code from the handle into its own
 * exception and emits it on the socket at once or on the next tick: the hook's error is emitted in
 * its place, so a refused bind or connect reports the hook's error as the socket's 'error', and
 * nothing is dialled. (A dgram connect with a callback gets dgram's EPERM error.) The first event
 * other than a listener being added or removed is that report.
 */
function refuseWithEperm(error: unknown, handle: unknown): number {
  const socket = ownerOf(handle as object) as { emit?: unknown } | undefined;
  if (socket === undefined || typeof socket.emit !== 'function') throw error;
  const emit = socket.emit as (this: unknown, ...args: unknown[]) => boolean;
  const own = ObjectGetOwnPropertyDescriptor(socket, 'emit');
  let installed = true;
  const restore = (): void => {
    if (!installed) return;
    installed = false;
    if (own === undefined) delete socket.emit;
    else ObjectDefineProperty(socket, 'emit', nullPrototype(own));
  };
  ObjectDefineProperty(socket, 'emit', nullPrototype({
    configurable: true,
    writable: true,
    value(this: unknown, event: unknown, ...rest: unknown[]): boolean {
      // Listeners added meanwhile (an HTTP request attaching to its socket) are no report of the
      // refusal: the error that follows them is.
      if (event === 'newListener' || event === 'removeListener') return ReflectApply(emit, this, withFirst(event, rest));
      restore();
      return ReflectApply(emit, this, event === 'error' ? ['error', error] : withFirst(event, rest));
    },
  }));
  // dgram reports at once or on the next tick; past that, nothing of this refusal is left to replace.
  setImmediateCaptured(restore);
  return UV_EPERM;
}

/** A refused datagram is not sent: the send's callback gets the hook's error (without one, dgram drops send errors). */
const refuseSend: Deliver = (error, _handle, args) => {
  const callback = (args[0] as { callback?: unknown } | null | undefined)?.callback;
  if (typeof callback === 'function') ProcessNextTick(callback, error);
  return 0;
};

/** Pipe#connect(req, path): an IPC (Unix socket) connection, the address being its path. */
const describePipeConnect: Describe = (args, handle) => {
  const path = args[1];
  return typeof path === 'string' ? operation('socket.connect', [ownerOf(handle as object) ?? null, path]) : undefined;
};

const describeHostname: Describe = () => operation('socket.gethostname', []);

/**
 * Look-ups are audited at the cares_wrap binding, where dns.lookup (and so net, http and fetch),
 * lookupService, reverse and every resolve* of every Resolver pass once: the dns module is not
 * loaded at startup for it (that would cost milliseconds).
 */
const describeGetaddrinfo: Describe = (args) =>
  typeof args[1] === 'string' ? operation('socket.getaddrinfo', [args[1], null, args[2] ?? 0, null, null]) : undefined;

const describeGetnameinfo: Describe = (args) =>
  typeof args[1] === 'string' ? operation('socket.getnameinfo', [ObjectFreeze([args[1], args[2]])]) : undefined;

const describeGetHostByAddr: Describe = (args) =>
  typeof args[1] === 'string' ? operation('socket.gethostbyaddr', [args[1]]) : undefined;

/** ChannelWrap#query<Type>(req, name): one DNS query of that record type (the Node-only dns.resolve). */
function describeQuery(rrtype: string): Describe {
  return (args) => (typeof args[1] === 'string' ? operation('dns.resolve', [args[1], rrtype]) : undefined);
}

export const QUERY_TYPES: Readonly<Record<string, string>> = {
  queryAny: 'ANY', queryA: 'A', queryAaaa: 'AAAA', queryCaa: 'CAA', queryCname: 'CNAME', queryMx: 'MX',
  queryNs: 'NS', queryTxt: 'TXT', querySrv: 'SRV', queryPtr: 'PTR', queryNaptr: 'NAPTR', querySoa: 'SOA', queryTlsa: 'TLSA',
};

/**
 * A look-up a hook refuses fails as a failed look-up does: Node's request object carries the
 * caller's callback, or the promise's reject, and gets the hook's error on the next tick; Node is
 * told the look-up started. Without either, the error is thrown.
 */
const failLookup: Deliver = (error, _binding, args) => {
  const request = args[0] as { callback?: unknown; reject?: unknown } | null | undefined;
  const report = request?.callback ?? request?.reject;
  if (typeof report !== 'function') throw error;
  ProcessNextTick(report, error);
  return 0;
};

export const netDomain: Domain = { atLoad: installNet, withFirstHook: installOwnerCauses };

// ---- causes: a dial or listen after a look-up is deferred work ---------------------------------

/** The stack of the last public connect or listen of each socket or server (core/cause.ts). */
const ownerCauses: Causes = new WeakMapCtor<object, Cause>();

function rememberOwnerCause(_args: unknown[], owner: unknown): void {
  if (typeof owner === 'object' && owner !== null) rememberCause(ownerCauses, owner);
}

function causeOfOwner(handle: unknown): Cause | undefined {
  const owner = typeof handle === 'object' && handle !== null ? ownerOf(handle) : undefined;
  return owner === undefined || owner === null ? undefined : WeakMapPrototypeGet(ownerCauses, owner);
}

/** The handle's audited `key` runs with the cause its owner's public call left. */
function withOwnerCause(prototype: object, key: string): void {
  replaceFunction(prototype, key, (audited) => withCauseOf(audited, causeOfOwner));
}

/** The built-ins that hand out net's sockets and servers, and load net for them. */
const NET_REACHED_THROUGH: readonly string[] = ['tls', '_tls_wrap', 'http', 'https', '_http_agent', '_http_client', '_http_server', 'http2'];

/** The TCP handle's methods a socket's or server's owner-caused work goes through. */
const OWNER_CAUSED: readonly string[] = ['connect', 'connect6', 'bind', 'bind6', 'listen'];

/**
 * net.Socket#connect and net.Server#listen (net.connect, tls.connect, http's agents, http2.connect
 * and server.listen all come here) dial or listen after a look-up, on a later tick: the stack of
 * that call is the cause of the handle's connect, bind and listen (their owner is the socket or
 * server). The handles are patched with the first hook; net and dgram when the program reaches them.
 */
function installOwnerCauses(): void {
  const tcp = tcpPrototype();
  const pipe = pipePrototype();
  for (let i = 0; i < OWNER_CAUSED.length; i++) withOwnerCause(tcp, OWNER_CAUSED[i] as string);
  withOwnerCause(pipe, 'connect');
  withOwnerCause(pipe, 'listen');
  instrumentWhenLoaded('net', (net) => {
    beforeCall((net['Socket'] as { prototype: object }).prototype, 'connect', rememberOwnerCause);
    beforeCall((net['Server'] as { prototype: object }).prototype, 'listen', rememberOwnerCause);
  }, NET_REACHED_THROUGH);
  // dgram binds, connects and sends after a look-up too, an IP address's included.
  const udp = udpPrototype();
  for (let i = 0; i < UDP_OWNER_CAUSED.length; i++) withOwnerCause(udp, UDP_OWNER_CAUSED[i] as string);
  instrumentWhenLoaded('dgram', (dgram) => {
    const prototype = (dgram['Socket'] as { prototype: object }).prototype;
    for (let i = 0; i < DGRAM_CALLS.length; i++) beforeCall(prototype, DGRAM_CALLS[i] as string, rememberOwnerCause);
  });
}

/** The UDP handle's methods, and the dgram.Socket calls whose stack is their cause (a first send's implicit bind is bind's). */
const UDP_OWNER_CAUSED: readonly string[] = ['bind', 'bind6', 'connect', 'connect6', 'send', 'send6'];
const DGRAM_CALLS: readonly string[] = ['bind', 'connect', 'send'];

function installNet(): void {
  const tcp = tcpPrototype();
  const pipe = pipePrototype();
  // TCP#connect(req, address, port) and connect6: the address as dialled.
  const describeTcpConnect = describeAddress('socket.connect', 1, 2);
  instrument(tcp, 'connect', describeTcpConnect, { delivery: failDial });
  instrument(tcp, 'connect6', describeTcpConnect, { delivery: failDial });
  instrument(pipe, 'connect', describePipeConnect, { delivery: failDial });
  // TCP#bind(address, port) and bind6(address, port, flags) of a socket: a dial from a chosen local
  // address (net.connect's localAddress, localPort) binds before it connects. A server's handle is
  // bound before it has an owner, and its listen raises socket.bind: that bind raises nothing.
  instrument(tcp, 'bind', describeSocketBind, { delivery: refuseWithEperm });
  instrument(tcp, 'bind6', describeSocketBind, { delivery: refuseWithEperm });
  instrument(tcp, 'listen', describeTcpListen, { delivery: failListen });
  instrument(pipe, 'listen', describePipeListen, { delivery: failListen });
  beforeCall(pipe, 'bind', (args, handle) => {
    if (typeof args[0] === 'string') WeakMapPrototypeSet(pipePaths, handle as object, args[0]);
  });
  instrument(os, 'hostname', describeHostname, THROWS);

  const udp = udpPrototype();
  // UDP#bind(address, port, flags): explicit, or the implicit bind of a first send.
  instrument(udp, 'bind', describeAddress('socket.bind', 0, 1), { delivery: refuseWithEperm });
  instrument(udp, 'bind6', describeAddress('socket.bind', 0, 1), { delivery: refuseWithEperm });
  // UDP#connect(address, port): a datagram socket fixes its peer.
  instrument(udp, 'connect', describeAddress('socket.connect', 0, 1), { delivery: refuseWithEperm });
  instrument(udp, 'connect6', describeAddress('socket.connect', 0, 1), { delivery: refuseWithEperm });
  // UDP#send(req, list, count, port, address, hasCallback): a datagram to an address. A connected
  // socket's send (req, list, count, hasCallback) names none and raises nothing more (its connect
  // was audited), as CPython's socket.send raises nothing after socket.connect.
  instrument(udp, 'send', describeAddress('socket.sendto', 4, 3), { delivery: refuseSend });
  instrument(udp, 'send6', describeAddress('socket.sendto', 4, 3), { delivery: refuseSend });

  const lookups = { delivery: failLookup };
  if (bindingsRefused) {
    instrumentLookups();
  } else {
    const cares = rawBinding('cares_wrap');
    instrument(cares, 'getaddrinfo', describeGetaddrinfo, lookups);
    instrument(cares, 'getnameinfo', describeGetnameinfo, lookups);
  }
  const channel = channelWrapPrototype();
  instrument(channel, 'getHostByAddr', describeGetHostByAddr, lookups);
  const queries = ObjectKeys(QUERY_TYPES);
  for (let i = 0; i < queries.length; i++) {
    const method = queries[i] as string;
    instrument(channel, method, describeQuery(QUERY_TYPES[method] as string), lookups);
  }
}
