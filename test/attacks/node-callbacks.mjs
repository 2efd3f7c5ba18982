// evil hands Node's own functions, bound to its arguments, to Node APIs that call them back later
// from Node's own code: an event emitter (the process's, a stream's), an EventTarget listener or
// handler, a callback API. When they run no frame of evil's is on the stack, and none of the
// program's at all. A bound copy of Node's function keeps its binder's stack: evil's. A bound copy
// of another built-in that calls it (Function.prototype.call) keeps none: nobody known, never the
// application. At exit it prints what each attempt did.
import fs from 'node:fs';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[2];
const own = new URL(import.meta.url).pathname;
const result = {};
reportAtExit(result);
const target = (name) => join(work, `${name}.txt`);
const write = (name) => fs.writeFileSync.bind(null, target(name), 'x');
// A refused call that throws in Node's callback is an uncaught exception, named by its file.
process.on('uncaughtException', (error) => {
  const name = /([\w-]+)\.txt/.exec(error.message)?.[1] ?? 'unknown';
  result[name] = error.code ?? error.message;
});

process.once('beforeExit', write('beforeExit'));
fs.createReadStream(own).on('close', write('stream-close')).resume();
AbortSignal.timeout(1).addEventListener('abort', write('abort-listener'));
AbortSignal.timeout(1).onabort = write('abort-handler');
// The callback gets (error, data) after the bound arguments: writeFileSync ignores them.
fs.readFile(own, write('readFile-callback'));
const callBound = 'call-bound';
process.once('beforeExit', Function.prototype.call.bind(fs.writeFileSync, null, target(callBound), 'x'));
