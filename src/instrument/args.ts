/**
 * Normalisers for the arguments of instrumented APIs. Each accepts what Node accepts and returns
 * the value the event carries, or `INVALID` when Node would reject the argument: the wrapper then
 * raises nothing and lets Node throw its own validation error ("audit after validation").
 */
import { constants } from 'node:fs';
import { constants as osConstants } from 'node:os';
import {
  ArrayIsArray, BufferPrototype, DateNow, DatePrototypeGetTime, FileURLToPath, NumberIsFinite, NumberIsInteger, NumberParseInt, ObjectDefineProperty, ObjectFreeze, ObjectHasOwn, ObjectKeys,
  ObjectSetPrototypeOf, PathIsAbsolute, ProcessCwd, StringPrototypeCharCodeAt, StringPrototypeIncludes, SymbolToPrimitive, TypedArrayPrototypeGetByteLength, TypedArrayPrototypeSet, URLCtor,
  URLPrototypeGetHostname, URLPrototypeGetPathname, URLPrototypeGetProtocol, Uint8ArrayCtor,
  decodeBytes, isDate, isUint8Array, newList, newRecord, nullPrototype,
} from '../core/primordials.js';

export const INVALID: unique symbol = Symbol('invalid argument');
export type Invalid = typeof INVALID;

/** A path as Node's getValidatedPath accepts it: the string the event carries. */
export function toPath(value: unknown): string | Invalid {
  if (typeof value === 'string') return StringPrototypeIncludes(value, '\u0000') ? INVALID : value;
  if (isUint8Array(value)) return toPath(decodeBytes(value));
  if (isURL(value)) {
    try {
      return toPath(FileURLToPath(value as URL));
    } catch {
      return INVALID;
    }
  }
  return INVALID;
}

/**
 * The argument to hand Node in place of a caller's path: the audited path itself, never an object
 * the program can still change. Node's own checks run program code with the path as `this` (they
 * read `path.href`, and readFile/writeFile convert it to a number), so a URL or Buffer handed on
 * could answer differently, or be rewritten, after the audit. Bytes that decode to UTF-8 and back
 * become the string audited; others (which the event shows with U+FFFD) become a copy of the bytes
 * that answers those checks from its own properties.
 */
export function pathForCall(value: unknown, path: string): unknown {
  if (typeof value === 'string') return value;
  return isUint8Array(value) && StringPrototypeIncludes(path, '\ufffd') ? guardedCopy(value, path) : path;
}

/** A Buffer copy of `bytes` whose `href` and conversion to a primitive are own data, reaching no getter or method a program can define. */
function guardedCopy(bytes: Uint8Array, decoded: string): Uint8Array {
  const copy = new Uint8ArrayCtor(TypedArrayPrototypeGetByteLength(bytes));
  TypedArrayPrototypeSet(copy, bytes);
  ObjectSetPrototypeOf(copy, BufferPrototype);
  ObjectDefineProperty(copy, 'href', nullPrototype({ value: undefined }));
  ObjectDefineProperty(copy, SymbolToPrimitive, nullPrototype({ value: () => decoded }));
  return copy;
}

/**
 * A new URL of `href` whose fields Node reads (href, protocol, hostname, pathname) and whose
 * conversion to a string are its own data: handed to Node in place of a caller's URL, it answers as
 * audited even when URL.prototype's getters or toString have been replaced.
 */
export function guardedURL(href: string): URL {
  const url = new URLCtor(href);
  const own = (key: string | symbol, value: unknown): void => {
    ObjectDefineProperty(url, key, nullPrototype({ value }));
  };
  own('href', href);
  own('protocol', URLPrototypeGetProtocol(url));
  own('hostname', URLPrototypeGetHostname(url));
  own('pathname', URLPrototypeGetPathname(url));
  own('toString', () => href);
  own(SymbolToPrimitive, () => href);
  return url;
}

/**
 * A relative path made absolute against the working directory now, without normalising it (the
 * kernel resolves `link/..` and a trailing slash as it would have). Node then gets this path: a
 * chdir between the audit and the moment libuv's thread opens the file changes nothing.
 */
export function absolutePath(path: string): string {
  return path === '' || PathIsAbsolute(path) ? path : `${ProcessCwd()}/${path}`;
}

/** ToString as V8 does it for native code (a Symbol throws TypeError): the string Node's binding would read. */
export function toStringValue(value: unknown): string {
  return typeof value === 'string' ? value : `${value as string}`;
}

/** ToInt32 as V8's Int32Value does it: ToNumber (valueOf, or a TypeError for a BigInt or Symbol), then wrapped to 32 bits. */
export function toInt32(value: unknown): number {
  return typeof value === 'number' ? value | 0 : +(value as number) | 0;
}

/** Node's own isURL test: an object with href and protocol that is not a legacy url.parse result. */
export function isURL<T = unknown>(value: unknown): value is T {
  if (typeof value !== 'object' || value === null) return false;
  const url = value as { href?: unknown; protocol?: unknown; auth?: unknown; path?: unknown };
  return !!url.href && !!url.protocol && url.auth === undefined && url.path === undefined;
}

export function isFd(value: unknown): value is number {
  return typeof value === 'number' && NumberIsInteger(value) && value >= 0 && value <= 0x7fffffff;
}

const {
  O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY,
} = constants;

type OpenFlags = readonly [mode: string | null, flags: number];

/**
 * O_CLOEXEC of each system, which libuv adds to every open(2) Node makes, as CPython adds it before
 * its open event: an `open` event's flags are the flags the system call gets. Windows has no such
 * flag (libuv opens handles that children do not inherit): none is added there.
 */
const CLOSE_ON_EXEC: Readonly<Record<string, number>> = nullPrototype({
  linux: 0o2000000, android: 0o2000000, darwin: 0x1000000, freebsd: 0x100000, openbsd: 0x10000, sunos: 0x800000,
});
const O_CLOEXEC = CLOSE_ON_EXEC[process.platform] ?? 0;

/** The flags open(2) gets for `flags` given to Node (the `flags` of an `open` event). */
export function systemOpenFlags(flags: number): number {
  return flags | O_CLOEXEC;
}

function flagsOf(flag: string, flags: number): OpenFlags {
  return ObjectFreeze([flag, flags] as const);
}

// Node's stringToFlags table, each entry made once: the hot path allocates nothing here.
const R = flagsOf('r', O_RDONLY);
const RS = flagsOf('rs', O_RDONLY | O_SYNC);
const SR = flagsOf('sr', O_RDONLY | O_SYNC);
const R_PLUS = flagsOf('r+', O_RDWR);
const RS_PLUS = flagsOf('rs+', O_RDWR | O_SYNC);
const SR_PLUS = flagsOf('sr+', O_RDWR | O_SYNC);
const W = flagsOf('w', O_TRUNC | O_CREAT | O_WRONLY);
const WX = flagsOf('wx', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL);
const XW = flagsOf('xw', O_TRUNC | O_CREAT | O_WRONLY | O_EXCL);
const W_PLUS = flagsOf('w+', O_TRUNC | O_CREAT | O_RDWR);
const WX_PLUS = flagsOf('wx+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL);
const XW_PLUS = flagsOf('xw+', O_TRUNC | O_CREAT | O_RDWR | O_EXCL);
const A = flagsOf('a', O_APPEND | O_CREAT | O_WRONLY);
const AX = flagsOf('ax', O_APPEND | O_CREAT | O_WRONLY | O_EXCL);
const XA = flagsOf('xa', O_APPEND | O_CREAT | O_WRONLY | O_EXCL);
const AS = flagsOf('as', O_APPEND | O_CREAT | O_WRONLY | O_SYNC);
const SA = flagsOf('sa', O_APPEND | O_CREAT | O_WRONLY | O_SYNC);
const A_PLUS = flagsOf('a+', O_APPEND | O_CREAT | O_RDWR);
const AX_PLUS = flagsOf('ax+', O_APPEND | O_CREAT | O_RDWR | O_EXCL);
const XA_PLUS = flagsOf('xa+', O_APPEND | O_CREAT | O_RDWR | O_EXCL);
const AS_PLUS = flagsOf('as+', O_APPEND | O_CREAT | O_RDWR | O_SYNC);
const SA_PLUS = flagsOf('sa+', O_APPEND | O_CREAT | O_RDWR | O_SYNC);

/** The `mode` and `flags` arguments of the `open` event for an open flag as Node's stringToFlags reads it. */
export function toOpenFlags(value: unknown, fallback: string): OpenFlags | Invalid {
  if (typeof value === 'number') return NumberIsInteger(value) ? [null, value] : INVALID;
  switch (value ?? fallback) {
    case 'r': return R;
    case 'rs': return RS;
    case 'sr': return SR;
    case 'r+': return R_PLUS;
    case 'rs+': return RS_PLUS;
    case 'sr+': return SR_PLUS;
    case 'w': return W;
    case 'wx': return WX;
    case 'xw': return XW;
    case 'w+': return W_PLUS;
    case 'wx+': return WX_PLUS;
    case 'xw+': return XW_PLUS;
    case 'a': return A;
    case 'ax': return AX;
    case 'xa': return XA;
    case 'as': return AS;
    case 'sa': return SA;
    case 'a+': return A_PLUS;
    case 'ax+': return AX_PLUS;
    case 'xa+': return XA_PLUS;
    case 'as+': return AS_PLUS;
    case 'sa+': return SA_PLUS;
    default: return INVALID;
  }
}

/** A file mode as Node's parseFileMode reads it: an integer or an octal string. */
export function toMode(value: unknown, fallback: number): number | Invalid {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') return NumberIsInteger(value) && value >= 0 && value <= 0o777777 ? value : INVALID;
  if (typeof value === 'string' && isOctal(value)) return NumberParseInt(value, 8);
  return INVALID;
}

function isOctal(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = StringPrototypeCharCodeAt(text, i);
    if (code < 0x30 || code > 0x37) return false;
  }
  return true;
}

export function toInteger(value: unknown, fallback: number): number | Invalid {
  if (value === undefined) return fallback;
  return typeof value === 'number' && NumberIsInteger(value) ? value : INVALID;
}

/**
 * A timestamp as Node's toUnixTimestamp reads it, in seconds as CPython's os.utime reports times:
 * a string whose number is not NaN is that number (so '' and '  ' are 0, '-5' is -5); a finite
 * number is itself, or now when negative; a Date its time. Anything else Node rejects.
 */
export function toSeconds(value: unknown): number | Invalid {
  if (typeof value === 'string') {
    const seconds = +value;
    if (seconds === seconds) return seconds;
  }
  if (typeof value === 'number' && NumberIsFinite(value)) return value < 0 ? DateNow() / 1000 : value;
  if (isDate(value)) return DatePrototypeGetTime(value) / 1000;
  return INVALID;
}

/**
 * A copy of an options object that Node reads by name (`options.flag`, inherited keys included),
 * read once: every enumerable key, own or inherited, and the `named` keys Node reads (a getter or
 * non-enumerable key on a prototype). Node then reads the copy, so a getter or Proxy cannot answer
 * the audit one way and the operation another. The copy has no prototype: a key it lacks reads
 * undefined, not a getter a program put on Object.prototype, which would get the copy as `this`.
 */
export function readOptions(options: unknown, named: readonly string[]): unknown {
  if (typeof options !== 'object' || options === null) return options;
  const copy = newRecord<unknown>();
  for (const key in options) copy[key] = (options as Record<string, unknown>)[key];
  for (let i = 0; i < named.length; i++) {
    const key = named[i] as string;
    if (ObjectHasOwn(copy, key)) continue;
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) copy[key] = value;
  }
  return copy;
}

/** A copy of an options object that Node spreads (`{ ...defaults, ...options }`): its own enumerable keys, read once. */
export function ownOptions(options: unknown): unknown {
  if (typeof options !== 'object' || options === null) return options;
  const copy = newRecord<unknown>();
  const keys = ObjectKeys(options);
  for (let i = 0; i < keys.length; i++) copy[keys[i] as string] = (options as Record<string, unknown>)[keys[i] as string];
  return copy;
}

export function optionOf(options: unknown, key: string): unknown {
  return typeof options === 'object' && options !== null ? (options as Record<string, unknown>)[key] : undefined;
}

/** A frozen copy of an array, made without Array.prototype methods a caller may have replaced. */
export function frozenCopy<T>(values: readonly T[]): readonly T[] {
  const copy: T[] = [];
  for (let i = 0; i < values.length; i++) copy[i] = values[i] as T;
  return ObjectFreeze(copy);
}

/** A signal as ChildProcess#kill and process.kill read it: a number, or a name (SIGTERM by default). */
export function toSignal(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const name = value === undefined || value === null || value === '' ? 'SIGTERM' : value;
  if (typeof name !== 'string') return undefined;
  const signals = osConstants.signals as Readonly<Record<string, number | undefined>>;
  return ObjectHasOwn(signals, name) ? signals[name] : undefined;
}

/** Whether every element is a string (Node's validateStringArray). */
export function isStringArray(value: unknown): value is readonly string[] {
  if (!ArrayIsArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') return false;
  return true;
}

/**
 * NODE_OPTIONS split into words exactly as Node's ParseNodeOptionsEnvVar splits it (the same in
 * Node 20 to 26): only a space separates words (a tab or newline is part of one); `"` opens and
 * closes a quoted part, which is kept without the quotes; inside one, a backslash takes the next
 * character as it is (`\"`, `\\`); outside, a backslash and `'` are ordinary characters. Where
 * Node reports an error (a final backslash in a quoted part) it stops, with the words it has.
 */
export function nodeOptionsArgv(value: unknown): string[] {
  const words = newList<string>();
  if (typeof value !== 'string') return words;
  let quoted = false;
  let inWord = false;
  for (let i = 0; i < value.length; i++) {
    let char = value[i] as string;
    if (char === '\\' && quoted) {
      if (i + 1 === value.length) return words;
      char = value[++i] as string;
    } else if (char === ' ' && !quoted) {
      inWord = false;
      continue;
    } else if (char === '"') {
      quoted = !quoted;
      continue;
    }
    if (inWord) {
      words[words.length - 1] += char;
    } else {
      words[words.length] = char;
      inWord = true;
    }
  }
  return words;
}
