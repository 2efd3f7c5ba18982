/**
 * `decide`: the verdict of a compiled policy for one event. It runs in every audited process on
 * every event, so it imports nothing but captured built-ins (user code that later replaces
 * `RegExp.prototype.exec` or `String.prototype.toLowerCase` cannot change a verdict), and it
 * prepares each event's applicable rules once, on the event's first occurrence.
 */
import {
  ArrayIsArray, ObjectCreate, ObjectHasOwn, ProcessCwd, RegExpCtor, RegExpPrototypeExec, StringCtor,
  StringPrototypeCharCodeAt, StringPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeSlice,
  StringPrototypeToLowerCase, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet,
} from '../primordials.js';
import type { Action, ArgumentKind, CompiledMatch, CompiledPolicy, CompiledRule, Verdict } from './types.js';

interface PreparedCheck {
  readonly index: number;
  readonly kind: ArgumentKind;
  readonly pattern: RegExp;
}

interface PreparedRule {
  readonly rule: string;
  readonly action: Action;
  /** Null: every subject, the application included. */
  readonly package: RegExp | null;
  readonly checks: readonly PreparedCheck[];
}

interface Prepared {
  /** Each rule's RegExps, compiled once per policy. */
  readonly eventPatterns: readonly RegExp[];
  readonly packagePatterns: readonly (RegExp | null)[];
  /** Event name -> the rules that can apply to it, in policy order. */
  readonly byEvent: Record<string, readonly PreparedRule[]>;
}

const SLASH = 47;
const prepared = new WeakMapCtor<CompiledPolicy, Prepared>();

const matches = (pattern: RegExp, text: string): boolean => RegExpPrototypeExec(pattern, text) !== null;

function prepare(policy: CompiledPolicy): Prepared {
  const eventPatterns: RegExp[] = [];
  const packagePatterns: (RegExp | null)[] = [];
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i] as CompiledRule;
    eventPatterns[i] = new RegExpCtor(rule.event);
    packagePatterns[i] = rule.package === null ? null : new RegExpCtor(rule.package);
  }
  const result: Prepared = { eventPatterns, packagePatterns, byEvent: ObjectCreate(null) as Record<string, readonly PreparedRule[]> };
  WeakMapPrototypeSet(prepared, policy, result);
  return result;
}

function rulesFor(policy: CompiledPolicy, event: string): readonly PreparedRule[] {
  const state = WeakMapPrototypeGet(prepared, policy) ?? prepare(policy);
  const known = state.byEvent[event];
  if (known !== undefined) return known;
  const applicable: PreparedRule[] = [];
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i] as CompiledRule;
    let checks: PreparedCheck[];
    if (rule.match === null) {
      if (!matches(state.eventPatterns[i] as RegExp, event)) continue;
      checks = [];
    } else {
      if (!ObjectHasOwn(rule.match, event)) continue;
      const matchList = rule.match[event] as readonly CompiledMatch[];
      checks = [];
      for (let j = 0; j < matchList.length; j++) {
        const check = matchList[j] as CompiledMatch;
        checks[j] = { index: check.index, kind: check.kind, pattern: new RegExpCtor(check.pattern) };
      }
    }
    applicable[applicable.length] = { rule: rule.rule, action: rule.action, package: state.packagePatterns[i] ?? null, checks };
  }
  state.byEvent[event] = applicable;
  return applicable;
}

/** `/a/./b/../c//d/` -> `/a/c/d`: lexical, as the kernel sees the path before symlinks. */
function normalisePath(path: string): string {
  if (!StringPrototypeIncludes(path, '/.') && !StringPrototypeIncludes(path, '//') && StringPrototypeCharCodeAt(path, path.length - 1) !== SLASH) {
    return path;
  }
  const kept: string[] = [];
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
      default: return value;
    }
  }
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

function fits(rule: PreparedRule, args: readonly unknown[], subject: string | null): boolean {
  if (rule.package !== null && (subject === null || !matches(rule.package, subject))) return false;
  const checks = rule.checks;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i] as PreparedCheck;
    const text = argumentText(args[check.index], check.kind);
    if (text === null || !matches(check.pattern, text)) return false;
  }
  return true;
}

function verdictFor(policy: CompiledPolicy, rules: readonly PreparedRule[], args: readonly unknown[], subject: string | null): Verdict {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as PreparedRule;
    if (fits(rule, args, subject)) return { decision: rule.action, rule: rule.rule, package: subject };
  }
  return { decision: policy.default, rule: 'default', package: subject };
}

/**
 * The verdict for one event. `packages` are the npm packages on the call stack, innermost first
 * (empty for the application's own code). Stack inspection: the rules are evaluated for each of
 * them, and the event is denied if any is denied (the innermost denied one is reported), so a
 * package cannot borrow a trusted package's permissions by calling through it. When all are
 * allowed, the verdict is the innermost package's.
 */
export function decide(policy: CompiledPolicy, event: string, args: readonly unknown[], packages: readonly string[]): Verdict {
  const rules = rulesFor(policy, event);
  if (packages.length === 0) return verdictFor(policy, rules, args, null);
  const innermost = verdictFor(policy, rules, args, packages[0] as string);
  if (innermost.decision === 'deny') return innermost;
  for (let i = 1; i < packages.length; i++) {
    const verdict = verdictFor(policy, rules, args, packages[i] as string);
    if (verdict.decision === 'deny') return verdict;
  }
  return innermost;
}
