/**
 * The referrer of code built from a string. V8 compiles `new Function(...)` (and its async and
 * generator siblings) and an indirect `eval(...)` as code of the nearest JavaScript frame, the
 * script that called them, and an `import()` in that code resolves from that script's file. When
 * audithook's Proxy traps and its audited eval call the originals, they are that frame: an
 * `import('./x.mjs')` would resolve from audithook's own file, and a bare specifier from its folder.
 *
 * `callFromCaller` makes the call of the original from a one-line function compiled as a CommonJS
 * module of the caller's file, one such module per file: Node gives that function's code the
 * default loader with the file as referrer, so an `import()` in the built code resolves as Node's
 * loader resolves it from that file. That is what plain Node does for code a CommonJS or an ES
 * module builds: both hand the module's file (a path, a file: URL) to the same loader. Only code
 * that mentions `import` pays the stack look-up; the rest is built by the trap, whose file then
 * cannot matter.
 */
import { callSiteEvalOrigin, callSiteFileName, callSiteIsEval, callSites } from '../core/callsites.js';
import {
  MapCtor, MapPrototypeGet, MapPrototypeSet, PathIsAbsolute, ReflectApply, StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypeLastIndexOf, StringPrototypeSlice,
  StringPrototypeStartsWith,
} from '../core/primordials.js';
import { compileOwnModule } from './module/own-module.js';

/** `Reflect.construct(target, args, newTarget)` or `Reflect.apply(target, thisArg, args)`. */
export type Reflector = (target: never, x: never, y: never) => unknown;
type CallerFunction = (reflect: Reflector, target: unknown, x: unknown, y: unknown) => unknown;

/** Made inside an arrow, the function has no name V8 would infer (`module.exports`): eval origins say `<anonymous>`, as for a module's top level. */
const CALLER_SOURCE = "'use strict'; module.exports = (() => function (reflect, target, x, y) { return reflect(target, x, y); })();";

/** Enough for audithook's own frames (trap, audited wrapper) above the caller. */
const FRAMES = 8;

const OPEN_PAREN = 40;
const SLASH = 47;

/**
 * Whether code built from this text can call `import()` (the keyword cannot be escaped or built):
 * the word `import` followed by `(`, or by what could hide one (a comment, a character beyond
 * ASCII, the end). `import` before another word (in a comment, a string) does not count; a false
 * positive only costs a little (callFromCaller, module/node20/esm-start.ts).
 */
export function mentionsImport(source: string): boolean {
  let at = StringPrototypeIndexOf(source, 'import');
  while (at !== -1) {
    let next = at + 6;
    let code = StringPrototypeCharCodeAt(source, next);
    while (code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12) code = StringPrototypeCharCodeAt(source, ++next);
    if (code === OPEN_PAREN || code === SLASH || code > 127 || code !== code) return true;
    at = StringPrototypeIndexOf(source, 'import', at + 6);
  }
  return false;
}

/** The functions that call from a file, by the file's name. */
const callers = new MapCtor<string, CallerFunction>();

/** `reflect(target, x, y)`, called from the script the caller runs in, as V8 would take it for code built from a string. */
export function callFromCaller(reflect: Reflector, target: unknown, x: unknown, y: unknown): unknown {
  const name = callerScriptName();
  if (name === undefined) return ReflectApply(reflect, undefined, [target, x, y]);
  let caller = MapPrototypeGet(callers, name);
  if (caller === undefined) {
    caller = compileOwnModule(besideFile(name), CALLER_SOURCE) as CallerFunction;
    MapPrototypeSet(callers, name, caller);
  }
  return caller(reflect, target, x, y);
}

/**
 * The caller module's name: the file's, with a `./` segment before its base name (`/app/./main.js`,
 * `file:///app/./main.mjs`), which Node's loader resolves from as from the file itself (a referrer
 * path becomes a URL, which drops the segment). Node's compile cache keys on the name as given, so
 * the file's own entry is left alone, and stack frames of the caller module show that it is not the
 * file's own code. Other names (`[eval]`, `REPL1`) name no file and resolve
 * from the working directory either way.
 */
function besideFile(name: string): string {
  const slash = StringPrototypeLastIndexOf(name, '/');
  if (slash === -1 || StringPrototypeSlice(name, slash - 2, slash) === '/.' || (!PathIsAbsolute(name) && !StringPrototypeStartsWith(name, 'file:'))) return name;
  return `${StringPrototypeSlice(name, 0, slash)}/./${StringPrototypeSlice(name, slash + 1)}`;
}

/**
 * The name of the script whose code calls: the nearest frame that is neither audithook's own (the
 * frame asking names that file) nor a built-in's (`Array.prototype.map`, which V8 skips too); for
 * code itself built from a string, the script that code came from, as V8 follows eval origins.
 */
function callerScriptName(): string | undefined {
  const sites = callSites(callerScriptName, FRAMES);
  if (sites === undefined || sites.length === 0) return undefined;
  try {
    const own = callSiteFileName(sites[0] as object);
    for (let i = 1; i < sites.length; i++) {
      const site = sites[i] as object;
      if (callSiteIsEval(site)) return evalOriginScript(callSiteEvalOrigin(site));
      const file = callSiteFileName(site);
      if (file === own || file === undefined || file === null) continue;
      return typeof file === 'string' ? file : undefined;
    }
  } catch {
    // a formatter that returned other objects than CallSites
  }
  return undefined;
}

const EVAL_AT = 'eval at ';
const NESTED = '), ';

/**
 * The script at the root of an eval origin: `eval at f (file:1:2)` is `file`, and code built in
 * such code has `eval at g (eval at f (file:1:2), <anonymous>:3:4)`.
 */
function evalOriginScript(origin: unknown): string | undefined {
  if (typeof origin !== 'string') return undefined;
  let rest = origin;
  let depth = 0;
  while (StringPrototypeStartsWith(rest, EVAL_AT)) {
    const open = StringPrototypeIndexOf(rest, ' (');
    if (open === -1) return undefined;
    rest = StringPrototypeSlice(rest, open + 2);
    depth++;
  }
  // Each level but the innermost adds `), <its own name>:l:c` after the root's position.
  let end = rest.length - 1;
  for (let level = 1; level < depth; level++) {
    end = StringPrototypeLastIndexOf(rest, NESTED, end - 1);
    if (end === -1) return undefined;
  }
  const position = StringPrototypeSlice(rest, 0, end);
  const column = StringPrototypeLastIndexOf(position, ':');
  const line = column === -1 ? -1 : StringPrototypeLastIndexOf(position, ':', column - 1);
  return line === -1 ? undefined : StringPrototypeSlice(position, 0, line);
}
