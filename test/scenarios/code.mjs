// Scenarios of test/code.test.ts, each run in its own process by runScenario(scenario('code/<name>')).
/* global WebAssembly, ShadowRealm, Request, Response */
import fs from 'node:fs';
import { via } from '../fixtures/outcome.mjs';

/** Every way to reach a Function constructor, each building a function that returns 42 when called with 40 and 2. */
function functionPaths() {
  const AsyncFunction = (async () => {}).constructor;
  const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
  const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;
  class Sub extends Function {}
  const paths = {
    'new Function': async () => new Function('a', 'b', 'return a + b')(40, 2),
    'Function()': async () => Function('a', 'b', 'return a + b')(40, 2),
    '(function(){}).constructor': async () => (function () {}).constructor('a', 'b', 'return a + b')(40, 2),
    'Function.call': async () => Function.call(null, 'a', 'b', 'return a + b')(40, 2),
    'bound Function': async () => Function.bind(null, 'a')('b', 'return a + b')(40, 2),
    'Reflect.construct': async () => Reflect.construct(Function, ['a', 'b', 'return a + b'])(40, 2),
    'Reflect.apply': async () => Reflect.apply(Function, undefined, ['a', 'b', 'return a + b'])(40, 2),
    'class extends Function': async () => { const f = new Sub('a', 'b', 'return a + b'); return [f(40, 2), f instanceof Sub, f instanceof Function]; },
    'AsyncFunction': async () => AsyncFunction('a', 'b', 'return a + b')(40, 2),
    'new AsyncFunction': async () => new AsyncFunction('a', 'b', 'return a + b')(40, 2),
    'GeneratorFunction': async () => GeneratorFunction('a', 'b', 'yield a + b')(40, 2).next().value,
    'AsyncGeneratorFunction': async () => (await AsyncGeneratorFunction('a', 'b', 'yield a + b')(40, 2).next()).value,
  };
  return { AsyncFunction, GeneratorFunction, AsyncGeneratorFunction, paths };
}

export async function functionPathsRaiseCompileOnce(harness) {
  const { paths } = functionPaths();
  const results = {};
  const events = {};
  for (const [name, build] of Object.entries(paths)) {
    harness.clear();
    results[name] = await build();
    events[name] = harness.events.filter((e) => e[0] === 'compile');
  }
  harness.done({ results, events });
}

export async function constructorsLookLikeOriginals(harness) {
  const { AsyncFunction, GeneratorFunction, AsyncGeneratorFunction } = functionPaths();
  const ctors = { Function, AsyncFunction, GeneratorFunction, AsyncGeneratorFunction, 'WebAssembly.Module': WebAssembly.Module };
  const facts = {};
  for (const [name, C] of Object.entries(ctors)) {
    facts[name] = {
      name: C.name, length: C.length, typeof: typeof C,
      toString: Function.prototype.toString.call(C), string: String(C),
      prototypeConstructor: C.prototype.constructor === C,
      descriptor: Object.entries(Object.getOwnPropertyDescriptor(C.prototype, 'constructor')).filter(([k]) => k !== 'value'),
      protoOfCtor: Object.getPrototypeOf(C) === Function.prototype || Object.getPrototypeOf(C) === Function,
    };
  }
  const f = function () {};
  facts.misc = {
    fnConstructor: f.constructor === Function,
    instanceOf: f instanceof Function && (async () => {}) instanceof Function,
    prototype: Function.prototype === Object.getPrototypeOf(f),
    toStringOfToString: Function.prototype.toString.toString(),
    toStringName: [Function.prototype.toString.name, Function.prototype.toString.length],
    userToString: Function.prototype.toString.call(f),
    thisInSloppy: Function('return this')() === globalThis,
    compileName: [WebAssembly.compile.name, WebAssembly.compile.length, String(WebAssembly.compile)],
    badThis: (() => { try { Function.prototype.toString.call({}); } catch (e) { return [e.name, e.message]; } })(),
    newFnName: [new Function('a', 'b', '').name, new Function('a', 'b', '').length],
  };
  harness.done(facts);
}

export async function argumentConvertedStringAudited(harness) {
  let calls = 0;
  const param = { toString() { calls++; return calls === 1 ? 'x' : 'evil'; } };
  const f = new Function(param, 'return typeof x');
  const symbol = (() => { try { new Function(Symbol('s')); } catch (e) { return [e.name, e.message]; } })();
  harness.done({ calls, result: f('arg'), text: f.toString(), symbol, events: harness.events.filter((e) => e[0] === 'compile') });
}

export async function syntaxErrorV8AfterCompile(harness) {
  const syntax = (() => { try { new Function('a', '{'); } catch (e) { return [e.constructor === SyntaxError, e.name, e.message]; } })();
  const stack = (() => { try { new Function('throw new Error("inside")')(); } catch (e) { return e.stack.split('\n')[1]; } })();
  harness.done({ syntax, stack: /^ {4}at eval \(eval at .*, <anonymous>:3:7\)$/.test(stack), anonymous: /anonymous/.test(new Function('return new Error().stack')()),
    events: harness.events.filter((e) => e[0] === 'compile').length });
}

export async function blockedCompileCodeNever(harness) {
  const vm = await import('node:vm');
  globalThis.ran = [];
  const side = (name) => 'globalThis.ran.push(' + JSON.stringify(name) + ')';
  harness.block('compile');
  const outcomes = {
    'new Function': via.sync({ f: () => new Function(side('Function'))() }, 'f', []),
    'constructor': via.sync({ f: () => (async () => {}).constructor(side('AsyncFunction'))() }, 'f', []),
    'vm.Script': via.sync({ f: () => new vm.Script(side('Script')).runInThisContext() }, 'f', []),
    'vm.runInThisContext': via.sync(vm, 'runInThisContext', [side('runInThisContext')]),
    'vm.runInNewContext': via.sync(vm, 'runInNewContext', ['ran.push(1)', { ran: globalThis.ran }]),
    'vm.compileFunction': via.sync({ f: () => vm.compileFunction(side('compileFunction'))() }, 'f', []),
    'WebAssembly.Module': via.sync({ f: () => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) }, 'f', []),
    'WebAssembly.compile': await via.promise(WebAssembly, 'compile', [new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])]),
    'WebAssembly.instantiate': await via.promise(WebAssembly, 'instantiate', [new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])]),
  };
  harness.unblock();
  harness.done({ outcomes, ran: globalThis.ran });
}

export async function nodeVmCompileFilename(harness) {
  const vm = await import('node:vm');
  const { compileFunction } = await import('node:vm');
  const steps = {};
  const step = (name, fn) => {
    harness.clear();
    let value;
    try { value = fn(); } catch (e) { value = { error: [e.name, e.code ?? null, e.message] }; }
    steps[name] = { value, events: harness.events.filter((e) => e[0] === 'compile' || e[0] === 'exec').map((e) => e.map((a) => a instanceof vm.Script ? '<Script>' : a)) };
  };
  step('runInThisContext', () => vm.runInThisContext('1 + 1', 'a.js'));
  step('runInThisContext options', () => vm.runInThisContext('2 + 2', { filename: 'b.js' }));
  step('runInContext', () => vm.runInContext('x * 2', vm.createContext({ x: 21 })));
  step('runInNewContext', () => vm.runInNewContext('x + 1', { x: 1 }, 'c.js'));
  step('createScript', () => vm.createScript('3', 'd.js').runInThisContext());
  step('Script', () => { const s = new vm.Script('this.y = (this.y || 0) + 1', { filename: 'e.js' }); const c = vm.createContext({}); s.runInContext(c); s.runInContext(c); return [s instanceof vm.Script, c.y]; });
  step('Script#runInNewContext', () => new vm.Script('typeof z').runInNewContext({ z: 1 }));
  step('subclass', () => { class S extends vm.Script {} const s = new S('5', 'f.js'); return [s instanceof S, s instanceof vm.Script, s.runInThisContext()]; });
  step('compileFunction', () => vm.compileFunction('return a * 2', ['a'], { filename: 'g.js' })(4));
  step('compileFunction default filename', () => vm.compileFunction('return 1')());
  step('ESM named compileFunction', () => compileFunction('return 6')());
  step('SyntaxError', () => vm.runInThisContext('(', 'h.js'));
  step('invalid context', () => new vm.Script('1').runInContext({}));
  step('invalid filename', () => new vm.Script('1', { filename: 7 }));
  step('thrown inside', () => vm.runInThisContext('throw new RangeError("in script")'));
  step('sandbox escape', () => vm.runInNewContext('this.constructor.constructor("return 7")()', {}));
  harness.done(steps);
}

export async function blockedExecCompiledScript(harness) {
  const vm = await import('node:vm');
  globalThis.ran = 0;
  const script = new vm.Script('globalThis.ran++');
  harness.block('exec');
  const outcomes = [via.sync(script, 'runInThisContext', []), via.sync(vm, 'runInThisContext', ['globalThis.ran++'])];
  harness.unblock();
  harness.done({ outcomes: outcomes.map((o) => o.error?.code), ran: globalThis.ran });
}

export async function vmSourceTextModuleCompileIdentifier(harness) {
  const vm = await import('node:vm');
  globalThis.ran = 0;
  const m = new vm.SourceTextModule('globalThis.ran++; export default 1;', { identifier: 'mod.mjs' });
  await m.link(() => {});
  await m.evaluate();
  const anonymous = new vm.SourceTextModule('export const x = 2;');
  harness.block('compile');
  const blocked = (() => { try { new vm.SourceTextModule('globalThis.ran++'); return 'built'; } catch (e) { return e.code; } })();
  harness.block('exec');
  const m2 = new vm.SourceTextModule('globalThis.ran++');
  await m2.link(() => {});
  const refused = await m2.evaluate().then(() => 'ran', (e) => e.code);
  harness.unblock();
  harness.done({ ran: globalThis.ran, value: m.namespace.default, blocked, refused, status: [m.status, anonymous.status],
    events: harness.events.filter((e) => e[0] === 'compile' || e[0] === 'exec').map((e) => e.map((a) => a instanceof vm.Module ? '<Module>' : a)) });
}

export async function webAssemblyCompileRaisedBytes(harness) {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  const response = () => new Response(bytes, { headers: { 'content-type': 'application/wasm' } });
  const results = {};
  const record = async (name, fn) => {
    harness.clear();
    let value;
    try { value = await fn(); } catch (e) { value = { error: [e.name, e.code ?? null, e.message] }; }
    const describe = (v) => v instanceof WebAssembly.Module ? 'Module' : v instanceof WebAssembly.Instance ? 'Instance'
      : v && typeof v === 'object' && !Array.isArray(v) && !v.error ? Object.keys(v).sort().map((k) => k + ':' + describe(v[k])).join(',') : v;
    results[name] = { value: describe(value), events: harness.events.filter((e) => e[0] === 'compile')
      .map(([, source, filename]) => [Buffer.from(ArrayBuffer.isView(source) ? source.buffer : source).toString('hex'), filename]) };
  };
  await record('Module', () => new WebAssembly.Module(bytes));
  await record('Module buffer', () => new WebAssembly.Module(bytes.buffer));
  await record('compile', () => WebAssembly.compile(bytes));
  await record('instantiate bytes', () => WebAssembly.instantiate(bytes));
  const module = new WebAssembly.Module(bytes);
  await record('instantiate module', () => WebAssembly.instantiate(module));
  await record('compileStreaming', () => WebAssembly.compileStreaming(response()));
  await record('instantiateStreaming', () => WebAssembly.instantiateStreaming(Promise.resolve(response())));
  await record('streaming wrong type', () => WebAssembly.compileStreaming(new Response(bytes)));
  await record('streaming not ok', () => WebAssembly.compileStreaming(new Response(bytes, { status: 404, headers: { 'content-type': 'application/wasm' } })));
  await record('streaming body used', async () => { const used = response(); await used.arrayBuffer(); return WebAssembly.compileStreaming(used); });
  await record('streaming no Response', () => WebAssembly.instantiateStreaming({ body: bytes }));
  await record('invalid bytes', () => WebAssembly.compile(new Uint8Array([1, 2, 3])));
  await record('not bytes', () => WebAssembly.compile('nope'));
  await record('Module without new', () => WebAssembly.Module(bytes));
  harness.done(results);
}

export async function shadowRealmEvaluateRaisesCompile(harness) {
  const realm = new ShadowRealm();
  const value = realm.evaluate('globalThis.count = 1; 40 + 2');
  harness.block('compile');
  const blocked = (() => { try { realm.evaluate('globalThis.count = 2'); return 'ran'; } catch (e) { return e.code ?? e.name; } })();
  harness.unblock();
  const notString = (() => { try { realm.evaluate(7); } catch (e) { return [e.name, e.message]; } })();
  harness.done({ value, blocked, count: realm.evaluate('globalThis.count'), notString,
    events: harness.events.filter((e) => e[0] === 'compile').map((e) => e.slice(1)) });
}

export async function nodeVmWebAssemblyUse(harness) {
  const vm = await import('node:vm');
  const http = await import('node:http');
  const server = http.createServer((request, response) => response.end('ok'));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.clear();
  // A Request with a body: releasing its stream's reader makes Node's internal/util run vm.runInNewContext.
  const text = await (await fetch(new Request('http://127.0.0.1:' + server.address().port + '/', { method: 'PUT', body: 'x' }))).text();
  server.close();
  const fetched = harness.events.filter((e) => e[0] === 'compile').length;
  harness.clear();
  const posing = vm.runInThisContext('WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))', 'node:internal/deps/undici/undici');
  await posing;
  harness.done({ text, fetched, posing: harness.events.filter((e) => e[0] === 'compile').map((e) => [typeof e[1], e[2]]) });
}

export async function registerPreloadedReferencesTaken(harness) {
  const [EarlyFunction, EarlyAsyncFunction, EarlyModule, EarlyScript] = globalThis.early;
  harness.block('compile');
  const refused = [
    () => new EarlyFunction('return 1'),
    () => EarlyAsyncFunction('return 1'),
    () => new EarlyModule(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
    () => new EarlyScript('1'),
  ].map((build) => { try { build(); return 'built'; } catch (e) { return e.code; } });
  harness.unblock();
  harness.done({ refused });
}

export async function vmContextsFunctionConstructors(harness) {
  const vm = await import('node:vm');
  const wasm = 'new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])';
  const sandbox = { x: 1 };
  const results = {
    global: vm.runInNewContext('Function', sandbox)('return 40 + 2')(),
    async: await vm.runInNewContext('(async () => {}).constructor("return 7")()'),
    compileFunction: vm.compileFunction('return Object.getPrototypeOf(function* () {}).constructor("yield 3")().next().value', [], { parsingContext: vm.createContext() })(),
    module: vm.runInNewContext('new WebAssembly.Module(' + wasm + ') instanceof WebAssembly.Module'),
    facts: vm.runInNewContext(`[
      Function.prototype.toString.call(Function), String(Object.getPrototypeOf(async function () {}).constructor),
      (function () {}).constructor === Function, Object.getPrototypeOf(Object.getPrototypeOf(function* () {}).constructor) === Function,
      Object.getOwnPropertyNames(globalThis).includes('Function'), Object.keys(globalThis).join(),
      Function.prototype.toString.toString(), String(WebAssembly.compile), (() => { try { Function(Symbol()); } catch (e) { return e.name; } })(),
    ]`, sandbox),
    sandboxKeys: Reflect.ownKeys(sandbox),
    shadowed: vm.runInNewContext('Function', { Function: 'mine' }),
    proxySandbox: vm.runInNewContext('Function("return 5")()', new Proxy({}, {})),
    // Node 22.8 and later: a context whose global is an ordinary object, returned as the "sandbox".
    dontContextify: vm.constants.DONT_CONTEXTIFY === undefined ? null
      : vm.runInContext('[Function === (function () {}).constructor, Function("return 3")()]', vm.createContext(vm.constants.DONT_CONTEXTIFY)),
  };
  globalThis.ran = [];
  const ctx = vm.createContext({ ran: globalThis.ran });
  const stolen = vm.runInContext('[Function, (async () => {}).constructor, WebAssembly]', ctx);
  harness.block('compile');
  results.blocked = [
    () => stolen[0]('ran.push(0)')(),
    () => stolen[1]('ran.push(1)')(),
    () => new stolen[2].Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
  ].map((build) => { try { build(); return 'built'; } catch (e) { return e.code; } });
  harness.unblock();
  results.ran = globalThis.ran;
  harness.done({ results, events: harness.events.filter((e) => e[0] === 'compile' && typeof e[1] === 'string' && e[1].includes('anonymous')).map((e) => e[1]) });
}

/** Module.prototype._compile called by the program: a module from a string, not a file the loader read. */
export async function moduleCompileDirect(harness) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const D = harness.tmp();
  harness.pause();
  fs.writeFileSync(D + '/file.cjs', 'module.exports = 1;');
  harness.resume();
  const loaded = require(D + '/file.cjs');
  const Module = require('node:module');
  const made = new Module('x');
  made._compile('module.exports = 6 * 7;', D + '/made.js');
  const ModuleOfAModule = made.constructor;
  const viaConstructor = new ModuleOfAModule();
  viaConstructor._compile('module.exports = "relative";', 'relative-name');
  harness.block('compile');
  let refused = null;
  try { new Module('y')._compile('globalThis.compiledRan = true;', D + '/refused.js'); } catch (error) { refused = error.code; }
  harness.unblock();
  harness.done({ D, loaded, made: made.exports, viaConstructor: viaConstructor.exports, refused, ran: globalThis.compiledRan ?? false });
}
