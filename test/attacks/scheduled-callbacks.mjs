// evil has Node's own functions run later, from timers, the tick queue, microtasks and promise
// reactions, where none of its frames are left when they run: the function scheduled is Node's
// (fs.writeFileSync, fs.mkdirSync), a bound copy of it, or a built-in that calls it (Reflect.apply). Each write
// must still be evil's, under evil's rules. At exit it prints what each attempt did.
/* global setInterval, clearInterval */
import fs from 'node:fs';
import timers from 'node:timers';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[2];
const result = {};
reportAtExit(result);
const target = (name) => join(work, `${name}.txt`);
// A refused call that throws in a timer or a microtask is an uncaught exception, named by its file.
process.on('uncaughtException', (error) => {
  const name = /([\w-]+)\.txt/.exec(error.message)?.[1] ?? 'unknown';
  result[name] = error.code ?? error.message;
});

setTimeout(fs.writeFileSync, 0, target('setTimeout'), 'x');
timers.setTimeout(fs.writeFileSync, 0, target('timers-setTimeout'), 'x');
setImmediate(fs.writeFile, target('setImmediate'), 'x', (error) => { result.setImmediate = error?.code ?? 'done'; });
// A denial names the first file: the copy's source.
process.nextTick(fs.copyFileSync, target('nextTick'), join(work, 'copied.txt'));
queueMicrotask(fs.writeFileSync.bind(null, target('queueMicrotask-bound'), 'x'));
setTimeout(Reflect.apply, 0, fs.writeFileSync, null, [target('setTimeout-Reflect-apply'), 'x']);
const interval = setInterval(fs.writeFileSync, 1, target('setInterval'), 'x');
setTimeout(() => clearInterval(interval), 20);
// A reaction gets one value: a path, for a function that needs no more.
Promise.resolve(target('then')).then(fs.mkdirSync);
Promise.reject(target('catch')).catch(fs.mkdirSync);
Promise.resolve().finally(fs.writeFileSync.bind(null, target('finally-bound'), 'x'));
// A bound function of a bound function, scheduled from a callback Node runs for a scheduled one.
setTimeout(setImmediate, 0, fs.writeFileSync.bind(null).bind(null, target('nested'), 'x'));
