/**
 * File-system events: every public way `node:fs` touches a path, in its callback, sync,
 * `fs/promises` and FileHandle forms. Streams open their file through `fs.open`, so they raise
 * `open` from there, on a later tick, with the stack that made the stream as its cause
 * (core/cause.ts), and report a hook's error as an 'error' event.
 *
 * Metadata reads (stat, lstat, access, exists, realpath, readlink, statfs) raise nothing, as in
 * CPython: see `unauditedApis` in the catalogue.
 */
// The module object itself, not an import-star copy: its properties are what every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import fs = require('node:fs');
import { constants } from 'node:fs';
import {
  NumberIsInteger, ObjectGetPrototypeOf, ObjectHasOwn, PathResolve, ProcessCwd, PromisePrototypeThen, ReflectApply, StringPrototypeIncludes,
  StringPrototypeSlice, StringPrototypeStartsWith, WeakMapCtor, WeakMapPrototypeGet, WeakSetCtor, WeakSetPrototypeAdd, WeakSetPrototypeHas, newRecord, nullPrototype,
} from '../core/primordials.js';
import { rememberCause, withCauseOf } from '../core/cause.js';
import type { Cause, Causes } from '../core/cause.js';
import {
  INVALID,
  absolutePath,
  frozenCopy,
  isFd,
  isStringArray,
  optionOf,
  ownOptions,
  pathForCall,
  readOptions,
  systemOpenFlags,
  toInteger,
  toMode,
  toOpenFlags,
  toPath,
  toSeconds,
} from './args.js';
import { ANY, REJECTS, andThen, causedBy, compositeOperation, instrument, instrumentConstructor, operation, outsideOperation, replaceFunction } from './wrap.js';
import type { Describe, EventName, NestedCalls, Operation } from './wrap.js';
import type { Domain } from './domain.js';
import { calledByRecursiveWatch } from './caller.js';
import { fileHandlePrototypeKnown, findInWorkerData, recogniseFileHandles } from './file-handles.js';
import { esmImporterOf } from './module/loading.js';

/**
 * Reads `args[index]` as a path, made absolute; on success leaves in its place the path audited,
 * which Node receives. `asGiven` keeps a relative path relative: a symlink's target is resolved
 * against the link's directory, and mkdtemp returns the path it was given plus the suffix.
 */
function pathAt(args: unknown[], index: number, asGiven = false): string | typeof INVALID {
  const given = toPath(args[index]);
  if (given === INVALID) return INVALID;
  const path = asGiven ? given : absolutePath(given);
  args[index] = path === given ? pathForCall(args[index], path) : path;
  return path;
}

/** A path or, for the APIs that also take one, an open file descriptor. */
function targetAt(args: unknown[], index: number): string | number | typeof INVALID {
  const value = args[index];
  return isFd(value) ? value : pathAt(args, index);
}


// ---- describers: one per operation, shared by its callback, sync and promise forms -----------

/** open(path[, flags[, mode]]) and openAsBlob(path). */
const describeOpen: Describe = (args) => {
  const path = pathAt(args, 0);
  const flags = toOpenFlags(args[1], 'r');
  if (path === INVALID || flags === INVALID) return undefined;
  return operation('open', [path, flags[0], systemOpenFlags(flags[1])]);
};

const READ_ONLY = systemOpenFlags(constants.O_RDONLY);

const describeOpenForReading: Describe = (args) => {
  const path = pathAt(args, 0);
  return path === INVALID ? undefined : operation('open', [path, 'r', READ_ONLY]);
};

/** The options readFile and writeFile read by name (getOptions, then options.flag, ...). */
const WHOLE_FILE_OPTIONS = ['encoding', 'flag', 'mode', 'signal', 'flush', 'buffer'] as const;
/** appendFile copies its options with a for-in (copyObject) before reading them: only enumerable keys count. */
const ENUMERABLE_ONLY = [] as const;

/**
 * readFile / writeFile / appendFile: `open` when given a path (a descriptor is already open).
 * The flag is read from a copy of the options, which Node then receives with the audited flag,
 * reproducing how each API defaults it (`||` for write and append, `??` for read).
 */
function describeWholeFile(optionsIndex: number, defaultFlag: 'r' | 'w' | 'a'): Describe {
  const named = defaultFlag === 'a' ? ENUMERABLE_ONLY : WHOLE_FILE_OPTIONS;
  return (args) => {
    if (isFd(args[0])) return undefined;
    const path = pathAt(args, 0);
    if (path === INVALID) return undefined;
    const options = readOptions(args[optionsIndex], named);
    const given = optionOf(options, 'flag');
    const flags = toOpenFlags(defaultFlag === 'r' ? given : given || defaultFlag, defaultFlag);
    if (flags === INVALID) return undefined;
    if (typeof options === 'object' && options !== null) {
      (options as Record<string, unknown>)['flag'] = flags[0] ?? flags[1];
      args[optionsIndex] = options;
    }
    const op = operation('open', [path, flags[0], systemOpenFlags(flags[1])]);
    const importer = esmImporterOf(path);
    return importer === undefined ? op : causedBy(op, importer);
  };
}

const describeUnlink: Describe = (args) => {
  const path = pathAt(args, 0);
  return path === INVALID ? undefined : operation('os.remove', [path, null]);
};

/** An event of two paths (the first a symlink's target when `targetFirst`: stored as given), made by `make`. */
function describeTwoPaths(make: (first: string, second: string) => Operation, targetFirst = false): Describe {
  return (args) => {
    const first = pathAt(args, 0, targetFirst);
    if (first === INVALID) return undefined;
    const second = pathAt(args, 1);
    return second === INVALID ? undefined : make(first, second);
  };
}

const MKDIR_OPTIONS = ['recursive', 'mode'] as const;

const describeMkdir: Describe = (args) => {
  const path = pathAt(args, 0);
  const options = readOptions(args[1], MKDIR_OPTIONS);
  args[1] = options;
  const mode = typeof options === 'object' && options !== null
    ? toMode(optionOf(options, 'mode'), 0o777)
    : toMode(options, 0o777);
  if (path === INVALID || mode === INVALID) return undefined;
  return operation('os.mkdir', [path, mode, null]);
};

// ---- composite operations: what Node's own further calls may do unaudited ---------------------

/** Per event Node raises while carrying out a composite operation: the indexes of its path arguments. */
type NestedEvents = Readonly<Record<string, readonly number[]>>;

/** rm and rmdir take the tree apart: they list, make writable and remove what is inside it. */
const REMOVAL_EVENTS: NestedEvents = nullPrototype({
  'os.remove': [0], 'os.rmdir': [0], 'os.listdir': [0], 'os.scandir': [0], 'os.chmod': [0], open: [0],
});
/** cp reads the source tree and builds the destination; a link is checked where it is made. */
const COPY_EVENTS: NestedEvents = nullPrototype({
  open: [0], 'os.mkdir': [0], 'os.listdir': [0], 'os.scandir': [0], 'os.chmod': [0], 'os.chown': [0], 'os.utime': [0],
  'os.symlink': [1], 'os.link': [1], 'os.remove': [0], 'shutil.copyfile': [0, 1],
});
/** glob lists directories. */
const GLOB_EVENTS: NestedEvents = nullPrototype({ 'os.listdir': [0], 'os.scandir': [0] });

/** Whether `path` is `root` or below it (both absolute and normalised). */
function isWithin(path: string, root: string): boolean {
  if (path === root) return true;
  return StringPrototypeStartsWith(path, root[root.length - 1] === '/' ? root : `${root}/`);
}

/**
 * The calls of a composite operation on `roots` that are its own work: one of `events`, on paths
 * inside the roots. Anything else raised in its context (code the program had Node call, what that
 * code scheduled) is audited: the operation's event allowed that tree, nothing more.
 */
function nestedWithin(roots: readonly string[], events: NestedEvents): NestedCalls {
  const absolute: string[] = [];
  for (let i = 0; i < roots.length; i++) absolute[i] = PathResolve(ProcessCwd(), roots[i] as string);
  return (event, args) => {
    if (!ObjectHasOwn(events, event)) return false;
    const indexes = events[event] as readonly number[];
    for (let i = 0; i < indexes.length; i++) {
      const value = args[indexes[i] as number];
      if (typeof value !== 'string') return false;
      const path = PathResolve(ProcessCwd(), value);
      let inside = false;
      for (let j = 0; j < absolute.length && !inside; j++) inside = isWithin(path, absolute[j] as string);
      if (!inside) return false;
    }
    return true;
  };
}

/** Glob's magic characters (and its escape): a segment with one of them is matched, not walked to. */
const GLOB_MAGIC = '*?[]{}()!+@\\';

/** The directory a glob pattern can reach at most: its leading segments without magic, from `cwd`. */
function globRoot(pattern: string, cwd: string): string {
  let end = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (StringPrototypeIncludes(GLOB_MAGIC, char)) break;
    if (char === '/') end = i + 1;
  }
  return PathResolve(cwd, end === 0 ? '.' : StringPrototypeSlice(pattern, 0, end));
}

const RMDIR_OPTIONS = ['recursive'] as const;

/**
 * rm and rmdir: a recursive removal is shutil.rmtree, anything else removes one entry. rm spreads
 * its options (own keys only); rmdir first reads options.recursive by name.
 */
function describeRemoval(singleEvent: 'os.remove' | 'os.rmdir'): Describe {
  const copy = singleEvent === 'os.remove' ? ownOptions : (options: unknown) => readOptions(options, RMDIR_OPTIONS);
  return (args) => {
    const path = pathAt(args, 0);
    if (path === INVALID) return undefined;
    const options = copy(args[1]);
    args[1] = options;
    const event = optionOf(options, 'recursive') === true ? 'shutil.rmtree' : singleEvent;
    return compositeOperation(event, [path, null], nestedWithin([path], REMOVAL_EVENTS));
  };
}

const describeCp: Describe = (args) => {
  const src = pathAt(args, 0);
  const dst = pathAt(args, 1);
  if (src === INVALID || dst === INVALID) return undefined;
  // cp spreads its options over the defaults.
  const options = ownOptions(args[2]);
  if (typeof options === 'object' && options !== null) {
    const record = options as Record<string, unknown>;
    record['filter'] = outsideOperation(record['filter']);
    args[2] = options;
  }
  const event = optionOf(options, 'recursive') === true ? 'shutil.copytree' : 'shutil.copyfile';
  return compositeOperation(event, [src, dst], nestedWithin([src, dst], COPY_EVENTS));
};

/** glob destructures its options: `const { cwd, exclude, withFileTypes } = options`. */
const GLOB_OPTIONS = ['cwd', 'exclude', 'withFileTypes'] as const;

const describeGlob: Describe = (args) => {
  const pattern = args[0];
  if (typeof pattern !== 'string' && !isStringArray(pattern)) return undefined;
  // globSync(pattern) and fsPromises.glob(pattern): an options object of our own, to fix the root.
  const options = args.length === 1 ? newRecord<unknown>() : readOptions(args[1], GLOB_OPTIONS);
  let rootDir: string | null = null;
  if (typeof options === 'object' && options !== null) {
    // The walk happens later, as the matches are read: its root is fixed now, so a chdir meanwhile
    // does not move it (results stay relative to the root, as with no cwd).
    const record = options as Record<string, unknown>;
    const given = record['cwd'] === undefined ? ProcessCwd() : toPath(record['cwd']);
    if (given === INVALID) return undefined;
    rootDir = absolutePath(given);
    record['cwd'] = rootDir;
    record['exclude'] = outsideOperation(record['exclude']);
    args[1] = options;
  }
  const patterns: readonly string[] = typeof pattern === 'string' ? [pattern] : frozenCopy(pattern);
  const cwd = PathResolve(ProcessCwd(), rootDir ?? '.');
  const roots: string[] = [];
  for (let i = 0; i < patterns.length; i++) roots[i] = globRoot(patterns[i] as string, cwd);
  const pathname = typeof pattern === 'string' ? pattern : patterns;
  // CPython's glob raises glob.glob (pathname, recursive), then glob.glob/2 with the root; Node's
  // `**` always recurses.
  return andThen(
    operation('glob.glob', [pathname, true]),
    compositeOperation('glob.glob/2', [pathname, true, rootDir, null], nestedWithin(roots, GLOB_EVENTS)),
  );
};

/** readdir and opendir read options.recursive by name (after getOptions, which keeps an object as given). */
const DIRECTORY_OPTIONS = ['encoding', 'withFileTypes', 'recursive', 'bufferSize'] as const;

/**
 * readdir and opendir: one directory, or with `recursive` a walk of the tree below it, which is
 * CPython's os.walk (top, topdown, onerror, followlinks): Node lists a directory before what is in
 * it, reports no error to a callback and does not follow links. As os.walk scans its top first,
 * the walk is followed by the listing of the directory given.
 */
function describeDirectory(event: 'os.listdir' | 'os.scandir'): Describe {
  return unlessRecursiveWatchWork((args) => {
    const path = pathAt(args, 0);
    if (path === INVALID) return undefined;
    const options = readOptions(args[1], DIRECTORY_OPTIONS);
    if (args.length > 1) args[1] = options;
    const listing = operation(event, [path]);
    return optionOf(options, 'recursive') === true ? andThen(operation('os.walk', [path, true, null, false]), listing) : listing;
  });
}

const WATCH_OPTIONS = ['persistent', 'recursive', 'encoding', 'signal', 'ignore', 'throwIfNoEntry'] as const;

/**
 * Set by the first recursive watch: from then on, a watch or listing whose caller is Node's
 * recursive watcher (on Linux it watches and lists every directory of the tree, then each new one,
 * through fs.watch and fs.readdirSync) is that watch's work and raises nothing. Until then no
 * call pays for reading its caller.
 */
let recursiveWatchStarted = false;

/** A describer whose calls by Node's recursive watcher, which the recursive fs.watch event covers, raise nothing. */
function unlessRecursiveWatchWork(describe: Describe): Describe {
  return (args, thisArg) => (recursiveWatchStarted && calledByRecursiveWatch() ? undefined : describe(args, thisArg));
}

/** fs.watch and fsPromises.watch read their options by name; watchFile spreads them. */
function describeWatch(copy: (options: unknown) => unknown): Describe {
  return unlessRecursiveWatchWork((args) => {
    const path = pathAt(args, 0);
    if (path === INVALID) return undefined;
    const options = typeof args[1] === 'function' ? args[1] : copy(args[1]);
    args[1] = options;
    const recursive = optionOf(options, 'recursive') === true;
    if (recursive) recursiveWatchStarted = true;
    return operation('fs.watch', [path, recursive]);
  });
}
const describeWatchByName = describeWatch((options) => readOptions(options, WATCH_OPTIONS));

const describeChmod: Describe = (args) => {
  const target = targetAt(args, 0);
  const mode = toMode(args[1], -1);
  if (target === INVALID || mode === INVALID || mode === -1) return undefined;
  return operation('os.chmod', [target, mode, null]);
};

const describeChown: Describe = (args) => {
  const target = targetAt(args, 0);
  const uid = args[1];
  const gid = args[2];
  if (target === INVALID || !isId(uid) || !isId(gid)) return undefined;
  return operation('os.chown', [target, uid, gid, null]);
};

function isId(value: unknown): value is number {
  return typeof value === 'number' && NumberIsInteger(value) && value >= -1 && value <= 0xffffffff;
}

const READ_WRITE = systemOpenFlags(constants.O_RDWR);

/**
 * truncate(path, len): Node opens the path 'r+' and truncates the descriptor through the public
 * fs functions; both are this operation. truncate(fd, len) is the legacy spelling of ftruncate.
 */
const describeTruncate: Describe = (args) => {
  const target = targetAt(args, 0);
  const length = toInteger(args[1], 0);
  if (target === INVALID || length === INVALID) return undefined;
  const covers = typeof target === 'string'
    ? [['open', target, 'r+', READ_WRITE], ['os.truncate', ANY, length]]
    : undefined;
  return operation('os.truncate', [target, length], covers);
};

/**
 * Times are converted once; a Date or numeric string is handed on as the seconds audited (which
 * Node's toUnixTimestamp returns unchanged), as Node's path check can run code that moves a Date.
 * A number stays: a negative one means "now", which Node reads itself.
 */
const describeUtime: Describe = (args) => {
  const target = targetAt(args, 0);
  const atime = toSeconds(args[1]);
  const mtime = toSeconds(args[2]);
  if (target === INVALID || atime === INVALID || mtime === INVALID) return undefined;
  // Node gets the audited seconds (a negative time is now, read once; a Date, its time).
  args[1] = atime;
  args[2] = mtime;
  return operation('os.utime', [target, [atime, mtime], null, null]);
};

/** mkdtemp(prefix): the OS completes the name, so the event carries the template, as mkdtemp(3) takes it. */
const describeMkdtemp: Describe = (args) => {
  const prefix = pathAt(args, 0, true);
  return prefix === INVALID ? undefined : operation('tempfile.mkdtemp', [`${prefix}XXXXXX`]);
};

// ---- the forms -----------------------------------------------------------------------------

/**
 * The callback form: the last argument is the callback, which Node requires. The describer reads
 * the other arguments as in the sync form (`open(path, cb)` has no flags, not a function as flags).
 */
function callbackForm(describe: Describe): Describe {
  return (args, thisArg) => {
    const last = args.length - 1;
    const callback = args[last];
    if (last < 0 || typeof callback !== 'function') return undefined;
    args[last] = undefined;
    const op = describe(args, thisArg);
    args[last] = callback;
    return op;
  };
}

/**
 * A FileHandle method: the descriptor it holds is the event's target, as for the fd-based
 * functions; the arguments the describer normalised are the ones the method gets.
 */
function handleForm(describe: Describe): Describe {
  return (args, handle) => {
    const withFd: unknown[] = [(handle as { fd: number }).fd];
    for (let i = 0; i < args.length; i++) withFd[i + 1] = args[i];
    const op = describe(withFd, handle);
    // What the describer normalised is what the method gets.
    for (let i = 0; i < args.length; i++) args[i] = withFd[i + 1];
    return op;
  };
}

export interface FsApi {
  readonly describe: Describe;
  /**
   * The events the describer raises, for every form: the facts the catalogue's raisedBy lists
   * state for these names (test/catalogue.test.ts compares them; test/fs.test.ts checks each call
   * it makes raises one of these).
   */
  readonly events: readonly EventName[];
  /** Names of the forms Node has: `fs.<callback>`, `fs.<sync>`, `fs.promises.<promise>`. */
  readonly callback?: string;
  readonly sync?: string;
  readonly promise?: string;
  /** Node implements it with other public fs functions (see WrapSpec.nests). */
  readonly nests?: boolean;
  /** The promise form returns an async iterator rather than a promise. */
  readonly iterates?: boolean;
}

/** The usual triple: fs.name(..., cb), fs.nameSync(...), fs.promises.name(...). */
function allForms(name: string, describe: Describe, events: readonly EventName[]): FsApi {
  return { describe, events, callback: name, sync: `${name}Sync`, promise: name };
}

/** The APIs Node implements with other public fs functions: they cover those nested calls. */
function nesting(api: FsApi): FsApi {
  // eslint-disable-next-line audithook/primordials -- builds the table at load, from its own objects
  return { ...api, nests: true };
}

export const FS_APIS: readonly FsApi[] = [
  allForms('open', describeOpen, ['open']),
  { describe: describeOpenForReading, events: ['open'], sync: 'openAsBlob' },
  // Node 26: the same, returning the Blob.
  { describe: describeOpenForReading, events: ['open'], sync: 'openAsBlobSync' },
  nesting(allForms('readFile', describeWholeFile(1, 'r'), ['open'])),
  nesting(allForms('writeFile', describeWholeFile(2, 'w'), ['open'])),
  nesting(allForms('appendFile', describeWholeFile(2, 'a'), ['open'])),
  allForms('unlink', describeUnlink, ['os.remove']),
  allForms('rm', describeRemoval('os.remove'), ['os.remove', 'shutil.rmtree']),
  allForms('rmdir', describeRemoval('os.rmdir'), ['os.rmdir', 'shutil.rmtree']),
  allForms('rename', describeTwoPaths((from, to) => operation('os.rename', [from, to, null, null])), ['os.rename']),
  allForms('mkdir', describeMkdir, ['os.mkdir']),
  allForms('mkdtemp', describeMkdtemp, ['tempfile.mkdtemp']),
  { describe: describeMkdtemp, events: ['tempfile.mkdtemp'], sync: 'mkdtempDisposableSync', promise: 'mkdtempDisposable' },
  allForms('readdir', describeDirectory('os.listdir'), ['os.listdir', 'os.walk']),
  allForms('opendir', describeDirectory('os.scandir'), ['os.scandir', 'os.walk']),
  allForms('chmod', describeChmod, ['os.chmod']),
  allForms('lchmod', describeChmod, ['os.chmod']),
  { describe: describeChmod, events: ['os.chmod'], callback: 'fchmod', sync: 'fchmodSync' },
  allForms('chown', describeChown, ['os.chown']),
  allForms('lchown', describeChown, ['os.chown']),
  { describe: describeChown, events: ['os.chown'], callback: 'fchown', sync: 'fchownSync' },
  allForms('link', describeTwoPaths((from, to) => operation('os.link', [from, to, null, null])), ['os.link']),
  allForms('symlink', describeTwoPaths((target, path) => operation('os.symlink', [target, path, null]), true), ['os.symlink']),
  nesting(allForms('truncate', describeTruncate, ['os.truncate'])),
  { describe: describeTruncate, events: ['os.truncate'], callback: 'ftruncate', sync: 'ftruncateSync' },
  allForms('utimes', describeUtime, ['os.utime']),
  allForms('lutimes', describeUtime, ['os.utime']),
  { describe: describeUtime, events: ['os.utime'], callback: 'futimes', sync: 'futimesSync' },
  allForms('copyFile', describeTwoPaths((from, to) => operation('shutil.copyfile', [from, to])), ['shutil.copyfile']),
  allForms('cp', describeCp, ['shutil.copyfile', 'shutil.copytree']),
  { ...allForms('glob', describeGlob, ['glob.glob', 'glob.glob/2']), iterates: true },
  { describe: describeWatchByName, events: ['fs.watch'], sync: 'watch', promise: 'watch', iterates: true },
  { describe: describeWatch(ownOptions), events: ['fs.watch'], sync: 'watchFile' },
];

/** FileHandle methods that change the file they hold: name, describer, and the events it raises (as FsApi.events). */
export const FILE_HANDLE_APIS: readonly (readonly [string, Describe, readonly EventName[]])[] = [
  ['chmod', describeChmod, ['os.chmod']],
  ['chown', describeChown, ['os.chown']],
  ['truncate', describeTruncate, ['os.truncate']],
  ['utimes', describeUtime, ['os.utime']],
];

export const fsDomain: Domain = { atLoad: installFs, withFirstHook: installHookedFs };

function installFs(): void {
  const promises = fs.promises;
  for (let i = 0; i < FS_APIS.length; i++) {
    const api = FS_APIS[i] as FsApi;
    const nests = api.nests === true;
    if (api.callback !== undefined) instrument(fs, api.callback, callbackForm(api.describe), { delivery: 'throw', nests });
    if (api.sync !== undefined) instrument(fs, api.sync, api.describe, { delivery: 'throw', nests });
    if (api.promise !== undefined) {
      instrument(promises, api.promise, api.describe, { delivery: api.iterates === true ? 'iterator' : 'reject', nests });
    }
  }
  instrumentFileHandlesOnFirstOpen(promises);
}

function installHookedFs(): void {
  installFileStreams();
  // Handles made in this thread from now on, and those a worker was given in its workerData.
  recogniseFileHandles(instrumentFileHandlePrototype);
  findInWorkerData(instrumentFileHandlePrototype);
}

/** The prototypes whose FileHandle methods are instrumented (FileHandle's, and any decoy's). */
const fileHandlePrototypes = new WeakSetCtor<object>();

function instrumentFileHandlePrototype(prototype: object): void {
  if (WeakSetPrototypeHas(fileHandlePrototypes, prototype)) return;
  // Runs after user code: no array iterator, which a caller may have replaced.
  for (let i = 0; i < FILE_HANDLE_APIS.length; i++) {
    const api = FILE_HANDLE_APIS[i] as (typeof FILE_HANDLE_APIS)[number];
    instrument(prototype, api[0], handleForm(api[1]), REJECTS);
  }
  // Only once instrumented: a prototype that could not be throws again at its next handle, which is not made.
  WeakSetPrototypeAdd(fileHandlePrototypes, prototype);
}

/**
 * Node does not export the FileHandle class: its prototype is instrumented when the first handle
 * fs.promises.open makes arrives, before the caller's own reaction runs, hooks or not (so that a
 * handle opened before the first hook is audited with it); from the first hook, every handle made
 * is recognised as it is made (file-handles.ts), which this first open ends.
 */
function instrumentFileHandlesOnFirstOpen(promises: typeof fs.promises): void {
  const open = promises.open as unknown as (...args: unknown[]) => Promise<object>;
  let done = false;
  const instrumentPrototype = (handle: object): void => {
    if (done) return;
    done = true;
    instrumentFileHandlePrototype(ObjectGetPrototypeOf(handle) as object);
    fileHandlePrototypeKnown();
  };
  const ignore = (): void => {};
  replaceFunction(promises, 'open', () => function (this: unknown, ...args: unknown[]) {
    const pending = ReflectApply(open, this, args);
    if (!done) void PromisePrototypeThen(pending, instrumentPrototype, ignore);
    return pending;
  });
}

// ---- file streams: their open is deferred work -------------------------------------------------

type StreamClass = (new (...args: unknown[]) => object) & { prototype: Record<string, unknown> };

/** The stack that made each file stream: the cause of its open (src/core/cause.ts). */
const streamCauses: Causes = new WeakMapCtor<object, Cause>();

const noEvent: Describe = () => undefined;

/**
 * A file stream (fs.createReadStream, fs.createWriteStream, new or a call of fs.ReadStream and
 * fs.WriteStream, and subclasses) opens its file in `_construct`, on a later tick: the stack that
 * made the stream is the cause of that open. Node's createReadStream and createWriteStream build
 * with the class fs.ReadStream / fs.WriteStream holds, so the audited class takes its place there
 * (and as FileReadStream / FileWriteStream, the same classes).
 */
function installFileStreams(): void {
  const classes: readonly (readonly ['ReadStream' | 'WriteStream', 'FileReadStream' | 'FileWriteStream'])[] = [['ReadStream', 'FileReadStream'], ['WriteStream', 'FileWriteStream']];
  for (let i = 0; i < classes.length; i++) {
    const names = classes[i] as (typeof classes)[number];
    const key = names[0];
    const alias = names[1];
    const original = fs[key] as unknown as StreamClass;
    // A WeakMap answers undefined for a key that is no object.
    replaceFunction(original.prototype, '_construct', (construct) => withCauseOf(construct, (stream) => WeakMapPrototypeGet(streamCauses, stream as object)));
    instrumentConstructor(fs, key, noEvent, {
      callable: true,
      invoke: (_args, reflect, target, x, y) => {
        const stream = reflect(target as never, x as never, y as never) as object;
        rememberCause(streamCauses, stream);
        return stream;
      },
    });
    (fs as unknown as Record<string, unknown>)[alias] = fs[key];
  }
}
