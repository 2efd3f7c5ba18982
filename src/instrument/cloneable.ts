/**
 * The audited process.env is a Proxy (process.ts), and V8's serializer refuses every Proxy with a
 * DataCloneError, where plain Node clones the environment as a plain object. No other kind of
 * object a script can make sees every write, so the serializers that a program reaches with values
 * (structuredClone, MessagePort#postMessage, which carries worker.postMessage and a new Worker's
 * workerData) get the environment back: when one
 * throws and the value holds an audited environment, it is called again once with a copy of the
 * value where each audited environment is the object behind it. Calls that succeed pay nothing.
 *
 * The copy follows what V8 clones by structure (arrays, Maps, Sets, objects whose prototype is
 * Object.prototype or null), keeping shared and cyclic references; an environment inside any other
 * object (a class instance, an Error's cause) is not found, and the clone fails as before.
 * v8.serialize refuses Node's own environment object too (an unserializable host object).
 */
import {
  ArrayIsArray, MapCtor, MapIteratorPrototypeNext, MapPrototypeEntries, MapPrototypeGet, MapPrototypeSet, ObjectGetPrototypeOf,
  ObjectKeys, ObjectPrototype, ReflectApply, SetCtor, SetIteratorPrototypeNext, SetPrototypeAdd, SetPrototypeValues,
  WeakMapCtor, WeakMapPrototypeGet, WeakMapPrototypeSet, defineValue, isMap, isProxy, isSet,
} from '../core/primordials.js';
import { applyHidingOwnFrames, hideOwnFrames, replaceFunction } from './wrap.js';

/** Each audited environment Proxy, mapped to the object it stands for. */
const environments = new WeakMapCtor<object, object>();
let found = false;

/** Records `proxy` as an audited environment whose values live in `target`. */
export function cloneableEnvironment(proxy: object, target: object): void {
  WeakMapPrototypeSet(environments, proxy, target);
}

/** `value` with every audited environment it holds replaced by its object, or `value` itself when it holds none. */
function withEnvironmentTargets(value: unknown): unknown {
  found = false;
  const copy = copied(value, new MapCtor<object, unknown>());
  return found ? copy : value;
}

function copied(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const target = WeakMapPrototypeGet(environments, value);
  if (target !== undefined) {
    found = true;
    return target;
  }
  const done = MapPrototypeGet(seen, value);
  if (done !== undefined) return done;
  if (isProxy(value)) return value;
  if (isMap(value)) {
    const copy = new MapCtor<unknown, unknown>();
    MapPrototypeSet(seen, value, copy);
    const entries = MapPrototypeEntries(value);
    for (let step = MapIteratorPrototypeNext(entries); !step.done; step = MapIteratorPrototypeNext(entries)) {
      MapPrototypeSet(copy, copied(step.value[0], seen), copied(step.value[1], seen));
    }
    return copy;
  }
  if (isSet(value)) {
    const copy = new SetCtor<unknown>();
    MapPrototypeSet(seen, value, copy);
    const values = SetPrototypeValues(value);
    for (let step = SetIteratorPrototypeNext(values); !step.done; step = SetIteratorPrototypeNext(values)) SetPrototypeAdd(copy, copied(step.value, seen));
    return copy;
  }
  const isArray = ArrayIsArray(value);
  const prototype = ObjectGetPrototypeOf(value) as unknown;
  if (!isArray && prototype !== ObjectPrototype && prototype !== null) return value;
  // What V8 writes of an array or a plain object: its own enumerable string keys (an array's holes stay holes).
  const copy: Record<string, unknown> = isArray ? [] as unknown as Record<string, unknown> : {};
  if (isArray) (copy as unknown as unknown[]).length = (value as unknown[]).length;
  MapPrototypeSet(seen, value, copy);
  const keys = ObjectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    defineValue(copy, key, copied((value as Record<string, unknown>)[key], seen));
  }
  return copy;
}

/** `target[key]`, a serializer of its first argument, retried once with the environments' objects when it throws. */
function cloningEnvironments(target: object | undefined, key: string): void {
  if (target === undefined) return;
  replaceFunction(target, key, (original) => {
    const serialize = function (this: unknown, ...args: unknown[]): unknown {
      let retried: unknown;
      try {
        return ReflectApply(original, this, args);
      } catch (error) {
        retried = withEnvironmentTargets(args[0]);
        if (retried === args[0]) {
          hideOwnFrames(error, serialize);
          throw error;
        }
      }
      args[0] = retried;
      return applyHidingOwnFrames(original, this, args, serialize);
    };
    return serialize;
  });
}

/**
 * With the first hook, when process.env becomes a Proxy. Reading the MessagePort global loads
 * Node's messaging module (with node:stream, which most programs have loaded), not worker_threads.
 */
export function installCloneableEnvironment(): void {
  cloningEnvironments(globalThis, 'structuredClone');
  cloningEnvironments((globalThis as { MessagePort?: { prototype: object } }).MessagePort?.prototype, 'postMessage');
}
