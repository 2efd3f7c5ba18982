/**
 * Which npm packages are on the call stack of an event: V8's structured call sites (async frames
 * included, as far as V8 follows awaits), each file mapped to the package that contains it. A file
 * belongs to the package after the last `node_modules/` in its path (pnpm's nested stores and
 * scoped names included); its name and version come from the nearest package.json with a name
 * between the file and that package's root. Files outside node_modules are the application's.
 * Files and directories are resolved once and cached.
 *
 * Policies decide on these packages, so a package must not be able to hide from them: the stack is
 * read by src/callsites.ts, and everything here uses built-ins captured at load (src/primordials.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects, to take their functions before anyone can replace them
import fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import url = require('node:url');
import type { PackageRef } from '../contract/record.js';
import { callSiteFileName, callSites } from '../core/callsites.js';
import {
  MapCtor, MapPrototypeGet, MapPrototypeSet, ObjectHasOwn, StringPrototypeIndexOf, StringPrototypeLastIndexOf, StringPrototypeReplaceAll,
  StringPrototypeSlice, StringPrototypeStartsWith, newList,
} from '../core/primordials.js';

const JSONParse = JSON.parse;
const { readFileSync } = fs;
const { dirname, sep } = path;
const { fileURLToPath } = url;
const MAX_FRAMES = 64;
const NODE_MODULES = `${sep}node_modules${sep}`;

/** The chain of an event whose stack cannot be read; no npm name has parentheses. */
const UNREADABLE_STACK: PackageRef = { name: '(unreadable stack)', version: null };

/** Per file (as V8 names it), its package or null; per directory, the nearest named package.json's package. */
const byFile = new MapCtor<string, PackageRef | null>();
const byDirectory = new MapCtor<string, PackageRef>();

/**
 * The packages on the stack above `below` (a function of ours: it and everything it called are
 * left out), innermost first, each once. `ownFiles`: files whose frames are audithook's own.
 */
export function packagesOnStack(below: (...args: never[]) => unknown, ownFiles: (file: string) => boolean): PackageRef[] {
  const packages = newList<PackageRef>();
  const sites = callSites(below, MAX_FRAMES);
  // A program that locked the stack-trace machinery is not the application: rules for "*" apply.
  if (sites === undefined) return [UNREADABLE_STACK];
  for (let i = 0; i < sites.length; i++) {
    const file = callSiteFileName(sites[i] as object);
    if (typeof file !== 'string' || StringPrototypeStartsWith(file, 'node:') || ownFiles(file)) continue;
    const ref = packageOfFile(file);
    if (ref !== null && !listed(packages, ref)) packages[packages.length] = ref;
  }
  return packages;
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

function packageOfFile(file: string): PackageRef | null {
  let ref = MapPrototypeGet(byFile, file);
  if (ref === undefined) {
    ref = resolveFile(file);
    MapPrototypeSet(byFile, file, ref);
  }
  return ref;
}

function resolveFile(file: string): PackageRef | null {
  let filePath: string;
  try {
    filePath = StringPrototypeStartsWith(file, 'file:') ? fileURLToPath(file) : file;
  } catch {
    return null;
  }
  const at = StringPrototypeLastIndexOf(filePath, NODE_MODULES);
  if (at === -1) return null;
  const start = at + NODE_MODULES.length;
  const first = StringPrototypeIndexOf(filePath, sep, start);
  if (first === -1) return null;
  // A scoped package's root is two directories down: node_modules/@scope/name.
  const end = filePath[start] === '@' ? StringPrototypeIndexOf(filePath, sep, first + 1) : first;
  if (end === -1) return null;
  const rootName = StringPrototypeReplaceAll(StringPrototypeSlice(filePath, start, end), sep, '/');
  return packageOfDirectory(dirname(filePath), StringPrototypeSlice(filePath, 0, end), rootName);
}

/** The nearest package.json with a name from `directory` up to `root`; the root's directory name if none. */
function packageOfDirectory(directory: string, root: string, rootName: string): PackageRef {
  const cached = MapPrototypeGet(byDirectory, directory);
  if (cached !== undefined) return cached;
  let ref: PackageRef | undefined = readManifest(directory);
  if (ref === undefined) {
    ref = directory.length > root.length && StringPrototypeStartsWith(directory, root)
      ? packageOfDirectory(dirname(directory), root, rootName)
      : { name: rootName, version: null };
  }
  MapPrototypeSet(byDirectory, directory, ref);
  return ref;
}

function readManifest(directory: string): PackageRef | undefined {
  let manifest: unknown;
  try {
    manifest = JSONParse(readFileSync(`${directory}${sep}package.json`, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest === null || typeof manifest !== 'object') return undefined;
  // Own properties only: a name on Object.prototype must not lend a package another one's name.
  const name = ObjectHasOwn(manifest, 'name') ? (manifest as { name?: unknown }).name : undefined;
  const version = ObjectHasOwn(manifest, 'version') ? (manifest as { version?: unknown }).version : undefined;
  if (typeof name !== 'string' || name === '') return undefined;
  return { name, version: typeof version === 'string' ? version : null };
}
