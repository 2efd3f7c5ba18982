/**
 * node:vm: every script or function compiled from a string raises `compile` (source, filename)
 * once, and running a compiled script raises `exec` (script).
 *
 * vm.Script extends a native class, ContextifyScript, and every Script (also those that
 * vm.runIn*Context and vm.createScript make with Node's own reference to the class) is built by
 * its `super(code, filename, ...)` call, after Node has validated and defaulted the options. So,
 * with the first hook, vm.Script's [[Prototype]] becomes a Proxy of ContextifyScript: its construct trap sees exactly
 * what V8 compiles, and vm.Script itself stays the original class (instanceof, subclassing).
 * vm.SourceTextModule is handled the same way through its base class.
 */
import type * as VmModule from 'node:vm';
// The module object itself, whose functions every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import vm = require('node:vm');
import { nameBuiltCode } from '../core/built-code.js';
import { isAuditing } from '../core/kernel.js';
import {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectHasOwn, ObjectIsExtensible, ObjectSetPrototypeOf, ReflectApply, ReflectDeleteProperty, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas, isInstanceOf, isProxy, nullPrototype,
} from '../core/primordials.js';
import { optionOf, readOptions } from './args.js';
import { calledByNode } from './caller.js';
import { compilingSource } from './module/node20/esm-start.js';
import { auditFunctionConstructors, auditWebAssembly } from './code.js';
import { REJECTS, THROWS, auditedConstructor, instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';

type Constructor = new (...args: unknown[]) => object;

/**
 * Scripts Node itself builds through node:vm: internal/util's getInternalGlobal compiles `this` in
 * a fresh context (web streams use it). Neither their compile nor their runs raise anything. Only
 * that source costs the stack look-up, and `this` can do nothing whoever compiles it.
 */
const builtByNode = new WeakSetCtor<object>();

function isBuiltByNode(source: unknown): boolean {
  return source === 'this' && calledByNode();
}

/**
 * Puts a Proxy of `derived`'s base class in between, whose construct trap raises the `compile`
 * event `describe` reads from the base constructor's arguments. Scripts Node builds itself raise
 * nothing and are remembered, so that their runs raise nothing either.
 */
function auditSuperCall(derived: Constructor, describe: Describe): void {
  const base = ObjectGetPrototypeOf(derived) as Constructor;
  const notByNode: Describe = (args, newTarget) => (isBuiltByNode(args[0]) ? undefined : describe(args, newTarget));
  ObjectSetPrototypeOf(derived, auditedConstructor(base, notByNode, {
    constructed(instance, args) {
      if (isAuditing() && isBuiltByNode(args[0])) WeakSetPrototypeAdd(builtByNode, instance);
    },
  }));
}

type CompileFunction = (code: string, params: readonly string[], options: { parsingContext: object }) => (...args: unknown[]) => unknown;

/** A sandbox whose Function constructors and WebAssembly are audited, or that is left as it is. */
const auditedContexts = new WeakSetCtor<object>();

/**
 * A vm context has its own Function constructors and WebAssembly: they are audited too, before
 * the first code a hook sees run in the context (or compiled for it by vm.compileFunction or a
 * SourceTextModule) can reach them. A Proxy sandbox would see the global's definition happen and a
 * non-extensible one refuses it: those contexts keep their own (documented).
 */
function auditContext(context: unknown, isContext: (value: object) => boolean, compileIn: CompileFunction): void {
  if (typeof context !== 'object' || context === null || WeakSetPrototypeHas(auditedContexts, context) || !isContext(context)) return;
  WeakSetPrototypeAdd(auditedContexts, context);
  if (isProxy(context) || !ObjectIsExtensible(context)) return;
  // Syntax only: the sandbox can shadow every global name (Object, globalThis) the probe might read.
  let realm: readonly object[];
  try {
    const probe = compileIn('return [(function () { return this; })(), function () {}, async function () {}, function* () {}, async function* () {}];', [], { parsingContext: context });
    realm = ReflectApply(probe, undefined, []) as readonly object[];
  } catch {
    return; // a context that cannot run the probe cannot run the caller's code either: Node reports that
  }
  const contextGlobal = realm[0] as object;
  const samples = [realm[1] as object, realm[2] as object, realm[3] as object, realm[4] as object];
  auditFunctionConstructors(samples, (audited) => defineContextGlobal(context, contextGlobal, 'Function', audited));
  if (!ObjectHasOwn(context, 'WebAssembly')) auditWebAssembly(ObjectGetOwnPropertyDescriptor(contextGlobal, 'WebAssembly')?.value);
}

/**
 * Node writes a context's global definitions through to the sandbox object and reads the sandbox
 * first: the definition is made, then removed from the sandbox, where the caller would see it; the
 * context's own global keeps it. A sandbox with its own value for the name shadows it anyway and is
 * left alone. With vm.constants.DONT_CONTEXTIFY the sandbox is the global itself.
 */
function defineContextGlobal(sandbox: object, contextGlobal: object, name: string, value: unknown): void {
  const descriptor = { value, writable: true, enumerable: false, configurable: true };
  if (contextGlobal === sandbox) {
    ObjectDefineProperty(contextGlobal, name, nullPrototype(descriptor));
  } else if (!ObjectHasOwn(sandbox, name)) {
    ObjectDefineProperty(contextGlobal, name, nullPrototype(descriptor));
    ReflectDeleteProperty(sandbox, name);
    // Node 26 keeps a context's global definitions in the sandbox only: there the audited value has
    // to stay on the sandbox (not enumerable), or the context would see the original (docs/security-model.md).
    if (ObjectGetOwnPropertyDescriptor(contextGlobal, name)?.value !== value) ObjectDefineProperty(sandbox, name, nullPrototype(descriptor));
  }
}

/**
 * ContextifyScript(code, filename, lineOffset, ...): strings once Script has validated them. The
 * code's frames carry `filename`: the caller is kept as its builder (core/built-code.ts).
 */
const describeScript: Describe = (args) => {
  const code = args[0];
  const filename = args[1];
  if (typeof code !== 'string' || typeof filename !== 'string') return undefined;
  nameBuiltCode(filename, describeScript);
  compilingSource(code);
  return operation('compile', [code, filename]);
};

/**
 * Module({ sourceText, identifier, context, ... }) from SourceTextModule (SyntheticModule has no
 * source); a module's context is audited before its code can run there.
 */
function describeSourceTextModule(audit: (context: unknown) => void): Describe {
  const describe: Describe = (args) => {
    const sourceText = optionOf(args[0], 'sourceText');
    const identifier = optionOf(args[0], 'identifier');
    if (typeof sourceText !== 'string') return undefined;
    audit(optionOf(args[0], 'context'));
    if (typeof identifier === 'string') nameBuiltCode(identifier, describe);
    compilingSource(sourceText);
    return operation('compile', [sourceText, typeof identifier === 'string' ? identifier : null]);
  };
  return describe;
}

/**
 * vm.compileFunction(code, params, options): the body, and options.filename (default '').
 * Options are copied once, so the filename audited is the one compiled with, and the context
 * the function will run in is audited.
 */
/** The options compileFunction destructures. */
const COMPILE_FUNCTION_OPTIONS = [
  'filename', 'columnOffset', 'lineOffset', 'cachedData', 'produceCachedData', 'parsingContext', 'contextExtensions', 'importModuleDynamically',
] as const;

function describeCompileFunction(audit: (context: unknown) => void): Describe {
  const describe: Describe = (args) => {
    const code = args[0];
    if (typeof code !== 'string') return undefined;
    const options = readOptions(args[2], COMPILE_FUNCTION_OPTIONS);
    const filename = optionOf(options, 'filename') ?? '';
    if (typeof filename !== 'string') return undefined;
    if (options !== undefined) args[2] = options;
    audit(optionOf(options, 'parsingContext'));
    nameBuiltCode(filename, describe);
    compilingSource(code);
    return operation('compile', [code, filename]);
  };
  return describe;
}

function describeRun(isContext: (value: object) => boolean, audit: (context: unknown) => void): Describe {
  return (args, thisArg) => {
    const context = args[0];
    if (typeof context !== 'object' || context === null || !isContext(context)) return undefined;
    const run = describeRunInThisContext(args, thisArg);
    if (run !== undefined) audit(context);
    return run;
  };
}

const describeRunInThisContext: Describe = (_args, thisArg) =>
  WeakSetPrototypeHas(builtByNode, thisArg as object) ? undefined : operation('exec', [thisArg]);

function auditContextsWith(vm: typeof VmModule): (context: unknown) => void {
  const { isContext, compileFunction } = vm;
  return (context) => auditContext(context, isContext, compileFunction as unknown as CompileFunction);
}

export const vmDomain: Domain = {
  /** The wrappers, installed at startup: with no hook each costs one check. node:vm costs ~0.1 ms to load. */
  atLoad() {
    installVm();
  },
  /**
   * The Proxies under vm.Script and vm.SourceTextModule: V8's fast path for a super() call does not
   * take a Proxy, which would cost every script compile about 300 ns (a fifth of a cached compile) in
   * processes without hooks.
   */
  withFirstHook() {
    auditSuperCall(vm.Script as unknown as Constructor, describeScript);
    const SourceTextModule = (vm as { SourceTextModule?: Constructor }).SourceTextModule;
    if (typeof SourceTextModule === 'function') auditSuperCall(SourceTextModule, describeSourceTextModule(auditContextsWith(vm)));
  },
};

function installVm(): void {
  const audit = auditContextsWith(vm);
  // Script#runInNewContext runs through this.runInContext: one exec per run.
  const scriptPrototype = vm.Script.prototype as unknown as Record<string, unknown>;
  instrument(scriptPrototype, 'runInThisContext', describeRunInThisContext, THROWS);
  instrument(scriptPrototype, 'runInContext', describeRun(vm.isContext, audit), THROWS);
  instrument(vm, 'compileFunction', describeCompileFunction(audit), THROWS);

  // With --experimental-vm-modules only.
  const SourceTextModule = (vm as { SourceTextModule?: Constructor }).SourceTextModule;
  if (typeof SourceTextModule !== 'function') return;
  const modulePrototype = ObjectGetPrototypeOf(SourceTextModule.prototype) as Record<string, unknown>;
  const describeEvaluate: Describe = (_args, thisArg) =>
    isInstanceOf(thisArg, SourceTextModule) ? operation('exec', [thisArg]) : undefined;
  instrument(modulePrototype, 'evaluate', describeEvaluate, REJECTS);
}
