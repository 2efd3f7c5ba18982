/**
 * The cause of deferred work. Some public calls do their audited part on a later tick, where
 * none of the caller's frames remain: a file stream opens its file after the constructor returned,
 * and a timer runs Node's function a package gave it (src/instrument/callbacks.ts).
 * The instrumentation keeps the caller's stack at the public call (`rememberCause`) and sets it
 * while Node does that work (`withCauseOf`); the `audithook run` agent adds the packages of the
 * cause to those of the event's own stack (src/agent/attribution.ts), so the work stays the
 * package's that asked for it, whenever it runs.
 *
 * A cause is the files of the frames, read at capture: a stream can outlive the call by far, and
 * file names keep nothing of the caller alive.
 */
import { OWN_FILE, callSiteFileName, callSiteIsEval, callSites } from './callsites.js';
import { isAuditing } from './kernel.js';
import {
  ObjectFreeze, ReflectApply, ReflectConstruct, StringPrototypeStartsWith, WeakMapPrototypeGet, WeakMapPrototypeSet, newList,
} from './primordials.js';

export interface Cause {
  /** Innermost first, of the frames that have one. */
  readonly files: readonly string[];
  /** A frame runs code built from a string, which has no file. */
  readonly anonymous: boolean;
  /** More frames than are read: the chain is not known whole. */
  readonly truncated: boolean;
  /** The stack could not be read at all. */
  readonly unreadable: boolean;
}

/** Frames read, as many as the agent reads of an event's own stack. */
const MAX_FRAMES = 1024;

let current: Cause | undefined;

/**
 * The caller's stack above `below` (a function of ours), and the cause of the work running now:
 * work asked for by work a package caused (a timer set in a callback it scheduled) is the
 * package's too.
 */
export function captureCause(below: (...args: never[]) => unknown): Cause {
  const sites = callSites(below, MAX_FRAMES + 1);
  const outer = current;
  if (sites === undefined || outer?.unreadable === true) return ObjectFreeze({ files: ObjectFreeze([]), anonymous: false, truncated: false, unreadable: true });
  const read = sites.length > MAX_FRAMES ? MAX_FRAMES : sites.length;
  const files = newList<string>();
  let anonymous = outer?.anonymous === true;
  for (let i = 0; i < read; i++) {
    const site = sites[i] as object;
    const file = callSiteFileName(site);
    if (typeof file === 'string') files[files.length] = file;
    else if (callSiteIsEval(site)) anonymous = true;
  }
  let truncated = sites.length > MAX_FRAMES || outer?.truncated === true;
  if (outer !== undefined) {
    const outerFiles = outer.files;
    for (let i = 0; i < outerFiles.length; i++) {
      // As many files as one stack has: a chain of causes cannot grow without end.
      if (files.length === MAX_FRAMES) {
        truncated = true;
        break;
      }
      files[files.length] = outerFiles[i] as string;
    }
  }
  // Frozen: the runtime hands it to anyone who asks while the work runs, and no one may edit it.
  return ObjectFreeze({ files: ObjectFreeze(files), anonymous, truncated, unreadable: false });
}

/** Whether only Node and audithook are on the cause: it says nothing of who asked for the work. */
export function isNodesOwn(cause: Cause): boolean {
  if (cause.unreadable || cause.truncated || cause.anonymous) return false;
  const files = cause.files;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    if (!StringPrototypeStartsWith(file, 'node:') && file !== OWN_FILE) return false;
  }
  return true;
}

/** The causes of the later work of objects (streams, sockets, servers), by object. */
export type Causes = WeakMap<object, Cause>;

/**
 * With a hook, keeps the caller's stack as the cause of `owner`'s later work. A call with only
 * Node's and audithook's frames (Node calling the public method again on its own: dgram re-sends
 * what it queued until its implicit bind was done) keeps the cause of the call before it.
 */
export function rememberCause(causes: Causes, owner: object): void {
  if (!isAuditing()) return;
  const cause = captureCause(rememberCause);
  if (isNodesOwn(cause) && WeakMapPrototypeGet(causes, owner) !== undefined) return;
  WeakMapPrototypeSet(causes, owner, cause);
}

/** The cause of the work running now, if it is deferred work whose cause was captured. */
export function currentCause(): Cause | undefined {
  return current;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The cause of a callback being scheduled now, by the caller of `below` (a function of ours);
 * undefined when only Node and audithook ask for it, which says nothing of who did.
 */
export function causeOfScheduling(below: (...args: never[]) => unknown): Cause | undefined {
  const cause = captureCause(below);
  return isNodesOwn(cause) ? undefined : cause;
}

/**
 * `run()` with the code at `file` (a path or URL; `[eval]` for the command line's) added to the
 * cause of every event it raises: Node loads modules and starts the program with no frame of the
 * program on the stack, so the module that imports, or the program itself, has to be named. Added,
 * not put in place of the cause in effect: a package that has Node load a module on a later tick
 * stays on it.
 */
export function runCausedBy<T>(file: string, run: () => T): T {
  const outer = current;
  let cause: Cause;
  if (outer === undefined) cause = ObjectFreeze({ files: ObjectFreeze([file]), anonymous: false, truncated: false, unreadable: false });
  else {
    const files = newList<string>();
    files[0] = file;
    const outerFiles = outer.files;
    const kept = outerFiles.length < MAX_FRAMES ? outerFiles.length : MAX_FRAMES - 1;
    for (let i = 0; i < kept; i++) files[files.length] = outerFiles[i] as string;
    cause = ObjectFreeze({
      files: ObjectFreeze(files), anonymous: outer.anonymous, truncated: outer.truncated || kept < outerFiles.length, unreadable: outer.unreadable,
    });
  }
  return runWithCause(cause, run, undefined, newList<unknown>()) as T;
}

/** `callback` run with `cause` as the cause of every event it raises (its `this`, arguments and result as given). */
export function withCause(callback: Method, cause: Cause): Method {
  return function (this: unknown, ...args: unknown[]) {
    return runWithCause(cause, callback, this, args);
  };
}

/** `cause` followed by `outer`'s files, as long as one stack at most. */
function joined(cause: Cause, outer: Cause): Cause {
  const files = newList<string>();
  const inner = cause.files;
  for (let i = 0; i < inner.length; i++) files[files.length] = inner[i] as string;
  const outerFiles = outer.files;
  let truncated = cause.truncated || outer.truncated;
  for (let i = 0; i < outerFiles.length; i++) {
    if (files.length === MAX_FRAMES) {
      truncated = true;
      break;
    }
    files[files.length] = outerFiles[i] as string;
  }
  return ObjectFreeze({ files: ObjectFreeze(files), anonymous: cause.anonymous || outer.anonymous, truncated, unreadable: cause.unreadable || outer.unreadable });
}

/**
 * `callback` (a function or a class) run with `cause` added to the cause in effect when it runs:
 * both stay on the chain of what it raises. Called, or constructed, as `callback` would be.
 */
export function withAddedCause(callback: Method, cause: Cause): Method {
  return function added(this: unknown, ...args: unknown[]) {
    const outer = current;
    current = outer === undefined ? cause : joined(cause, outer);
    try {
      return new.target === undefined ? ReflectApply(callback, this, args) : ReflectConstruct(callback, args, new.target === added ? callback : new.target) as unknown;
    } finally {
      current = outer;
    }
  };
}

function runWithCause(cause: Cause, method: Method, thisArg: unknown, args: unknown[]): unknown {
  const outer = current;
  current = cause;
  try {
    return ReflectApply(method, thisArg, args);
  } finally {
    current = outer;
  }
}

/** `method` run with the cause `causeOf(this, args)` gives (with a hook) as the cause of every event it raises. */
export function withCauseOf(method: Method, causeOf: (thisArg: unknown, args: readonly unknown[]) => Cause | undefined): Method {
  return function (this: unknown, ...args: unknown[]) {
    const cause = isAuditing() ? causeOf(this, args) : undefined;
    return cause === undefined ? ReflectApply(method, this, args) : runWithCause(cause, method, this, args);
  };
}
