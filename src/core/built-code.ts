/**
 * Code built from a string under a file name the builder chose: `vm.Script`, `vm.runIn*Context`,
 * `vm.compileFunction`, a `vm.SourceTextModule`'s identifier, a module's `_compile` outside the
 * loader. V8 gives the frames of that code the chosen name, so a package could name another
 * package's file and wear its name whenever no frame of its own is on the stack. The stacks that
 * built code under a name are kept instead (each builder's files, once): the agent charges such
 * frames to those builders, never to the package of the file named (src/agent/attribution.ts).
 * Only names the agent reads as code with an owner are kept: a path, a file: URL, the command line's.
 */
import { captureCause, isNodesOwn } from './cause.js';
import type { Cause } from './cause.js';
import {
  MapCtor, MapPrototypeGet, MapPrototypeGetSize, MapPrototypeSet, ObjectFreeze, SetCtor, SetPrototypeAdd, SetPrototypeHas,
  StringPrototypeCharCodeAt, StringPrototypeStartsWith, newList,
} from './primordials.js';

/** Files on the stacks of the builders of code under one name. */
interface Builders {
  readonly files: string[];
  readonly seen: Set<string>;
  anonymous: boolean;
  truncated: boolean;
  unreadable: boolean;
  /** What buildersOf hands out, until a builder adds to it. */
  snapshot: Cause | undefined;
}

/** A name's builders' files are capped as one stack is: many builders of one name cannot grow it without end. */
const MAX_FILES = 1024;

const buildersByName = new MapCtor<string, Builders>();

/** The code Node runs from its command line (`node -e`, `-p`, standard input) is the application's. */
const COMMAND_LINE_CODE = new MapCtor<string, true>([['[eval]', true], ['[eval]-wrapper', true], ['[stdin]', true], ['[stdin]-wrapper', true]]);

export function isCommandLineCode(name: string): boolean {
  return MapPrototypeGet(COMMAND_LINE_CODE, name) === true;
}

/** Whether frames under `name` would be read as a file's code (an absolute path, a file: URL) or the command line's. */
function namesCode(name: string): boolean {
  return StringPrototypeCharCodeAt(name, 0) === SLASH || StringPrototypeStartsWith(name, 'file:') || isCommandLineCode(name);
}
const SLASH = 47;

/**
 * Keeps the stack above `below` (a function of ours), and the cause in effect, as a builder of
 * code named `filename`. With a hook only. Code Node itself builds (its REPL) names nobody.
 */
export function nameBuiltCode(filename: string, below: (...args: never[]) => unknown): void {
  // Any other name (evalmachine.<anonymous>, bench.js) is code of unknown origin already.
  if (!namesCode(filename)) return;
  const cause = captureCause(below);
  if (isNodesOwn(cause)) return;
  let builders = MapPrototypeGet(buildersByName, filename);
  if (builders === undefined) {
    builders = { files: newList<string>(), seen: new SetCtor<string>(), anonymous: false, truncated: false, unreadable: false, snapshot: undefined };
    MapPrototypeSet(buildersByName, filename, builders);
  }
  const before = builders.files.length;
  const flagged = !builders.anonymous && cause.anonymous || !builders.truncated && cause.truncated || !builders.unreadable && cause.unreadable;
  if (cause.anonymous) builders.anonymous = true;
  if (cause.truncated) builders.truncated = true;
  if (cause.unreadable) builders.unreadable = true;
  const files = cause.files;
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string;
    if (SetPrototypeHas(builders.seen, file)) continue;
    if (builders.files.length === MAX_FILES) {
      if (!builders.truncated) builders.snapshot = undefined;
      builders.truncated = true;
      break;
    }
    SetPrototypeAdd(builders.seen, file);
    builders.files[builders.files.length] = file;
  }
  if (flagged || builders.files.length !== before) builders.snapshot = undefined;
}

/** The builders of code named `filename`, as one cause (a frozen copy); undefined when no code was built under that name. */
export function buildersOf(filename: string): Cause | undefined {
  if (MapPrototypeGetSize(buildersByName) === 0) return undefined;
  const builders = MapPrototypeGet(buildersByName, filename);
  if (builders === undefined) return undefined;
  if (builders.snapshot === undefined) {
    const files = newList<string>();
    for (let i = 0; i < builders.files.length; i++) files[i] = builders.files[i] as string;
    builders.snapshot = ObjectFreeze({ files: ObjectFreeze(files), anonymous: builders.anonymous, truncated: builders.truncated, unreadable: builders.unreadable });
  }
  return builders.snapshot;
}
