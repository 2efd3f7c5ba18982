/**
 * The CommonJS loader: `Module._load` notes the specifier and parent, `Module.prototype.load`
 * (reached only for a module not in require.cache, after resolution, before the file is read)
 * raises `import`, and `Module.prototype._compile` hands the source to the open-code hook and
 * rewrites eval. A `_compile` that is not the loader's own (the module's `load` is not running: a
 * program calling `new module.constructor()._compile(source, file)`) is code built from a string,
 * and raises `compile` first.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { nameBuiltCode } from '../../core/built-code.js';
import { runCausedBy } from '../../core/cause.js';
import { isAuditing } from '../../core/kernel.js';
import {
  ArrayPrototypeSlice, PathIsAbsolute, PathJoin, ReflectApply, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, withFirst,
} from '../../core/primordials.js';
import { frozenCopy } from '../args.js';
import { raise, replaceFunction } from '../wrap.js';
import { compilingSource } from './node20/esm-start.js';
import { loadingBuiltin } from '../lazy-builtins.js';
import { checkSource } from './eval.js';
import { takeEsmImport } from './loading.js';

interface CjsModule {
  readonly paths?: readonly string[];
}

interface CjsLoader {
  _load(request: string, parent: CjsModule | null | undefined, isMain: boolean): unknown;
  readonly prototype: {
    load(this: CjsModule, filename: string): void;
    _compile(this: CjsModule, content: string, filename: string, format?: string): unknown;
  };
}

/**
 * audithook's own files that Node 20's module-hooks thread loads through the CommonJS loader (the
 * hooks main-thread.ts registers, and the eval rewriter they load): a `-r` preload that adds a hook
 * runs in that thread too, and audithook's own loading must raise nothing there, nor reach the
 * open-code hook (a hook refusing them would kill start-up).
 */
const OWN_FILES: readonly string[] = [PathJoin(__dirname, 'hooks-thread.js'), PathJoin(__dirname, 'rewrite-eval.js')];

function isOwnFile(filename: unknown): boolean {
  return filename === OWN_FILES[0] || filename === OWN_FILES[1];
}

/** The specifier and parent of the `Module._load` call in progress, until its `load` reads them. */
let pendingRequest: string | undefined;
let pendingParent: CjsModule | null | undefined;
/** The modules whose `load` is running, innermost last: the loader's own `_compile` is on one of them. */
const loading: (CjsModule | undefined)[] = [];
let loadingDepth = 0;
/**
 * `node -e` / `-p` / stdin compile Node's fixed wrapper text through `_compile` once, at startup,
 * outside any load: that one call is not the program's.
 */
let evalWrapperPending = typeof (process as { _eval?: unknown })._eval === 'string';

function isLoaderCompile(module: CjsModule, filename: unknown): boolean {
  for (let i = loadingDepth - 1; i >= 0; i--) if (loading[i] === module) return true;
  if (evalWrapperPending && (filename === '[eval]-wrapper' || filename === '[stdin]-wrapper')) {
    evalWrapperPending = false;
    return true;
  }
  return false;
}

/** The file each module was loaded from. */
const loadedFiles = new WeakMapCtor<CjsModule, string>();

export function installCommonJs(): void {
  const loader = Module as unknown as CjsLoader;
  replaceFunction(loader, '_load', (originalLoad) => function _load(this: unknown, request: string, parent: CjsModule | null | undefined) {
    const outerRequest = pendingRequest;
    const outerParent = pendingParent;
    pendingRequest = request;
    pendingParent = parent;
    loadingBuiltin(request);
    try {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(originalLoad, this, arguments) as unknown;
    } finally {
      pendingRequest = outerRequest;
      pendingParent = outerParent;
    }
  } as (this: unknown, ...args: unknown[]) => unknown);

  const proto = loader.prototype;
  replaceFunction(proto, 'load', (originalModuleLoad) => function load(this: CjsModule, filename: string) {
    const request = pendingRequest;
    const parent = pendingParent;
    pendingRequest = undefined;
    pendingParent = undefined;
    // The ESM loader hands an imported CommonJS file to Module._load by its filename.
    const raisedByEsm = request === filename && takeEsmImport(filename);
    if (!raisedByEsm && isAuditing() && typeof filename === 'string' && !isOwnFile(filename)) {
      const paths = parent?.paths;
      // The requiring module is a cause, as an ES module's importer is (loading.ts): Node loads the
      // main module with no frame of the program on the stack, and a require() a package has Node
      // call later has none of the package's. Its file as loaded: `module.filename` is writable.
      const by = parent === null || parent === undefined ? undefined : WeakMapPrototypeGet(loadedFiles, parent);
      runCausedBy(by ?? filename, () => raise('import', [request ?? filename, filename, paths === undefined ? null : frozenCopy(paths), null, null]));
    }
    if (typeof filename === 'string') WeakMapPrototypeSet(loadedFiles, this, filename);
    loading[loadingDepth++] = this;
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    const args = arguments as unknown as unknown[];
    try {
      // The main module (and a -r preload) is read with no frame of the program on the stack: its file is the read's cause.
      const unrequired = (parent === null || parent === undefined) && typeof filename === 'string' && isAuditing();
      return unrequired ? runCausedBy(filename, () => ReflectApply(originalModuleLoad, this, args)) : ReflectApply(originalModuleLoad, this, args);
    } finally {
      loading[--loadingDepth] = undefined;
    }
  } as (this: unknown, ...args: unknown[]) => unknown);

  replaceFunction(proto, '_compile', (originalCompile) => function _compile(this: CjsModule, content: string, filename: string, format?: string) {
    if (typeof content === 'string') compilingSource(content);
    if (typeof content === 'string' && !isLoaderCompile(this, filename) && isAuditing()) {
      // Code the caller compiles under a name of its choice is the caller's (core/built-code.ts).
      if (typeof filename === 'string') nameBuiltCode(filename, _compile);
      raise('compile', [content, typeof filename === 'string' ? filename : null]);
    }
    // -e, -p and the REPL compile through here too, under names that are not paths: not files the loaders read.
    if (typeof content === 'string' && typeof filename === 'string' && PathIsAbsolute(filename) && !isOwnFile(filename)) {
      const rewritten = checkSource(filename, content, format === 'module');
      if (rewritten !== content) {
        // eslint-disable-next-line prefer-rest-params -- every argument, as given, with the rewritten source
        const args = withFirst(rewritten, ArrayPrototypeSlice(arguments as unknown as unknown[], 1));
        return ReflectApply(originalCompile, this, args);
      }
    }
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    return ReflectApply(originalCompile, this, arguments) as unknown;
  } as (this: unknown, ...args: unknown[]) => unknown);
}
