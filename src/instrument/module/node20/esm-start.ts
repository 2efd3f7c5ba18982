/**
 * When Node 20's ES module hooks start (module/index.ts asks, with the first hook). They run in a thread of their own, which
 * takes about 100 ms to start (Node loads the preloads, and so audithook, again there): every
 * process under `audithook run` paid it with its first hook, and most never load an ES module.
 *
 * The agent is the first code of its thread, so in a main thread nothing of the program has run
 * when it adds its hook. From then on an ES module can load only through:
 * - a flag (`--import`, `--loader`, `--input-type`, ...): any flag not known to be harmless;
 * - the entry, when Node takes it as an ES module (Module.runMain, the step Node takes to run it);
 * - code that names `import(`: the keyword cannot be escaped or built at run time, so a source
 *   without the word cannot call it. Every source V8 compiles for the program is looked at before
 *   it compiles: the CommonJS loader's, eval's, Function's, vm's, ShadowRealm's, -e code;
 * - a program's own `module.register`.
 * An inspector's evaluations compile nothing audithook sees, but they cannot call `import()` (Node
 * gives them no import callback); what they call is the program's functions, audited as above.
 * Such a thread starts the hooks at the first of these, before that code compiles or runs; any other
 * thread (a worker, code outside the agent) starts them with its first hook, as before.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { inWorker } from '../../../core/thread.js';
import { mentionsImport } from '../../referrer.js';
import {
  JSONParse, ObjectHasOwn, PathDirname, PathResolve, StringPrototypeCharCodeAt, StringPrototypeEndsWith, StringPrototypeIndexOf, StringPrototypeSlice,
  StringPrototypeTrim, StringPrototypeReplaceAll, nullPrototype,
} from '../../../core/primordials.js';
import { beforeCall } from '../../wrap.js';

/** How module/index.ts starts the ESM hooks: `now`, or `whenNeeded` (the first hook), which Node 20's may defer. */
export interface EsmHooksStart {
  now(): void;
  whenNeeded(): void;
}

/** `start`, run once, by either way. */
export function startingOnce(start: () => void): EsmHooksStart {
  let started = false;
  const now = (): void => {
    if (started) return;
    started = true;
    start();
  };
  return { now, whenNeeded: now };
}

/** The agent's copy asks (its hook comes before any code of the program). */
let deferrable = false;

export function deferEsmHooksThread(): void {
  deferrable = true;
}

let deferredStart: (() => void) | undefined;

/**
 * Node 20's hooks thread, started with `start`: when needed, at once, unless the agent's copy
 * asked to defer and the thread is a main thread whose program, as it was started, can wait; then
 * when a way to an ES module opens (esmMayLoad). `files` reads the entry's package scope.
 */
export function offThreadStart(start: () => void, files: EntryFiles): EsmHooksStart {
  const starting = startingOnce(start);
  const startedWith = process as unknown as { _eval?: unknown; env: Record<string, string | undefined> };
  const canWait = !inWorker() && mainCanWait(process.execArgv, startedWith.env['NODE_OPTIONS'], startedWith._eval, process.argv[1]);
  let waiting = false;
  const whenNeeded = (): void => {
    if (waiting) return;
    if (!deferrable || !canWait) {
      starting.now();
      return;
    }
    waiting = true;
    deferredStart = starting.now;
    // Module.runMain(main = process.argv[1]) is the step Node takes to run the entry: it looks at main then.
    beforeCall(Module, 'runMain', (args) => {
      if (entryMayBeModule(args.length > 0 && args[0] !== undefined ? args[0] : process.argv[1], files)) esmMayLoad();
    });
  };
  return { now: starting.now, whenNeeded };
}

/** Starts the ES module hooks now if they were deferred. */
export function esmMayLoad(): void {
  const start = deferredStart;
  deferredStart = undefined;
  start?.();
}

/** Before code built from `source` compiles (or `source` runs as -e code). */
export function compilingSource(source: string): void {
  if (deferredStart !== undefined && mentionsImport(source)) esmMayLoad();
}

/**
 * Options that cannot make Node load an ES module (with or without `=value`); any other starts the
 * hooks with the first hook. -r's value is the agent, or a preload whose source is looked at.
 */
const HARMLESS_OPTIONS: Readonly<Record<string, true | undefined>> = nullPrototype({
  '-r': true, '--require': true, '-e': true, '--eval': true, '-p': true, '--print': true,
  '--no-warnings': true, '--disable-warning': true, '--trace-warnings': true, '--no-deprecation': true, '--trace-deprecation': true,
  '--throw-deprecation': true, '--pending-deprecation': true, '--trace-uncaught': true, '--unhandled-rejections': true,
  '--enable-source-maps': true, '--max-old-space-size': true, '--max-semi-space-size': true, '--stack-size': true,
  '--stack-trace-limit': true, '--expose-gc': true, '--title': true, '--abort-on-uncaught-exception': true,
  '--use-openssl-ca': true, '--use-bundled-ca': true, '--dns-result-order': true, '--max-http-header-size': true,
});

/** Whether every option in `tokens` is harmless; values (tokens not starting with `-`) are skipped. */
function harmlessOptions(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const token = StringPrototypeReplaceAll(tokens[i] as string, '"', '');
    if (StringPrototypeCharCodeAt(token, 0) !== 45) continue;
    const equals = StringPrototypeIndexOf(token, '=');
    if (HARMLESS_OPTIONS[equals === -1 ? token : StringPrototypeSlice(token, 0, equals)] !== true) return false;
  }
  return true;
}

/** NODE_OPTIONS as Node splits it, near enough: on spaces, every option still starts a token. */
function nodeOptionsTokens(text: string): string[] {
  const tokens: string[] = [];
  let rest = StringPrototypeTrim(text);
  while (rest !== '') {
    const space = StringPrototypeIndexOf(rest, ' ');
    tokens[tokens.length] = space === -1 ? rest : StringPrototypeSlice(rest, 0, space);
    rest = space === -1 ? '' : StringPrototypeTrim(StringPrototypeSlice(rest, space + 1));
  }
  return tokens;
}

/**
 * Whether a main thread that gets its first hook before any program code can wait: no option may
 * load an ES module, and the program is a file (run through Module.runMain, where the entry is looked
 * at) or -e / -p code without `import(`. A program from standard input or the REPL cannot wait.
 */
export function mainCanWait(execArgv: readonly string[], nodeOptions: string | undefined, evalCode: unknown, entry: unknown): boolean {
  if (!harmlessOptions(execArgv) || (nodeOptions !== undefined && !harmlessOptions(nodeOptionsTokens(nodeOptions)))) return false;
  if (typeof evalCode === 'string') return !mentionsImport(evalCode);
  return typeof entry === 'string' && entry !== '-';
}

/** How entryMayBeModule reads the file system (module/eval.ts's own files, out of the program's reach). */
export interface EntryFiles {
  isFile(path: string): boolean;
  read(path: string): string | undefined;
}

/**
 * Whether Node 20 runs `main` (Module.runMain's argument) as an ES module: `.mjs`, or not `.cjs`
 * and in a package scope of `"type": "module"` (as Node's own test); anything that is not a
 * `.js` or `.cjs` file counts, so Node's resolution of other names need not be repeated.
 */
export function entryMayBeModule(main: unknown, files: EntryFiles): boolean {
  if (typeof main !== 'string') return true;
  const file = PathResolve(main);
  if (StringPrototypeEndsWith(file, '.cjs')) return false;
  if (!StringPrototypeEndsWith(file, '.js') || !files.isFile(file)) return true;
  for (let directory = PathDirname(file); !StringPrototypeEndsWith(directory, '/node_modules'); directory = PathDirname(directory)) {
    const text = files.read(`${directory === '/' ? '' : directory}/package.json`);
    if (text !== undefined) {
      try {
        const manifest: unknown = JSONParse(text);
        return typeof manifest !== 'object' || manifest === null || (ObjectHasOwn(manifest, 'type') && (manifest as { type: unknown }).type === 'module');
      } catch {
        return true;
      }
    }
    if (directory === PathDirname(directory)) return false;
  }
  return false;
}
