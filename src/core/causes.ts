/**
 * Causality: whose work is running now, beyond the synchronous stack. Work a program schedules
 * (a timer, a tick, a promise reaction, a listener) or has Node do later (a stream's open, a dial
 * after a look-up) runs when the code that asked for it has returned: its frames are gone. So the
 * scheduling APIs (src/instrument/causality.ts) capture the stack of the call that schedules, as a
 * *cause*, and run the scheduling inside it; an AsyncLocalStorage of audithook's own carries the
 * cause to everything Node does for that call (every async resource and promise reaction made
 * inside it, on Node 24+ through AsyncContextFrame), and an event's packages are those of its stack
 * and of the causes it runs in (src/agent/attribution.ts).
 *
 * - A cause links to the cause its scheduling ran in, so work scheduled by scheduled work keeps
 *   every scheduler's chain; a listener or a restored context runs in both the cause it was given
 *   and the one current when it is called (`merged`).
 * - Capturing is lazy: V8 records the frames, and they are read (formatted into call sites) only
 *   when an event is raised in the cause. A chain longer than MAX_DEPTH (a timer that schedules
 *   itself for ever) is folded into the files of its frames, which hold nothing else alive.
 * - Only audithook can enter a cause: the storage is made here, never handed out, and has the
 *   methods captured at load as its own read-only properties (Node's implementation calls them
 *   through `this`). Capturing uses the private `Error` of callsites.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { callSiteFileName, callSiteIsEval, capturedSites, captureLater } from './callsites.js';
import type { CapturedStack } from './callsites.js';
import {
  ObjectDefineProperty, ObjectGetOwnPropertyDescriptors, ObjectHasOwn, ReflectApply, ReflectOwnKeys, SetCtor, SetPrototypeAdd, SetPrototypeHas,
  newList, nullPrototype,
} from './primordials.js';

export interface Cause {
  /** The stack of the call that scheduled, read when needed; undefined for a merge or a folded chain. */
  stack: CapturedStack | undefined;
  /** The causes this one continues: the one its scheduling ran in, and for a merge the other. */
  first: Cause | undefined;
  second: Cause | undefined;
  /** A folded chain: the files of its frames (no `node:` ones), and whether a frame had none. */
  files: readonly string[] | undefined;
  anonymous: boolean;
  /** The longest path of causes behind this one (0 once folded). */
  depth: number;
}

/** Causes behind one, at most, before they are folded. */
const MAX_DEPTH = 32;

const storageMethods = ObjectGetOwnPropertyDescriptors(AsyncLocalStorage.prototype);
const { getStore, run } = AsyncLocalStorage.prototype;

/**
 * An AsyncLocalStorage no program code can reach into: Node's implementation calls its own
 * methods through `this` (run checks `this.getStore()`), so the instance gets the methods
 * captured at load as own, read-only properties, out of reach of code that later replaces them
 * on the prototype.
 */
export function privateStorage<T>(): AsyncLocalStorage<T> {
  const storage = new AsyncLocalStorage<T>();
  const keys = ReflectOwnKeys(storageMethods);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === 'constructor') continue;
    const method = (storageMethods as Record<string, PropertyDescriptor>)[key] as PropertyDescriptor;
    const descriptor = nullPrototype<PropertyDescriptor>({ configurable: false, enumerable: method.enumerable === true });
    if (ObjectHasOwn(method, 'value')) {
      descriptor.value = method.value as unknown;
      descriptor.writable = false;
    } else {
      if (method.get !== undefined) descriptor.get = method.get;
      if (method.set !== undefined) descriptor.set = method.set;
    }
    ObjectDefineProperty(storage, key, descriptor);
  }
  return storage;
}

/** Made on the first capture: until a hook exists nothing is captured, and nothing pays for the storage. */
let causes: AsyncLocalStorage<Cause> | undefined;

/** The cause the running code is in, or undefined (the program's own start, or work nobody scheduled). */
export function currentCause(): Cause | undefined {
  return causes === undefined ? undefined : ReflectApply(getStore, causes, []) as Cause | undefined;
}

function cause(stack: CapturedStack | undefined, first: Cause | undefined, second: Cause | undefined): Cause {
  let depth = first === undefined ? 0 : first.depth + 1;
  if (second !== undefined && second.depth + 1 > depth) depth = second.depth + 1;
  const made: Cause = { stack, first, second, files: undefined, anonymous: false, depth };
  if (depth > MAX_DEPTH) fold(made);
  return made;
}

/** The cause of a call scheduling work now: the stack above `below`, in the cause current now. */
export function captureCause(below: (...args: never[]) => unknown): Cause {
  return cause(captureLater(below), currentCause(), undefined);
}

/** A cause continuing both (a listener's, and the one it is called in); one of them when the other is undefined or the same. */
export function merged(given: Cause | undefined, current: Cause | undefined): Cause | undefined {
  if (current === undefined || current === given) return given;
  if (given === undefined) return current;
  return cause(undefined, given, current);
}

/** Calls `fn` with `thisArg` and `args` inside `within` (no cause: in none). */
export function callInCause(within: Cause | undefined, fn: (...args: never[]) => unknown, thisArg: unknown, args: readonly unknown[]): unknown {
  causes ??= privateStorage<Cause>();
  return ReflectApply(run, causes, [within, ReflectApply, fn, thisArg, args]);
}

/** Replaces a chain by the files of its frames, in place: it then holds no frame, function or receiver alive. */
function fold(chain: Cause): void {
  const files = newList<string>();
  const seen = new SetCtor<string>();
  let anonymous = false;
  const pending = newList<Cause>();
  pending[0] = chain;
  while (pending.length > 0) {
    const next = pending[pending.length - 1] as Cause;
    pending.length--;
    if (next.files !== undefined) {
      for (let i = 0; i < next.files.length; i++) {
        const file = next.files[i] as string;
        if (!SetPrototypeHas(seen, file)) {
          SetPrototypeAdd(seen, file);
          files[files.length] = file;
        }
      }
      if (next.anonymous) anonymous = true;
    }
    const sites = next.stack === undefined ? undefined : capturedSites(next.stack);
    if (sites !== undefined) {
      for (let i = 0; i < sites.length; i++) {
        const file = callSiteFileName(sites[i] as object);
        if (typeof file !== 'string') {
          if (callSiteIsEval(sites[i] as object)) anonymous = true;
        } else if (!SetPrototypeHas(seen, file)) {
          SetPrototypeAdd(seen, file);
          files[files.length] = file;
        }
      }
    }
    if (next.first !== undefined) pending[pending.length] = next.first;
    if (next.second !== undefined) pending[pending.length] = next.second;
  }
  chain.stack = undefined;
  chain.first = undefined;
  chain.second = undefined;
  chain.files = files;
  chain.anonymous = anonymous;
  chain.depth = 0;
}
