/**
 * The compiled form of a policy: plain JSON, produced by `loadPolicy` in the CLI and handed to the
 * agent in every audited process, where `decide` reads it. Globs are already RegExp sources and
 * relative paths already resolved, so the agent needs neither picomatch nor the catalogue.
 */
export type Action = 'allow' | 'deny';

/**
 * How an argument's value is turned into the string its patterns match (see docs/policy.md):
 * - `path`: a relative path is resolved against the process's working directory, then normalised;
 * - `command`: a path when it contains a `/`, otherwise a name looked up in PATH, matched as given;
 * - `address`: `[host, port]` becomes `host:port` (`[v6]:port`), a string is an IPC socket path;
 * - `host`: lower-cased;
 * - `url`: as the URL parser reads it: lower-case scheme and host, no default port, no user info,
 *   dot segments resolved, no fragment (unparsable text as given);
 * - `text`: as given (numbers and booleans in decimal / `true` / `false`, lists joined by spaces).
 */
export type ArgumentKind = 'path' | 'command' | 'address' | 'host' | 'url' | 'text';

/**
 * One `match` entry of a rule, for one event: which argument, and its patterns. The argument's text
 * matches when it equals one of `exact`, starts with one of `prefixes`, or matches `pattern`.
 */
export interface CompiledMatch {
  /** The argument's position in the event's arguments. */
  readonly index: number;
  readonly kind: ArgumentKind;
  /** The patterns without wildcards, and the directories of `dir/**` patterns. */
  readonly exact: readonly string[];
  /** `dir/` of each `dir/**` pattern. */
  readonly prefixes: readonly string[];
  /** RegExp source of the other patterns; null when there are none. */
  readonly pattern: string | null;
}

export interface CompiledRule {
  /** `rules[N]`: where the rule is in the policy file, for verdicts and messages. */
  readonly rule: string;
  readonly action: Action;
  /** RegExp source of the `event` glob. */
  readonly event: string;
  /**
   * Whom the rule is for: `everyone` (no `package`: the application, every package and code of
   * unknown origin), `application` (`"package": null`: the application's own code only),
   * `any-package` (`"*"`: every package and code of unknown origin), `packages` (the glob `package`).
   */
  readonly subjects: 'everyone' | 'application' | 'any-package' | 'packages';
  /** RegExp source of the `package` glob, for `packages`; null otherwise. */
  readonly package: string | null;
  /**
   * With a `match`: every catalogued event the `event` glob covers, mapped to its argument checks
   * (a rule with a `match` applies to those events only). Null without a `match`: the rule applies
   * to every event its glob matches, catalogued or not.
   */
  readonly match: Readonly<Record<string, readonly CompiledMatch[]>> | null;
}

export interface CompiledPolicy {
  /** Absolute path of the policy file, for messages. */
  readonly file: string;
  readonly default: Action;
  readonly mode: 'enforce' | 'report';
  /** In file order: the first rule that fits decides. */
  readonly rules: readonly CompiledRule[];
  /**
   * RegExp source of the `frameworks` globs, or null: packages that are no subject of an event
   * when they only dispatched to other code on its way (see `eventSubjects`).
   */
  readonly frameworks: string | null;
  /** The catalogue's report-only events (sys.excepthook, ...): allowed whatever the rules say, verdict REPORT_ONLY_RULE. */
  readonly reportOnly: readonly string[];
  /** Per catalogued event, the argument that names what it reaches, for the denial's `resource` (src/agent/denial.ts). */
  readonly resources: Readonly<Record<string, CompiledResource>>;
}

/**
 * The argument of an event that names what the operation reaches (a path, an address, a command),
 * read as its `kind` (`text` for an argv, joined by spaces); `port`: the index of the port that goes
 * with a host (`http.client.connect`).
 */
export interface CompiledResource {
  readonly index: number;
  readonly kind: ArgumentKind;
  readonly port?: number;
}

export interface Verdict {
  readonly decision: Action;
  /** `rules[N]` or `default`. */
  readonly rule: string;
  /** The package the decision was made for (null: the application; UNKNOWN_SUBJECT: code of unknown origin), for the denial message. */
  readonly package: string | null;
}

/** The rule of a report-only event's verdict: no rule and no default decide it (docs/policy.md). */
export const REPORT_ONLY_RULE = 'report-only';

/** The subject of an event whose package chain is not known; no npm name has parentheses. */
export const UNKNOWN_SUBJECT = '(unknown)';

/** How a path argument that is a file descriptor is matched: `fd:3`; the pattern `fd:*` is any descriptor. */
export const FD_PREFIX = 'fd:';
