/**
 * Code built from strings and bytes by the language itself: the Function constructor and its
 * async and generator siblings, and WebAssembly. Each raises `compile` (source, filename) before
 * V8 builds anything, with the very text or bytes V8 then compiles.
 *
 * The constructors are replaced by Proxies of themselves, installed as the global and as
 * `<prototype>.constructor`: `instanceof`, `prototype`, `name`, `length`, subclassing and
 * `Function.prototype.toString` (see `disguise`) behave as with the originals.
 */
import { isAuditing } from '../core/kernel.js';
import {
  FunctionPrototypeHasInstance, FunctionPrototypeToString, GlobalFetch, NumberParseInt, ObjectGetOwnPropertyDescriptor, ObjectGetPrototypeOf, ObjectSetPrototypeOf, ReflectApply, RegExpPrototypeExec, SymbolHasInstance, TypeErrorCtor, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas, defineValue, isAnyArrayBuffer, isArrayBufferView, isProxy, withFirst,
} from '../core/primordials.js';
import { calledByNode } from './caller.js';
import { compilingSource } from './module/node20/esm-start.js';
import { callFromCaller, mentionsImport } from './referrer.js';
import type { Reflector } from './referrer.js';
import {
  REJECTS, THROWS, auditedConstructor, disguiseToString, instrument, instrumentConstructor, operation, raise, replaceFunction, replaceValue,
} from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';

type Callable = (...args: unknown[]) => unknown;

/**
 * Each argument of `new Function(...)` and the like is converted to a string once, in order, as V8
 * would, and V8 gets the strings: side effects run once, and the text audited and looked at for
 * `import` is the compiled one. A Symbol throws V8's own TypeError here.
 */
function toSourceStrings(args: unknown[]): void {
  for (let i = 0; i < args.length; i++) args[i] = `${args[i] as string}`;
}

/** They raise `compile` (source, null): the source is the function's text as `toString()` shows it. */
function describeFunctionSource(keyword: string): Describe {
  return (args) => {
    const last = args.length - 1;
    let params = '';
    for (let i = 0; i < last; i++) params = i === 0 ? args[i] as string : `${params},${args[i] as string}`;
    const body = last >= 0 ? args[last] as string : '';
    const source = `${keyword} anonymous(${params}\n) {\n${body}\n}`;
    compilingSource(source);
    return operation('compile', [source, null]);
  };
}

/** A function whose code can `import()` is built from the caller's script, which V8 takes as the import's referrer (referrer.ts). */
function buildFromCaller(args: readonly unknown[], reflect: Reflector, target: unknown, x: unknown, y: unknown): unknown {
  for (let i = 0; i < args.length; i++) {
    if (mentionsImport(args[i] as string)) return callFromCaller(reflect, target, x, y);
  }
  return ReflectApply(reflect, undefined, [target, x, y]);
}

/** A Proxy of one Function constructor, called with or without `new`, also as a subclass's super(). */
function auditedFunctionConstructor(original: Callable, keyword: string): Callable {
  const audited = auditedConstructor(original, describeFunctionSource(keyword), { callable: true, prepare: toSourceStrings, invoke: buildFromCaller });
  replaceValue(original.prototype as object, 'constructor', audited);
  return audited;
}

const FUNCTION_KEYWORDS = ['function', 'async function', 'function*', 'async function*'] as const;

/**
 * Audits a realm's four Function constructors, found through `samples`: a plain, an async, a
 * generator and an async generator function of that realm (their prototypes' `constructor`).
 * `setGlobalFunction` installs the audited Function as the realm's global.
 */
export function auditFunctionConstructors(samples: readonly object[], setGlobalFunction: (audited: Callable) => void): void {
  const functionPrototype = ObjectGetPrototypeOf(samples[0]) as { constructor: Callable };
  disguiseToString(functionPrototype);
  const OriginalFunction = functionPrototype.constructor;
  let auditedFunction: Callable | undefined;
  for (let i = 0; i < FUNCTION_KEYWORDS.length; i++) {
    const original = (ObjectGetPrototypeOf(samples[i]) as { constructor: Callable }).constructor;
    const audited = auditedFunctionConstructor(original, FUNCTION_KEYWORDS[i] as string);
    if (original === OriginalFunction) {
      auditedFunction = audited;
      setGlobalFunction(audited);
    } else if (auditedFunction !== undefined && ObjectGetPrototypeOf(original) === OriginalFunction) {
      // AsyncFunction and its siblings inherit from Function: `Object.getPrototypeOf(AsyncFunction) === Function` holds on.
      ObjectSetPrototypeOf(original, auditedFunction);
    }
  }
}

/** A BufferSource WebAssembly compiles; anything else makes WebAssembly reject or throw its own error. */
function isBufferSource(value: unknown): boolean {
  return isArrayBufferView(value) || isAnyArrayBuffer(value);
}

/** WebAssembly.compile(bytes) and instantiate(bytes, imports): the bytes as given; instantiate(module) compiles nothing. */
const describeWasmBytes: Describe = (args) =>
  isBufferSource(args[0]) && !calledByNode() ? operation('compile', [args[0] as ArrayBufferView, null]) : undefined;

interface ResponseLike {
  readonly ok: boolean;
  readonly url: string;
  readonly bodyUsed: boolean;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Node's own Response class, which Node's check of a streaming compile's source is made with.
 * Node 20: the global is an accessor whose getter is taken with the first hook (reading the
 * descriptor loads nothing). Node 22 and later: the global is a lazy data property, which any look
 * at (the value, the descriptor, a redefinition) loads undici, 20 to 40 ms, and no other way to the
 * class exists; so it is found when a streaming compile first needs it, from a Response that fetch
 * (as it was when audithook loaded) makes of a data: URL. Its prototype is undici's own, and its
 * `constructor` is the class only if it is a class whose non-writable `prototype` is that object,
 * which no other class can have (a class's prototype object is made with it), and no Proxy: a
 * program that rewrote the `constructor` leaves the class unknown, and every value is then read
 * and audited as a Response (fail closed).
 */
let responseGetter: (() => unknown) | undefined;
let responseClassKnown = false;
let ResponseClass: unknown;

function captureResponseClass(global: typeof globalThis): void {
  if (NumberParseInt(process.versions.node, 10) >= 22) return;
  const descriptor = ObjectGetOwnPropertyDescriptor(global, 'Response');
  const get = descriptor?.get;
  responseGetter = get === undefined ? (): unknown => descriptor?.value : (): unknown => ReflectApply(get, global, []);
}

const CLASS_SOURCE = /^class[\s{]/;

/** The class whose own prototype `prototype` is, from its `constructor`; undefined when that is not one. */
function classOfPrototype(prototype: unknown): unknown {
  if (typeof prototype !== 'object' || prototype === null) return undefined;
  const constructor = ObjectGetOwnPropertyDescriptor(prototype, 'constructor')?.value as unknown;
  if (typeof constructor !== 'function' || isProxy(constructor)) return undefined;
  const own = ObjectGetOwnPropertyDescriptor(constructor, 'prototype');
  if (own === undefined || own.value !== prototype || own.writable !== false) return undefined;
  return RegExpPrototypeExec(CLASS_SOURCE, FunctionPrototypeToString(constructor)) === null ? undefined : constructor;
}

async function nodeResponseClass(): Promise<unknown> {
  if (!responseClassKnown) {
    if (responseGetter !== undefined) ResponseClass = responseGetter();
    else if (GlobalFetch !== undefined) ResponseClass = classOfPrototype(ObjectGetPrototypeOf(await ReflectApply(GlobalFetch, undefined, ['data:,'])));
    responseClassKnown = true;
  }
  return ResponseClass;
}

/**
 * Whether `value` is a Response in Node's own sense (`instanceof` its undici class). Node's check
 * honours a Symbol.hasInstance that code may have added to the class; when one is there the answer
 * is yes, so that such a value is read and audited here rather than handed to Node unaudited.
 */
async function isNodeResponse(value: unknown): Promise<boolean> {
  const ResponseCtor = await nodeResponseClass();
  if (typeof ResponseCtor !== 'function') return true;
  if ((ResponseCtor as { [Symbol.hasInstance]: unknown })[SymbolHasInstance] !== FunctionPrototypeHasInstance) return true;
  return ReflectApply(FunctionPrototypeHasInstance, ResponseCtor, [value]);
}

/**
 * compileStreaming(source) and instantiateStreaming(source, imports) receive a Response whose
 * bytes exist only once read. With a hook, the body is read here, audited with the response URL
 * as the filename, and those very bytes compiled by WebAssembly.compile/instantiate (same results;
 * wasm stack frames lose the URL). Only a value Node refuses as no Response goes to the original,
 * which rejects it with Node's own error; Node's other checks are repeated here, as Node makes them.
 */
function auditedStreaming(streaming: Callable, fromBytes: Callable): Callable {
  async function readAndCompile(source: unknown, rest: unknown[]): Promise<unknown> {
    const response = await source;
    if (!await isNodeResponse(response)) return ReflectApply(streaming, undefined, withFirst(response, rest));
    const candidate = response as ResponseLike;
    const contentType = candidate.headers.get('Content-Type');
    if (contentType !== 'application/wasm') throw responseError(`has unsupported MIME type '${contentType}'`);
    if (!candidate.ok) throw responseError(`has status code ${(response as { status: number }).status}`);
    if (candidate.bodyUsed !== false) throw responseError('body has already been used');
    const bytes = await candidate.arrayBuffer();
    if (isAuditing()) raise('compile', [bytes, candidate.url === '' ? null : candidate.url]);
    return ReflectApply(fromBytes, undefined, withFirst(bytes, rest));
  }
  return function (this: unknown, source: unknown, ...rest: unknown[]): unknown {
    if (!isAuditing()) return ReflectApply(streaming, this, withFirst(source, rest));
    return readAndCompile(source, rest);
  };
}

/** Node's ERR_WEBASSEMBLY_RESPONSE. */
function responseError(reason: string): TypeError {
  const error = new TypeErrorCtor(`WebAssembly response ${reason}`) as TypeError & { code: string };
  defineValue(error, 'code', 'ERR_WEBASSEMBLY_RESPONSE');
  return error;
}

/** WebAssembly namespaces already audited: a vm context's sandbox may hand a context the main realm's. */
const auditedNamespaces = new WeakSetCtor<object>();

/** Audits a realm's WebAssembly namespace object. */
export function auditWebAssembly(wasm: unknown): void {
  if (typeof wasm !== 'object' || wasm === null || WeakSetPrototypeHas(auditedNamespaces, wasm)) return;
  WeakSetPrototypeAdd(auditedNamespaces, wasm);
  auditWebAssemblyNamespace(wasm as Record<string, unknown>);
}

const describeWasmModule: Describe = (args) =>
  isBufferSource(args[0]) && !calledByNode() ? operation('compile', [args[0] as ArrayBufferView, null]) : undefined;

function auditWebAssemblyNamespace(wasm: Record<string, unknown>): void {
  const compile = wasm['compile'] as Callable;
  const instantiate = wasm['instantiate'] as Callable;
  replaceFunction(wasm, 'compileStreaming', (original) => auditedStreaming(original, compile));
  replaceFunction(wasm, 'instantiateStreaming', (original) => auditedStreaming(original, instantiate));
  instrument(wasm, 'compile', describeWasmBytes, REJECTS);
  instrument(wasm, 'instantiate', describeWasmBytes, REJECTS);
  instrumentConstructor(wasm, 'Module', describeWasmModule);
}

/** ShadowRealm#evaluate(sourceText) (--experimental-shadow-realm) compiles a script in the realm; a non-string throws V8's TypeError. */
const describeShadowRealmEvaluate: Describe = (args) => {
  if (typeof args[0] !== 'string') return undefined;
  compilingSource(args[0]);
  return operation('compile', [args[0], null]);
};

function installShadowRealm(global: typeof globalThis): void {
  const ShadowRealmCtor = (global as { ShadowRealm?: unknown }).ShadowRealm;
  if (typeof ShadowRealmCtor !== 'function') return;
  instrument((ShadowRealmCtor as { prototype: object }).prototype, 'evaluate', describeShadowRealmEvaluate, THROWS);
}

export const codeDomain: Domain = {
  atLoad() {
    auditFunctionConstructors([function () {}, async function () {}, function* () {}, async function* () {}], (audited) => {
      globalThis.Function = audited as FunctionConstructor;
    });
    auditWebAssembly((globalThis as { WebAssembly?: unknown }).WebAssembly);
    installShadowRealm(globalThis);
  },
  withFirstHook() {
    captureResponseClass(globalThis);
  },
};
