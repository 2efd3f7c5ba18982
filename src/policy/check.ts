/**
 * `checkPolicy`: what `audithook policy check` finds in a policy beyond what loadPolicy refuses
 * (CLI side). Each finding is located (`file:line:column` and the JSON path) and is
 * - an error when the policy cannot mean what it says: a rule that never decides anything and
 *   would decide otherwise (shadowed by an earlier rule with the other action, a deny of a
 *   report-only event), a pattern that can never match the text its argument is matched as;
 * - a warning when it is only redundant or may be stale: a duplicate rule, a rule shadowed by an
 *   earlier one with the same action, an allow of a report-only event, a package that is not in
 *   the installed node_modules tree.
 * Shadowing is judged rule against rule, conservatively: a finding is always true, but a rule
 * shadowed only by several earlier rules together is not found.
 */
import { events as catalogue } from '../catalogue/index.js';
import type { ArgTypeName, EventSpec } from '../catalogue/index.js';
import { argumentKind } from './arguments.js';
import { expandBraces, globSource, isGlob } from './glob.js';
import { formatPath, loadPolicyFile, PolicyError, suggestion } from './load.js';
import type { JsonPath, LoadedPolicy, PolicySource } from './load.js';
import type { ArgumentKind, CompiledMatch, CompiledRule } from './types.js';
import type { PolicyVariables } from './variables.js';

export interface Finding {
  readonly severity: 'error' | 'warning';
  /** `file:line:column` */
  readonly location: string;
  /** `rules[3].match.path[0]: ...`: the JSON path and the problem. */
  readonly message: string;
}

export interface CheckOptions {
  /** The package names installed in the project's node_modules tree; null: not known (no tree), not checked. */
  readonly installed: ReadonlySet<string> | null;
  /** The values of the patterns' variables (`${PROJECT}`: the project checked). */
  readonly variables?: PolicyVariables;
}

type SourceRule = PolicySource['rules'][number];

const catalogueByName = new Map<string, EventSpec>(catalogue.map((event) => [event.name, event]));
const eventNames = catalogue.map((event) => event.name);
/** The RegExp source a glob of only `*` and `**` compiles to (event globs: `*` crosses `/`). */
const WILDCARD = /[*?]/;
const EVERYTHING = /^\^\(\?:(?:\[\\s\\S\]\*)+\)\$$/;

/** The catalogued events a compiled rule can apply to, and whether it also applies to events outside the catalogue. */
function reach(rule: CompiledRule, source: SourceRule): { events: string[]; uncatalogued: boolean } {
  if (rule.match !== null) return { events: Object.keys(rule.match), uncatalogued: false };
  const pattern = new RegExp(rule.event);
  // Braces alone name their alternatives, which loadPolicy found in the catalogue.
  return { events: eventNames.filter((name) => pattern.test(name)), uncatalogued: WILDCARD.test(source.event) };
}

function fitsText(check: CompiledMatch, text: string): boolean {
  return check.exact.includes(text) || check.prefixes.some((prefix) => text.startsWith(prefix)) || (check.pattern !== null && new RegExp(check.pattern).test(text));
}

/** Whether every text `inner` matches is matched by `outer` (false when that cannot be shown). */
function checkCovers(outer: CompiledMatch, inner: CompiledMatch): boolean {
  if (outer.pattern !== null && EVERYTHING.test(outer.pattern)) return true;
  if (inner.pattern !== null && inner.pattern !== outer.pattern) return false;
  return inner.exact.every((text) => fitsText(outer, text)) && inner.prefixes.every((prefix) => outer.prefixes.some((known) => prefix.startsWith(known)));
}

/** Whether `earlier` fits whenever `later` fits a subject. */
function subjectsCover(earlier: CompiledRule, later: CompiledRule, laterSource: SourceRule): boolean {
  switch (earlier.subjects) {
    case 'everyone': return true;
    case 'application': return later.subjects === 'application';
    case 'any-package': return later.subjects === 'any-package' || later.subjects === 'packages';
    default: {
      if (later.subjects !== 'packages') return false;
      const name = laterSource.package as string;
      return earlier.package === later.package || (!isGlob(name) && new RegExp(earlier.package as string).test(name));
    }
  }
}

/** Whether the earlier rule fits every event, subject and argument the later rule fits: the later one never decides. */
function shadows(earlier: CompiledRule, later: CompiledRule, laterSource: SourceRule): boolean {
  if (!subjectsCover(earlier, later, laterSource)) return false;
  const laterReach = reach(later, laterSource);
  if (laterReach.uncatalogued && !(earlier.match === null && (earlier.event === later.event || EVERYTHING.test(earlier.event)))) return false;
  const earlierEvent = new RegExp(earlier.event);
  return laterReach.events.every((event) => {
    if (earlier.match === null) return earlierEvent.test(event);
    const checks = earlier.match[event];
    if (checks === undefined) return false;
    const laterChecks = later.match?.[event] ?? [];
    return checks.every((check) => laterChecks.some((inner) => inner.index === check.index && checkCovers(check, inner)));
  });
}

/** A rule as data, for comparing: one pattern and a list of one are the same, keys in any order. */
function canonical(rule: SourceRule): string {
  const match = rule.match === undefined ? null
    : Object.keys(rule.match).sort().map((key) => [key, [...new Set([(rule.match as Record<string, string | readonly string[]>)[key]].flat())].sort()]);
  return JSON.stringify([rule.event, rule.package === undefined ? '<everyone>' : rule.package, match]);
}

const URL_DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443', 'ftp:': '21' };

/** Why a pattern alternative can never match the text its argument is matched as (docs/policy.md, Arguments), or null. */
function neverMatches(alternative: string, kind: ArgumentKind, type: ArgTypeName): string | null {
  if (type === 'number' && !/^[-\d.*?]+$/.test(alternative)) return `the argument is a number, matched in decimal: "${alternative}" never matches`;
  if (type === 'boolean' && !/^(?:true|false|[*?]+)$/.test(alternative)) return `the argument is a boolean, matched as true or false: "${alternative}" never matches`;
  switch (kind) {
    case 'address': {
      if (alternative.startsWith('/') || alternative.startsWith('.')) return null;
      if (alternative.startsWith('[') && !alternative.includes(']')) return `'[' is never closed: an IPv6 host is written [::1] or [::1]:PORT`;
      const port = alternative.startsWith('[') ? /\]:(.*)$/.exec(alternative)?.[1] : alternative.split(':').length === 2 ? alternative.split(':')[1] : undefined;
      if (port !== undefined && !/^[\d*?]+$/.test(port)) return `the port "${port}" is not a number: an address is matched as host:port, the port in decimal`;
      return null;
    }
    case 'host':
      if (alternative.includes('/')) return 'a host has no "/": match URLs with a url argument';
      if (alternative.split(':').length === 2) return 'a host has no port (an IPv6 host has at least two colons): match the port argument';
      return null;
    case 'url': {
      if (WILDCARD.test(alternative[0] ?? '')) return null;
      const origin = /^([a-z][a-z\d+.-]*:)\/\/([^/]*)/i.exec(alternative);
      if (origin === null) return /^[a-z][a-z\d+.-]*:/i.test(alternative) ? null : 'no scheme: a URL is matched as scheme://host/path, e.g. "https://example.com/**"';
      const [, scheme, authority] = origin as unknown as [string, string, string];
      if (authority.includes('@')) return 'a user name or password is never part of the URL matched';
      if (URL_DEFAULT_PORTS[scheme.toLowerCase()] !== undefined && authority.endsWith(`:${URL_DEFAULT_PORTS[scheme.toLowerCase()]}`)) return `the default port of ${scheme.slice(0, -1)} is never part of the URL matched`;
      if (alternative.includes('#')) return 'a #fragment is never part of the URL matched';
      return null;
    }
    default:
      return null;
  }
}

class Findings {
  readonly list: Finding[] = [];

  constructor(private readonly loaded: LoadedPolicy) {}

  add(severity: Finding['severity'], path: JsonPath, problem: string, where: 'value' | 'key' = 'value'): void {
    this.list.push({ severity, location: this.loaded.locate(path, where), message: `${formatPath(path)}: ${problem}` });
  }
}

function checkPatterns(findings: Findings, rule: SourceRule, reached: readonly string[], index: number): void {
  for (const [name, value] of Object.entries(rule.match ?? {})) {
    const patterns = typeof value === 'string' ? [value] : value;
    patterns.forEach((pattern, k) => {
      const path = typeof value === 'string' ? ['rules', index, 'match', name] : ['rules', index, 'match', name, k];
      const reasons = new Set<string>();
      for (const event of reached) {
        const spec = catalogueByName.get(event)?.args.find((arg) => arg.name === name);
        if (spec === undefined) continue;
        for (const alternative of expandBraces(pattern)) {
          const reason = neverMatches(alternative, argumentKind(spec), spec.type);
          if (reason !== null) reasons.add(reason);
        }
      }
      for (const reason of reasons) findings.add('error', path, `"${pattern}" can never match: ${reason}`);
    });
  }
}

/** A package name or glob (a rule's `package`, one of `frameworks`) that fits no installed package: a typo, or a package since removed. */
function checkPackage(findings: Findings, path: JsonPath, name: string, installed: ReadonlySet<string>): void {
  const pattern = new RegExp(globSource([name], { segments: true }));
  for (const pkg of installed) if (pattern.test(pkg)) return;
  const problem = isGlob(name) ? `"${name}" matches no installed package` : `no package "${name}" is installed${suggestion(name, [...installed])}`;
  findings.add('warning', path, problem);
}

/**
 * Loads the policy as `audithook run` would (its first problem is the one error then) and lints it.
 * Throws PolicyError only when the file cannot be read.
 */
export function checkPolicy(file: string, options: CheckOptions): Finding[] {
  let loaded: LoadedPolicy;
  try {
    loaded = loadPolicyFile(file, options.variables);
  } catch (error) {
    if (!(error instanceof PolicyError) || error.cause !== undefined) throw error;
    return [{ severity: 'error', location: error.location, message: error.detail }];
  }
  const findings = new Findings(loaded);
  const { policy, source } = loaded;
  const seen = new Map<string, number>();
  policy.rules.forEach((rule, j) => {
    const ruleSource = source.rules[j] as SourceRule;
    const path = ['rules', j];
    const { events: reached, uncatalogued } = reach(rule, ruleSource);
    const key = canonical(ruleSource);
    const duplicate = seen.get(key);
    if (duplicate === undefined) seen.set(key, j);
    const earlier = duplicate ?? policy.rules.findIndex((other, i) => i < j && shadows(other, rule, ruleSource));
    if (earlier !== -1) {
      const other = policy.rules[earlier] as CompiledRule;
      const what = duplicate !== undefined ? `the same rule as rules[${earlier}]` : `rules[${earlier}] fits every event this rule fits, and decides first`;
      if (other.action === rule.action) findings.add('warning', path, `never decides: ${what} (${other.action} too): remove one`);
      else findings.add('error', path, `never decides: ${what}, with "${other.action}": this "${rule.action}" never applies; move it above rules[${earlier}]`);
    } else if (!uncatalogued && reached.every((event) => policy.reportOnly.includes(event))) {
      const names = reached.join(', ');
      if (rule.action === 'deny') findings.add('error', [...path, 'event'], `${names} ${reached.length === 1 ? 'is' : 'are'} report-only: a policy logs ${reached.length === 1 ? 'it' : 'them'} and never refuses ${reached.length === 1 ? 'it' : 'them'}, so this deny changes nothing`);
      else findings.add('warning', [...path, 'event'], `${names} ${reached.length === 1 ? 'is' : 'are'} report-only and always allowed: this rule changes nothing`);
    }
    checkPatterns(findings, ruleSource, reached, j);
    if (options.installed !== null && rule.subjects === 'packages') checkPackage(findings, [...path, 'package'], ruleSource.package as string, options.installed);
  });
  const { installed } = options;
  if (installed !== null) (source.frameworks ?? []).forEach((name, i) => checkPackage(findings, ['frameworks', i], name, installed));
  return findings.list;
}
