/**
 * `audithook policy learn`: the least-privilege policy that allows everything a set of logs
 * recorded. Default deny; for the application (`"package": null`: its own code only), then code of
 * unknown origin (`"*"`, from events whose package chain was not known), then each package
 * (alphabetically), one allow rule per event, matching the arguments that say where an operation
 * reaches (paths, addresses, hosts, URLs, environment keys, bindings, module files), generalised
 * as a reviewer would, so that the next run fits too, in another folder or home as well:
 * - a path inside a package's folder in a node_modules -> that folder `/**`, and three or more
 *   folders of one node_modules in a rule -> that node_modules `/**`;
 * - inside the project, npm's cache -> its top-level directory `/**` (`${PROJECT}/src/**`), a
 *   top-level file exactly; inside the temporary directory -> `${TMPDIR}/**` (names there are random);
 * - inside the home directory -> `~/...`, exactly; run-to-run parts of exact names (times,
 *   digests, UUIDs) -> `*`; the Node executable -> `${NODE}`, inside npm's folder -> `${NPM}/**`,
 *   npm's global .npmrc -> `${NPM_GLOBALCONFIG}`;
 * - what a subject made (a file opened for writing, a directory, a destination) it may also remove
 *   (os.remove, os.rmdir, shutil.rmtree; `dir/**` is dir too);
 * - a loopback address or an ephemeral port (>= 32768) -> any port; a URL -> its origin `/**`.
 * Everything else stays exact; report-only events (sys.excepthook) get no rule, as every policy
 * allows them. With `frameworks`, the learned policy names them, and an event in code they only
 * dispatched to is learned for that code, as decide sees it. The output is deterministic and sorted, laid out one rule per line (one pattern per
 * line in longer lists), so that a change of behaviour reads as a small diff.
 */
import { constants as fsConstants } from 'node:fs';
import { argKind, events as catalogue, type EventSpec } from '../catalogue/index.js';
import type { LogRecord } from '../contract/record.js';
import { argumentKind, unmatchableReason } from './arguments.js';
import { argumentText, chainSubjects } from './decide.js';
import { escapeGlob, globSource } from './glob.js';
import { FD_PREFIX } from './types.js';
import type { ArgumentKind } from './types.js';
import type { PolicyVariables } from './variables.js';

export interface LearnOptions {
  /** The values of the variables the learned patterns use: paths inside these directories are written with them. */
  readonly variables: PolicyVariables;
  /** The policy's `frameworks` (package names or globs, checked by the caller): written into it, and decided as decide does. */
  readonly frameworks?: readonly string[];
}

export interface LearnedPolicy {
  readonly text: string;
  readonly warnings: readonly string[];
}

/** A record's needs: argument name -> glob, sorted by name. */
type Pairs = [string, string][];

export const SCHEMA_REFERENCE = './node_modules/audithook/schema/policy.schema.json';

const EPHEMERAL_PORTS = 32768;
const CATALOGUE = new Map<string, EventSpec>(catalogue.map((event) => [event.name, event]));
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;
const NODE_MODULES = '/node_modules/';
/** Packages in one node_modules (or scope) from which on a rule allows the whole directory. */
const SIBLING_PACKAGES = 3;
/**
 * The parts of a file name that differ from run to run: ISO times (npm's `_logs/2026-01-02T03_04_05_678Z-debug-0.log`),
 * UUIDs, hex digests, Unix times in seconds or milliseconds. Each becomes `*`.
 */
const VOLATILE = /\d{4}-\d{2}-\d{2}T\d{2}[_:-]?\d{2}[_:-]?\d{2}(?:[_.,]\d+)?Z?|[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|(?<![\da-z])(?=[a-z]*\d)[\da-f]{16,}(?![\da-z])|(?<!\d)\d{10,13}(?!\d)/gi;

const within = (dir: string, path: string): boolean => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** How a directory's insides are learnt (variables.ts names them). */
interface Anchor {
  readonly dir: string;
  /** How the directory is written: `~` or `${NAME}`. */
  readonly written: string;
  /**
   * `top`: each top-level directory as a whole (`${PROJECT}/src/**`), a top-level file exactly;
   * `whole`: the directory as a whole (the temporary directory: its names are random);
   * `exact`: each path exactly, its volatile names as `*` (the home directory: its files are secrets).
   */
  readonly scope: 'top' | 'whole' | 'exact';
}

/** `/a/node_modules/@s/p/x` -> `/a/node_modules/@s/p`: the innermost package folder holding a path; null outside one. */
function packageFolder(path: string): string | null {
  const at = path.lastIndexOf(NODE_MODULES);
  if (at === -1) return null;
  const parts = path.slice(at + NODE_MODULES.length).split('/');
  const length = (parts[0] ?? '').startsWith('@') ? 2 : 1;
  if (parts.length < length || parts.slice(0, length).includes('')) return null;
  return `${path.slice(0, at)}${NODE_MODULES}${parts.slice(0, length).join('/')}`;
}

class Generaliser {
  /** Longest first: the innermost directory that holds a path decides how it is written (a project inside the home directory). */
  private readonly anchors: readonly Anchor[];

  constructor(variables: PolicyVariables) {
    const anchors: Anchor[] = [
      { dir: variables.PROJECT, written: '${PROJECT}', scope: 'top' },
      { dir: variables.NPM_CACHE, written: '${NPM_CACHE}', scope: 'top' },
      { dir: variables.TMPDIR, written: '${TMPDIR}', scope: 'whole' },
      { dir: variables.HOME, written: '~', scope: 'exact' },
      { dir: variables.NODE, written: '${NODE}', scope: 'exact' },
      { dir: variables.NPM, written: '${NPM}', scope: 'whole' },
      { dir: variables.NPM_GLOBALCONFIG, written: '${NPM_GLOBALCONFIG}', scope: 'exact' },
    ];
    this.anchors = anchors.filter((anchor) => anchor.dir !== '/').sort((a, b) => b.dir.length - a.dir.length);
  }

  /**
   * The glob for an absolute, normalised path: inside a package's folder in a node_modules, that
   * folder as a whole (a package reads and loads its own files, npm writes them); otherwise as its
   * anchor says; elsewhere exact, volatile names as `*`.
   */
  path(path: string): string {
    const folder = packageFolder(path);
    if (folder !== null && path !== folder) return `${this.written(folder)}/**`;
    const anchor = this.anchors.find((candidate) => within(candidate.dir, path) && path !== candidate.dir);
    if (anchor === undefined) return this.written(path, true);
    const inside = path.slice(anchor.dir.length + 1);
    if (anchor.scope === 'whole') return `${anchor.written}/**`;
    if (anchor.scope === 'top' && inside.includes('/') && folder === null) return `${this.written(`${anchor.dir}/${inside.slice(0, inside.indexOf('/'))}`)}/**`;
    return this.written(path, anchor.scope === 'exact');
  }

  /** `path` as a glob, inside an anchor with its variable; `volatile`: run-to-run parts of names as `*`. */
  private written(path: string, volatile = false): string {
    const anchor = this.anchors.find((candidate) => within(candidate.dir, path));
    const rest = anchor === undefined ? path : path.slice(anchor.dir.length);
    const glob = volatile ? rest.split(VOLATILE).map(escapeGlob).join('*') : escapeGlob(rest);
    return anchor === undefined ? glob : `${anchor.written}${glob}`;
  }

  address(value: unknown, kind: ArgumentKind): string | null {
    if (typeof value === 'string') return this.path(argumentText(value, 'path') as string);
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
function learnedArguments(record: LogRecord, generaliser: Generaliser): Pairs {
  const spec = CATALOGUE.get(record.event);
  const pairs: Pairs = [];
  for (const [index, arg] of (spec?.args ?? []).entries()) {
    const kind = argumentKind(arg);
    if (unmatchableReason(arg) !== null || argKind(arg) === 'cwd' || (kind === 'text' && arg.learnt !== true)) continue;
    const value = record.args[index];
    let glob: string | null;
    if (kind === 'address') {
      glob = generaliser.address(value, kind);
    } else {
      const text = argumentText(value, kind);
      if (text === null) glob = null;
      else if (kind === 'url') glob = urlOrigin(text);
      else if (kind === 'path' && typeof value === 'number') glob = `${FD_PREFIX}*`;
      // Paths, and text that is a normalised absolute path (an addon, a module file: text is matched as given).
      else if (kind === 'path' || (kind === 'command' && text.includes('/')) || (kind === 'text' && text.startsWith('/') && argumentText(text, 'path') === text)) {
        glob = generaliser.path(text);
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
      rules.push({ event, package: subject, match: [[names, condensed(tuples.map((pairs) => (pairs[0] as [string, string])[1]))]] });
    } else {
      // Several (a rename's source and destination): each combination seen, not their product.
      for (const pairs of tuples) rules.push({ event, package: subject, match: pairs.map(([name, glob]) => [name, [glob]]) });
    }
  }
}

/** The events that remove files and directories: allowed where a subject made them (createdPath). */
const REMOVALS = ['os.remove', 'os.rmdir', 'shutil.rmtree'] as const;
/** The events that make a path (its argument): a file opened for writing, a directory, a rename's, copy's or link's destination. */
const CREATING: Readonly<Record<string, string>> = {
  'open': 'path', 'os.mkdir': 'path', 'os.rename': 'dst', 'shutil.copyfile': 'dst', 'os.link': 'dst', 'os.symlink': 'dst',
};
const WRITE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_RDWR;

/**
 * The glob of the path a record made, or null. Who may make or overwrite a path may also remove it
 * (the content is theirs to destroy already): the next `npm ci` removes the node_modules the last
 * one installed, which the learning run, starting without one, never did.
 */
function createdPath(record: LogRecord, learned: Pairs): string | null {
  // Own keys only: an event name from a log could be `constructor`.
  const name = Object.hasOwn(CREATING, record.event) ? CREATING[record.event] : undefined;
  if (name === undefined) return null;
  if (record.event === 'open') {
    const [, mode, flags] = record.args;
    const writes = typeof mode === 'string' ? /[wax+]/.test(mode) : typeof flags === 'number' && (flags & WRITE_FLAGS) !== 0;
    if (!writes) return null;
  }
  const glob = learned.find(([argument]) => argument === name)?.[1];
  return glob === undefined || glob.startsWith(FD_PREFIX) ? null : glob;
}

/** `dir` of a `dir/**` glob whose `dir` is literal; null for any other glob. */
function subtreeBase(glob: string): string | null {
  if (!glob.endsWith('/**')) return null;
  const base = glob.slice(0, -3);
  return /[*?]/.test(base) ? null : base;
}

/** `.../node_modules/<name>` or `.../node_modules/@scope/<name>`: the node_modules is its first group. */
const PACKAGE_FOLDER = /^(.*\/node_modules)\/(?:@[^/]+\/)?[^/]+$/;

/**
 * One rule's patterns as a reviewer would list them: SIBLING_PACKAGES or more package folders of one
 * node_modules as that node_modules (`${PROJECT}/node_modules/**`: npm reads and writes every
 * package, a package loads its dependencies), then without the patterns another covers, sorted.
 */
function condensed(globs: readonly string[]): string[] {
  const current = [...new Set(globs)];
  const packages = new Map<string, number>();
  for (const glob of current) {
    const nodeModules = PACKAGE_FOLDER.exec(subtreeBase(glob) ?? '')?.[1];
    if (nodeModules !== undefined) packages.set(nodeModules, (packages.get(nodeModules) ?? 0) + 1);
  }
  for (const [nodeModules, count] of packages) if (count >= SIBLING_PACKAGES) current.push(`${nodeModules}/**`);
  const bases = current.map(subtreeBase).filter((base): base is string => base !== null);
  const covered = (glob: string): boolean => bases.some((base) => glob !== `${base}/**` && (glob === base || glob.startsWith(`${base}/`)));
  return [...new Set(current.filter((glob) => !covered(glob)))].sort(compare);
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
  const generaliser = new Generaliser(options.variables);
  const uncatalogued = new Set<string>();
  // subject ('' for the application) -> event -> the argument patterns records need, as JSON
  const needs = new Map<string, Map<string, Set<string>>>();
  let unknown = 0;
  const frameworks = options.frameworks ?? [];
  const frameworkPattern = frameworks.length === 0 ? null : new RegExp(globSource(frameworks, { segments: true }));
  const isFramework = (name: string): boolean => frameworkPattern?.test(name) === true;
  // Frameworks that dispatched to other code on some event's way: one that never did is worth a warning.
  const dispatching = new Set<string>();
  const need = (subject: string, event: string, pairs: Pairs): void => {
    const byEvent = needs.get(subject) ?? new Map<string, Set<string>>();
    needs.set(subject, byEvent);
    const seen = byEvent.get(event) ?? new Set<string>();
    byEvent.set(event, seen);
    seen.add(JSON.stringify(pairs));
  };
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
    const names = record.packages.length > 0 ? record.packages.map((ref) => ref.name) : record.package !== null ? [record.package] : [];
    const dispatchers = new Set(record.dispatchers ?? []);
    // decide's list has no prototype (src/core/primordials.ts): a plain array of it.
    const subjects = Array.from(chainSubjects(names, names.map((name) => dispatchers.has(name)), isFramework));
    for (const name of dispatchers) if (isFramework(name)) dispatching.add(name);
    const chain: (string | null)[] = subjects.length > 0 ? subjects : known ? [null] : [];
    if (!known) {
      chain.push('*');
      unknown++;
    }
    const learned = learnedArguments(record, generaliser);
    const made = createdPath(record, learned);
    for (const subject of chain) {
      need(subject ?? '', record.event, learned);
      if (made !== null) for (const event of REMOVALS) need(subject ?? '', event, [['path', made]]);
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
    ...(frameworks.length === 0 ? [] : [`  "frameworks": [${[...frameworks].sort(compare).map(quote).join(', ')}],`]),
    rules.length === 0 ? '  "rules": []' : '  "rules": [',
    ...rules.map((rule, i) => formatRule(rule, i === rules.length - 1)),
    ...(rules.length === 0 ? [] : ['  ]']),
    '}',
    '',
  ];
  const warnings = [...uncatalogued].sort(compare).map((event) =>
    `audithook policy learn: "${event}" is not in the catalogue, so no policy can allow it by name; it falls to the default (deny)`);
  if (unknown > 0) {
    warnings.push(`audithook policy learn: ${unknown} logged event${unknown === 1 ? ' has' : 's have'} no known package chain (attribution: truncated, unreadable, anonymous or no-caller) and ${unknown === 1 ? 'is' : 'are'} allowed for "*", every package: review before use`);
  }
  for (const framework of frameworks) {
    const pattern = new RegExp(globSource([framework], { segments: true }));
    if (![...dispatching].some((name) => pattern.test(name))) {
      warnings.push(`audithook policy learn: framework "${framework}": no logged event ran code of the program inside a call of a package it names, so it changes nothing learned here`);
    }
  }
  // Learning from a run under a policy must not quietly approve what that policy stopped.
  const denied = records.filter((entry) => entry.decision === 'deny' && entry.event !== 'node.permission' && CATALOGUE.has(entry.event));
  if (denied.length > 0) {
    const shown = denied.slice(0, 3).map((entry) => `${entry.event} by ${entry.package ?? 'the application'}`).join(', ');
    warnings.push(`audithook policy learn: ${denied.length} logged event${denied.length === 1 ? ' was' : 's were'} denied by the policy of its run and ${denied.length === 1 ? 'is' : 'are'} allowed here (${shown}${denied.length > 3 ? ', ...' : ''}): review before use`);
  }
  return { text: lines.join('\n'), warnings };
}
