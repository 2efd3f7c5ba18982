/**
 * Which npm packages are on the call stack of an event: V8's structured call sites (async frames
 * included, as far as V8 follows awaits), each file mapped to the packages that contain it.
 *
 * Identity is where the code is, never what it says about itself: a file's packages are the
 * directories under each `node_modules/<name>` (`node_modules/@scope/<name>`) of its path as Node
 * loaded it (its real path, unless --preserve-symlinks), outermost first, so
 * `node_modules/evil/node_modules/left-pad/x.js` is `evil > left-pad`; a directory linked from a
 * `node_modules/<name>` of the application (npm link, workspaces) is `<name>` wherever it really
 * is. package.json files give versions only: a root manifest's other name is recorded (`manifest`),
 * never used; one deeper inside a package means nothing. Other files are the application's.
 *
 * When the chain cannot be known (more frames than are read, an unreadable stack, a frame of code
 * with no file), the event says so, and the policy decides it as the unknown subject.
 *
 * Policies decide on these packages, so a package must not be able to hide from them: the stack is
 * read by src/core/callsites.ts, and everything here uses built-ins captured at load
 * (src/core/primordials.ts). Files, link targets and manifests are resolved once and cached.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects, to take their functions before anyone can replace them
import fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
import type { Spawner } from '../contract/launch.js';
import type { Attribution, PackageRef } from '../contract/record.js';
import { isCommandLineCode } from '../core/built-code.js';
import type { Cause } from '../core/cause.js';
import { callSiteFileName, callSiteIsEval, callSiteLocation, callSites } from '../core/callsites.js';
import {
  MapCtor, MapPrototypeGet, MapPrototypeSet, ObjectFreeze, ObjectHasOwn, ProcessCwd, ReflectApply, StringPrototypeCharCodeAt, StringPrototypeIndexOf, StringPrototypeReplaceAll,
  StringPrototypeSlice, StringPrototypeStartsWith, newList,
} from '../core/primordials.js';

const JSONParse = JSON.parse;
const URIDecode = decodeURIComponent;
const { readFileSync, readdirSync, realpathSync } = fs;
const { dirname, sep } = path;
const realpath = realpathSync.native;
/**
 * Frames read per event. The cost of capturing grows with the frames there are, not with this
 * limit, so it is high: deeper stacks than this are rare in real programs (see docs/cli.md).
 */
const MAX_FRAMES = 1024;
const NODE_MODULES = `${sep}node_modules${sep}`;
const DOT = 46;
const AT = 64;
const SLASH = 47;

/** What a frame's file says: its packages (outermost first; empty: the application's), or null: code with no file. */
type FileChain = readonly PackageRef[] | null;
const byFile = new MapCtor<string, FileChain>();
const byRoot = new MapCtor<string, PackageRef>();

export interface StackPackages {
  /** Innermost first, each once. */
  readonly packages: PackageRef[];
  readonly attribution: Attribution;
  /**
   * Where each package's code is nearest the event, beside `packages`: its innermost frame
   * (`file:line:column`), or a file only (a cause's, a builder's: their stacks keep file names).
   */
  readonly frames: string[];
  /** The innermost frame of the program's code (the application's or a package's), or null when there is none. */
  readonly frame: string | null;
  /**
   * Beside `packages`: whether other code of the program (the application's, another package's,
   * code of unknown origin) ran inside the package's innermost frame on the way to the event, as
   * a framework's router calls a handler. The policy's `frameworks` are no subject then.
   */
  readonly dispatched: boolean[];
}

/** Who wrote the code of a frame's file: audithook (its own files), or builders of code under that name (core/built-code.ts). */
export interface CodeOrigins {
  readonly isOwnFile: (file: string) => boolean;
  readonly buildersOf: (file: string) => Cause | undefined;
}

/**
 * The packages on the stack above `below` (a function of ours: it and everything it called are
 * left out), innermost first, each once.
 */
export function packagesOnStack(below: (...args: never[]) => unknown, origins: CodeOrigins, cause?: Cause): StackPackages {
  const packages = newList<PackageRef>();
  const frames = newList<string>();
  const dispatched = newList<boolean>();
  const sites = callSites(below, MAX_FRAMES + 1);
  if (sites === undefined) return { packages, attribution: 'unreadable', frames, frame: null, dispatched };
  let attribution: Attribution = sites.length > MAX_FRAMES ? 'truncated' : 'complete';
  // The innermost frame of the application's or a package's code on the stack or the cause.
  let frame: string | null = null;
  // Whether code of the program ran in a frame inside the current one.
  let programInside = false;
  const read = sites.length > MAX_FRAMES ? MAX_FRAMES : sites.length;
  for (let i = 0; i < read; i++) {
    const site = sites[i] as object;
    const file = callSiteFileName(site);
    if (typeof file !== 'string') {
      // V8's built-ins (Array.prototype.map) have no file either; code built from a string is eval's.
      if (callSiteIsEval(site) && attribution === 'complete') attribution = 'anonymous';
      continue;
    }
    const known = packages.length;
    const origin = addFile(packages, file, origins);
    for (let j = known; j < packages.length; j++) dispatched[j] = programInside;
    if (origin !== NODE_OR_OWN) programInside = true;
    if (origin === UNKNOWN_ORIGIN && attribution === 'complete') attribution = 'anonymous';
    else if (origin === CALLER && (frame === null || packages.length > known)) {
      // Built code's frames are its builders': where they are is not in this file.
      const location = origins.buildersOf(file) === undefined ? callSiteLocation(site, filePath(file) ?? file) : file;
      frame ??= location;
      for (let j = known; j < packages.length; j++) frames[j] = location;
    }
  }
  if (cause !== undefined) {
    // Deferred work (src/core/cause.ts): the stack that asked for it is outside the event's own.
    if (cause.unreadable) return { packages, attribution: 'unreadable', frames, frame, dispatched };
    if (cause.truncated && attribution === 'complete') attribution = 'truncated';
    if (cause.anonymous && attribution === 'complete') attribution = 'anonymous';
    const files = cause.files;
    for (let i = 0; i < files.length; i++) {
      const file = files[i] as string;
      const known = packages.length;
      const origin = addFile(packages, file, origins);
      for (let j = known; j < packages.length; j++) dispatched[j] = programInside;
      if (origin !== NODE_OR_OWN) programInside = true;
      if (origin === UNKNOWN_ORIGIN && attribution === 'complete') attribution = 'anonymous';
      else if (origin === CALLER) {
        frame ??= file;
        for (let j = known; j < packages.length; j++) frames[j] = file;
      }
    }
  }
  // Node called a function with no code of the program around it and no cause: a package can hand
  // Node's own functions to any API that calls back later, so this is nobody known, not the application.
  if (frame === null && attribution === 'complete') attribution = 'no-caller';
  return { packages, attribution, frames, frame, dispatched };
}

/** The frame of a package that started this process or thread: it is not in this thread. */
const STARTER_FRAME = '(the starter)';

/**
 * Where the code responsible for an event is: the innermost frame of the package the verdict
 * names (a denial's: the denied package), else the innermost frame of the program's code.
 */
export function responsibleFrame(stack: StackPackages, verdictPackage: string | null): string | null {
  if (verdictPackage !== null) {
    const { packages } = stack;
    for (let i = 0; i < packages.length; i++) if ((packages[i] as PackageRef).name === verdictPackage) return stack.frames[i] ?? null;
  }
  return stack.frame;
}

/**
 * An event's packages with those of whoever started this process or thread after them, outermost:
 * what runs here is also its starter's doing. The chain is known when both are.
 */
export function withSpawner(stack: StackPackages, spawner: Spawner | undefined): StackPackages {
  if (spawner === undefined) return stack;
  const { packages, frames, dispatched } = stack;
  // The code this thread runs ran inside the starting call: a test runner's, a task runner's.
  const programHere = stack.frame !== null || packages.length > 0;
  const inherited = spawner.packages;
  for (let i = 0; i < inherited.length; i++) {
    const ref = inherited[i] as PackageRef;
    if (listed(packages, ref)) continue;
    // Its code is in the process that started this one.
    frames[packages.length] = STARTER_FRAME;
    dispatched[packages.length] = programHere;
    packages[packages.length] = ref;
  }
  return stack.attribution === 'complete' && spawner.attribution !== 'complete' ? { packages, attribution: spawner.attribution, frames, frame: stack.frame, dispatched } : stack;
}


/** What a frame's file says of who called: Node or audithook, the program's code, or code of unknown origin. */
const NODE_OR_OWN = 0;
const CALLER = 1;
const UNKNOWN_ORIGIN = 2;
type Origin = typeof NODE_OR_OWN | typeof CALLER | typeof UNKNOWN_ORIGIN;

/** Adds the packages of a frame's file (none for Node's, audithook's and the application's own). */
function addFile(packages: PackageRef[], file: string, origins: CodeOrigins): Origin {
  if (StringPrototypeStartsWith(file, 'node:') || origins.isOwnFile(file)) return NODE_OR_OWN;
  const builders = origins.buildersOf(file);
  if (builders === undefined) return addCodeFile(packages, file);
  const named = newList<string>();
  named[0] = file;
  return addBuilders(packages, builders, origins, named);
}

/**
 * Builders of builders followed: code built by code built under a name is the first builders'.
 * Deeper than this, the chain is not known.
 */
const MAX_BUILDER_DEPTH = 16;

/**
 * Code built under a file name is its builders', whatever file it names: their packages, from the
 * files of their stacks; a builder's frame of code itself built under a name is its builders', and
 * so on, so that building twice cannot hand the code to the package whose file the first build named.
 * `named`: the names whose builders are being added, the frame's own first; one of them among the
 * builders again (circular loading) adds nothing more.
 */
function addBuilders(packages: PackageRef[], builders: Cause, origins: CodeOrigins, named: string[]): Origin {
  if (named.length > MAX_BUILDER_DEPTH) return UNKNOWN_ORIGIN;
  let origin: Origin = builders.anonymous || builders.truncated || builders.unreadable ? UNKNOWN_ORIGIN : NODE_OR_OWN;
  const files = builders.files;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    if (StringPrototypeStartsWith(file, 'node:') || origins.isOwnFile(file) || isListed(named, file)) continue;
    const nested = origins.buildersOf(file);
    let added: Origin;
    if (nested === undefined) {
      added = addCodeFile(packages, file);
    } else {
      named[named.length] = file;
      added = addBuilders(packages, nested, origins, named);
      named.length--;
    }
    if (added === UNKNOWN_ORIGIN) origin = UNKNOWN_ORIGIN;
    else if (added === CALLER && origin === NODE_OR_OWN) origin = CALLER;
  }
  return origin;
}

function isListed(names: readonly string[], name: string): boolean {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
  return false;
}

/** Adds the packages of the file code was read from. */
function addCodeFile(packages: PackageRef[], file: string): Origin {
  const chain = fileChain(file);
  if (chain === null) return UNKNOWN_ORIGIN;
  for (let j = chain.length - 1; j >= 0; j--) {
    const ref = chain[j] as PackageRef;
    if (!listed(packages, ref)) packages[packages.length] = ref;
  }
  return CALLER;
}

/**
 * Whether any frame above `below` is neither Node's own nor audithook's: false when Node's
 * machinery alone caused the event (in Node's module hooks thread, its own loading of sources).
 */
export function hasForeignFrame(below: (...args: never[]) => unknown, ownFiles: (file: string) => boolean): boolean {
  const sites = callSites(below, MAX_FRAMES);
  if (sites === undefined) return true;
  for (let i = 0; i < sites.length; i++) {
    const file = callSiteFileName(sites[i] as object);
    if (typeof file === 'string' && !StringPrototypeStartsWith(file, 'node:') && !ownFiles(file)) return true;
  }
  return false;
}

function listed(packages: readonly PackageRef[], ref: PackageRef): boolean {
  for (let i = 0; i < packages.length; i++) {
    const known = packages[i] as PackageRef;
    if (known.name === ref.name && known.version === ref.version) return true;
  }
  return false;
}

function fileChain(file: string): FileChain {
  let chain = MapPrototypeGet(byFile, file);
  if (chain === undefined) {
    chain = resolveFile(file);
    MapPrototypeSet(byFile, file, chain);
  }
  return chain;
}

/** A file: URL's path, decoded here: URL.prototype is the program's to change. Null for any other URL. */
function filePath(file: string): string | null {
  if (StringPrototypeStartsWith(file, 'file:///')) {
    try {
      return URIDecode(StringPrototypeSlice(file, 7));
    } catch {
      return null;
    }
  }
  return StringPrototypeCharCodeAt(file, 0) === SLASH ? file : null;
}

function resolveFile(file: string): FileChain {
  if (isCommandLineCode(file)) return newList<PackageRef>();
  // evalmachine.<anonymous>, data: and wasm:// URLs, names a vm script was given: no file to own the code.
  const real = filePath(file);
  if (real === null) return null;
  const chain = newList<PackageRef>();
  let at = StringPrototypeIndexOf(real, NODE_MODULES);
  const linked = linkedPackage(at === -1 ? dirname(real) : StringPrototypeSlice(real, 0, at));
  if (linked !== null) chain[chain.length] = linked;
  while (at !== -1) {
    const start = at + NODE_MODULES.length;
    const first = StringPrototypeIndexOf(real, sep, start);
    if (first === -1) break;
    // A scoped package's root is two directories down: node_modules/@scope/name.
    const end = StringPrototypeCharCodeAt(real, start) === AT ? StringPrototypeIndexOf(real, sep, first + 1) : first;
    if (end === -1) break;
    // No npm name starts with a dot: .bin, .cache, pnpm's .pnpm store (whose packages are further in).
    if (StringPrototypeCharCodeAt(real, start) !== DOT) chain[chain.length] = packageAt(StringPrototypeSlice(real, 0, end), start);
    at = StringPrototypeIndexOf(real, NODE_MODULES, end);
  }
  return chain;
}

/** The package whose root directory is `root` (`.../node_modules/<name>`, the name from `nameStart`). */
function packageAt(root: string, nameStart: number): PackageRef {
  const cached = MapPrototypeGet(byRoot, root);
  if (cached !== undefined) return cached;
  const ref = manifestRef(root, StringPrototypeReplaceAll(StringPrototypeSlice(root, nameStart), sep, '/'));
  MapPrototypeSet(byRoot, root, ref);
  return ref;
}

function manifestRef(root: string, name: string): PackageRef {
  let manifest: unknown;
  try {
    manifest = JSONParse(readFileSync(`${root}${sep}package.json`, 'utf8'));
  } catch {
    return { name, version: null };
  }
  if (manifest === null || typeof manifest !== 'object') return { name, version: null };
  // Own properties only: a name on Object.prototype must not show as the package's.
  const said = ObjectHasOwn(manifest, 'name') ? (manifest as { name?: unknown }).name : undefined;
  const version = ObjectHasOwn(manifest, 'version') ? (manifest as { version?: unknown }).version : undefined;
  const known = typeof version === 'string' ? version : null;
  return typeof said === 'string' && said !== name ? { name, version: known, manifest: said } : { name, version: known };
}

/** Real directory -> the package a `node_modules/<name>` link of the application makes of it; read once. */
let links: Map<string, PackageRef> | undefined;
// Taken at load, before any program code: a package could rewrite process.argv before the links are read.
const START_DIRECTORY = ProcessCwd();
const ENTRY_SCRIPT: unknown = process.argv[1];

/** The linked package that `directory` (outside any node_modules) is in, or null. */
function linkedPackage(directory: string): PackageRef | null {
  links ??= findLinks(false);
  for (;;) {
    const ref = MapPrototypeGet(links, directory);
    if (ref !== undefined) return ref;
    const parent = dirname(directory);
    if (parent === directory) return null;
    directory = parent;
  }
}

/**
 * The links in the node_modules directories the application resolves from (its working directory's
 * and its entry script's, and their parents'), but not one to a directory that holds the entry
 * script (or, without one, the working directory): a workspace links the application too.
 */
function findLinks(typed: boolean): Map<string, PackageRef> {
  const found = new MapCtor<string, PackageRef>();
  const cwd = START_DIRECTORY;
  let application = '';
  try {
    application = realpath(typeof ENTRY_SCRIPT === 'string' ? ENTRY_SCRIPT : cwd);
  } catch {
    // an entry script that is gone: no link is left out
  }
  const starts = newList<string>();
  starts[0] = cwd;
  if (application !== '') starts[1] = dirname(application);
  const seen = new MapCtor<string, true>();
  for (let i = 0; i < starts.length; i++) {
    let directory = starts[i] as string;
    for (;;) {
      if (MapPrototypeGet(seen, directory) === undefined) {
        MapPrototypeSet(seen, directory, true);
        scanLinks(`${directory === sep ? '' : directory}${sep}node_modules`, '', found, application, typed);
      }
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  }
  return found;
}

function scanLinks(directory: string, scope: string, found: Map<string, PackageRef>, application: string, typed: boolean): void {
  let entries: Entries;
  let real: string;
  try {
    entries = listEntries(directory, typed);
    real = realpath(directory);
  } catch {
    return;
  }
  const { names, mayBeLink } = entries;
  for (let i = 0; i < names.length; i++) {
    const entryName = names[i] as string;
    if (StringPrototypeCharCodeAt(entryName, 0) === DOT) continue;
    const full = `${directory}${sep}${entryName}`;
    if (scope === '' && StringPrototypeCharCodeAt(entryName, 0) === AT) {
      scanLinks(full, entryName, found, application, typed);
      continue;
    }
    if (!(mayBeLink[i] as boolean)) continue;
    // A link is an entry whose real path is elsewhere.
    let target: string;
    try {
      target = realpath(full);
    } catch {
      continue;
    }
    if (target === `${real}${sep}${entryName}`) continue;
    // A link into node_modules is named by its real path already (pnpm); one to the application is the application.
    const inside = target === sep ? sep : `${target}${sep}`;
    if (StringPrototypeIndexOf(inside, NODE_MODULES) !== -1 || (application !== '' && StringPrototypeStartsWith(`${application}${sep}`, inside))) continue;
    const name = scope === '' ? entryName : `${scope}/${entryName}`;
    if (MapPrototypeGet(found, target) === undefined) MapPrototypeSet(found, target, manifestRef(target, name));
  }
}

interface Entries {
  readonly names: string[];
  /** Per name: whether it may be a link, and so is resolved. */
  readonly mayBeLink: boolean[];
}

const TYPED_ENTRIES = ObjectFreeze({ __proto__: null, withFileTypes: true });
const { isSymbolicLink } = fs.Dirent.prototype;

/**
 * A directory's names. `typed` (at load, before any program code): each entry's type, one call for
 * the whole directory, so only links are resolved. Later, every name may be a link: a Dirent's
 * fields are set through setters a program can add to Object.prototype, and would then say what
 * the program likes.
 */
function listEntries(directory: string, typed: boolean): Entries {
  const names = newList<string>();
  const mayBeLink = newList<boolean>();
  if (typed) {
    const entries = readdirSync(directory, TYPED_ENTRIES as { withFileTypes: true });
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as fs.Dirent;
      names[i] = entry.name;
      mayBeLink[i] = ReflectApply<fs.Dirent, [], boolean>(isSymbolicLink, entry, []);
    }
  } else {
    const all = readdirSync(directory);
    for (let i = 0; i < all.length; i++) {
      names[i] = all[i] as string;
      mayBeLink[i] = true;
    }
  }
  return { names, mayBeLink };
}

// A program run from a file has frames of its own from its first event on: its links are read now,
// while the entries' types can be trusted (listEntries). Without one (`-e`, the REPL), when needed.
if (typeof ENTRY_SCRIPT === 'string') links = findLinks(true);
