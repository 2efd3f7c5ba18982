// The attacker has read audithook's source: it replaces every built-in method, getter and
// Symbol.hasInstance that the hook path could reach, then performs one operation of each kind.
// Mode "count": each replacement is transparent and records every call made while a hook runs:
// there must be none.
// Mode "forge": the replacements of what formats a log line (times, URLs, strings, JSON) return a
// forged value ("FORGED", a 1999 time); the log must not contain one. Prints the calls made inside hooks as a JSON list on its last line.
import childProcess from 'node:child_process';
import events from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import util from 'node:util';

const [mode, work] = process.argv.slice(2);
const { apply, construct, defineProperty, getOwnPropertyDescriptor, ownKeys } = Reflect;
const hasInstance = Function.prototype[Symbol.hasInstance];
const { captureStackTrace } = Error;
const includes = Function.prototype.call.bind(String.prototype.includes);
const ownFiles = fileURLToPath(new URL('../../dist/', import.meta.url));
const fromAudithook = [];
/**
 * Records a call of a replacement made while an audit hook runs: the kernel's dispatch or the
 * agent on the stack. (The instrumentation outside hooks reads arguments as Node does, getters
 * included: that is the program's own code, run once, with events raised as usual.)
 */
function count(name) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const holder = {};
  captureStackTrace(holder, count);
  Error.stackTraceLimit = limit;
  // While a hook reads call sites, audithook's formatter is installed: the stack is its CallSite list.
  const stack = holder.stack;
  let text = '';
  if (typeof stack === 'string') text = stack;
  else for (let i = 0; i < stack.length; i++) text += `\n    at ${stack[i].getFunctionName()} (${stack[i].getFileName()}`;
  if (includes(text, `${ownFiles}agent-main.js`) || includes(text, `at dispatch (${ownFiles}`)) {
    fromAudithook[fromAudithook.length] = `${name}${text}`;
  }
}
const stringify = JSON.stringify;
const { writeSync } = fs;
/** Forging the rest would break Node itself, whose lib/ calls some public functions (path.join, ...). */
const FORGE = Object.fromEntries([
  'Date.prototype.toISOString', 'Date.prototype.toJSON', 'Date.prototype.toString', 'get URL.prototype.href', 'JSON.stringify', 'String.prototype.slice', 'String.prototype.replace', 'String.prototype.toString',
  'Array.prototype.join', 'Number.prototype.toString', 'get Symbol.prototype.description', 'get RegExp.prototype.source',
  'get RegExp.prototype.flags', 'RegExp.prototype.toString', 'Buffer.prototype.toString', 'url.fileURLToPath',
].map((name) => [name, true]));
/** What a forging replacement returns instead of `result`. */
function forged(name, result) {
  if (mode !== 'forge' || FORGE[name] !== true) return result;
  return name[0] === 'D' ? '1999-01-01T00:00:00.000Z' : '"FORGED"';
}

function replaceMethod(owner, key, name) {
  const descriptor = getOwnPropertyDescriptor(owner, key);
  if (descriptor === undefined || !descriptor.configurable && !descriptor.writable) return;
  // The stack reading of count() itself.
  if (key === 'captureStackTrace' || key === 'prepareStackTrace') return;
  if (typeof descriptor.value === 'function' && key !== 'constructor') {
    const original = descriptor.value;
    const replacement = {
      [key](...args) {
        count(name);
        return forged(name, new.target === undefined ? apply(original, this, args) : construct(original, args, new.target));
      },
    }[key];
    defineProperty(owner, key, { ...descriptor, value: replacement });
  } else if (typeof descriptor.get === 'function' && descriptor.configurable) {
    const original = descriptor.get;
    defineProperty(owner, key, {
      ...descriptor,
      get() {
        count(`get ${name}`);
        return forged(`get ${name}`, apply(original, this, []));
      },
    });
  }
}

const TypedArray = Object.getPrototypeOf(Uint8Array);
const IteratorPrototypes = [
  Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(new Map().entries()),
  Object.getPrototypeOf(new Set().values()), Object.getPrototypeOf(''[Symbol.iterator]()),
];
const globals = {
  Object, Array, String, Number, Boolean, Symbol, BigInt, Map, Set, WeakMap, WeakSet, Promise, RegExp, Date, Error, TypeError,
  URL, URLSearchParams, Buffer, ArrayBuffer, SharedArrayBuffer, DataView, Uint8Array, TypedArray, Int32Array,
};
const namespaces = { JSON, Math, Reflect, Atomics, fs, path, url, os, util, net, childProcess, process, EventEmitter: events.EventEmitter.prototype };

// Everything is taken first: replacing as we go would make later look-ups go through replacements.
const targets = [];
for (const [name, value] of Object.entries(globals)) {
  targets.push([value, name]);
  if (typeof value.prototype === 'object') targets.push([value.prototype, `${name}.prototype`]);
}
for (const [name, value] of Object.entries(namespaces)) targets.push([value, name]);
IteratorPrototypes.forEach((prototype, i) => targets.push([prototype, `Iterator${i}`]));
const replacements = [];
for (const [owner, ownerName] of targets) {
  for (const key of ownKeys(owner)) replacements.push([owner, key, `${ownerName}.${String(key)}`]);
}
const constructors = Object.entries(globals);

// The operations, written with nothing but syntax and values taken above.
const file = path.join(work, 'file.txt');
fs.writeFileSync(file, 'x');
const fileURL = url.pathToFileURL(file);
const fileBytes = Buffer.from(file);
const server = net.createServer((socket) => socket.end());
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
// Under plain Node there is no runtime: the call still evaluates its arguments, as under audithook.
const audit = globalThis[Symbol.for('audithook.runtime')]?.audit ?? (() => undefined);
const richArgs = [new Map([['k', 1]]), new Set(['v']), new Date(0), /re/g, new URL('https://example.test/p?q'),
  Buffer.from('bytes'), new DataView(new ArrayBuffer(2)), Symbol('s'), { nested: [1, 'two'] }, 1.5, Infinity, 10n];

for (const [owner, key, name] of replacements) replaceMethod(owner, key, name);
for (const [name, ctor] of constructors) {
  defineProperty(ctor, Symbol.hasInstance, { configurable: true, value(value) { count(`${name}[Symbol.hasInstance]`); return apply(hasInstance, this, [value]); } });
}

// ---- one operation of each kind, poisoned ----
fs.closeSync(fs.openSync(file, 'r'));
fs.closeSync(fs.openSync(fileURL, 'r'));
fs.closeSync(fs.openSync(fileBytes, 'r'));
fs.renameSync(file, `${file}.moved`);
process.env.AUDITHOOK_ATTACK = 'set';
childProcess.spawnSync('true', ['arg'], { env: { PATH: '/usr/bin:/bin' } });
void new Function('return 1');
audit('attack.rich', ...richArgs);
await new Promise((resolve) => { net.connect(port, '127.0.0.1').on('close', resolve).on('error', resolve).resume(); });
server.close();

writeSync(1, `\n${stringify(fromAudithook)}\n`);
