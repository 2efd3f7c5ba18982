// node_modules/evil/index.mjs: callbacks this package schedules that are not its own code (Node's
// functions, bound or called with arguments the scheduler gives), so that when they run no frame
// of this package is on the stack: timers, ticks, microtasks, promise reactions, event listeners
// (EventEmitter, EventTarget, AbortSignal), a stream's callback, work scheduled from there, and
// async contexts saved and restored.
// Each tries a write the policy denies evil (the test looks for the files and the records).
/* global EventTarget, Event, AbortController, setInterval, clearInterval */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const done = {};
reportAtExit(done);
// What Node's functions throw where no caller catches it (a timer, a listener): the codes, once each.
const uncaught = new Set();
process.on('uncaughtException', (error) => {
  uncaught.add(error.code ?? error.message);
  done.uncaught = [...uncaught].sort();
});
const target = (name) => join(work, `written-by-${name}`);
/** A callback for Node's callback APIs that records their outcome under `name`. */
const report = (name) => (error) => { done[name] = error ? error.code ?? error.message : 'done'; };
/** Where an attempt writes; the test looks for the file (Node's own functions report nothing to this package). */
const writer = target;

// Contexts saved here, at load, before this package scheduled anything, and restored in work it
// scheduled: restoring one does not shed the scheduler.
const snapshot = AsyncLocalStorage.snapshot();
setTimeout(snapshot, 0, fs.writeFileSync, writer('AsyncLocalStorage.snapshot'), 'x');
setTimeout(AsyncLocalStorage.bind(fs.writeFileSync), 0, writer('AsyncLocalStorage.bind'), 'x');
setTimeout(AsyncResource.bind(fs.writeFileSync), 0, writer('AsyncResource.bind'), 'x');
const resource = new AsyncResource('evil');
setTimeout(AsyncResource.prototype.runInAsyncScope.bind(resource), 0, fs.writeFileSync, null, writer('runInAsyncScope'), 'x');

setImmediate(fs.readFile, join(work, 'secret.txt'), report('setImmediate'));
setTimeout(fs.writeFileSync, 0, writer('setTimeout'), 'x');
setTimeout(clearInterval, 50, setInterval(fs.writeFileSync, 1, writer('setInterval'), 'x'));
process.nextTick(fs.copyFileSync, join(work, 'secret.txt'), writer('nextTick'));
queueMicrotask(fs.writeFileSync.bind(null, writer('queueMicrotask'), 'x'));
Promise.resolve(writer('then')).then(fs.mkdirSync).then(report('then'), report('then'));
Promise.reject(writer('catch')).catch(fs.mkdirSync).then(report('catch'), report('catch'));
process.once('beforeExit', execFileSync.bind(null, 'touch', [writer('beforeExit')], {}));
const emitter = new EventEmitter();
emitter.on('go', fs.writeFileSync.bind(null, writer('EventEmitter'), 'x'));
setTimeout(() => emitter.emit('go'), 0);
// Emitted by the application's code, from its own stack: the listener is still evil's work.
process.on('app.go', fs.writeFileSync.bind(null, writer('emitted by another'), 'x'));
const target_ = new EventTarget();
target_.addEventListener('go', fs.writeFileSync.bind(null, writer('EventTarget'), 'x'));
setTimeout(EventTarget.prototype.dispatchEvent.bind(target_, new Event('go')), 0);
const controller = new AbortController();
controller.signal.addEventListener('abort', fs.writeFileSync.bind(null, writer('AbortSignal'), 'x'));
controller.signal.onabort = fs.writeFileSync.bind(null, writer('onabort'), 'x');
setTimeout(AbortController.prototype.abort.bind(controller), 0);
new Writable({ write: (_chunk, _encoding, callback) => callback() }).write('x', fs.writeFileSync.bind(null, writer('stream callback'), 'x'));
// Work scheduled by the work evil scheduled: a timer whose callback schedules a tick.
setTimeout(process.nextTick, 0, fs.writeFileSync, writer('tick from a timer'), 'x');
// Listeners the application's own code fires later, from its stack (causality-scheduled.app.mjs).
export const appTarget = new EventTarget();
appTarget.addEventListener('go', fs.writeFileSync.bind(null, writer('EventTarget dispatched by another'), 'x'));
export const appController = new AbortController();
appController.signal.onabort = fs.writeFileSync.bind(null, writer('onabort aborted by another'), 'x');
