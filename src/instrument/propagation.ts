/**
 * Keeping children audited. When this process was started with an audithook preload in
 * NODE_OPTIONS, every Node process it starts (a child, directly or through a shell or another
 * program; the image process.execve puts in its place) and every worker thread gets the preloads
 * first in NODE_OPTIONS, whatever env it was given; other programs ignore the variable.
 *
 * "First" is decided on the words Node reads (args.ts nodeOptionsArgv), never on the text: a
 * NODE_OPTIONS that begins with the agent's text but continues the word (`"<agent>"/../x.js`), or
 * that names the agent only inside a quoted value, does not begin with the agent, and gets it put
 * in front. Node runs NODE_OPTIONS' preloads before those of the command line or a worker's
 * execArgv, and `--require` ones before `--import` ones: the agent, a `--require`, runs first.
 *
 * Two modes propagate: the `audithook run` agent, which also hands its configuration (log, policy)
 * to every child in environment variables that the child's caller cannot drop or change, and the
 * flags of Node's permission wall right after the agent (WALL_VARIABLE: a caller's own permission
 * flags, which could only widen it, are dropped from the rest of NODE_OPTIONS); and the
 * register (`NODE_OPTIONS="--import audithook/register --require ./hooks.js"`), where every
 * preload of this process's NODE_OPTIONS is handed on, the hooks with the register, made
 * independent of the child's working directory.
 *
 * Under the agent, each child and worker is also told who started it (contract/launch.ts Spawner):
 * the agent describes the starting call (setSpawner), a child gets that in SPAWNER_VARIABLE in place
 * of any value its caller gave, a worker in the environment data Node copies into it.
 */
import {
  AGENT_FILE, SPAWNER_DATA_KEY, SPAWNER_VARIABLE, WALL_VARIABLE, agentPreload, agentVariables, nodeOptionsQuoted,
} from '../contract/launch.js';
import {
  ObjectHasOwn, ObjectKeys, PathJoin, PathResolve, PathToFileURL, ProcessCwd, ProcessEnvironment, RegExpPrototypeExec, StringCtor, StringPrototypeIndexOf, StringPrototypeSlice,
  StringPrototypeStartsWith, asArray, newList, newRecord,
} from '../core/primordials.js';
import { accessDenied } from '../core/errors.js';
import { nodeOptionsArgv } from './args.js';

interface Propagation {
  /** The words every child's NODE_OPTIONS begins with, as Node splits it. */
  readonly words: readonly string[];
  /** Those words as NODE_OPTIONS text, put in front of a child's NODE_OPTIONS that does not begin with them. */
  readonly text: string;
  /** `KEY=value` pairs every child gets, replacing the caller's values for those keys. */
  readonly env: readonly string[];
  /** The words include Node's permission wall: permission flags after them are dropped. */
  readonly walled: boolean;
}

const REGISTER_FILE = PathJoin(__dirname, 'register.js');
/** The `audithook run` agent of this build, beside this bundle. */
export const AGENT_BESIDE = PathJoin(__dirname, AGENT_FILE);

/** Whether a preload specifier names audithook: the package, or one of this build's files. */
function namesAudithook(specifier: string): boolean {
  return specifier === 'audithook' || StringPrototypeStartsWith(specifier, 'audithook/')
    || StringPrototypeStartsWith(specifier, `${__dirname}/`) || StringPrototypeStartsWith(specifier, PathToFileURL(`${__dirname}/`).href);
}

/**
 * A preload of this process's NODE_OPTIONS as a word that loads the same file from any working
 * directory: audithook's register as this build's file, a relative path made absolute against the
 * directory this process started in. Other package names stay as given (a child resolves them).
 */
function portableWord(flag: string, specifier: string, cwd: string): string {
  const isImport = flag === '--import';
  let target = specifier;
  if (specifier === 'audithook/register') target = REGISTER_FILE;
  else if (specifier === '.' || specifier === '..' || StringPrototypeStartsWith(specifier, './') || StringPrototypeStartsWith(specifier, '../')) target = PathResolve(cwd, specifier);
  else return `${flag}=${specifier}`;
  return `${flag}=${isImport ? PathToFileURL(target).href : target}`;
}

const PRELOAD_FLAGS: Readonly<Record<string, string | undefined>> = { '-r': '--require', '--require': '--require', '--import': '--import' };

/** The register's propagation: every preload of NODE_OPTIONS, when one of them names audithook. */
function registerPropagation(nodeOptions: unknown): Propagation | undefined {
  const argv = nodeOptionsArgv(nodeOptions);
  const cwd = ProcessCwd();
  const words = newList<string>();
  let audithook = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const equals = StringPrototypeIndexOf(arg, '=');
    const flag = PRELOAD_FLAGS[equals === -1 ? arg : StringPrototypeSlice(arg, 0, equals)];
    if (flag === undefined) continue;
    const specifier = equals !== -1 ? StringPrototypeSlice(arg, equals + 1) : argv[++i];
    if (specifier === undefined) continue;
    if (namesAudithook(specifier)) audithook = true;
    words[words.length] = portableWord(flag, specifier, cwd);
  }
  if (!audithook) return undefined;
  let text = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const equals = StringPrototypeIndexOf(word, '=');
    text += `${i === 0 ? '' : ' '}${StringPrototypeSlice(word, 0, equals + 1)}${nodeOptionsQuoted(StringPrototypeSlice(word, equals + 1))}`;
  }
  return { words, text, env: [], walled: false };
}

/**
 * Under `audithook run` (its variables in the environment at startup), the agent beside this
 * bundle and exactly the agent's variables; otherwise, when NODE_OPTIONS loads audithook, the
 * register's propagation.
 */
function startupPropagation(): Propagation | undefined {
  const forced = agentVariables(process.env);
  if (forced === undefined) return registerPropagation(process.env['NODE_OPTIONS']);
  const wall = process.env[WALL_VARIABLE] ?? '';
  const words = newList<string>();
  words[0] = `--require=${AGENT_BESIDE}`;
  const wallWords = nodeOptionsArgv(wall);
  for (let i = 0; i < wallWords.length; i++) words[words.length] = wallWords[i] as string;
  const text = wall === '' ? agentPreload(AGENT_BESIDE) : `${agentPreload(AGENT_BESIDE)} ${wall}`;
  return { words, text, env: forced, walled: wallWords.length > 0 };
}

const propagation: Propagation | undefined = startupPropagation();

/** The agent's description of the call starting a child or worker now (a Spawner's text), set once, before any program code. */
let spawner: (() => string) | undefined;

/** Sets the agent's description of a starting call; only once: a later caller is the program, refused. */
export function setSpawner(describe: () => string): void {
  if (spawner !== undefined) {
    throw accessDenied('audithook: who starts a child is told by the agent alone');
  }
  spawner = describe;
}

/** The forced pairs for a child started now: the agent's variables and, under the agent, who starts it. */
function forcedPairs(current: Propagation): readonly string[] {
  if (spawner === undefined || current.env.length === 0) return current.env;
  const pairs = newList<string>();
  for (let i = 0; i < current.env.length; i++) pairs[i] = current.env[i] as string;
  pairs[pairs.length] = `${SPAWNER_VARIABLE}=${spawner()}`;
  return pairs;
}

/**
 * Under the agent, who creates the worker about to be created, in the environment data Node copies
 * into it (`setEnvironmentData`, taken by the caller before any program code).
 */
export function tellWorkerItsCreator(setEnvironmentData: (key: string, value: string) => void): void {
  if (spawner !== undefined && propagation !== undefined && propagation.env.length !== 0) setEnvironmentData(SPAWNER_DATA_KEY, spawner());
}

/** Whether children get a preload: decided before the instrumentation is installed. */
export function propagating(): boolean {
  return propagation !== undefined;
}

/**
 * Whether this process runs under `audithook run`: every worker gets the agent through its
 * environment (workerEnvironment), and nothing else of this thread's preloads is forced into one.
 */
export function agentForcedIntoWorkers(): boolean {
  return propagation !== undefined && propagation.env.length !== 0;
}

/** Whether NODE_OPTIONS, as Node splits it, begins with the propagated words. */
function beginsWithPreloads(current: Propagation, nodeOptions: string): boolean {
  const argv = nodeOptionsArgv(nodeOptions);
  const words = current.words;
  if (argv.length < words.length) return false;
  for (let i = 0; i < words.length; i++) if (argv[i] !== words[i]) return false;
  return true;
}

/** Options of Node's permission model; the two that take a path may take it as the next word. */
const PERMISSION_FLAG = /^--(?:permission|permission-audit|experimental-permission|allow-[a-z-]+)(?:=|$)/;
const PATH_FLAG = /^--allow-fs-(?:read|write)$/;

/** NODE_OPTIONS' words without the permission flags, which inside the wall could only widen it. */
function withoutPermissionFlags(argv: readonly string[], from: number): string[] {
  const kept = newList<string>();
  for (let i = from; i < argv.length; i++) {
    const word = argv[i] as string;
    if (RegExpPrototypeExec(PATH_FLAG, word) !== null) i++;
    else if (RegExpPrototypeExec(PERMISSION_FLAG, word) === null) kept[kept.length] = word;
  }
  return kept;
}

/** NODE_OPTIONS as a child gets it: as given when it begins with the preloads, else with them in front. */
function withPreloadFirst(current: Propagation, nodeOptions: string): string {
  const begins = beginsWithPreloads(current, nodeOptions);
  if (current.walled) {
    const argv = nodeOptionsArgv(nodeOptions);
    const from = begins ? current.words.length : 0;
    const rest = withoutPermissionFlags(argv, from);
    if (begins && rest.length === argv.length - from) return nodeOptions;
    // The rest, word by word, each quoted so that Node reads it back as it is.
    let text = current.text;
    for (let i = 0; i < rest.length; i++) text += ` ${nodeOptionsQuoted(rest[i] as string)}`;
    return text;
  }
  if (begins) return nodeOptions;
  // The preloads are whole words followed by a space: Node reads the rest as it would have alone.
  return nodeOptions === '' ? current.text : `${current.text} ${nodeOptions}`;
}

function keyOf(pair: string): string {
  const at = StringPrototypeIndexOf(pair, '=', 1);
  return at === -1 ? pair : StringPrototypeSlice(pair, 0, at);
}

/** Node's `KEY=value` environment pairs for a child, with the preloads first in NODE_OPTIONS and the agent's configuration. */
export function withPreload(envPairs: readonly string[]): string[] {
  const current = propagation;
  if (current === undefined) return envPairs as string[];
  const forced = forcedPairs(current);
  // Built with no prototype (an index setter on Array.prototype cannot drop NODE_OPTIONS), handed to Node as an array.
  const result = newList<string>();
  let found = false;
  for (let i = 0; i < envPairs.length; i++) {
    const pair = envPairs[i] as string;
    const key = keyOf(pair);
    let replaced = false;
    for (let j = 0; j < forced.length; j++) if (keyOf(forced[j] as string) === key) replaced = true;
    if (replaced) continue;
    if (key === 'NODE_OPTIONS') {
      found = true;
      result[result.length] = `NODE_OPTIONS=${withPreloadFirst(current, StringPrototypeSlice(pair, 13))}`;
    } else {
      result[result.length] = pair;
    }
  }
  if (!found) result[result.length] = `NODE_OPTIONS=${current.text}`;
  for (let j = 0; j < forced.length; j++) result[result.length] = forced[j] as string;
  return asArray(result);
}

/** An environment object (process.execve's) with the preloads and the agent's configuration, as withPreload gives a child. */
export function withPreloadEnvironment(env: Readonly<Record<string, string>>): Record<string, string> {
  const keys = ObjectKeys(env);
  const pairs = newList<string>();
  for (let i = 0; i < keys.length; i++) pairs[i] = `${keys[i] as string}=${env[keys[i] as string] as string}`;
  const kept = withPreload(pairs);
  const result = newRecord<string>();
  for (let i = 0; i < kept.length; i++) {
    const key = keyOf(kept[i] as string);
    result[key] = StringPrototypeSlice(kept[i], key.length + 1);
  }
  return result;
}

/**
 * The env to give a worker under `audithook run`, or undefined to keep the caller's: a worker with
 * its own env object gets the agent first in its NODE_OPTIONS and the agent's variables; one that
 * would copy this thread's environment (no env) gets such a copy when that environment no longer
 * has them (the program changed NODE_OPTIONS or AUDITHOOK_*, which Node would hand on).
 */
export function workerEnvironment(env: unknown): Record<string, unknown> | undefined {
  const current = propagation;
  if (current === undefined || current.env.length === 0) return undefined;
  if (typeof env === 'object' && env !== null) return forcedCopy(current, env as Readonly<Record<string, unknown>>);
  if (env !== undefined && env !== null) return undefined;
  return startsAgent(current, ProcessEnvironment) ? undefined : forcedCopy(current, ProcessEnvironment);
}

/**
 * A worker sharing this thread's environment (SHARE_ENV) reads the agent's variables from it, and,
 * given execArgv (`parsesNodeOptions`), its NODE_OPTIONS too; a copy would not be shared, so when
 * they no longer start the agent the worker is refused.
 */
export function assertSharedEnvironmentStartsAgent(parsesNodeOptions: boolean): void {
  const current = propagation;
  if (current === undefined || current.env.length === 0) return;
  if (startsAgent(current, ProcessEnvironment, parsesNodeOptions)) return;
  throw accessDenied('audithook: a worker sharing this environment (SHARE_ENV) would not start with the agent: its NODE_OPTIONS or AUDITHOOK_ variables were changed');
}

/** Whether an environment has the agent's variables as forced and, unless told otherwise, NODE_OPTIONS beginning with the agent. */
function startsAgent(current: Propagation, env: Readonly<Record<string, unknown>>, checkNodeOptions = true): boolean {
  const forced = current.env;
  for (let i = 0; i < forced.length; i++) {
    const key = keyOf(forced[i] as string);
    if (env[key] !== StringPrototypeSlice(forced[i], key.length + 1)) return false;
  }
  return !checkNodeOptions || beginsWithPreloads(current, StringCtor(env['NODE_OPTIONS'] ?? ''));
}

/**
 * A worker's env as Node reads it (its own enumerable string keys, each read once, converted as
 * Node converts them), with NODE_OPTIONS beginning with the agent and the agent's variables forced
 * in. Into a record with no prototype, where no setter on Object.prototype can swallow one.
 */
function forcedCopy(current: Propagation, env: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result = newRecord<unknown>();
  const keys = ObjectKeys(env);
  for (let i = 0; i < keys.length; i++) result[keys[i] as string] = env[keys[i] as string];
  const nodeOptions = ObjectHasOwn(result, 'NODE_OPTIONS') ? `${result['NODE_OPTIONS'] as string}` : '';
  result['NODE_OPTIONS'] = withPreloadFirst(current, nodeOptions);
  const forced = current.env;
  for (let i = 0; i < forced.length; i++) {
    const pair = forced[i] as string;
    const key = keyOf(pair);
    result[key] = StringPrototypeSlice(pair, key.length + 1);
  }
  return result;
}
