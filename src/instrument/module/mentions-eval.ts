/**
 * Whether a source mentions the identifier `eval` (a whole word): only those sources are parsed and
 * rewritten (src/rewrite-eval.ts). Words such as `evaluate` or `retrieval` do not count, so most
 * modules never load the parser. Comments and strings still do: a false positive only costs a parse.
 */
import { StringPrototypeCharCodeAt, StringPrototypeIndexOf } from '../../core/primordials.js';

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
