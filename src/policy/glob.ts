/**
 * The policy glob language, compiled to RegExp sources (CLI side; the agent only runs the RegExps):
 *   `*`   any characters except `/`          `?`  one character except `/`
 *   `**`  any characters, `/` included; as a whole path segment also none: `/a/**` matches `/a`,
 *         `/a/**\/b` matches `/a/b`, `**\/x` matches `x`
 *   `{a,b}` alternatives (nestable)         `\c` the character c itself
 * Everything else is literal, `[`, `]`, `(`, `)` and `!` included (addresses and URLs contain them).
 * Without segments (event names) `*` and `?` also cross `/`.
 */

export class GlobError extends Error {}

/** More alternatives than this is a mistake, not a policy. */
const MAX_ALTERNATIVES = 1000;
const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;
const ANY_CHAR = '[\\s\\S]';

/** `\*` etc.: the literal text as a glob (a leading `~` too, which a policy reads as the home directory). */
export function escapeGlob(text: string): string {
  const escaped = text.replace(/[\\*?{},]/g, '\\$&');
  return escaped.startsWith('~') ? `\\${escaped}` : escaped;
}

/** The index of the `}` closing the `{` at `open`, and the top-level commas between them. */
function closingBrace(pattern: string, open: number): { close: number; commas: number[] } {
  const commas: number[] = [];
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') i++;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return { close: i, commas };
    else if (char === ',' && depth === 1) commas.push(i);
  }
  throw new GlobError(`'{' at position ${open + 1} is never closed`);
}

/** `a{b,c}d` -> [`abd`, `acd`], escapes kept. */
export function expandBraces(pattern: string): string[] {
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      i++;
    } else if (char === '}') {
      throw new GlobError(`'}' at position ${i + 1} closes no '{'`);
    } else if (char === '{') {
      const { close, commas } = closingBrace(pattern, i);
      const bounds = [i, ...commas, close];
      const head = pattern.slice(0, i);
      const tails = expandBraces(pattern.slice(close + 1));
      const result: string[] = [];
      for (let k = 0; k + 1 < bounds.length; k++) {
        for (const middle of expandBraces(pattern.slice((bounds[k] as number) + 1, bounds[k + 1]))) {
          for (const tail of tails) result.push(head + middle + tail);
        }
        if (result.length > MAX_ALTERNATIVES) throw new GlobError(`expands to more than ${MAX_ALTERNATIVES} alternatives`);
      }
      return result;
    }
  }
  return [pattern];
}

/** The RegExp source (unanchored) of one brace-free alternative. */
function alternativeSource(glob: string, segments: boolean): string {
  // Any character, newlines included: a name or path with a newline must not slip past '*'.
  const one = segments ? '[^/]' : ANY_CHAR;
  // Consecutive globstar segments mean what one does.
  const text = segments ? glob.replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**') : glob;
  let source = '';
  let i = 0;
  if (segments && text.startsWith('**/')) {
    source = `(?:${ANY_CHAR}*/)?`;
    i = 3;
  }
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '\\') {
      if (i + 1 === text.length) throw new GlobError("ends with a lone '\\' (escape what?)");
      source += (text[i + 1] as string).replace(REGEXP_SPECIAL, '\\$&');
      i += 2;
    } else if (segments && char === '/' && text.startsWith('/**/', i)) {
      source += `/(?:${ANY_CHAR}*/)?`;
      i += 4;
    } else if (segments && char === '/' && i + 3 === text.length && text.endsWith('/**')) {
      source += `(?:/${ANY_CHAR}*)?`;
      i += 3;
    } else if (char === '*') {
      let stars = 1;
      while (text[i + stars] === '*') stars++;
      if (stars > 2) throw new GlobError(`'${'*'.repeat(stars)}' at position ${i + 1}: use '*' or '**'`);
      source += stars === 2 ? `${ANY_CHAR}*` : `${one}*`;
      i += stars;
    } else if (char === '?') {
      source += one;
      i++;
    } else {
      source += char.replace(REGEXP_SPECIAL, '\\$&');
      i++;
    }
  }
  return source;
}

export interface GlobOptions {
  /** `*` and `?` stop at `/`, and `**` spans path segments (paths, URLs, packages); false for event names. */
  readonly segments: boolean;
  /** Applied to each alternative after brace expansion (resolving relative paths, lower-casing hosts). */
  readonly transform?: (alternative: string) => string;
}

/** Every alternative of `patterns`, braces expanded and transformed. */
function alternatives(patterns: readonly string[], options: GlobOptions): string[] {
  const result: string[] = [];
  for (const pattern of patterns) {
    if (pattern === '') throw new GlobError('an empty pattern matches nothing');
    for (const alternative of expandBraces(pattern)) result.push(options.transform === undefined ? alternative : options.transform(alternative));
  }
  return [...new Set(result)];
}

const anchored = (sources: readonly string[]): string => `^(?:${sources.join('|')})$`;

/** The anchored RegExp source matching any of `patterns`; throws GlobError naming the problem. */
export function globSource(patterns: readonly string[], options: GlobOptions): string {
  return anchored(alternatives(patterns, options).map((alternative) => alternativeSource(alternative, options.segments)));
}

/**
 * What `patterns` compile to for the agent: most patterns are a plain string or a directory and
 * everything below it (`/app/src/**`), and those are compared as strings, which is cheaper than a
 * RegExp; the rest becomes one RegExp source (null when there is no rest).
 */
export interface GlobMatcher {
  readonly exact: readonly string[];
  /** `dir/`: any text starting with it (`dir` itself is in `exact`). */
  readonly prefixes: readonly string[];
  readonly pattern: string | null;
}

const WILDCARD = /(?:^|[^\\])(?:\\\\)*[*?]/;
const unescape = (glob: string): string => glob.replace(/\\(.)/g, '$1');

export function globMatcher(patterns: readonly string[], options: GlobOptions): GlobMatcher {
  const exact: string[] = [];
  const prefixes: string[] = [];
  const sources: string[] = [];
  for (const alternative of alternatives(patterns, options)) {
    const source = alternativeSource(alternative, options.segments);
    const base = alternative.slice(0, -3);
    if (!WILDCARD.test(alternative)) {
      exact.push(unescape(alternative));
    } else if (options.segments && alternative.endsWith('/**') && !WILDCARD.test(base) && !base.endsWith('\\')) {
      exact.push(unescape(base));
      prefixes.push(`${unescape(base)}/`);
    } else {
      sources.push(source);
    }
  }
  return { exact, prefixes, pattern: sources.length === 0 ? null : anchored(sources) };
}

/**
 * The literal text each alternative of an anchored source (globSource, GlobMatcher.pattern) starts
 * with, before its first wildcard: every string the source matches starts with one of them. Read
 * back from what alternativeSource writes: an escaped character is literal, `[` and `(` open a
 * wildcard, and alternatives are joined by unescaped `|` at the top level.
 */
export function literalPrefixes(source: string): string[] {
  const body = source.slice('^(?:'.length, -')$'.length);
  const prefixes: string[] = [];
  let prefix = '';
  let depth = 0;
  let literal = true;
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char === '\\') {
      if (literal && depth === 0) prefix += body[i + 1] as string;
      i++;
    } else if (char === '|' && depth === 0) {
      prefixes.push(prefix);
      prefix = '';
      literal = true;
    } else if (char === '(' || char === '[') {
      literal = false;
      if (char === '(') depth++;
      else i = body.indexOf(']', i + 1);
    } else if (char === ')') {
      depth--;
    } else if (literal && depth === 0) {
      // Quantifiers (`*`, `?`) only follow a class or a group: past the literal text already.
      prefix += char;
    }
  }
  prefixes.push(prefix);
  return prefixes;
}

/** Whether `pattern` uses any glob syntax (otherwise it is a plain name). */
export function isGlob(pattern: string): boolean {
  return /[*?{}\\]/.test(pattern);
}
