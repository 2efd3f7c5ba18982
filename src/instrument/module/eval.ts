/**
 * Eval auditing by rewriting sources as the loaders read them (rewrite-eval.ts, with acorn, loaded
 * on the first source that mentions eval), and what rewritten code calls: `__audithook`, a global
 * user code can neither replace nor (the rewriter checks) shadow.
 */
import { constants, readFileSync, statSync } from 'node:fs';
import { isAuditing } from '../../core/kernel.js';
import { openCode } from '../../core/opencode.js';
import { ObjectDefineProperty, ObjectFreeze, PathJoin, ReflectApply, nullPrototype } from '../../core/primordials.js';
import { compilingSource } from './node20/esm-start.js';
import { callFromCaller, mentionsImport } from '../referrer.js';
import { THROWS, instrument, operation, raise, replaceFunction } from '../wrap.js';
import type { Describe } from '../wrap.js';
import { rewritesEval } from './mentions-eval.js';
import { compileOwnModule } from './own-module.js';

const realEval = globalThis.eval;

const describeIndirectEval: Describe = (args) => {
  if (typeof args[0] !== 'string') return undefined;
  compilingSource(args[0]);
  return operation('compile', [args[0], '<eval>']);
};

/**
 * The audited indirect eval that rewritten references to the global eval get, with the global
 * eval's identity. Code that can `import()` is evaluated from the caller's script, which V8 takes as
 * the import's referrer (referrer.ts).
 */
const evalHolder = { eval: realEval };
replaceFunction(evalHolder, 'eval', (original) => function (this: unknown, source: unknown): unknown {
  if (typeof source === 'string' && mentionsImport(source)) return callFromCaller(ReflectApply, original, undefined, [source]);
  return ReflectApply(original, undefined, [source]);
});
instrument(evalHolder, 'eval', describeIndirectEval, THROWS);
const auditedEval = evalHolder.eval;

/** What rewritten code calls. */
const evalAudit = ObjectFreeze({
  direct(source: unknown, filename: string): unknown {
    if (typeof source === 'string' && isAuditing()) {
      compilingSource(source);
      raise('compile', [source, filename]);
    }
    return source;
  },
  spread(args: Iterable<unknown>, filename: string): unknown[] {
    // The program's own spread (`eval(...args)`), iterated once as the program wrote it.
    // eslint-disable-next-line audithook/primordials -- the iteration is the program's, not ours
    const list = [...args];
    evalAudit.direct(list[0], filename);
    return list;
  },
  ref(value: unknown): unknown {
    return value === realEval ? auditedEval : value;
  },
});

export function defineEvalAudit(): void {
  ObjectDefineProperty(globalThis, '__audithook', nullPrototype({ value: evalAudit, writable: false, enumerable: false, configurable: false }));
}

type RewriteEval = (source: string, filename: string, isModule: boolean) => string;
let rewriter: RewriteEval | undefined;
/** Read with Node's own function, captured before it is instrumented: audithook's own reads raise nothing. */
export const readOwnFile = readFileSync;
const statOwnFile = statSync;
const { S_IFMT, S_IFREG } = constants;

/** Whether a path is a regular file, and its text (undefined when it cannot be read), as readOwnFile reads. */
export const ownFiles = ObjectFreeze({
  isFile(path: string): boolean {
    const mode = statOwnFile(path, { throwIfNoEntry: false })?.mode;
    return typeof mode === 'number' && (mode & S_IFMT) === S_IFREG;
  },
  read(path: string): string | undefined {
    try {
      return readOwnFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
});

/** The source with eval audited. The rewriter is dist/rewrite-eval.js, beside this bundle. */
function auditEvalIn(source: string, filename: string, isModule: boolean): string {
  if (!rewritesEval(source, isAuditing())) return source;
  if (rewriter === undefined) {
    const file = PathJoin(__dirname, 'rewrite-eval.js');
    rewriter = (compileOwnModule(file, readOwnFile(file, 'utf8')) as { rewriteEval: RewriteEval }).rewriteEval;
  }
  return rewriter(source, filename, isModule);
}

/** What the module loaders do with a source before compiling it: the open-code hook sees it as read, then eval is rewritten. */
export function checkSource(filename: string, source: string, isModule: boolean): string {
  openCode(filename, source);
  return auditEvalIn(source, filename, isModule);
}
