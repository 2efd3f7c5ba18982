/**
 * `decide`: the verdict of a compiled policy for one event. It runs in every audited process on
 * every event, so it imports nothing but captured built-ins (user code that later replaces
 * `RegExp.prototype.exec`, `String.prototype.toLowerCase` or `URL` cannot change a verdict), and it
 * prepares, once per event and subject (the application or a package), the rules that can apply
 * and their verdicts: a decision then costs the argument checks of those rules and allocates
 * nothing but the argument's text when it must be built (a resolved path, an address).
 */
import {
  ArrayIsArray, ObjectCreate, ObjectFreeze, ObjectHasOwn, ProcessCwd, RegExpCtor, RegExpPrototypeExec, StringCtor,
  StringPrototypeCharCodeAt, StringPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeStartsWith,
  StringPrototypeToLowerCase, URLCtor, URLPrototypeGetHref, URLPrototypeGetOrigin, URLPrototypeGetPathname, URLPrototypeGetSearch,
  WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, nullPrototype, newList,
} from '../core/primordials.js';
import { FD_PREFIX, REPORT_ONLY_RULE, UNKNOWN_SUBJECT } from './types.js';
import type { Action, ArgumentKind, CompiledMatch, CompiledPolicy, CompiledRule, Verdict } from './types.js';

interface PreparedCheck {
  readonly index: number;
  readonly kind: ArgumentKind;
  readonly exact: readonly string[];
  readonly prefixes: readonly string[];
  readonly pattern: RegExp | null;
}

interface PreparedRule {
  readonly rule: string;
  readonly action: Action;
  readonly subjects: CompiledRule['subjects'];
  readonly package: RegExp | null;
  readonly checks: readonly PreparedCheck[];
}

/** The rules of one event that apply to one subject, with their verdicts made once (frozen, shared). */
interface SubjectRules {
  readonly checks: readonly (readonly PreparedCheck[])[];
  readonly verdicts: readonly Verdict[];
  readonly fallback: Verdict;
}

interface EventRules {
  /** A report-only event: always allowed, no rule applies (REPORT_ONLY). */
  readonly reportOnly: boolean;
  readonly rules: readonly PreparedRule[];
  app: SubjectRules | undefined;
  unknown: SubjectRules | undefined;
  /** Package name -> its rules: package globs are matched once per event and package, not per event raised. */
  readonly packages: Record<string, SubjectRules>;
}

interface Prepared {
  /** Each rule's RegExps, compiled once per policy. */
  readonly eventPatterns: readonly RegExp[];
  readonly packagePatterns: readonly (RegExp | null)[];
  readonly events: Record<string, EventRules>;
  readonly frameworks: RegExp | null;
  /** Package name -> whether `frameworks` names it, matched once per name. */
  readonly isFramework: Record<string, boolean>;
}

const SLASH = 47;
const prepared = new WeakMapCtor<CompiledPolicy, Prepared>();

const matches = (pattern: RegExp, text: string): boolean => RegExpPrototypeExec(pattern, text) !== null;

function prepare(policy: CompiledPolicy): Prepared {
  const eventPatterns = newList<RegExp>();
  const packagePatterns = newList<RegExp | null>();
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i] as CompiledRule;
    eventPatterns[i] = new RegExpCtor(rule.event);
    packagePatterns[i] = rule.package === null ? null : new RegExpCtor(rule.package);
  }
  const result: Prepared = {
    eventPatterns, packagePatterns, events: ObjectCreate(null) as Record<string, EventRules>,
    frameworks: typeof policy.frameworks === 'string' ? new RegExpCtor(policy.frameworks) : null, isFramework: ObjectCreate(null) as Record<string, boolean>,
  };
  WeakMapPrototypeSet(prepared, policy, result);
  return result;
}

function eventRules(policy: CompiledPolicy, event: string): EventRules {
  const state = WeakMapPrototypeGet(prepared, policy) ?? prepare(policy);
  const known = state.events[event];
  if (known !== undefined) return known;
  const applicable = newList<PreparedRule>();
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i] as CompiledRule;
    const checks = newList<PreparedCheck>();
    if (rule.match === null) {
      if (!matches(state.eventPatterns[i] as RegExp, event)) continue;
    } else {
      if (!ObjectHasOwn(rule.match, event)) continue;
      const matchList = rule.match[event] as readonly CompiledMatch[];
      for (let j = 0; j < matchList.length; j++) {
        const check = matchList[j] as CompiledMatch;
        checks[j] = { index: check.index, kind: check.kind, exact: check.exact, prefixes: check.prefixes, pattern: check.pattern === null ? null : new RegExpCtor(check.pattern) };
      }
    }
    applicable[applicable.length] = { rule: rule.rule, action: rule.action, subjects: rule.subjects, package: state.packagePatterns[i] ?? null, checks };
  }
  let reportOnly = false;
  for (let i = 0; i < policy.reportOnly.length; i++) if (policy.reportOnly[i] === event) reportOnly = true;
  const result: EventRules = { reportOnly, rules: applicable, app: undefined, unknown: undefined, packages: ObjectCreate(null) as Record<string, SubjectRules> };
  state.events[event] = result;
  return result;
}

/**
 * Events that hand the whole process to whoever connects (the inspector can run any code, read
 * and change all memory, audithook's own state included): a package that no rule fits is denied
 * them whatever `default` says. A rule that fits the package decides, as for any event.
 */
const INSPECTOR_EVENTS: Readonly<Record<string, boolean>> = ObjectFreeze(nullPrototype({ 'inspector.open': true, 'inspector.Session.connect': true }));
const INSPECTOR_DEFAULT_RULE = 'default (inspector)';

function fallbackFor(policy: CompiledPolicy, event: string, subject: string | null): Verdict {
  if (subject !== null && ObjectHasOwn(INSPECTOR_EVENTS, event)) return ObjectFreeze({ decision: 'deny', rule: INSPECTOR_DEFAULT_RULE, package: subject });
  return ObjectFreeze({ decision: policy.default, rule: 'default', package: subject });
}

/**
 * An event that only reports what already happened (an uncaught exception): refusing it would
 * prevent nothing and turn a crash into a denial with another exit status, so it is allowed.
 */
const REPORT_ONLY: Verdict = ObjectFreeze({ decision: 'allow', rule: REPORT_ONLY_RULE, package: null });

/** Whether a rule is for a subject: the application (null), code of unknown origin (UNKNOWN_SUBJECT) or a package. */
function appliesTo(rule: PreparedRule, subject: string | null): boolean {
  switch (rule.subjects) {
    case 'everyone': return true;
    case 'application': return subject === null;
    case 'any-package': return subject !== null;
    default: return subject !== null && subject !== UNKNOWN_SUBJECT && matches(rule.package as RegExp, subject);
  }
}

function subjectRules(policy: CompiledPolicy, event: string, rules: readonly PreparedRule[], subject: string | null): SubjectRules {
  const checks = newList<readonly PreparedCheck[]>();
  const verdicts = newList<Verdict>();
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as PreparedRule;
    if (!appliesTo(rule, subject)) continue;
    checks[checks.length] = rule.checks;
    verdicts[verdicts.length] = ObjectFreeze({ decision: rule.action, rule: rule.rule, package: subject });
  }
  return { checks, verdicts, fallback: fallbackFor(policy, event, subject) };
}

/** `/a/./b/../c//d/` -> `/a/c/d`: lexical, as the kernel sees the path before symlinks. */
function normalisePath(path: string): string {
  if (!StringPrototypeIncludes(path, '/.') && !StringPrototypeIncludes(path, '//') && StringPrototypeCharCodeAt(path, path.length - 1) !== SLASH) {
    return path;
  }
  const kept = newList<string>();
  let start = 1;
  while (start <= path.length) {
    let end = StringPrototypeIndexOf(path, '/', start);
    if (end === -1) end = path.length;
    const segment = StringPrototypeSlice(path, start, end);
    if (segment === '..') {
      if (kept.length > 0) kept.length--;
    } else if (segment !== '' && segment !== '.') {
      kept[kept.length] = segment;
    }
    start = end + 1;
  }
  let result = '';
  for (let i = 0; i < kept.length; i++) result += `/${kept[i] as string}`;
  return result === '' ? '/' : result;
}

function absolutePath(path: string): string {
  if (StringPrototypeCharCodeAt(path, 0) === SLASH) return normalisePath(path);
  return normalisePath(`${ProcessCwd()}/${path}`);
}

/** What a fetch reaches: `HTTPS://user@Evil.com:443/a/../b#x` is `https://evil.com/b`. */
function urlText(url: string): string {
  let parsed: URL;
  try {
    parsed = new URLCtor(url);
  } catch {
    return url;
  }
  const origin = URLPrototypeGetOrigin(parsed);
  return origin === 'null' ? URLPrototypeGetHref(parsed) : `${origin}${URLPrototypeGetPathname(parsed)}${URLPrototypeGetSearch(parsed)}`;
}

function scalarText(value: unknown): string | null {
  const type = typeof value;
  if (type === 'string') return value as string;
  if (type === 'number' || type === 'boolean' || type === 'bigint') return StringCtor(value);
  return null;
}

/**
 * The string an argument's patterns are matched against, or null when its value matches no
 * pattern (null, absent, an object). Exported for `policy learn`, which must see what decide sees.
 */
export function argumentText(value: unknown, kind: ArgumentKind): string | null {
  if (typeof value === 'string') {
    switch (kind) {
      case 'path': case 'address': return absolutePath(value);
      case 'command': return StringPrototypeIncludes(value, '/') ? absolutePath(value) : value;
      case 'host': return StringPrototypeToLowerCase(value);
      case 'url': return urlText(value);
      default: return value;
    }
  }
  // A file descriptor (os.utime, os.chmod, os.chown on an open file): no path, and another number each run.
  if (kind === 'path' && typeof value === 'number') return `${FD_PREFIX}${StringCtor(value)}`;
  if (!ArrayIsArray(value)) return scalarText(value);
  const list = value as readonly unknown[];
  if (kind === 'address') {
    if (list.length !== 2) return null;
    const host = list[0];
    const port = scalarText(list[1]);
    if (typeof host !== 'string' || port === null) return null;
    const lower = StringPrototypeToLowerCase(host);
    return StringPrototypeIncludes(lower, ':') ? `[${lower}]:${port}` : `${lower}:${port}`;
  }
  let text = '';
  for (let i = 0; i < list.length; i++) {
    const item = scalarText(list[i]);
    if (item === null) return null;
    text = i === 0 ? item : `${text} ${item}`;
  }
  return text;
}

function passes(check: PreparedCheck, text: string): boolean {
  const exact = check.exact;
  for (let i = 0; i < exact.length; i++) if (exact[i] === text) return true;
  const prefixes = check.prefixes;
  for (let i = 0; i < prefixes.length; i++) if (StringPrototypeStartsWith(text, prefixes[i] as string)) return true;
  return check.pattern !== null && matches(check.pattern, text);
}

function fits(checks: readonly PreparedCheck[], args: readonly unknown[]): boolean {
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as PreparedCheck;
    const text = argumentText(args[check.index], check.kind);
    if (text === null || !passes(check, text)) return false;
  }
  return true;
}

function verdictFor(subject: SubjectRules, args: readonly unknown[]): Verdict {
  const checks = subject.checks;
  for (let i = 0; i < checks.length; i++) if (fits(checks[i] as readonly PreparedCheck[], args)) return subject.verdicts[i] as Verdict;
  return subject.fallback;
}

function packageVerdict(policy: CompiledPolicy, event: string, rules: EventRules, name: string, args: readonly unknown[]): Verdict {
  const subject = rules.packages[name] ?? (rules.packages[name] = subjectRules(policy, event, rules.rules, name));
  return verdictFor(subject, args);
}

/**
 * The subjects among an event's packages (innermost first): each of them, but a framework that
 * only dispatched on the event's way (other code of the program ran inside its innermost frame:
 * the application's route handler its router called) is none. Its own work, with nothing of the
 * program inside it, is decided for it as for any package. `policy learn` decides the same way.
 */
export function chainSubjects(packages: readonly string[], dispatched: readonly boolean[], isFramework: (name: string) => boolean): string[] {
  const subjects = newList<string>();
  for (let i = 0; i < packages.length; i++) {
    const name = packages[i] as string;
    if (dispatched[i] !== true || !isFramework(name)) subjects[subjects.length] = name;
  }
  return subjects;
}

/** `chainSubjects` under a policy's `frameworks`. */
export function eventSubjects(policy: CompiledPolicy, packages: readonly string[], dispatched: readonly boolean[]): readonly string[] {
  if (typeof policy.frameworks !== 'string') return packages;
  const state = WeakMapPrototypeGet(prepared, policy) ?? prepare(policy);
  return chainSubjects(packages, dispatched, (name) => state.isFramework[name] ?? (state.isFramework[name] = matches(state.frameworks as RegExp, name)));
}

/**
 * The verdict for one event. `packages` are its subjects (`eventSubjects`): the npm packages on
 * the call stack, innermost first (empty for the application's own code). Stack inspection: the rules are evaluated for each of
 * them, and the event is denied if any is denied (the innermost denied one is reported), so a
 * package cannot borrow a trusted package's permissions by calling through it. When all are
 * allowed, the verdict is the innermost package's. `unknown`: the chain is not known (a stack
 * too deep, unreadable, code without a file, no code of the program on the stack): the unknown subject, which only rules for everyone
 * and for `"*"` fit, is decided too, and stands for the application when no package is known.
 */
export function decide(policy: CompiledPolicy, event: string, args: readonly unknown[], packages: readonly string[], unknown = false): Verdict {
  const rules = eventRules(policy, event);
  if (rules.reportOnly) return REPORT_ONLY;
  const outermost = unknown ? verdictFor(rules.unknown ?? (rules.unknown = subjectRules(policy, event, rules.rules, UNKNOWN_SUBJECT)), args) : undefined;
  if (packages.length === 0) return outermost ?? verdictFor(rules.app ?? (rules.app = subjectRules(policy, event, rules.rules, null)), args);
  const innermost = packageVerdict(policy, event, rules, packages[0] as string, args);
  if (innermost.decision === 'deny') return innermost;
  for (let i = 1; i < packages.length; i++) {
    const verdict = packageVerdict(policy, event, rules, packages[i] as string, args);
    if (verdict.decision === 'deny') return verdict;
  }
  return outermost?.decision === 'deny' ? outermost : innermost;
}
