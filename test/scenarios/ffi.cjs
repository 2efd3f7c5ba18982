// node:ffi under one hook (Node 26): every path to a library, a symbol, a call and native memory.
// argv[2]: how the program reaches node:ffi (require, getBuiltinModule, before-hook); argv[3]: an
// event to refuse. Prints the events (bigints as "ptr") and the results as JSON.
const { addAuditHook } = require('../../dist/index.js');

const [how, refuse] = process.argv.slice(2);
const events = [];
const hook = (event, args) => {
  if (!/^(ctypes|ffi)\./.test(event)) return;
  events.push([event, ...args.map((a) => (typeof a === 'bigint' ? 'ptr' : Buffer.isBuffer(a) ? 'buffer' : Array.isArray(a) ? a.length : a))]);
  if (event === refuse || `${event}:${args[1]}` === refuse) throw new Error(`refused ${event}`);
};
let ffi;
if (how === 'before-hook') ffi = require('node:ffi');
addAuditHook(hook);
if (how === 'require') ffi = require('node:ffi');
if (how === 'getBuiltinModule') ffi = process.getBuiltinModule('node:ffi');

const results = {};
const attempt = (name, run) => {
  try {
    results[name] = run();
  } catch (error) {
    results[name] = `error: ${error.message}`;
  }
};
const lib = new ffi.DynamicLibrary('libc.so.6');
const bytes = Buffer.from('hello\0');
const pointer = ffi.getRawPointer(bytes);
const strlen = lib.getFunction('strlen', { return: 'uint64', arguments: ['pointer'] });
attempt('strlen', () => String(strlen(pointer)));
attempt('toString', () => ffi.toString(pointer));
attempt('getUint8', () => ffi.getUint8(pointer, 1));
attempt('toBuffer', () => ffi.toBuffer(pointer, 3).toString());
attempt('setUint8', () => { ffi.setUint8(pointer, 0, 72); return bytes.toString('latin1', 0, 5); });
attempt('exportString', () => { ffi.exportString('ab', pointer, 3); return bytes.toString('latin1', 0, 2); });
attempt('sameFunction', () => lib.functions.strlen === strlen);
// The audited function shows Node's own: its source text (Node's JavaScript invoker), name and length.
attempt('identity', () => /^invoke\(a0\) \{/.test(Function.prototype.toString.call(strlen)) && strlen.name === 'strlen' && strlen.length === 1);
attempt('getFunctions', () => Object.keys(lib.getFunctions({ getpid: { return: 'int32', arguments: [] } })));
attempt('system', () => typeof lib.getFunction('system', { return: 'int32', arguments: ['string'] }));
attempt('dlopenNull', () => ffi.dlopen(null, { getpid: { return: 'int32', arguments: [] } }).functions.getpid() === process.pid);
process.stdout.write(JSON.stringify({ events, results }));
