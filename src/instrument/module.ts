/**
 * Module loading: `import` when a module is loaded (not from a cache), the open-code hook for every
 * source the loaders compile, eval auditing by rewriting sources as they load (src/rewrite-eval.ts),
 * and `module.register` / `module.registerHooks`.
 *
 * CommonJS (both Node versions): `Module._load` notes the specifier and parent, `Module.prototype.load`
 * (reached only for a module not in require.cache, after resolution, before the file is read)
 * raises `import`, and `Module.prototype._compile` hands the source to the open-code hook and
 * rewrites eval. ESM: loader hooks (src/instrument/loader-hooks.ts) raise `import` before a module
 * is read, for every import, and check and rewrite ES module sources. An import of a CommonJS file
 * reaches the CommonJS loader too: the ESM side raised its event, the CommonJS side raises nothing.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
// The CommonJS loader itself, whose functions every require reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { dispatch, isAuditing } from '../kernel.js';
import { openCode } from '../opencode.js';
import {
  MapCtor,
  MapPrototypeDelete,
  MapPrototypeGet,
  MapPrototypeHas,
  MapPrototypeSet,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectGetOwnPropertyNames,
  ReflectApply,
  SetCtor,
  SetPrototypeAdd,
  SetPrototypeDelete,
  SetPrototypeGetSize,
  StringPrototypeSlice,
  isNativeError,
} from '../primordials.js';
import type { LoaderData, LoaderReply, LoaderRequest } from './loader-hooks.js';
import { frozenCopy } from './args.js';
import { callSiteFileName, callSites } from '../callsites.js';
import { mentionsEval } from './mentions-eval.js';
import { inWorker } from './startup.js';
import { copyIdentity, instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

interface CjsModule {
  readonly paths?: readonly string[];
}

interface Loader {
  _load(request: string, parent: CjsModule | null | undefined, isMain: boolean): unknown;
  readonly prototype: {
    load(this: CjsModule, filename: string): void;
    _compile(this: CjsModule, content: string, filename: string, format?: string): unknown;
  };
  register?: (specifier: string | URL, parentURL?: unknown, options?: unknown) => void;
  registerHooks?: (hooks: SyncHooks) => unknown;
}

interface ResolveResult { readonly url: string }
interface LoadResult { format?: string | null; source?: string | Uint8Array | null }
interface SyncHooks {
  resolve(specifier: string, context: { conditions?: readonly string[] }, next: (s: string, c?: unknown) => ResolveResult): ResolveResult;
  load(url: string, context: unknown, next: (u: string, c?: unknown) => LoadResult): LoadResult;
}

const loader = Module as unknown as Loader;
/** The output directory: this file is bundled into dist/runtime.js, or compiled as is into <out>/instrument/. */
const OUT_DIR = basename(__dirname) === 'instrument' ? dirname(__dirname) : __dirname;

/** The specifier and parent of the `Module._load` call in progress, until its `load` reads them. */
let pendingRequest: string | undefined;
let pendingParent: CjsModule | null | undefined;
/** Files whose `import` the ESM loader raised: the CommonJS load of the same file raises nothing. */
const importedByEsm = new SetCtor<string>();

/** A module's filename as events carry it: the path of a file: URL, any other URL as is. */
function toFilename(url: string): string {
  return StringPrototypeSlice(url, 0, 5) === 'file:' ? fileURLToPath(url) : url;
}

/** `import` for an ESM load (specifier as written, resolved file); sys.path, meta_path and path_hooks have no ESM value. */
function auditImport(specifier: string, url: string): void {
  const filename = toFilename(url);
  if (isAuditing()) dispatch('import', ObjectFreeze([specifier, filename, null, null, null]));
  SetPrototypeAdd(importedByEsm, filename);
}

// ---- eval ----------------------------------------------------------------------------------------

const realEval = globalThis.eval;
/** The audited indirect eval that rewritten references to the global eval get: same name and length. */
const auditedEval = copyIdentity({
  eval(source: unknown): unknown {
    if (typeof source === 'string' && isAuditing()) dispatch('compile', ObjectFreeze([source, '<eval>']));
    return realEval(source as string);
  },
}.eval, realEval);

/** What rewritten code calls, under a global name user code can neither replace nor (the rewriter checks) shadow. */
const evalAudit = ObjectFreeze({
  direct(source: unknown, filename: string): unknown {
    if (typeof source === 'string' && isAuditing()) dispatch('compile', ObjectFreeze([source, filename]));
    return source;
  },
  spread(args: Iterable<unknown>, filename: string): unknown[] {
    const list = [...args];
    evalAudit.direct(list[0], filename);
    return list;
  },
  ref(value: unknown): unknown {
    return value === realEval ? auditedEval : value;
  },
});

type RewriteEval = (source: string, filename: string, isModule: boolean) => string;
let rewriter: RewriteEval | undefined;
/** Read and compiled with Node's own functions, captured before they are instrumented: audithook's own code raises nothing. */
const readOwnFile = readFileSync;
const compile = loader.prototype._compile;
const ModuleCtor = Module as unknown as new (id: string) => { filename: string; paths: string[]; exports: { rewriteEval: RewriteEval } };

/** The source with eval audited; the rewriter (acorn) loads on the first source that mentions eval. */
function auditEvalIn(source: string, filename: string, isModule: boolean): string {
  if (!mentionsEval(source)) return source;
  if (rewriter === undefined) {
    const file = join(OUT_DIR, 'rewrite-eval.js');
    const own = new ModuleCtor(file);
    own.filename = file;
    own.paths = [];
    ReflectApply(compile, own, [readOwnFile(file, 'utf8'), file]);
    rewriter = own.exports.rewriteEval;
  }
  return rewriter(source, filename, isModule);
}

/** What the module loaders do with a source before compiling it: the open-code hook sees it as read, then eval is rewritten. */
function checkSource(filename: string, source: string, isModule: boolean): string {
  openCode(filename, source);
  return auditEvalIn(source, filename, isModule);
}

// ---- CommonJS ------------------------------------------------------------------------------------

function installCommonJs(): void {
  const originalLoad = loader._load;
  loader._load = copyIdentity(function _load(this: unknown, request: string, parent: CjsModule | null | undefined) {
    const outerRequest = pendingRequest;
    const outerParent = pendingParent;
    pendingRequest = request;
    pendingParent = parent;
    try {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(originalLoad, this, arguments) as unknown;
    } finally {
      pendingRequest = outerRequest;
      pendingParent = outerParent;
    }
  }, originalLoad);

  const proto = loader.prototype;
  const originalModuleLoad = proto.load;
  proto.load = copyIdentity(function load(this: CjsModule, filename: string) {
    const request = pendingRequest;
    const parent = pendingParent;
    pendingRequest = undefined;
    pendingParent = undefined;
    // The ESM loader hands an imported CommonJS file to Module._load by its filename.
    const raisedByEsm = request === filename && SetPrototypeGetSize(importedByEsm) !== 0 && SetPrototypeDelete(importedByEsm, filename);
    if (!raisedByEsm && isAuditing() && typeof filename === 'string') {
      const paths = parent?.paths;
      dispatch('import', ObjectFreeze([request ?? filename, filename, paths === undefined ? null : frozenCopy(paths), null, null]));
    }
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    return ReflectApply(originalModuleLoad, this, arguments) as unknown;
  }, originalModuleLoad);

  const originalCompile = proto._compile;
  proto._compile = copyIdentity(function _compile(this: CjsModule, content: string, filename: string, format?: string) {
    // -e, -p and the REPL compile through here too, under names that are not paths: not files the loaders read.
    if (typeof content === 'string' && typeof filename === 'string' && isAbsolute(filename)) {
      const rewritten = checkSource(filename, content, format === 'module');
      if (rewritten !== content) {
        // eslint-disable-next-line prefer-rest-params -- every argument, as given, with the rewritten source
        const args = [...arguments] as unknown[];
        args[0] = rewritten;
        return ReflectApply(originalCompile, this, args) as unknown;
      }
    }
    // eslint-disable-next-line prefer-rest-params -- every argument, as given
    return ReflectApply(originalCompile, this, arguments) as unknown;
  }, originalCompile);
}

// ---- ESM -----------------------------------------------------------------------------------------

/** Imports resolved and not yet loaded: the specifier each URL was imported by (in-thread hooks). */
const importedSpecifiers = new MapCtor<string, string>();

/** Node >= 22.15: synchronous hooks in this thread, which also see require() (the CommonJS side audits those). */
function inThreadHooks(): SyncHooks {
  return {
    resolve(specifier, context, next) {
      const result = next(specifier, context);
      const conditions = context.conditions;
      if (conditions !== undefined && includes(conditions, 'import') && StringPrototypeSlice(result.url, 0, 5) !== 'node:'
        && !MapPrototypeHas(importedSpecifiers, result.url)) {
        MapPrototypeSet(importedSpecifiers, result.url, specifier);
      }
      return result;
    },
    load(url, context, next) {
      const specifier = MapPrototypeGet(importedSpecifiers, url);
      if (specifier === undefined) return next(url, context);
      MapPrototypeDelete(importedSpecifiers, url);
      auditImport(specifier, url);
      const result = next(url, context);
      if (result.format !== 'commonjs') SetPrototypeDelete(importedByEsm, toFilename(url));
      if (result.format === 'module' && result.source != null) {
        result.source = checkSource(toFilename(url), decode(result.source), true);
      }
      return result;
    },
  };
}

function includes(list: readonly string[], value: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

const decoder = new TextDecoder();
function decode(source: string | Uint8Array): string {
  return typeof source === 'string' ? source : decoder.decode(source);
}

/**
 * What the hooks thread of Node 20 reads without asking: whether an audit hook or the open-code hook
 * exists, and whether this thread is blocked in module.register() (it cannot answer then).
 */
const sharedFlags = new Int32Array(new SharedArrayBuffer(12));
const FLAG_AUDITING = 0;
const FLAG_OPEN_CODE = 1;
const FLAG_REGISTERING = 2;

/**
 * The ESM hooks start with the first audit or open-code hook: before that no import has anyone to
 * tell, and they cost even unused (in-thread hooks slow every require() too; the hooks thread
 * takes tens of milliseconds to start).
 */
let startEsmHooks: (() => void) | undefined;

/** Node 20: hooks run in Node's hooks thread and ask this thread, where the hooks live, over a MessagePort. */
function offThreadHooks(register: NonNullable<Loader['register']>): void {
  startEsmHooks = () => {
    startEsmHooks = undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the hooks thread, not at startup
    const { MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (request: LoaderRequest) => answer(port1, request));
    port1.unref();
    const data: LoaderData = { port: port2, flags: sharedFlags };
    register(pathToFileURL(join(OUT_DIR, 'instrument', 'loader-hooks.js')), { data, transferList: [port2] });
  };
  // register() waits, blocked, for the hooks thread to load the new hooks, through ours.
  loader.register = copyIdentity(function (this: unknown) {
    Atomics.store(sharedFlags, FLAG_REGISTERING, 1);
    try {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(register, this, arguments) as unknown;
    } finally {
      Atomics.store(sharedFlags, FLAG_REGISTERING, 0);
    }
  }, register);
}

function answer(port: MessagePort, request: LoaderRequest): void {
  let reply: LoaderReply;
  try {
    auditImport(request.specifier, request.url);
    if (request.source !== undefined) openCode(toFilename(request.url), request.source);
    reply = { id: request.id, error: undefined };
  } catch (error) {
    reply = { id: request.id, error: describeError(error) };
  }
  port.postMessage(reply);
}

/** A hook's error as data the hooks thread rebuilds: its class name, message and own properties (code...). */
function describeError(error: unknown): LoaderReply['error'] {
  if (!isNativeError(error) && !(error instanceof Error)) return { name: 'Error', message: String(error), properties: {} };
  const properties: Record<string, unknown> = {};
  const names = ObjectGetOwnPropertyNames(error);
  for (let i = 0; i < names.length; i++) {
    const value = (error as unknown as Record<string, unknown>)[names[i] as string];
    if (value === null || typeof value !== 'object') properties[names[i] as string] = value;
  }
  return { name: error.name, message: error.message, properties };
}

export function auditHookAdded(): void {
  Atomics.store(sharedFlags, FLAG_AUDITING, 1);
  startEsmHooks?.();
}

export function openCodeHookSet(): void {
  Atomics.store(sharedFlags, FLAG_OPEN_CODE, 1);
  startEsmHooks?.();
}

// ---- module.register -----------------------------------------------------------------------------

const describeRegister: Describe = (args) => {
  const specifier = args[0];
  const parent = args[1];
  if (typeof specifier !== 'string' && !(specifier instanceof URL)) return undefined;
  const parentURL = typeof parent === 'string' || parent instanceof URL ? String(parent) : null;
  return operation('module.register', [String(specifier), parentURL]);
};

const describeRegisterHooks: Describe = (args) =>
  typeof args[0] === 'object' && args[0] !== null ? operation('module.register', [null, null]) : undefined;

/**
 * Node also runs -r preloads in its module hooks thread (Node 20's module.register, or any version
 * once a program registers off-thread hooks). That thread cannot register hooks itself, and the loads
 * it serves are audited in the thread that asked for them.
 */
export function inNodeHooksThread(): boolean {
  if (!inWorker()) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only in workers, where it is loaded already
  const { isInternalThread } = require('node:worker_threads') as { isInternalThread?: boolean };
  if (isInternalThread !== undefined) return isInternalThread;
  // Node 20 has no flag: its hooks thread loads the preloads from its own entry module, deep below here.
  const sites = callSites(inNodeHooksThread, 200) ?? [];
  for (let i = 0; i < sites.length; i++) {
    if (callSiteFileName(sites[i] as object) === 'node:internal/modules/esm/worker') return true;
  }
  return false;
}

export function installModules(): void {
  ObjectDefineProperty(globalThis, '__audithook', { value: evalAudit, writable: false, enumerable: false, configurable: false });
  installCommonJs();
  const { register, registerHooks } = loader;
  if (!inNodeHooksThread()) {
    if (typeof registerHooks === 'function') {
      startEsmHooks = () => {
        startEsmHooks = undefined;
        registerHooks(inThreadHooks());
      };
    } else if (typeof register === 'function') {
      offThreadHooks(register);
    }
  }
  instrument(loader, 'register', describeRegister, { delivery: 'throw' });
  instrument(loader, 'registerHooks', describeRegisterHooks, { delivery: 'throw' });
}
