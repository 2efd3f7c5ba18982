/**
 * Module loading: `import` when a module is loaded (not from a cache), the open-code hook for every
 * source the loaders compile, eval auditing by rewriting sources as they load, and
 * `module.register` / `module.registerHooks`.
 *
 * commonjs.ts is the CommonJS loader; ES modules go through loader hooks that raise `import` before
 * a module is read and check and rewrite ES module sources: in this thread on Node >= 22.15
 * (esm.ts), in Node's hooks thread on Node 20 (node20/). An import of a CommonJS file reaches the
 * CommonJS loader too: the ESM side raised its event, the CommonJS side raises nothing (loading.ts).
 */
// The CommonJS loader itself, whose functions every require reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { inNodeHooksThread } from '../../core/module-hooks-thread.js';
import { NumberParseInt, StringPrototypeEndsWith } from '../../core/primordials.js';
import { isURL, readOptions, toStringValue } from '../args.js';
import { instrument, operation } from '../wrap.js';
import type { Describe } from '../wrap.js';
import type { Domain } from '../domain.js';
import { installCommonJs } from './commonjs.js';
import { esmMayLoad, offThreadStart, startingOnce } from './node20/esm-start.js';
import type { EsmHooksStart } from './node20/esm-start.js';
import { watchBuiltinLoads } from '../lazy-builtins.js';
import { inThreadHooks } from './esm.js';
import type { SyncHooks } from './esm.js';
import { defineEvalAudit, ownFiles, readOwnFile } from './eval.js';
import { rewritesEval } from './mentions-eval.js';
import { offThreadHooks, setAuditingFlag, setOpenCodeFlag } from './node20/main-thread.js';

interface Loader {
  register?: (specifier: string | URL, parentURL?: unknown, options?: unknown) => void;
  registerHooks?: (hooks: SyncHooks) => unknown;
}

const loader = Module as unknown as Loader;

/**
 * The ESM hooks start with the first audit or open-code hook: before that no import has anyone to
 * tell, and they cost even unused (in-thread hooks slow every require() too; the hooks thread
 * takes tens of milliseconds to start). Node 20's may wait longer (node20/esm-start.ts).
 */
let esmHooks: EsmHooksStart | undefined;

function auditHookAdded(): void {
  setAuditingFlag();
  esmHooks?.whenNeeded();
}

/**
 * An ES main module that names audithook can add the first hook before its own code runs, as a
 * CommonJS one can (commonjs.ts rewrites it as it loads); it is compiled before that hook exists,
 * so for it the ESM hooks start with the instrumentation, and they rewrite its eval. The entry is
 * process.argv[1] (absolute by now), unless the program is -e / -p code or stdin.
 */
function mainModuleMayAddHook(): boolean {
  const entry = process.argv[1];
  if (typeof (process as { _eval?: unknown })._eval === 'string' || typeof entry !== 'string' || entry === '-') return false;
  if (StringPrototypeEndsWith(entry, '.cjs') || StringPrototypeEndsWith(entry, '.cts')) return false;
  try {
    return rewritesEval(readOwnFile(entry, 'utf8'), false);
  } catch {
    // Not a file Node reads as is (a directory, a name Node completes with an extension): as before.
    return false;
  }
}

export function openCodeHookSet(): void {
  setOpenCodeFlag();
  esmHooks?.whenNeeded();
}

// ---- module.register -----------------------------------------------------------------------------

/** What register reads from an options object given in place of parentURL. */
const REGISTER_OPTIONS = ['parentURL', 'data', 'transferList'] as const;

/**
 * module.register(specifier[, parentURL][, options]) converts the specifier and the parent URL
 * with `${...}` (any object will do), and takes the parent from `options.parentURL` when the second
 * argument is an options object: each is read and converted once here, and Node gets the strings.
 */
const describeRegister: Describe = (args) => {
  // The program's hooks chain after audithook's, as when audithook's start with the first hook.
  esmMayLoad();
  const specifier = toStringValue(args[0]);
  args[0] = specifier;
  const second = args[1];
  let parent: unknown = second;
  if (second !== null && typeof second === 'object' && !isURL(second)) {
    const options = readOptions(second, REGISTER_OPTIONS) as Record<string, unknown>;
    args[1] = options;
    parent = options['parentURL'];
    if (parent !== undefined && parent !== null) options['parentURL'] = parent = toStringValue(parent);
  } else if (second !== undefined && second !== null) {
    args[1] = parent = toStringValue(second);
  }
  return operation('module.register', [specifier, typeof parent === 'string' ? parent : null]);
};

const describeRegisterHooks: Describe = (args) =>
  typeof args[0] === 'object' && args[0] !== null ? operation('module.register', [null, null]) : undefined;

/**
 * module.enableCompileCache(directory | { directory, portable, readOnly }) has Node write V8's code
 * cache for every module loaded afterwards under the directory: the Node-only
 * `module.enableCompileCache` (directory as given, null when Node picks its default). Options are
 * read once into a copy, which Node gets.
 */
const describeEnableCompileCache: Describe = (args) => {
  const given = args[0];
  // Node 22 takes only a directory string.
  if (typeof given === 'object' && given !== null && NumberParseInt(process.versions.node, 10) >= 24) {
    const copy = { directory: (given as Record<string, unknown>)['directory'], portable: (given as Record<string, unknown>)['portable'], readOnly: (given as Record<string, unknown>)['readOnly'] };
    args[0] = copy;
    return typeof copy.directory === 'string' || copy.directory === undefined ? operation('module.enableCompileCache', [copy.directory ?? null]) : undefined;
  }
  return typeof given === 'string' || given === undefined ? operation('module.enableCompileCache', [given ?? null]) : undefined;
};

export const moduleDomain: Domain = { atLoad: installModules, withFirstHook: auditHookAdded };

function installModules(): void {
  defineEvalAudit();
  installCommonJs();
  watchBuiltinLoads();
  const { register, registerHooks } = loader;
  // Node's hooks thread cannot register hooks, and the loads it serves are audited in the thread that asked.
  if (!inNodeHooksThread()) {
    if (typeof registerHooks === 'function') esmHooks = startingOnce(() => registerHooks(inThreadHooks()));
    else if (typeof register === 'function') esmHooks = offThreadStart(offThreadHooks(loader as { register: NonNullable<Loader['register']> }), ownFiles);
    if (mainModuleMayAddHook()) esmHooks?.now();
  }
  instrument(loader, 'register', describeRegister, { delivery: 'throw' });
  instrument(loader, 'registerHooks', describeRegisterHooks, { delivery: 'throw' });
  instrument(loader, 'enableCompileCache', describeEnableCompileCache, { delivery: 'throw' });
}
