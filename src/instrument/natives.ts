/**
 * The native objects the instrumentation hooks, and the two routes to them.
 *
 * Without Node's permission model, process.binding (as Node's bootstrap left it, primordials.ts)
 * gives every binding: the cheapest route (nothing more is loaded at startup), and the one through
 * which code that calls a binding directly is audited too.
 *
 * Under `--permission` or `--permission-audit` (Node 22.13+), Node replaces process.binding with a
 * function that always throws before any preload runs, for the agent as for everyone. Then each
 * prototype is taken from a public object that holds one of its handles, made for that and closed
 * again: loading child_process, net, dgram and dns costs some milliseconds at startup, paid only
 * inside the wall. The functions spawn_sync.spawn and cares_wrap.getaddrinfo/getnameinfo belong to
 * no handle and have no public route; inside the wall only Node's own child_process and dns reach
 * them, and their public functions are instrumented instead (public-callers.ts).
 *
 * A prototype neither route gives throws: the agent never lets a process run unaudited.
 */
import {
  ErrorCtor, ObjectGetOwnPropertySymbols, ObjectGetPrototypeOf, ProcessGetBuiltinModule, SymbolPrototypeGetDescription, nodeBinding,
} from '../core/primordials.js';

export type NativePrototype = Record<string, unknown>;
type Binding = Record<string, unknown>;

/** process.binding, or undefined where Node refuses it (its permission model). */
function bindingRoute(): ((name: string) => Binding) | undefined {
  try {
    nodeBinding('tcp_wrap');
    return nodeBinding;
  } catch {
    return undefined;
  }
}

const binding = bindingRoute();

/** Whether process.binding is refused in this process: the public routes are in use. */
export const bindingsRefused = binding === undefined;

/** A raw binding; only where process.binding works (callers check bindingsRefused). */
export function rawBinding(name: string): Binding {
  if (binding === undefined) throw unreachable(name);
  return binding(name);
}

function unreachable(what: string): Error {
  return new ErrorCtor(`audithook: cannot reach Node's ${what} on Node ${process.version} (process.binding is refused and the public route failed): the process is not started unaudited`);
}

/** A built-in module, for the public routes (here and public-callers.ts). */
export function builtin(id: string): Record<string, unknown> {
  const module = ProcessGetBuiltinModule?.(`node:${id}`) as Record<string, unknown> | undefined;
  if (module === undefined) throw unreachable(`node:${id}`);
  return module;
}

/** The prototype of `handle` when it is an instance of Node's class `name`. */
function prototypeNamed(handle: unknown, name: string): NativePrototype {
  const prototype = handle !== null && typeof handle === 'object' ? ObjectGetPrototypeOf(handle) as { constructor?: { name?: unknown } } | null : null;
  if (prototype === null || prototype.constructor?.name !== name) throw unreachable(`${name} handle`);
  return prototype;
}

function fromBinding(module: string, name: string): NativePrototype {
  return (rawBinding(module)[name] as { prototype: NativePrototype }).prototype;
}

/** process_wrap's Process: a ChildProcess makes one in its constructor (this one is never spawned). */
export function processPrototype(): NativePrototype {
  if (binding !== undefined) return fromBinding('process_wrap', 'Process');
  const { ChildProcess } = builtin('child_process') as { ChildProcess: new () => { _handle: unknown } };
  return prototypeNamed(new ChildProcess()._handle, 'Process');
}

/**
 * A net.Socket's connect makes its handle (a Pipe for a path, else a TCP) before it validates the
 * rest: a path that is no string, or a local address that is no IP, throws with the handle made
 * and nothing dialled (Node 20 to 26). The socket is destroyed, which closes it.
 */
function socketHandle(options: object, name: string): NativePrototype {
  const { Socket } = builtin('net') as { Socket: new () => { _handle: unknown; connect(options: object): unknown; destroy(): void } };
  const socket = new Socket();
  try {
    socket.connect(options);
  } catch {
    // The validation error the route relies on.
  }
  const handle = socket._handle;
  socket.destroy();
  return prototypeNamed(handle, name);
}

export function tcpPrototype(): NativePrototype {
  return binding !== undefined ? fromBinding('tcp_wrap', 'TCP') : socketHandle({ port: 1, localAddress: 'not an address' }, 'TCP');
}

export function pipePrototype(): NativePrototype {
  return binding !== undefined ? fromBinding('pipe_wrap', 'Pipe') : socketHandle({ path: 1 }, 'Pipe');
}

/** udp_wrap's UDP: a dgram socket makes one in its constructor, kept in its state (bound only by bind or send). */
export function udpPrototype(): NativePrototype {
  if (binding !== undefined) return fromBinding('udp_wrap', 'UDP');
  const socket = (builtin('dgram') as { createSocket(type: string): Record<symbol, { handle?: unknown } | undefined> & { close(): void } }).createSocket('udp4');
  let handle: unknown;
  const symbols = ObjectGetOwnPropertySymbols(socket);
  for (let i = 0; i < symbols.length; i++) {
    if (SymbolPrototypeGetDescription(symbols[i] as symbol) === 'state symbol') handle = socket[symbols[i] as symbol]?.handle;
  }
  const prototype = prototypeNamed(handle, 'UDP');
  socket.close();
  return prototype;
}

/** cares_wrap's ChannelWrap: every dns.Resolver has one. */
export function channelWrapPrototype(): NativePrototype {
  if (binding !== undefined) return fromBinding('cares_wrap', 'ChannelWrap');
  const { Resolver } = builtin('dns') as { Resolver: new () => { _handle: unknown } };
  return prototypeNamed(new Resolver()._handle, 'ChannelWrap');
}

