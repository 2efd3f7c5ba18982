/**
 * One line of an `audithook run` log (JSONL): the contract between the agent that writes it in
 * every audited process and the commands that read it (`report`, `policy learn`, the run summary).
 */

/**
 * An npm package on an event's call stack: its name is its directory's (under `node_modules/`, or
 * the `node_modules/<name>` link to it), its version its package.json's.
 */
export interface PackageRef {
  readonly name: string;
  readonly version: string | null;
  /** The package.json's name where it differs from the directory's: recorded, never used. */
  readonly manifest?: string;
}

/**
 * Whether the chain of packages is known: `complete`; `truncated` (more frames than the agent
 * reads), `unreadable` (no stack), `anonymous` (a frame of code without a file: eval, new
 * Function, a vm script) or `no-caller` (only Node's frames, no cause: Node called back a function
 * that is not the program's code): then the policy decided the event as the unknown subject too.
 */
export type Attribution = 'complete' | 'truncated' | 'unreadable' | 'anonymous' | 'no-caller';

export interface LogRecord {
  /** ISO-8601, when the event was raised. */
  readonly time: string;
  readonly pid: number;
  /** worker_threads.threadId: 0 for the main thread. */
  readonly thread: number;
  readonly event: string;
  /** JSON-safe: buffers summarised by size and prefix, sockets by address, cycles and huge values cut. */
  readonly args: readonly unknown[];
  /**
   * The innermost npm package on the call stack (its name), but not a policy's framework that only
   * dispatched (`dispatchers`); null for the application's own code, or when `attribution` says the
   * chain is not known.
   */
  readonly package: string | null;
  /** Every npm package on the call stack, innermost first, each once. */
  readonly packages: readonly PackageRef[];
  /**
   * The packages of `packages` inside whose innermost frame other code of the program ran on the
   * event's way (a router calling the application's handler): a policy's `frameworks` among them
   * were not decided for it. Absent when there are none, and in logs of earlier versions.
   */
  readonly dispatchers?: readonly string[];
  /** Always written; absent in logs of earlier versions, which mean `complete`. */
  readonly attribution?: Attribution;
  /**
   * Where the responsible code is: the innermost frame (`file:line:column`) of the package the
   * verdict names (for a denial, the denied one), else of the program's code; a file alone where
   * only a file is known (a cause's stack, code built under a name: its builder's file);
   * `(the starter)` for a package whose code started this process. Null: no frame of the
   * program's code. Absent in logs of earlier versions.
   */
  readonly frame?: string | null;
  /** The policy's verdict ("allow" without a policy). */
  readonly decision: 'allow' | 'deny';
  /** The rule that decided, as `rules[N]` of the policy, `default`, or null without a policy. */
  readonly rule: string | null;
  /** Whether the operation was stopped: a deny in enforce mode. A deny in report mode is logged, not blocked. */
  readonly blocked: boolean;
}
