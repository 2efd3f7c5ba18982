/**
 * `audithook policy learn`: the least-privilege policy that allows everything a set of logs
 * recorded. Default deny; for the application (`"package": null`: its own code only), then code of
 * unknown origin (`"*"`, from events whose package chain was not known), then each package
 * (alphabetically), one allow rule per event, matching the arguments that say where an operation reaches (paths, addresses,
 * hosts, URLs, environment keys, bindings), generalised so that the next run fits too:
 * - a path inside the package's own directory in node_modules -> that directory `/**`;
 * - a path in the temporary directory -> the temporary directory `/**` (names there are random);
 * - a path deeper inside the project -> its top-level directory in the project `/**`
 *   (`src/**`, `node_modules/<package>/**`); a file at the project's top stays exact;
 * - a loopback address or an ephemeral port (>= 32768) -> any port; a URL -> its origin `/**`.
 * Everything else stays exact; report-only events (sys.excepthook) get no rule, as every policy
 * allows them. The output is deterministic and laid out one rule per line (one
 * pattern per line in longer lists), so that a change of behaviour reads as a small diff.
 */
import { relative, sep } from 'node:path';
import { argKind, events as catalogue, type EventSpec } from '../catalogue/index.js';
import type { LogRecord } from '../contract/record.js';
import { argumentKind, unmatchableReason } from './arguments.js';
import { argumentText } from './decide.js';
import { escapeGlob } from './glob.js';
import type { ArgumentKind } from './types.js';

export interface LearnOptions {
  /** Where the policy will live: paths inside it are written relative to it. */
  readonly policyDir: string;
  /** The program's project directory, whose subdirectories become `dir/**`. */
  readonly projectDir: string;
  /** The temporary directory, allowed as a whole when anything inside it was used. */
  readonly tmpDir: string;
}

export interface LearnedPolicy {
  readonly text: string;
  readonly warnings: readonly string[];
}

/** A record's needs: argument name -> glob, sorted by name. */
type Pairs = [string, string][];

export const SCHEMA_REFERENCE = './node_modules/audithook/schema/policy.schema.json';

/**
 * The text argument worth a match, per event: which variable, binding, addon or module file. Other
 * text (flags, modes, signals, specifiers as written, source code) is not learnt.
 */
const LEARNED_TEXT: Readonly<Record<string, string>> = {
  'os.putenv': 'key', 'os.unsetenv': 'key', 'process.binding': 'module', 'process._linkedBinding': 'module',
  'ctypes.dlopen': 'name', 'import': 'filename',
};
const EPHEMERAL_PORTS = 32768;
const CATALOGUE = new Map<string, EventSpec>(catalogue.map((event) => [event.name, event]));
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

const within = (dir: string, path: string): boolean => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

class Generaliser {
  constructor(private readonly options: LearnOptions) {}

  /** The glob for an absolute, normalised path, as seen from `subject`, written for an argument of kind `kind`. */
  path(path: string, subject: string | null, kind: ArgumentKind): string {
    const own = subject === null ? -1 : path.lastIndexOf(`/node_modules/${subject}/`);
    if (own !== -1) return this.write(`${path.slice(0, own)}/node_modules/${subject as string}`, true, kind);
    const { projectDir } = this.options;
    if (within(projectDir, path) && path !== projectDir) {
      const parts = relative(projectDir, path).split(sep);
      const depth = parts[0] === 'node_modules' ? ((parts[1] ?? '').startsWith('@') ? 3 : 2) : 1;
      return parts.length > depth
        ? this.write(`${projectDir}/${parts.slice(0, depth).join('/')}`, true, kind)
        : this.write(path, false, kind);
    }
    if (within(this.options.tmpDir, path) && path !== this.options.tmpDir) return this.write(this.options.tmpDir, true, kind);
    return this.write(path, false, kind);
  }

  /**
   * Inside the policy's directory, relative to it (so the policy moves with the project), written so
   * that the loader reads it as a path: `./x` for a command (`x` would be a name looked up in PATH)
   * and for an IPC address (`x` would be a host). Text arguments are not resolved: absolute.
   */
  private write(path: string, subtree: boolean, kind: ArgumentKind): string {
    const inPolicyDir = kind !== 'text' && within(this.options.policyDir, path);
    const shown = inPolicyDir ? relative(this.options.policyDir, path).split(sep).join('/') || '.' : path;
    const glob = `${escapeGlob(shown)}${subtree ? '/**' : ''}`;
    const marked = kind === 'address' || (kind === 'command' && !glob.includes('/'));
    return inPolicyDir && marked ? `./${glob}` : glob;
  }

  address(value: unknown, kind: ArgumentKind, subject: string | null): string | null {
    if (typeof value === 'string') return this.path(argumentText(value, 'path') as string, subject, kind);
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') return null;
    const host = value[0].toLowerCase();
    const text = argumentText(value, kind);
    if (text === null) return null;
    const anyPort = LOOPBACK.test(host) || Number(value[1]) >= EPHEMERAL_PORTS;
    return anyPort ? `${escapeGlob(text.slice(0, text.lastIndexOf(':')))}:*` : escapeGlob(text);
  }
}

function urlOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.origin !== 'null') return `${escapeGlob(parsed.origin)}/**`;
  } catch {
    // not a URL: exact below
  }
  return escapeGlob(url);
}

/** The argument name -> glob pairs a record needs, sorted by name. */
function learnedArguments(record: LogRecord, subject: string | null, generaliser: Generaliser): Pairs {
  const spec = CATALOGUE.get(record.event);
  const pairs: Pairs = [];
  for (const [index, arg] of (spec?.args ?? []).entries()) {
    const kind = argumentKind(arg);
    if (unmatchableReason(arg) !== null || argKind(arg) === 'cwd' || (kind === 'text' && LEARNED_TEXT[record.event] !== arg.name)) continue;
    const value = record.args[index];
    let glob: string | null;
    if (kind === 'address') {
      glob = generaliser.address(value, kind, subject);
    } else {
      const text = argumentText(value, kind);
      if (text === null) glob = null;
      else if (kind === 'url') glob = urlOrigin(text);
      // Paths, and text that is a normalised absolute path (an addon, a module file: text is matched as given).
      else if (kind === 'path' || (kind === 'command' && text.includes('/')) || (kind === 'text' && text.startsWith('/') && argumentText(text, 'path') === text)) {
        glob = generaliser.path(text, subject, kind);
      } else glob = escapeGlob(text);
    }
    if (glob !== null) pairs.push([arg.name, glob]);
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

interface LearnedRule {
  readonly event: string;
  readonly package: string | null;
  readonly match: readonly [string, readonly string[]][];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Per subject and event: the rules that allow exactly the argument combinations seen (each as JSON, once). */
function rulesFor(subject: string | null, event: string, needs: ReadonlySet<string>, rules: LearnedRule[]): void {
  // One record that needs the event whatever its arguments makes every narrower rule redundant.
  if (needs.has('[]')) {
    rules.push({ event, package: subject, match: [] });
    return;
  }
  const byNames = new Map<string, Pairs[]>();
  for (const json of [...needs].sort(compare)) {
    const pairs = JSON.parse(json) as Pairs;
    const names = pairs.map(([name]) => name).join(',');
    const tuples = byNames.get(names) ?? [];
    tuples.push(pairs);
    byNames.set(names, tuples);
  }
  for (const names of [...byNames.keys()].sort(compare)) {
    const tuples = byNames.get(names) as Pairs[];
    if (!names.includes(',')) {
      // One argument: one rule listing every pattern.
      rules.push({ event, package: subject, match: [[names, tuples.map((pairs) => (pairs[0] as [string, string])[1])]] });
    } else {
      // Several (a rename's source and destination): each combination seen, not their product.
      for (const pairs of tuples) rules.push({ event, package: subject, match: pairs.map(([name, glob]) => [name, [glob]]) });
    }
  }
}

const quote = (text: string): string => JSON.stringify(text);

function formatRule(rule: LearnedRule, last: boolean): string {
  const head = `{ "event": ${quote(rule.event)}, "package": ${rule.package === null ? 'null' : quote(rule.package)}, "action": "allow"`;
  const comma = last ? '' : ',';
  if (rule.match.length === 0) return `    ${head} }${comma}`;
  const entries = rule.match.map(([name, globs]) => {
    if (globs.length === 1) return `${quote(name)}: ${quote(globs[0] as string)}`;
    return `${quote(name)}: [\n${globs.map((glob) => `      ${quote(glob)}`).join(',\n')}\n    ]`;
  });
  return `    ${head}, "match": { ${entries.join(', ')} } }${comma}`;
}

export function learnPolicy(records: readonly LogRecord[], options: LearnOptions): LearnedPolicy {
  const generaliser = new Generaliser(options);
  const uncatalogued = new Set<string>();
  // subject ('' for the application) -> event -> the argument patterns records need, as JSON
  const needs = new Map<string, Map<string, Set<string>>>();
  let unknown = 0;
  for (const record of records) {
    // What Node's own permission layer refused: no policy rule decides it.
    if (record.event === 'node.permission') continue;
    const spec = CATALOGUE.get(record.event);
    if (spec === undefined) {
      uncatalogued.add(record.event);
      continue;
    }
    // A policy never refuses a report-only event: a rule for it would allow nothing more.
    if (spec.reportOnly === true) continue;
    // As decide sees it: every package on the chain, and the unknown subject ("*") when the chain is not known.
    const known = record.attribution === undefined || record.attribution === 'complete';
    const chain: (string | null)[] = record.packages.length > 0 ? record.packages.map((ref) => ref.name) : record.package !== null ? [record.package] : known ? [null] : [];
    if (!known) {
      chain.push('*');
      unknown++;
    }
    for (const subject of chain) {
      const byEvent = needs.get(subject ?? '') ?? new Map<string, Set<string>>();
      needs.set(subject ?? '', byEvent);
      const seen = byEvent.get(record.event) ?? new Set<string>();
      byEvent.set(record.event, seen);
      seen.add(JSON.stringify(learnedArguments(record, subject, generaliser)));
    }
  }
  const rules: LearnedRule[] = [];
  for (const subject of [...needs.keys()].sort(compare)) {
    const byEvent = needs.get(subject) as Map<string, Set<string>>;
    for (const event of [...byEvent.keys()].sort(compare)) rulesFor(subject === '' ? null : subject, event, byEvent.get(event) as Set<string>, rules);
  }
  const lines = [
    '{',
    `  "$schema": ${quote(SCHEMA_REFERENCE)},`,
    '  "default": "deny",',
    '  "mode": "enforce",',
    rules.length === 0 ? '  "rules": []' : '  "rules": [',
    ...rules.map((rule, i) => formatRule(rule, i === rules.length - 1)),
    ...(rules.length === 0 ? [] : ['  ]']),
    '}',
    '',
  ];
  const warnings = [...uncatalogued].sort(compare).map((event) =>
    `audithook policy learn: "${event}" is not in the catalogue, so no policy can allow it by name; it falls to the default (deny)`);
  if (unknown > 0) {
    warnings.push(`audithook policy learn: ${unknown} logged event${unknown === 1 ? ' has' : 's have'} no known package chain (attribution: truncated, unreadable or anonymous) and ${unknown === 1 ? 'is' : 'are'} allowed for "*", every package: review before use`);
  }
  // Learning from a run under a policy must not quietly approve what that policy stopped.
  const denied = records.filter((entry) => entry.decision === 'deny' && entry.event !== 'node.permission' && CATALOGUE.has(entry.event));
  if (denied.length > 0) {
    const shown = denied.slice(0, 3).map((entry) => `${entry.event} by ${entry.package ?? 'the application'}`).join(', ');
    warnings.push(`audithook policy learn: ${denied.length} logged event${denied.length === 1 ? ' was' : 's were'} denied by the policy of its run and ${denied.length === 1 ? 'is' : 'are'} allowed here (${shown}${denied.length > 3 ? ', ...' : ''}): review before use`);
  }
  return { text: lines.join('\n'), warnings };
}
