/**
 * node:vm: every script or function compiled from a string raises `compile` (source, filename)
 * once, and running a compiled script raises `exec` (script).
 *
 * vm.Script extends a native class, ContextifyScript, and every Script (also those that
 * vm.runIn*Context and vm.createScript make with Node's own reference to the class) is built by
 * its `super(code, filename, ...)` call, after Node has validated and defaulted the options. So
 * vm.Script's [[Prototype]] becomes a Proxy of ContextifyScript: its construct trap sees exactly
 * what V8 compiles, and vm.Script itself stays the original class (instanceof, subclassing).
 * vm.SourceTextModule is handled the same way through its base class.
 */
import type * as VmModule from 'node:vm';
import { dispatch, isAuditing } from '../kernel.js';
import {
  ObjectFreeze,
  ObjectGetPrototypeOf,
  ObjectSetPrototypeOf,
  ProxyCtor,
  ReflectConstruct,
  WeakSetCtor,
  WeakSetPrototypeAdd,
  WeakSetPrototypeHas,
} from '../primordials.js';
import { optionOf, snapshotOptions } from './args.js';
import { calledByNode } from './caller.js';
import { disguise } from './code.js';
import { instrument, operation } from './wrap.js';
import type { Describe } from './wrap.js';

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
 * Puts a Proxy of `derived`'s base class in between, whose construct trap raises the event
 * `describe` reads from the base constructor's arguments (undefined: nothing to audit).
 */
function auditSuperCall(derived: Constructor, describe: (args: unknown[]) => readonly unknown[] | undefined): void {
  const base = ObjectGetPrototypeOf(derived) as Constructor;
  const audited = new ProxyCtor(base, {
    construct(target, args, newTarget): object {
      const eventArgs = isAuditing() ? describe(args) : undefined;
      if (eventArgs === undefined) return ReflectConstruct(target, args, newTarget) as object;
      if (isBuiltByNode(eventArgs[0])) {
        const built = ReflectConstruct(target, args, newTarget) as object;
        WeakSetPrototypeAdd(builtByNode, built);
        return built;
      }
      dispatch('compile', ObjectFreeze(eventArgs));
      return ReflectConstruct(target, args, newTarget) as object;
    },
  });
  disguise(audited, base);
  ObjectSetPrototypeOf(derived, audited);
}

/** ContextifyScript(code, filename, lineOffset, ...): strings once Script has validated them. */
function describeScript(args: unknown[]): readonly unknown[] | undefined {
  return typeof args[0] === 'string' && typeof args[1] === 'string' ? [args[0], args[1]] : undefined;
}

/** Module({ sourceText, identifier, ... }) from SourceTextModule (SyntheticModule has no source). */
function describeSourceTextModule(args: unknown[]): readonly unknown[] | undefined {
  const sourceText = optionOf(args[0], 'sourceText');
  const identifier = optionOf(args[0], 'identifier');
  return typeof sourceText === 'string' ? [sourceText, typeof identifier === 'string' ? identifier : null] : undefined;
}

/**
 * vm.compileFunction(code, params, options): the body, and options.filename (default '').
 * Options are copied once, so the filename audited is the one compiled with.
 */
const describeCompileFunction: Describe = (args) => {
  const code = args[0];
  if (typeof code !== 'string') return undefined;
  const options = snapshotOptions(args[2]);
  const filename = optionOf(options, 'filename') ?? '';
  if (typeof filename !== 'string') return undefined;
  if (options !== undefined) args[2] = options;
  return operation('compile', [code, filename]);
};

function describeRun(isContext: (value: object) => boolean): Describe {
  return (args, thisArg) => {
    const context = args[0];
    if (typeof context !== 'object' || context === null || !isContext(context)) return undefined;
    return describeRunInThisContext(args, thisArg);
  };
}

const describeRunInThisContext: Describe = (_args, thisArg) =>
  WeakSetPrototypeHas(builtByNode, thisArg as object) ? undefined : operation('exec', [thisArg]);

export function installVm(vm: typeof VmModule): void {
  auditSuperCall(vm.Script as unknown as Constructor, describeScript);
  // Script#runInNewContext runs through this.runInContext: one exec per run.
  const scriptPrototype = vm.Script.prototype as unknown as Record<string, unknown>;
  instrument(scriptPrototype, 'runInThisContext', describeRunInThisContext, { delivery: 'throw' });
  instrument(scriptPrototype, 'runInContext', describeRun(vm.isContext), { delivery: 'throw' });
  instrument(vm, 'compileFunction', describeCompileFunction, { delivery: 'throw' });

  // With --experimental-vm-modules only.
  const SourceTextModule = (vm as { SourceTextModule?: Constructor }).SourceTextModule;
  if (typeof SourceTextModule !== 'function') return;
  auditSuperCall(SourceTextModule, describeSourceTextModule);
  const modulePrototype = ObjectGetPrototypeOf(SourceTextModule.prototype) as Record<string, unknown>;
  const describeEvaluate: Describe = (_args, thisArg) =>
    thisArg instanceof SourceTextModule ? operation('exec', [thisArg]) : undefined;
  instrument(modulePrototype, 'evaluate', describeEvaluate, { delivery: 'reject' });
}
