/**
 * Whether a source mentions the identifier `eval` (a whole word): only those sources are parsed and
 * rewritten (src/rewrite-eval.ts). Words such as `evaluate` or `retrieval` do not count, so most
 * modules never load the parser. Comments and strings still do: a false positive only costs a parse.
 */
import { StringPrototypeCharCodeAt, StringPrototypeIncludes, StringPrototypeIndexOf } from '../../core/primordials.js';

/**
 * Whether a source's eval is rewritten as it loads: it mentions eval, and something can observe
 * it. That is an audit hook existing at load, or a module naming audithook (`require('audithook')`,
 * `from 'audithook/register'`), which can add a hook before its own code runs: the application's
 * main module that adds its hook sees its own eval. With no hook a module compiles exactly as in
 * plain Node (its functions' text, eval inside `with`); a hook added later sees neither direct nor
 * indirect eval in modules loaded before it (docs/security-model.md).
 */
export function rewritesEval(source: string, auditing: boolean): boolean {
  return mentionsEval(source) && (auditing || namesAudithook(source));
}

/** A module specifier `audithook...` in quotes, as require, import and import() take it. */
function namesAudithook(source: string): boolean {
  return StringPrototypeIncludes(source, "'audithook") || StringPrototypeIncludes(source, '"audithook') || StringPrototypeIncludes(source, '`audithook');
}

export function mentionsEval(source: string): boolean {
  let at = StringPrototypeIndexOf(source, 'eval');
  while (at !== -1) {
    if (!isIdentifierChar(StringPrototypeCharCodeAt(source, at - 1)) && !isIdentifierChar(StringPrototypeCharCodeAt(source, at + 4))) return true;
    at = StringPrototypeIndexOf(source, 'eval', at + 4);
  }
  return false;
}

/** ASCII letters, digits, `_`, `$`, and anything beyond ASCII (which may be an identifier letter). NaN (out of range) is not. */
function isIdentifierChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36 || code > 127;
}
