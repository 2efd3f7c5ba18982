/**
 * Finding Node's FileHandle class, which Node does not export, before a program holds one of its
 * handles. A handle is made by fs.promises.open, and also by Node's deserialization of one
 * transferred to this thread (a worker's message or workerData, a MessagePort, structuredClone, a
 * module hooks thread): each runs FileHandle's constructor, whose `super()` calls EventEmitter, which
 * calls `EventEmitter.init` read at that moment. From the first hook, `EventEmitter.init` answers a
 * wrapper that, before the program's or Node's init, hands each new emitter's prototype that is
 * FileHandle's to `found` (fs.ts instruments its methods), so the handle is audited before anyone
 * holds it; a handle whose prototype cannot be instrumented is not made (fail closed).
 *
 * A program (or Node's domain module) may still set `EventEmitter.init`: the property is an accessor
 * that keeps the value set and answers it wrapped, so a replacement that never calls the previous
 * init cannot skip the check. Its costs are why this starts with the first hook (domain.ts): a
 * getter, a call and a prototype look-up per emitter made, until fs.promises.open has returned a
 * handle (then the prototype is known and the wrapper only forwards).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object: EventEmitter is what Node's classes extend
import events = require('node:events');
import { Blob } from 'node:buffer';
import {
  FunctionPrototypeCall, MapIteratorPrototypeNext, MapPrototypeEntries, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ObjectGetOwnPropertySymbols,
  ObjectGetPrototypeOf, ObjectHasOwn, ReflectApply, ReflectDefineProperty, ReflectOwnKeys, SetIteratorPrototypeNext, SetPrototypeValues,
  SymbolPrototypeGetDescription, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas, isAnyArrayBuffer, isArrayBufferView, isMap, isProxy, isSet,
  newList, nullPrototype,
} from '../core/primordials.js';
import { workerDataAtLoad } from '../core/thread.js';
import { copyIdentity } from './wrap.js';
import type { Callable } from './wrap.js';

type Found = (prototype: object) => void;

const EventEmitter = events.EventEmitter as unknown as { init: unknown };

/**
 * Node's own key of a transferable's deserializer: an own method of FileHandle.prototype (and of
 * Blob's, where it is taken from at load), which other classes with a `chmod` (an SFTP client's,
 * memfs's FileHandle) do not have. A decoy may copy it: instrumenting a decoy does no harm.
 */
const kDeserialize = ((): symbol | undefined => {
  const symbols = ObjectGetOwnPropertySymbols(Blob.prototype);
  for (let i = 0; i < symbols.length; i++) {
    const symbol = symbols[i] as symbol;
    if (SymbolPrototypeGetDescription(symbol) === 'messaging_deserialize_symbol') return symbol;
  }
  return undefined;
})();

/** Whether `prototype` is (or passes for) FileHandle's. */
export function isFileHandlePrototype(prototype: object): boolean {
  return ObjectHasOwn(prototype, 'chmod') && (kDeserialize === undefined || ObjectHasOwn(prototype, kDeserialize));
}

/** Set once fs.promises.open has returned one of Node's handles: its prototype is the one, and instrumented. */
let prototypeKnown = false;

export function fileHandlePrototypeKnown(): void {
  prototypeKnown = true;
}

/** Our wrappers of the values `EventEmitter.init` was given, each answered for the value it wraps. */
const initWrappers = new WeakSetCtor<object>();

/** From the first hook: every EventEmitter made shows its prototype to `found` first, if it is FileHandle's. */
export function recogniseFileHandles(found: Found): void {
  if (prototypeKnown) return;
  const recognise = (emitter: unknown): void => {
    if (prototypeKnown || typeof emitter !== 'object' || emitter === null) return;
    const prototype = ObjectGetPrototypeOf(emitter) as object | null;
    if (prototype !== null && isFileHandlePrototype(prototype)) found(prototype);
  };
  const withRecognition = (init: unknown): unknown => {
    if (typeof init !== 'function' || WeakSetPrototypeHas(initWrappers, init)) return init;
    const wrapper = copyIdentity(function (this: unknown, ...args: unknown[]) {
      recognise(this);
      return ReflectApply(init as Callable, this, args);
    }, init);
    // EventEmitter calls `EventEmitter.init.call(this, opts)`: an own `call`, Function.prototype's
    // as loaded, so that a program's Function.prototype.call cannot run some other init instead.
    ObjectDefineProperty(wrapper, 'call', nullPrototype({ value: FunctionPrototypeCall, writable: false, enumerable: false, configurable: false }));
    WeakSetPrototypeAdd(initWrappers, wrapper);
    return wrapper;
  };
  let current = withRecognition(EventEmitter.init);
  // Not configurable, or a program could put back a plain value.
  ObjectDefineProperty(EventEmitter, 'init', nullPrototype({
    get(): unknown {
      return current;
    },
    set(this: unknown, value: unknown): void {
      // Assigned through a subclass (util.inherits makes EventEmitter its prototype): its own
      // property, as assignment to an inherited data property makes.
      if (this !== EventEmitter) {
        if (typeof this === 'object' && this !== null || typeof this === 'function') {
          ReflectDefineProperty(this, 'init', nullPrototype({ value, writable: true, enumerable: true, configurable: true }));
        }
        return;
      }
      current = withRecognition(value);
    },
    enumerable: true,
    configurable: false,
  }));
}

/**
 * A worker's workerData is deserialized before its preloads run: a FileHandle transferred in it was
 * made before `EventEmitter.init` was wrapped. The value as it was at load is searched (own data
 * properties, Map and Set contents; no getter or Proxy trap runs).
 */
export function findInWorkerData(found: Found): void {
  const data = workerDataAtLoad();
  if (typeof data !== 'object' || data === null) return;
  const seen = new WeakSetCtor<object>();
  const pending = newList<object>();
  let count = 0;
  const push = (value: unknown): void => {
    if (typeof value === 'object' && value !== null && !WeakSetPrototypeHas(seen, value)) {
      WeakSetPrototypeAdd(seen, value);
      pending[count++] = value;
    }
  };
  push(data);
  while (count > 0) {
    const value = pending[--count] as object;
    if (isProxy(value) || isArrayBufferView(value) || isAnyArrayBuffer(value)) continue;
    const prototype = ObjectGetPrototypeOf(value) as object | null;
    if (prototype !== null && isFileHandlePrototype(prototype)) {
      found(prototype);
      continue;
    }
    if (isMap(value)) {
      const entries = MapPrototypeEntries(value);
      for (let step = MapIteratorPrototypeNext(entries); !step.done; step = MapIteratorPrototypeNext(entries)) {
        push(step.value[0]);
        push(step.value[1]);
      }
    } else if (isSet(value)) {
      const values = SetPrototypeValues(value);
      for (let step = SetIteratorPrototypeNext(values); !step.done; step = SetIteratorPrototypeNext(values)) push(step.value);
    }
    const keys = ReflectOwnKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const descriptor = ObjectGetOwnPropertyDescriptor(value, keys[i] as PropertyKey);
      if (descriptor !== undefined && ObjectHasOwn(descriptor, 'value')) push(descriptor.value);
    }
  }
}
