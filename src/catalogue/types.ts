/**
 * The shape of the event catalogue. The catalogue is data: types, docs and tests derive from it.
 */

/** The TypeScript type an event argument carries, named as written in the docs. */
export interface ArgTypes {
  string: string;
  'string | null': string | null;
  number: number;
  'number | null': number | null;
  'string | number': string | number;
  boolean: boolean;
  null: null;
  'string | string[]': string | readonly string[];
  '[number, number]': readonly [number, number];
  'string[]': readonly string[];
  'string[] | null': readonly string[] | null;
  'Record<string, string>': Readonly<Record<string, string>>;
  'string | ArrayBuffer | ArrayBufferView': string | ArrayBufferLike | ArrayBufferView;
  unknown: unknown;
}

export type ArgTypeName = keyof ArgTypes;

/**
 * What an argument's value is, so that policies, `policy learn` and reports read it one way:
 * - `path`: a file or directory the operation reaches (matched as a resolved, normalised path);
 * - `cwd`: the directory an operation runs from (matched as a path; not learnt, not a subject);
 * - `command`: a program, a path when it has a `/`, else a name looked up in PATH;
 * - `argv`: a new program's argument vector (matched as its words joined by spaces);
 * - `pattern`: glob patterns of paths (matched as text: the pattern as written; a report lists them with paths);
 * - `address`: `[host, port]`, or an IPC socket path; `host`: a host name or IP; `url`: a URL;
 * - `text`: any other value, matched as written (numbers and booleans in decimal / true / false);
 * - `opaque`: an object (a socket, a body, an environment): no pattern can say anything about it.
 * Arguments whose type is `null` (always null) are opaque too.
 */
export type ArgKind = 'path' | 'cwd' | 'command' | 'argv' | 'pattern' | 'address' | 'host' | 'url' | 'text' | 'opaque';

/**
 * How an argument may carry a secret, and so how `audithook run` writes it into the log unless
 * `--log-secrets` (src/cli/redact.ts); policies always see the real value, in-process:
 * - `value`: the whole value (an environment variable's);
 * - `environment`: an environment's values (its keys are kept);
 * - `headers`: the values of credential headers (Authorization, Cookie, Proxy-Authorization, Set-Cookie);
 * - `body`: a request body's content (its size is kept);
 * - `request`: a request object's query string (in its `path`).
 * A `url` argument's credentials and query values are always secret.
 */
export type SecretKind = 'value' | 'environment' | 'headers' | 'body' | 'request';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgTypeName;
  /** `text` when absent (`opaque` for a `null` or record type). */
  readonly kind?: ArgKind;
  readonly secret?: SecretKind;
  /**
   * A `text` argument that says what was done (a variable's key, a binding, an addon, a module
   * file): `policy learn` writes it into the rules it makes. Other text (flags, modes, signals,
   * specifiers as written, source code) is not learnt: every run would need rules of its own.
   */
  readonly learnt?: true;
}

/**
 * What an event does, for ordering by risk (reports list process starts before network, writes before
 * reads, reads before module loading): `process` starts, signals or re-identifies a process or thread;
 * `native` reaches native code or memory, or the engine beneath JavaScript; `network` reaches another
 * host; `write` changes the file system (`open` is `write` when its flags write); `read` reads files,
 * directories or the heap; `code` loads or runs code; `runtime` changes or observes the process itself.
 */
export type Capability = 'process' | 'native' | 'network' | 'write' | 'read' | 'code' | 'runtime';

export interface EventSpec {
  /** The event name passed to hooks. CPython's name where Node has the capability. */
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly description: string;
  /** The public Node APIs that raise the event. */
  readonly raisedBy: readonly string[];
  /** The first Node version in which audithook raises the event. */
  readonly since: string;
  /** The CPython audit event this corresponds to (the seed table's name), or null for Node-only events. */
  readonly cpython: string | null;
  readonly capability: Capability;
  /**
   * The event reports what already happened (an uncaught exception, an answer typed): refusing it
   * prevents nothing and only changes how the program fails, so a policy logs it and never refuses
   * it (loadPolicy lists these events in the compiled policy for decide). A hook of its own may.
   */
  readonly reportOnly?: true;
}

/** A public API that deliberately raises no event, and why. */
export interface UnauditedApi {
  readonly apis: readonly string[];
  readonly reason: string;
}

/**
 * Why a CPython seed event has no event of its own: not applicable to Node, planned in a later
 * issue, or covered by another event that every Node path to the capability raises (`by`).
 */
export interface CpythonGap {
  readonly status: 'not applicable' | 'planned' | 'covered';
  readonly reason: string;
  /** For `covered`: the event raised instead. */
  readonly by?: string;
}
