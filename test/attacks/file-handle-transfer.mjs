// evil prepares what might keep audithook from seeing a FileHandle being made (decoy FileHandle
// classes, its own EventEmitter.init, a Function.prototype.call that runs it, Node's domain module)
// before one reaches its thread, then changes the mode of the handle it is given (of its own
// package.json), transferred from another thread that opened it (or cloned again here): this thread
// never opened a file. Each chmod must be raised as evil's and denied.
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';

const require = createRequire(import.meta.url);
const route = globalThis.route;
const kDeserialize = Object.getOwnPropertySymbols(globalThis.Blob.prototype).find((symbol) => symbol.description === 'messaging_deserialize_symbol');
/** What a FileHandle needs of EventEmitter.init, without audithook's wrapper. */
function ownInit() {
  this._events = Object.create(null);
  this._eventsCount = 0;
  this._maxListeners = undefined;
}

switch (route) {
  case 'decoy-first': {
    // FileHandles in all but origin, recognised first: the real one must still be, later.
    class FileHandle extends EventEmitter {
      chmod() { return Promise.resolve(); }
      [kDeserialize]() {}
    }
    for (let i = 0; i < 3; i++) new FileHandle();
    new (class extends EventEmitter { chmod() {} })();
    break;
  }
  case 'init-replaced-first': EventEmitter.init = ownInit; break;
  case 'init-redefined-first':
    // A plain value in place of audithook's property, by each way there is.
    for (const attempt of [
      () => Object.defineProperty(EventEmitter, 'init', { value: ownInit, writable: true, configurable: true, enumerable: true }),
      () => delete EventEmitter.init,
      () => { EventEmitter.init = ownInit; },
    ]) {
      try { attempt(); } catch { /* refused: the next way */ }
    }
    break;
  case 'call-replaced-first': {
    const { call } = Function.prototype;
    Function.prototype.call = function (self, ...args) {
      return this === EventEmitter.init ? Reflect.apply(ownInit, self, args) : Reflect.apply(call, this, [self, ...args]);
    };
    break;
  }
  case 'domain-first': {
    // Node's domain wraps EventEmitter.init with its own, which calls the previous one (its
    // async_hooks.createHook is allowed for this route).
    require('node:domain').create();
    break;
  }
  default: break;
}

const given = route === 'structuredClone' ? (handle) => globalThis.structuredClone(handle, { transfer: [handle] }) : (handle) => handle;
/** Called by the application with the handle it received: what the handle's chmod did. */
globalThis.withHandle = async (received) => {
  const handle = given(received);
  try {
    await handle.chmod(0o644);
    return { [route]: 'done' };
  } catch (error) {
    return { [route]: error.code ?? error.message };
  } finally {
    await handle.close();
  }
};
