/**
 * Inside Node's permission wall (process.binding refused, natives.ts), the binding functions
 * spawn_sync.spawn and cares_wrap.getaddrinfo/getnameinfo cannot be reached, by the agent or by
 * anyone: their only callers are Node's own, and those are instrumented here instead, raising the
 * same events with the same arguments as the binding route.
 *
 * - child_process.spawnSync, execSync and execFileSync (each calls Node's internal spawnSync
 *   directly, so all three are wrapped). The wrapper reads the caller's arguments once into
 *   strings and plain records (the environment as Node would list it, with the agent's preload),
 *   hands Node those, and computes what Node's normalizeSpawnArguments makes of them (Node 20 to
 *   26, POSIX: the shell, `-c` and the command, argv0): Node then starts exactly what was audited.
 * - dns.lookup and dns.promises.lookup (net, http, fetch and dgram call the module's `lookup`), and
 *   lookupService of both: Node skips getaddrinfo for an IP address, and so does the event.
 */
import {
  ArrayIsArray, ObjectFreeze, asArray, ObjectHasOwn, ObjectKeys, ProcessNextTick, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeTrim, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas, newList, newRecord,
} from '../core/primordials.js';
import { toStringValue } from './args.js';
import { builtin } from './natives.js';
import { propagating, withPreload } from './propagation.js';
import { REJECTS, THROWS, instrument, operation } from './wrap.js';
import type { Deliver, Describe, WrapSpec } from './wrap.js';

/** What Node's spawn binding gets, as its normalisation makes it. */
export interface NormalisedSpawn {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: unknown;
  readonly envPairs: readonly string[];
}

/** The options records handed to Node by these wrappers: only they are described. */
const pinnedOptions = new WeakSetCtor<object>();

function keyOf(pair: string): string {
  const at = StringPrototypeIndexOf(pair, '=', 1);
  return at === -1 ? pair : StringPrototypeSlice(pair, 0, at);
}

/**
 * The environment as Node lists it (every key `for...in` finds, inherited ones too, whose value is
 * not undefined, converted to a string once; NODE_V8_COVERAGE always handed on), with the agent's
 * preload when children are kept audited, as a record with no prototype.
 */
function pinnedEnvironment(given: unknown): Record<string, string> {
  const source = (given || process.env) as Record<string, unknown>;
  const pairs = newList<string>();
  for (const key in source) {
    const value = source[key];
    if (value !== undefined) pairs[pairs.length] = `${key}=${toStringValue(value)}`;
  }
  const coverage = process.env['NODE_V8_COVERAGE'];
  if (coverage && given && !ObjectHasOwn(given, 'NODE_V8_COVERAGE')) pairs[pairs.length] = `NODE_V8_COVERAGE=${coverage}`;
  const kept = propagating() ? withPreload(pairs) : pairs;
  const env = newRecord<string>();
  for (let i = 0; i < kept.length; i++) {
    const pair = kept[i] as string;
    const key = keyOf(pair);
    env[key] = StringPrototypeSlice(pair, key.length + 1);
  }
  return env;
}

/**
 * `file, args, options` (spawnSync, execFileSync; `args` may be left out) or `command, options`
 * (execSync, whose shell is forced) rewritten in place into strings and a pinned options record;
 * left alone when Node will throw on their shape.
 */
function pin(args: unknown[], command: boolean): void {
  const file = args[0];
  if (typeof file !== 'string' || file === '') return;
  let list: unknown = command ? undefined : args[1];
  let options: unknown = command ? args[1] : args[2];
  if (!ArrayIsArray(list)) {
    if (list !== null && list !== undefined) {
      if (typeof list !== 'object') return;
      options = list;
    }
    list = [];
  }
  if (options !== undefined && (options === null || typeof options !== 'object' || ArrayIsArray(options))) return;
  if (options !== undefined && WeakSetPrototypeHas(pinnedOptions, options)) return;
  const strings = newList<string>();
  const items = list as unknown[];
  for (let i = 0; i < items.length; i++) strings[i] = toStringValue(items[i]);
  const copy = newRecord<unknown>();
  if (options !== undefined) {
    const keys = ObjectKeys(options);
    for (let i = 0; i < keys.length; i++) copy[keys[i] as string] = (options as Record<string, unknown>)[keys[i] as string];
  }
  const shell = copy['shell'];
  if (command || shell) copy['shell'] = typeof shell === 'string' ? shell : defaultShell();
  copy['env'] = pinnedEnvironment(copy['env']);
  WeakSetPrototypeAdd(pinnedOptions, copy);
  if (command) {
    args[1] = copy;
  } else {
    args[1] = asArray(strings);
    args[2] = copy;
  }
}

function defaultShell(): string {
  return process.platform === 'android' ? '/system/bin/sh' : '/bin/sh';
}

/** What Node's normalizeSpawnArguments makes of pinned arguments (a shell is a string by then). */
export function normalisedSpawn(args: readonly unknown[], command: boolean): NormalisedSpawn | undefined {
  const options = (command ? args[1] : args[2]) as Record<string, unknown> | undefined;
  if (options === undefined || !WeakSetPrototypeHas(pinnedOptions, options)) return undefined;
  let file = args[0] as string;
  const given = command ? [] : args[1] as readonly string[];
  const argv = newList<string>();
  const argv0 = options['argv0'];
  argv[0] = '';
  const shell = options['shell'];
  if (typeof shell === 'string' && shell !== '') {
    let line = file;
    for (let i = 0; i < given.length; i++) line += ` ${given[i] as string}`;
    file = shell;
    argv[1] = '-c';
    argv[2] = line;
  } else {
    for (let i = 0; i < given.length; i++) argv[i + 1] = given[i] as string;
  }
  argv[0] = typeof argv0 === 'string' ? argv0 : file;
  const env = options['env'] as Record<string, string>;
  const envPairs = newList<string>();
  for (const key in env) envPairs[envPairs.length] = `${key}=${env[key] as string}`;
  return { file, args: asArray(argv), cwd: options['cwd'], envPairs: asArray(envPairs) };
}

/** The events of a synchronous start, by describeSpawn (child_process.ts) on the normalised options. */
function describeSyncStart(describeSpawn: Describe, command: boolean): Describe {
  return (args, thisArg) => {
    pin(args, command);
    const normalised = normalisedSpawn(args, command);
    if (normalised === undefined) return undefined;
    const options = newRecord<unknown>();
    options['file'] = normalised.file;
    options['args'] = normalised.args;
    options['cwd'] = normalised.cwd;
    options['envPairs'] = normalised.envPairs;
    return describeSpawn([options], thisArg);
  };
}

/** child_process.spawnSync, execSync, execFileSync: the synchronous starts, where spawn_sync.spawn is not reachable. */
export function instrumentSyncStarts(describeSpawn: Describe): void {
  const childProcess = builtin('child_process');
  const starts: readonly (readonly [string, boolean])[] = [['spawnSync', false], ['execSync', true], ['execFileSync', false]];
  for (let i = 0; i < starts.length; i++) {
    const name = (starts[i] as readonly [string, boolean])[0];
    const command = (starts[i] as readonly [string, boolean])[1];
    const spec: WrapSpec = propagating() ? { delivery: 'throw', prepare: (args) => pin(args, command) } : THROWS;
    instrument(childProcess, name, describeSyncStart(describeSpawn, command), spec);
  }
}

// ---- name look-ups -----------------------------------------------------------------------------

let isIP: ((input: string) => number) | undefined;

/** The family Node's lookup asks getaddrinfo for, or undefined when it throws on the options. */
function lookupFamily(options: unknown): number | undefined {
  if (typeof options === 'function' || options === undefined || options === null) return 0;
  const family = typeof options === 'object' ? (options as { family?: unknown }).family : options;
  if (family === undefined || family === null) return 0;
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family === 0 || family === 4 || family === 6 ? family + 0 : undefined;
}

/** The options Node's lookup reads besides the family. */
const LOOKUP_OPTIONS: readonly string[] = ['hints', 'all', 'verbatim', 'order'];

/**
 * lookup(hostname, options?, callback?): getaddrinfo's arguments, as Node's lookup computes them;
 * options read once into a record handed to Node.
 */
const describeLookup: Describe = (args) => {
  const hostname = args[0];
  if (typeof hostname !== 'string' || hostname === '' || StringPrototypeIndexOf(hostname, '\u0000') !== -1) return undefined;
  const options = args[1];
  const family = lookupFamily(options);
  if (family === undefined) return undefined;
  if (options !== null && typeof options === 'object') {
    const read = options as Record<string, unknown>;
    const copy = newRecord<unknown>();
    for (let i = 0; i < LOOKUP_OPTIONS.length; i++) {
      const key = LOOKUP_OPTIONS[i] as string;
      const value = read[key];
      if (value !== undefined) copy[key] = value;
    }
    copy['family'] = family;
    args[1] = copy;
  }
  if ((isIP as (input: string) => number)(hostname) !== 0) return undefined;
  return operation('socket.getaddrinfo', [hostname, null, family, null, null]);
};

/** lookupService(address, port, callback?): getnameinfo's arguments, the port as Node converts it. */
const describeLookupService: Describe = (args) => {
  const address = args[0];
  const given = args[1];
  if (typeof address !== 'string' || (isIP as (input: string) => number)(address) === 0) return undefined;
  if (typeof given !== 'number' && typeof given !== 'string') return undefined;
  const port = +given + 0;
  if ((typeof given === 'string' && StringPrototypeTrim(given) === '') || port !== port >>> 0 || port > 0xFFFF) return undefined;
  args[1] = port;
  return operation('socket.getnameinfo', [ObjectFreeze([address, port])]);
};

/** A refused look-up fails as a failed one does: its callback gets the error on the next tick. */
const failLookup: Deliver = (error, _dns, args) => {
  const callback = typeof args[1] === 'function' ? args[1] : args[2];
  if (typeof callback !== 'function') throw error;
  ProcessNextTick(callback, error);
  return {};
};

/** dns.lookup, lookupService and their promise forms: the look-ups, where cares_wrap's functions are not reachable. */
export function instrumentLookups(): void {
  isIP = (builtin('net') as { isIP: (input: string) => number }).isIP;
  const dns = builtin('dns') as Record<string, unknown> & { promises: Record<string, unknown> };
  instrument(dns, 'lookup', describeLookup, { delivery: failLookup });
  instrument(dns, 'lookupService', describeLookupService, { delivery: failLookup });
  instrument(dns.promises, 'lookup', describeLookup, REJECTS);
  instrument(dns.promises, 'lookupService', describeLookupService, REJECTS);
}
