/**
 * `loadPolicy`: read, validate and compile a policy file (CLI side, before the command starts).
 * Every problem becomes one PolicyError whose message names the file, the line:column and JSON
 * path of the offending value, and what is wrong with it.
 */
import { readFileSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { findNodeAtLocation, type Node, parseTree, type ParseError, ParseErrorCode, printParseErrorCode } from 'jsonc-parser';
import { argKind, events as catalogue } from '../catalogue/index.js';
import type { ArgKind, ArgSpec } from '../catalogue/index.js';
import { argumentKind, unmatchableReason } from './arguments.js';
import { escapeGlob, GlobError, type GlobMatcher, globMatcher, type GlobOptions, globSource, isGlob } from './glob.js';
import { policySchema } from './schema.js';
import { FD_PREFIX } from './types.js';
import type { Action, ArgumentKind, CompiledMatch, CompiledPolicy, CompiledResource, CompiledRule } from './types.js';
import { expandHome, expandVariables, type PolicyVariables, policyVariables, VariableError } from './variables.js';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';

  /** `location` is `file:line:column` (or the file alone), `detail` what is wrong there: the message says both. */
  constructor(readonly location: string, readonly detail: string, options?: ErrorOptions) {
    super(`${location}: ${detail}`, options);
  }
}

/** The policy file as written, once it has passed the schema. */
export interface PolicySource {
  readonly default: Action;
  readonly mode?: 'enforce' | 'report';
  readonly frameworks?: readonly string[];
  readonly rules: readonly {
    readonly event: string;
    readonly package?: string | null;
    readonly match?: Readonly<Record<string, string | readonly string[]>>;
    readonly action: Action;
  }[];
}

export type JsonPath = readonly (string | number)[];

/** Which schema error to report when there are several: an unknown key explains a missing one (a typo). */
const KEYWORD_PRIORITY = ['additionalProperties', 'enum', 'type'];
const priority = (error: ErrorObject): number => {
  const rank = KEYWORD_PRIORITY.indexOf(error.keyword);
  return error.keyword === 'required' ? KEYWORD_PRIORITY.length + 1 : rank === -1 ? KEYWORD_PRIORITY.length : rank;
};

let validator: ValidateFunction | undefined;
function validateSchema(value: unknown): ErrorObject | null {
  validator ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(policySchema);
  if (validator(value)) return null;
  return [...(validator.errors ?? [])].sort((a, b) => priority(a) - priority(b))[0] ?? null;
}

/** `rules[2].match.path[0]` */
export function formatPath(path: JsonPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

/** " (did you mean "x"?)" when a candidate is close enough to be the intended word. */
export function suggestion(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word, candidates);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

const PARSE_PROBLEMS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidCommentToken: 'comments are not allowed in JSON',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected text after the end of the policy',
  UnexpectedEndOfString: 'unterminated string',
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

class PolicyFile {
  readonly lineStarts: number[] = [0];

  constructor(readonly name: string, readonly text: string, readonly tree: Node | undefined) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  at(offset: number): string {
    let line = 0;
    while (line + 1 < this.lineStarts.length && (this.lineStarts[line + 1] as number) <= offset) line++;
    return `${this.name}:${line + 1}:${offset - (this.lineStarts[line] as number) + 1}`;
  }

  /** `file:line:column` of the value at `path` (or of its key), the file alone when there is none. */
  locate(path: JsonPath, where: 'value' | 'key' = 'value'): string {
    let node = this.tree === undefined ? undefined : findNodeAtLocation(this.tree, path as (string | number)[]);
    if (where === 'key' && node?.parent?.type === 'property') node = node.parent.children?.[0];
    return node === undefined ? this.name : this.at(node.offset);
  }

  /** The error for the value at `path` (or its key, for a problem with the key itself). */
  error(path: JsonPath, problem: string, where: 'value' | 'key' = 'value'): PolicyError {
    return new PolicyError(this.locate(path, where), `${path.length === 0 ? '' : `${formatPath(path)}: `}${problem}`);
  }
}

function parseError(file: PolicyFile, error: ParseError): PolicyError {
  const code = printParseErrorCode(error.error);
  const before = file.text.slice(0, error.offset).trimEnd();
  const trailingComma = (code === 'PropertyNameExpected' || code === 'ValueExpected') && before.endsWith(',');
  const problem = trailingComma ? 'trailing comma (JSON allows none)' : (PARSE_PROBLEMS[code] ?? code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  return new PolicyError(file.at(trailingComma ? before.length - 1 : error.offset), `invalid JSON: ${problem}`);
}

/** JSON.parse keeps the last of two equal keys; a policy that says a thing twice is a mistake. */
function findDuplicateKey(node: Node, path: (string | number)[]): { path: JsonPath; key: string; offset: number } | null {
  const children = node.children ?? [];
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const property of children) {
      const key = property.children?.[0]?.value as string;
      if (seen.has(key)) return { path: [...path, key], key, offset: property.offset };
      seen.add(key);
      const value = property.children?.[1];
      const inner = value === undefined ? null : findDuplicateKey(value, [...path, key]);
      if (inner !== null) return inner;
    }
  } else if (node.type === 'array') {
    for (let i = 0; i < children.length; i++) {
      const inner = findDuplicateKey(children[i] as Node, [...path, i]);
      if (inner !== null) return inner;
    }
  }
  return null;
}

function schemaProblem(error: ErrorObject): { path: JsonPath; problem: string; where: 'value' | 'key' } {
  const path: (string | number)[] = error.instancePath.split('/').slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = params['additionalProperty'] as string;
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return { path: [...path, key], problem: `unknown key "${key}"${suggestion(key, known)}; expected ${known.map((k) => `"${k}"`).join(', ')}`, where: 'key' };
    }
    case 'required':
      return { path, problem: `missing "${params['missingProperty'] as string}"`, where: 'value' };
    case 'enum': {
      const allowed = (params['allowedValues'] as string[]).map((value) => `"${value}"`).join(' or ');
      const found = typeof error.data === 'string' ? `"${error.data}"${suggestion(error.data, params['allowedValues'] as string[])}` : jsonType(error.data);
      return { path, problem: `must be ${allowed}, not ${found}`, where: 'value' };
    }
    case 'type':
      return { path, problem: `must be ${String(params['type']).replace(',', ' or ')}, not ${jsonType(error.data)}`, where: 'value' };
    case 'minLength':
      return { path, problem: 'must not be empty', where: 'value' };
    case 'minItems':
      return { path, problem: 'must list at least one pattern', where: 'value' };
    case 'minProperties':
      return { path, problem: 'must name at least one argument', where: 'value' };
    default:
      return { path, problem: error.message ?? error.keyword, where: 'value' };
  }
}

const eventNames: readonly string[] = catalogue.map((event) => event.name);
const reportOnlyEvents: readonly string[] = catalogue.filter((event) => 'reportOnly' in event).map((event) => event.name);

/** Which argument names an operation's resource, most telling first: a whole command line before its executable, a peer before a file. */
const RESOURCE_KINDS: readonly ArgKind[] = ['argv', 'address', 'url', 'host', 'command', 'path', 'pattern'];
/** Else the first plain value: the variable of os.putenv, the addon of ctypes.dlopen, the pid of os.kill, the entry script. */
const SCALAR_TYPES: readonly string[] = ['string', 'number', 'string | number', 'string | null', 'number | null'];

function resourceOf(args: readonly ArgSpec[]): CompiledResource | null {
  for (const wanted of RESOURCE_KINDS) {
    const index = args.findIndex((arg) => argKind(arg) === wanted);
    if (index === -1) continue;
    const kind = wanted === 'argv' || wanted === 'pattern' ? 'text' : argumentKind(args[index] as ArgSpec);
    return wanted === 'host' && args[index + 1]?.name === 'port' ? { index, kind, port: index + 1 } : { index, kind };
  }
  const index = args.findIndex((arg) => argKind(arg) === 'text' && SCALAR_TYPES.includes(arg.type));
  return index === -1 ? null : { index, kind: 'text' };
}

const resources: Readonly<Record<string, CompiledResource>> = Object.fromEntries(catalogue.flatMap((event) => {
  const resource = resourceOf(event.args);
  return resource === null ? [] : [[event.name, resource]];
}));

/** The catalogued events an `event` glob (or name) covers. */
function coveredEvents(file: PolicyFile, path: JsonPath, pattern: string): { source: string; covered: string[] } {
  if (!isGlob(pattern)) {
    if (!eventNames.includes(pattern)) throw file.error(path, `unknown event "${pattern}"${suggestion(pattern, eventNames)}; docs/events.md lists them`);
    return { source: globSource([pattern], { segments: false }), covered: [pattern] };
  }
  const source = compileGlob(globSource, file, path, [pattern], { segments: false });
  const regexp = new RegExp(source);
  const covered = eventNames.filter((name) => regexp.test(name));
  if (covered.length === 0) throw file.error(path, `"${pattern}" matches no event in the catalogue (docs/events.md)`);
  return { source, covered };
}

function compileGlob<T>(compile: (patterns: readonly string[], options: GlobOptions) => T, file: PolicyFile, path: JsonPath, patterns: readonly string[], options: GlobOptions): T {
  try {
    return compile(patterns, options);
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    // Point at the pattern at fault when a rule lists several.
    const at = patterns.length === 1 ? path : [...path, patterns.findIndex((pattern) => {
      try {
        globSource([pattern], options);
        return false;
      } catch {
        return true;
      }
    })];
    const pattern = patterns.length === 1 ? patterns[0] : patterns[at[at.length - 1] as number];
    throw file.error(at, `bad glob "${pattern}": ${error.message}`);
  }
}

/** `/a/./b/../c/` -> `/a/c`, glob characters left alone. */
function normaliseGlobPath(glob: string): string {
  const normal = posix.normalize(glob);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

/** How each kind's patterns are rewritten before compiling, so that they compare with what argumentText produces. */
function patternTransform(kind: ArgumentKind, policyDir: string, variables: PolicyVariables): (alternative: string) => string {
  const asPath = (glob: string): string =>
    normaliseGlobPath(glob.startsWith('/') || glob.startsWith('**') ? glob : `${escapeGlob(policyDir)}/${glob}`);
  const home = (glob: string): string => expandHome(glob, variables);
  switch (kind) {
    case 'path': return (glob) => (glob.startsWith(FD_PREFIX) ? glob : asPath(home(glob)));
    case 'command': return (glob) => {
      const expanded = home(glob);
      return expanded.includes('/') ? asPath(expanded) : expanded;
    };
    case 'host': return (glob) => glob.toLowerCase();
    // Lower-case scheme and host, as the URL parser makes the value.
    case 'url': return (glob) => glob.replace(/^[^:/]*:\/\/[^/]*/, (origin) => origin.toLowerCase());
    case 'address': return (alternative) => {
      const glob = home(alternative);
      if (glob.startsWith('/') || glob.startsWith('.')) return asPath(glob);
      const lower = glob.toLowerCase();
      if (lower.startsWith('[')) return lower.includes(']:') ? lower : `${lower}:*`;
      const colons = lower.split(':').length - 1;
      if (colons === 0) return `${lower}:*`;
      // A bare IPv6 address: the whole pattern is the host.
      return colons === 1 ? lower : `[${lower}]:*`;
    };
    // Text: `~` only, for a text argument that holds a path (import's filename).
    default: return home;
  }
}

/** The patterns with their `${NAME}` variables expanded; an unknown one is an error at its pattern. */
function expandedPatterns(file: PolicyFile, path: JsonPath, value: string | readonly string[], variables: PolicyVariables): string[] {
  const listed = typeof value !== 'string';
  return (listed ? value : [value]).map((pattern, i) => {
    try {
      return expandVariables(pattern, variables);
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      throw file.error(listed ? [...path, i] : path, `"${pattern}": ${error.message}`);
    }
  });
}

function compileMatch(file: PolicyFile, path: JsonPath, match: PolicySource['rules'][number]['match'], covered: readonly string[], policyDir: string, variables: PolicyVariables): Record<string, CompiledMatch[]> {
  const result: Record<string, CompiledMatch[]> = {};
  for (const event of covered) result[event] = [];
  for (const [name, value] of Object.entries(match ?? {})) {
    const keyPath = [...path, name];
    const lacking: string[] = [];
    for (const event of covered) {
      const spec = catalogue.find((entry) => entry.name === event)?.args.find((arg) => arg.name === name);
      if (spec === undefined) {
        lacking.push(event);
        continue;
      }
      const reason = unmatchableReason(spec);
      if (reason !== null) throw file.error(keyPath, `argument "${name}" of ${event} cannot be matched: ${reason}`, 'key');
    }
    if (lacking.length > 0) {
      const argsOf = (event: string): string[] => (catalogue.find((entry) => entry.name === event)?.args ?? []).map((arg) => arg.name);
      const problem = covered.length === 1
        ? `${covered[0] as string} has no argument "${name}"${suggestion(name, argsOf(covered[0] as string))}; its arguments: ${argsOf(covered[0] as string).join(', ') || 'none'}`
        : `${lacking.join(', ')} ${lacking.length === 1 ? 'has' : 'have'} no argument "${name}": a match applies to every event the rule's glob covers, so narrow the event`;
      throw file.error(keyPath, problem, 'key');
    }
    const patterns = expandedPatterns(file, keyPath, value, variables);
    // Events that share an argument name can read it differently: one matcher per kind.
    const matchers = new Map<ArgumentKind, GlobMatcher>();
    for (const event of covered) {
      const args = catalogue.find((entry) => entry.name === event)?.args ?? [];
      const index = args.findIndex((arg) => arg.name === name);
      const kind = argumentKind(args[index] as ArgSpec);
      let matcher = matchers.get(kind);
      if (matcher === undefined) {
        matcher = compileGlob(globMatcher, file, keyPath, patterns, { segments: true, transform: patternTransform(kind, policyDir, variables) });
        matchers.set(kind, matcher);
      }
      result[event]?.push({ index, kind, ...matcher });
    }
  }
  return result;
}

/** A policy as `audithook policy check` reads it: compiled, as written, and where each value is. */
export interface LoadedPolicy {
  readonly policy: CompiledPolicy;
  readonly source: PolicySource;
  /** `file:line:column` of the value at a JSON path (of its key with `'key'`). */
  readonly locate: (path: JsonPath, where?: 'value' | 'key') => string;
}

/**
 * Reads, validates and compiles a policy; throws PolicyError with the whole user-facing message (its
 * `cause` the fs error when the file could not be read). `variables`: the values of `~`,
 * `${PROJECT}`, ... (variables.ts), by default those of a run in the working directory.
 */
export function loadPolicy(file: string, variables: PolicyVariables = policyVariables()): CompiledPolicy {
  return loadPolicyFile(file, variables).policy;
}

/** loadPolicy, keeping the source and its locations (for the semantic checks of check.ts). */
export function loadPolicyFile(file: string, variables: PolicyVariables = policyVariables()): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // The CLI words the fs error as it words every file's (cli/output.ts): the cause is kept for it.
    throw new PolicyError(file, `cannot read the policy: ${(error as Error).message}`, { cause: error });
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const source = new PolicyFile(file, text, tree);
  if (errors.length > 0 || tree === undefined) throw parseError(source, errors[0] ?? { error: ParseErrorCode.ValueExpected, offset: 0, length: 0 });
  const duplicate = findDuplicateKey(tree, []);
  if (duplicate !== null) throw new PolicyError(source.at(duplicate.offset), `${formatPath(duplicate.path)}: duplicate key "${duplicate.key}"`);
  const value = JSON.parse(text) as unknown;
  const schemaError = validateSchema(value);
  if (schemaError !== null) {
    const { path, problem, where } = schemaProblem(schemaError);
    throw source.error(path, problem, where);
  }
  const policy = value as PolicySource;
  const absolute = resolve(file);
  const policyDir = dirname(absolute);
  const rules: CompiledRule[] = policy.rules.map((rule, i): CompiledRule => {
    const path = ['rules', i];
    const { source: event, covered } = coveredEvents(source, [...path, 'event'], rule.event);
    const subjects = rule.package === undefined ? 'everyone' : rule.package === null ? 'application' : rule.package === '*' ? 'any-package' : 'packages';
    const pkg = subjects !== 'packages' ? null : compileGlob(globSource, source, [...path, 'package'], [rule.package as string], { segments: true });
    const match = rule.match === undefined ? null : compileMatch(source, [...path, 'match'], rule.match, covered, policyDir, variables);
    return { rule: `rules[${i}]`, action: rule.action, event, subjects, package: pkg, match };
  });
  const frameworkGlobs = policy.frameworks ?? [];
  // Each alone first, so that a broken one is named by its place.
  frameworkGlobs.forEach((glob, i) => compileGlob(globSource, source, ['frameworks', i], [glob], { segments: true }));
  const frameworks = frameworkGlobs.length === 0 ? null : globSource(frameworkGlobs, { segments: true });
  return {
    policy: { file: absolute, default: policy.default, mode: policy.mode ?? 'enforce', rules, frameworks, reportOnly: reportOnlyEvents, resources },
    source: policy,
    locate: (path, where) => source.locate(path, where),
  };
}
