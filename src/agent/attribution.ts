/**
 * Which npm packages are on the call stack of an event: V8's structured call sites (async frames
 * included, as far as V8 follows awaits), each file mapped to the package that contains it. A file
 * belongs to the package after the last `node_modules/` in its path (pnpm's nested stores and
 * scoped names included); its name and version come from the nearest package.json with a name
 * between the file and that package's root. Files outside node_modules are the application's.
 * Files and directories are resolved once and cached.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take readFileSync before anyone can replace it
import fs = require('node:fs');
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PackageRef } from '../cli/record.js';

const ErrorCtor = Error;
const captureStackTrace = Error.captureStackTrace;
const JSONParse = JSON.parse;
const readFileSync = fs.readFileSync;
const MAX_FRAMES = 64;
const NODE_MODULES = `${sep}node_modules${sep}`;

/** Per file (as V8 names it), its package or null; per directory, the nearest named package.json's package. */
const byFile = new Map<string, PackageRef | null>();
const byDirectory = new Map<string, PackageRef | null>();

/** Formats nothing: the call sites themselves are the stack. */
function callSites(_error: Error, sites: NodeJS.CallSite[]): NodeJS.CallSite[] {
  return sites;
}

/**
 * The packages on the stack above `below` (a function of ours: it and everything it called are
 * left out), innermost first, each once. `ownFiles`: files whose frames are audithook's own.
 */
export function packagesOnStack(below: (...args: never[]) => unknown, ownFiles: (file: string) => boolean): PackageRef[] {
  const previousPrepare = ErrorCtor.prepareStackTrace;
  const previousLimit = ErrorCtor.stackTraceLimit;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  let sites: NodeJS.CallSite[] | undefined;
  try {
    ErrorCtor.prepareStackTrace = callSites;
    ErrorCtor.stackTraceLimit = MAX_FRAMES;
    captureStackTrace(holder, below);
    sites = holder.stack;
  } finally {
    ErrorCtor.prepareStackTrace = previousPrepare;
    ErrorCtor.stackTraceLimit = previousLimit;
  }
  const packages: PackageRef[] = [];
  if (sites === undefined || !Array.isArray(sites)) return packages;
  for (const site of sites) {
    const file = site.getFileName();
    if (file === undefined || file === null || file.startsWith('node:') || ownFiles(file)) continue;
    const ref = packageOfFile(file);
    if (ref !== null && !packages.some((known) => known.name === ref.name && known.version === ref.version)) packages.push(ref);
  }
  return packages;
}

function packageOfFile(file: string): PackageRef | null {
  let ref = byFile.get(file);
  if (ref === undefined) {
    ref = resolveFile(file);
    byFile.set(file, ref);
  }
  return ref;
}

function resolveFile(file: string): PackageRef | null {
  let path: string;
  try {
    path = file.startsWith('file:') ? fileURLToPath(file) : file;
  } catch {
    return null;
  }
  const at = path.lastIndexOf(NODE_MODULES);
  if (at === -1) return null;
  const start = at + NODE_MODULES.length;
  const first = path.indexOf(sep, start);
  if (first === -1) return null;
  // A scoped package's root is two directories down: node_modules/@scope/name.
  const end = path[start] === '@' ? path.indexOf(sep, first + 1) : first;
  if (end === -1) return null;
  return packageOfDirectory(dirname(path), path.slice(0, end), path.slice(start, end).split(sep).join('/'));
}

/** The nearest package.json with a name from `directory` up to `root`; the root's directory name if none. */
function packageOfDirectory(directory: string, root: string, rootName: string): PackageRef {
  const cached = byDirectory.get(directory);
  if (cached !== undefined && cached !== null) return cached;
  let ref: PackageRef | undefined = readManifest(directory);
  if (ref === undefined) {
    ref = directory.length > root.length && directory.startsWith(root)
      ? packageOfDirectory(dirname(directory), root, rootName)
      : { name: rootName, version: null };
  }
  byDirectory.set(directory, ref);
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
  const { name, version } = manifest as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || name === '') return undefined;
  return { name, version: typeof version === 'string' ? version : null };
}
