/**
 * Work a program starts runs as the work of the code that started it, whenever it runs
 * (src/core/causes.ts). With a hook, each API below captures the stack of its caller as a cause:
 *
 * - The scheduling APIs (setTimeout, setInterval, setImmediate, their node:timers copies,
 *   process.nextTick, queueMicrotask, Promise.prototype.then, which catch and finally call) and
 *   Node's APIs that do their work on a later tick (fs.createReadStream and createWriteStream,
 *   net.Socket#connect, which net.connect, tls.connect and HTTP agents call, net.Server#listen,
 *   dgram.Socket#bind, #connect and #send) run inside the cause: Node carries it to every async
 *   resource and promise reaction they make, and so to the callback and to the event raised later.
 * - Listeners have no async context of their own: an EventEmitter listener (on, addListener,
 *   prependListener, once, prependOnceListener) or an EventTarget one (addEventListener, which
 *   AbortSignal's and the other `on<event>` handlers use) is replaced by one that runs the original
 *   in its registration's cause merged with the cause of the emit. The emitter still finds the
 *   original (`listeners()`, `removeListener(original)`, `removeEventListener(original)`).
 * - The APIs that restore a saved async context (AsyncResource#runInAsyncScope, which
 *   AsyncResource.bind and AsyncLocalStorage.bind use, and AsyncLocalStorage.snapshot's runner)
 *   run the function in the saved cause merged with the caller's: a context saved where no package
 *   ran cannot wash a package's work.
 *
 * Without a hook each wrapper only forwards the call.
 */
import { callInCause, captureCause, currentCause, merged } from '../core/causes.js';
import type { Cause } from '../core/causes.js';
import { isAuditing } from '../core/kernel.js';
import {
  ObjectDefineProperty, ReflectApply, WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas,
  newList, nullPrototype,
} from '../core/primordials.js';
import type { Domain } from './domain.js';
import { builtin } from './natives.js';
import { replaceFunction } from './wrap.js';

type Callable = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `target[key]` by a function that, with a hook, makes the call inside its caller's cause. */
function inCallersCause(target: object, key: string): void {
  replaceFunction(target, key, (original) => {
    const scheduling = function (this: unknown, ...args: unknown[]): unknown {
      if (!isAuditing()) return ReflectApply(original, this, args);
      return callInCause(captureCause(scheduling), original, this, args);
    };
    return scheduling;
  });
}

/** Replaces a module's function and the global it is also (the timers), with one wrapper. */
function inCallersCauseWithGlobal(module: Record<string, unknown>, key: string): void {
  const global = globalThis as unknown as Record<string, unknown>;
  const shared = global[key] === module[key];
  inCallersCause(module, key);
  if (shared) global[key] = module[key];
  else inCallersCause(global, key);
}

// ---- listeners ---------------------------------------------------------------------------------

/** The functions this file registered in place of a listener: registered as they are. */
const causedListeners = new WeakSetCtor<object>();

function markListener(caused: Callable, listener: unknown): Callable {
  // `listener`, as Node's own once-wrappers have it: the emitter finds and lists the original.
  ObjectDefineProperty(caused, 'listener', nullPrototype({ value: listener, writable: true, enumerable: true, configurable: true }));
  WeakSetPrototypeAdd(causedListeners, caused);
  return caused;
}

/** `listener` run in its registration's cause merged with the one it is called in. */
function causedListener(listener: Callable, registered: Cause): Callable {
  return markListener(function (this: unknown, ...args: unknown[]): unknown {
    return callInCause(merged(registered, currentCause()), listener, this, args);
  }, listener);
}

/** EventEmitter#on, addListener, prependListener: the listener replaced by its caused one. */
function listenerInCause(target: object, key: string): void {
  replaceFunction(target, key, (original) => {
    const adding = function (this: unknown, ...args: unknown[]): unknown {
      const listener = args[1];
      if (isAuditing() && typeof listener === 'function' && !WeakSetPrototypeHas(causedListeners, listener)) {
        args[1] = causedListener(listener as Callable, captureCause(adding));
      }
      return ReflectApply(original, this, args);
    };
    return adding;
  });
}

interface Emitter {
  on(type: unknown, listener: Callable): unknown;
  prependListener(type: unknown, listener: Callable): unknown;
  removeListener(type: unknown, listener: Callable): unknown;
}

/**
 * EventEmitter#once and prependOnceListener: Node's own once-wrapper would hide the original
 * behind the caused listener (removeListener(original) would miss it), so this is that wrapper,
 * as Node writes it, with the cause: removed before it runs, once.
 */
function onceInCause(target: object, key: string, add: 'on' | 'prependListener'): void {
  replaceFunction(target, key, (original) => {
    const adding = function (this: unknown, ...args: unknown[]): unknown {
      const listener = args[1];
      if (!isAuditing() || typeof listener !== 'function') return ReflectApply(original, this, args);
      const emitter = this as Emitter;
      const type = args[0];
      const registered = captureCause(adding);
      let fired = false;
      const once = markListener(function (this: unknown, ...callArgs: unknown[]): unknown {
        if (fired) return undefined;
        emitter.removeListener(type, once);
        fired = true;
        return callInCause(merged(registered, currentCause()), listener as Callable, emitter, callArgs);
      }, listener);
      emitter[add](type, once);
      return this;
    };
    return adding;
  });
}

interface CausedHandler {
  readonly run: Callable;
  cause: Cause | undefined;
}

/** EventTarget listeners (functions or objects with handleEvent) -> the function registered in their place. */
const causedHandlers = new WeakMapCtor<object, CausedHandler>();

/**
 * EventTarget#addEventListener and removeEventListener: one caused function per listener, so that
 * the target's own de-duplication and removal by the original hold; registered again from
 * another cause, it runs in both.
 */
function instrumentEventTarget(prototype: object): void {
  replaceFunction(prototype, 'addEventListener', (original) => {
    const adding = function (this: unknown, ...args: unknown[]): unknown {
      const listener = args[1];
      if (!isAuditing() || listener === null || (typeof listener !== 'function' && typeof listener !== 'object')) return ReflectApply(original, this, args);
      const registered = captureCause(adding);
      let handler = WeakMapPrototypeGet(causedHandlers, listener);
      if (handler === undefined) {
        const entry: CausedHandler = {
          cause: registered,
          run(this: unknown, ...callArgs: unknown[]): unknown {
            const within = merged(entry.cause, currentCause());
            if (typeof listener === 'function') return callInCause(within, listener as Callable, this, callArgs);
            const handleEvent = (listener as { handleEvent?: unknown }).handleEvent;
            // What Node does with a listener object that has no handleEvent: nothing.
            return typeof handleEvent === 'function' ? callInCause(within, handleEvent as Callable, listener, callArgs) : undefined;
          },
        };
        handler = entry;
        WeakMapPrototypeSet(causedHandlers, listener, handler);
      } else {
        handler.cause = merged(handler.cause, registered);
      }
      args[1] = handler.run;
      return ReflectApply(original, this, args);
    };
    return adding;
  });
  replaceFunction(prototype, 'removeEventListener', (original) => function (this: unknown, ...args: unknown[]): unknown {
    const listener = args[1];
    const handler = listener !== null && (typeof listener === 'function' || typeof listener === 'object') ? WeakMapPrototypeGet(causedHandlers, listener) : undefined;
    if (handler !== undefined) args[1] = handler.run;
    return ReflectApply(original, this, args);
  });
}

// ---- restored contexts -------------------------------------------------------------------------

/** `fn`, to be run where a saved context is restored: in the saved cause merged with `caller`'s. */
function alsoInCause(fn: Callable, caller: Cause | undefined): Callable {
  return function (this: unknown, ...args: unknown[]): unknown {
    return callInCause(merged(currentCause(), caller), fn, this, args);
  };
}

/** AsyncResource#runInAsyncScope(fn, thisArg, ...args): `fn` also in the caller's cause. */
function instrumentAsyncResource(prototype: object): void {
  replaceFunction(prototype, 'runInAsyncScope', (original) => function (this: unknown, ...args: unknown[]): unknown {
    if (isAuditing() && typeof args[0] === 'function') args[0] = alsoInCause(args[0] as Callable, currentCause());
    return ReflectApply(original, this, args);
  });
}

/** AsyncLocalStorage.snapshot(): its runner(fn, ...args) runs `fn` also in the caller's cause. */
function instrumentSnapshot(storage: object): void {
  replaceFunction(storage, 'snapshot', (original) => function (this: unknown, ...args: unknown[]): unknown {
    const runner = ReflectApply(original, this, args);
    if (typeof runner !== 'function') return runner;
    return function (this: unknown, ...runArgs: unknown[]): unknown {
      if (isAuditing() && typeof runArgs[0] === 'function') {
        const given = newList<unknown>();
        for (let i = 0; i < runArgs.length; i++) given[i] = runArgs[i];
        given[0] = alsoInCause(runArgs[0] as Callable, currentCause());
        return ReflectApply(runner as Callable, this, given);
      }
      return ReflectApply(runner as Callable, this, runArgs);
    };
  });
}

// ---- the domain --------------------------------------------------------------------------------

function installAtLoad(): void {
  const timers = builtin('timers');
  const names = ['setTimeout', 'setInterval', 'setImmediate'];
  for (let i = 0; i < names.length; i++) inCallersCauseWithGlobal(timers, names[i] as string);
  inCallersCause(globalThis, 'queueMicrotask');
  inCallersCause(process, 'nextTick');
  inCallersCause(PromisePrototype, 'then');
  const fs = builtin('fs');
  inCallersCause(fs, 'createReadStream');
  inCallersCause(fs, 'createWriteStream');
  const events = builtin('events') as { EventEmitter: { prototype: object } };
  const emitter = events.EventEmitter.prototype;
  listenerInCause(emitter, 'on');
  listenerInCause(emitter, 'prependListener');
  (emitter as Record<string, unknown>)['addListener'] = (emitter as Record<string, unknown>)['on'];
  onceInCause(emitter, 'once', 'on');
  onceInCause(emitter, 'prependOnceListener', 'prependListener');
  instrumentEventTarget(EventTarget.prototype);
  const asyncHooks = builtin('async_hooks') as { AsyncResource: { prototype: object }; AsyncLocalStorage: object };
  instrumentAsyncResource(asyncHooks.AsyncResource.prototype);
  instrumentSnapshot(asyncHooks.AsyncLocalStorage);
}

const PromisePrototype = Promise.prototype;

export const causalityDomain: Domain = {
  atLoad: installAtLoad,
  withFirstHook() {
    // With the first hook, as other domains load http: net is loaded at startup anyway, dgram costs little.
    const { Socket, Server } = builtin('net') as { Socket: { prototype: object }; Server: { prototype: object } };
    inCallersCause(Socket.prototype, 'connect');
    inCallersCause(Server.prototype, 'listen');
    const datagram = (builtin('dgram') as { Socket: { prototype: object } }).Socket.prototype;
    inCallersCause(datagram, 'bind');
    inCallersCause(datagram, 'connect');
    inCallersCause(datagram, 'send');
  },
};
