/**
 * The `audithook run` agent, preloaded (`--require`) in every audited process and worker thread.
 * It installs the instrumentation and one hook that, for every event: finds the npm packages on
 * the call stack, asks the policy (when there is one), sends a record (src/contract/record.ts) to
 * `audithook run` over its channel (channel.ts), and in enforce mode refuses a denied operation with
 * ERR_ACCESS_DENIED. The log and the channel are audithook's: an event that names either is refused
 * for everyone, in every mode.
 *
 * Bundled into one dependency-free file (dist/agent-main.js) that shares the runtime, loaded with
 * it by the preload entry (preload.ts, dist/agent.js) through V8's code cache (code-cache.ts). Its
 * configuration comes from the environment (src/contract/launch.ts), which it passes on to every child it starts.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
// decide.ts, not the policy index: the loader's libraries stay out of the preload.
import { decide, eventSubjects } from '../policy/decide.js';
import { codeCacheDirectory } from './code-cache-folder.js';
import type { CompiledPolicy, Verdict } from '../policy/types.js';
import {
  ArrayPrototypeSlice, DateCtor, DateNow, DatePrototypeToISOString, ErrorCtor, JSONParse, JSONStringify, ObjectFreeze, PathNormalize, StringPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeSlice, StringPrototypeStartsWith, newList,
} from '../core/primordials.js';
import type { Attribution, PackageRef } from '../contract/record.js';
import { CHANNEL_VARIABLE } from '../contract/channel.js';
import {
  LOG_VARIABLE, POLICY_FILE, POLICY_VARIABLE, SPAWNER_DATA_KEY, SPAWNER_VARIABLE, namesNodeConfigFile, nodeConfigFiles, parseSpawner, spawnerText,
} from '../contract/launch.js';
import type { Spawner } from '../contract/launch.js';
import { hasForeignFrame, packagesOnStack, responsibleFrame, withSpawner } from './attribution.js';
import { denialError } from './denial.js';
import type { StackPackages } from './attribution.js';
import { currentThreadId, inWorker, workerEnvironmentData } from '../core/thread.js';
import { inNodeHooksThread } from '../core/module-hooks-thread.js';
import { jsonSafeArgs } from './json-safe.js';
import { jsonText } from './json-text.js';
import { ChannelError, openChannel } from './channel.js';
import type { Channel } from './channel.js';
// Loaded by the preload (preload.ts) before this module: found in require.cache.
import { runtime } from '../runtime.js';

/** Read at load, before any program code can touch process.abort (core/thread.ts). */
const isMainThread = !inWorker();

/** audithook's own files (this bundle and the package's dist/): their frames are not the caller's. */
const ownDirectory = `${dirname(__filename)}${sep}`;
const ownFileURL = `file://${ownDirectory}`;
const isOwnFile = (file: string): boolean => StringPrototypeStartsWith(file, ownDirectory) || StringPrototypeStartsWith(file, ownFileURL);

/** Why the agent cannot run; the process stops before any user code (fail closed), with one line, no stack. */
class AgentError extends ErrorCtor {}

interface Configuration {
  /** The log's path: the agent never opens it; it refuses the program's events that name it. */
  readonly log: string;
  /** The channel pool's directory (src/contract/channel.ts). */
  readonly channel: string;
  readonly policy: CompiledPolicy | null;
  /** Who started this process or thread (contract/launch.ts); undefined for COMMAND and the threads Node starts itself. */
  readonly spawner: Spawner | undefined;
}

function variable(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new AgentError(`${name} is not set (start programs with \`audithook run\`)`);
  return value;
}

/** Inside Node's permission model, a process Node gave a configuration file does not run (namesNodeConfigFile). */
function checkWall(): void {
  if ((process as { permission?: unknown }).permission === undefined || nodeConfigFiles() !== 'permission') return;
  if (namesNodeConfigFile(process.execArgv) || namesNodeConfigFile(ArrayPrototypeSlice(process.argv, 1))) {
    throw new AgentError('a Node configuration file is in effect (--experimental-config-file): Node applies its permission settings '
      + "over the wall's flags, so audithook refuses to run this process; give its options on the command line instead");
  }
}

// Runs once at load, before any program code: the built-ins it uses are still Node's own.
/* eslint-disable audithook/primordials */
/** The policy `audithook run` wrote into the channel directory, if its digest is POLICY_VARIABLE's (src/contract/launch.ts). */
function readPolicy(channel: string, digest: string): CompiledPolicy {
  const file = `${channel}${sep}${POLICY_FILE}`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentError(`cannot read the policy audithook run wrote (${file}): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  // Loaded here, only under a policy: node:crypto costs every process a few milliseconds to load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when there is a policy to check
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  if (createHash('sha256').update(text).digest('hex') !== digest) {
    throw new AgentError(`${file} is not the policy audithook run wrote (its SHA-256 is not ${POLICY_VARIABLE}'s): something changed it`);
  }
  try {
    return JSONParse(text) as CompiledPolicy;
  } catch {
    throw new AgentError(`${file} is not a compiled policy`);
  }
}

/**
 * Who started this thread: a worker, from the environment data its creator's agent set (its
 * environment is the program's copy); a process, from SPAWNER_VARIABLE, which its parent's agent forced.
 */
function readSpawner(): Spawner | undefined {
  const text = isMainThread ? process.env[SPAWNER_VARIABLE] : workerEnvironmentData(SPAWNER_DATA_KEY);
  if (text === undefined) return undefined;
  const spawner = typeof text === 'string' ? parseSpawner(text) : undefined;
  if (spawner === undefined) throw new AgentError(`${isMainThread ? SPAWNER_VARIABLE : `the worker's ${SPAWNER_DATA_KEY}`} is not what an agent writes: something between this process and the one that started it changed it`);
  return spawner;
}

/**
 * What a process's Hello says of it (contract/channel.ts): who started it, and its parent, command
 * line and working directory, which the supervisor takes from the kernel while the process is
 * there, and from here when it has ended first.
 */
function processFields(spawner: Spawner | undefined): string {
  let argv: string[];
  try {
    argv = readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1);
  } catch {
    argv = [process.argv0, ...process.execArgv, ...process.argv.slice(1)];
  }
  const origin = JSONStringify({ ppid: process.ppid, argv, cwd: process.cwd() });
  const permissionModel = (process as { permission?: unknown }).permission !== undefined;
  return `,"origin":${origin},"permissionModel":${permissionModel}${spawner === undefined ? '' : `,"spawnedBy":${spawnerText(spawner)}`}`;
}

function configuration(): Configuration {
  checkWall();
  const log = variable(LOG_VARIABLE);
  const channel = variable(CHANNEL_VARIABLE);
  const digest = process.env[POLICY_VARIABLE];
  return { log, channel, policy: digest === undefined || digest === '' ? null : readPolicy(channel, digest), spawner: readSpawner() };
}

function start(): Omit<Configuration, 'channel'> & { channel: Channel } {
  try {
    const { log, channel, policy, spawner } = configuration();
    return { log, policy, spawner, channel: openChannel(channel, isMainThread ? processFields(spawner) : '') };
  } catch (error) {
    const message = error instanceof AgentError || error instanceof ChannelError ? error.message
      : `cannot open a channel to audithook run: ${(error as Error).message}`;
    process.stderr.write(`audithook agent: ${message}\n`);
    // 2, as the CLI's own configuration errors; a worker ends its own thread only.
    return process.exit(2);
  }
}
/* eslint-enable audithook/primordials */

const { log, policy, spawner, channel } = start();
const channelDirectory = process.env[CHANNEL_VARIABLE] as string;
const channelFiles = `${channelDirectory}${sep}`;
const policyName = policy === null ? '' : basename(policy.file);
const NO_VERDICT: Verdict = { decision: 'allow', rule: '', package: null };
/** The rule that keeps the record audithook's: no policy can allow what it refuses. */
const RECORD_GUARD = 'audithook (its log and channel)';
/**
 * The rule that keeps the code cache audithook's: every later process runs what is there as its
 * agent and runtime (code-cache.ts), so the program may not write, move or remove it.
 */
const CODE_CACHE_GUARD = 'audithook (its code cache)';
const codeCache = codeCacheDirectory(dirname(__filename));
const codeCacheFiles = `${codeCache}${sep}`;
/** The rule of a node.permission record: Node's own layer decided. */
const NODE_PERMISSION_MODEL = "Node's permission model";

/**
 * The guard an argument falls under: it names the log or a file of the channel (the record is not
 * the program's to read or change), or the code cache; null for none.
 */
function guardOf(args: readonly unknown[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg !== 'string') continue;
    // The kernel reads `//`, `/./` and `dir/../` as the path without them: so does the guard.
    const path = StringPrototypeIncludes(arg, '//') || StringPrototypeIncludes(arg, '/.') ? PathNormalize(arg) : arg;
    if (path === log || path === channelDirectory || StringPrototypeStartsWith(path, channelFiles)) return RECORD_GUARD;
    if (path === codeCache || StringPrototypeStartsWith(path, codeCacheFiles)) return CODE_CACHE_GUARD;
    if ((StringPrototypeIncludes(arg, 'proc') || StringPrototypeIncludes(arg, 'fd')) && throughProcessLink(arg)) return RECORD_GUARD;
  }
  return null;
}

const ownPid = `${process.pid}`;
/**
 * Whether a path may reach the record by a way its names do not show, through /proc: it goes on
 * past a process's root or working directory or a descriptor (`/proc/self/root/tmp/...`; that
 * could be any folder, the channel's among them), or it is another process's descriptor (the
 * supervisor holds the log's). Read name by name as the kernel reads them, so that `..` and `.`
 * cannot hide the link; the process's own descriptors (`/proc/self/fd/0`) are what it holds already.
 */
function throughProcessLink(path: string): boolean {
  const names = newList<string>();
  let depth = 0;
  let link = false;
  for (let start = 0; start <= path.length;) {
    let end = StringPrototypeIndexOf(path, '/', start);
    if (end === -1) end = path.length;
    const name = StringPrototypeSlice(path, start, end);
    start = end + 1;
    if (name === '') continue;
    if (link) return true;
    if (name === '.') continue;
    if (name === '..') {
      if (depth > 0) depth--;
      continue;
    }
    names[depth++] = name;
    link = isProcessLink(names, depth);
  }
  if (!link || names[0] === 'dev' || names[depth - 2] !== 'fd') return false;
  const owner = names[1];
  return owner !== 'self' && owner !== 'thread-self' && owner !== ownPid;
}

/** `/proc/P/root`, `/proc/P/cwd`, `/proc/P/fd/N`, the same under `/proc/P/task/T/`, and `/dev/fd/N` (a link to /proc/self/fd). */
function isProcessLink(names: readonly string[], depth: number): boolean {
  if (names[0] === 'dev') return depth === 3 && names[1] === 'fd';
  if (names[0] !== 'proc') return false;
  const at = depth >= 5 && names[2] === 'task' ? 4 : 2;
  const name = names[at];
  return (depth === at + 1 && (name === 'root' || name === 'cwd')) || (depth === at + 2 && name === 'fd');
}

/** The ERR_ACCESS_DENIED error (denial.ts), its stack the program's frames above this hook; `guard` when one of audithook's denied it. */
function denial(event: string, args: readonly unknown[], verdict: Verdict, attribution: Attribution, guard: string | null): Error {
  const source = guard ?? `${verdict.rule} of ${policyName}`;
  const isOwnFrame = (line: string): boolean => StringPrototypeIncludes(line, ownDirectory) || StringPrototypeIncludes(line, ownFileURL);
  return denialError(event, args, verdict, attribution, policy, source, auditHook, isOwnFrame);
}

/** The record's time: one Date per millisecond, however many events it has. */
let lastMillisecond = -1;
let lastTime = '';
function isoTime(): string {
  const now = DateNow();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTime = DatePrototypeToISOString(new DateCtor(now));
  }
  return lastTime;
}

/** The fields every record of this thread has: written once. */
const PROCESS_FIELDS = `"pid":${process.pid},"thread":${currentThreadId()}`;

/** One record's fields after `seq`, as record.ts describes it, in its order. */
function record(event: string, args: readonly unknown[], stack: StackPackages, responsible: string | null, verdict: Verdict, blocked: boolean): string {
  const { packages, attribution } = stack;
  const frame = responsibleFrame(stack, verdict.package);
  let safeArgs: unknown;
  try {
    safeArgs = jsonSafeArgs(args);
  } catch {
    safeArgs = [{ $type: 'unreadable' }];
  }
  return `"time":"${isoTime()}",${PROCESS_FIELDS},"event":${JSONStringify(event)},"args":${jsonText(safeArgs)},`
    + `"package":${responsible === null ? 'null' : JSONStringify(responsible)},"packages":${jsonText(packages)},${dispatchersField(stack)}"attribution":"${attribution}",`
    + `"frame":${frame === null ? 'null' : JSONStringify(frame)},`
    + `"decision":"${verdict.decision}","rule":${verdict === NO_VERDICT ? 'null' : JSONStringify(verdict.rule)},"blocked":${blocked}`;
}

function packageNames(packages: readonly PackageRef[]): string[] {
  const names = newList<string>();
  for (let i = 0; i < packages.length; i++) names[i] = (packages[i] as PackageRef).name;
  return names;
}

/** `"dispatchers":[...],`: the packages that called other code of the program on the event's way (record.ts); nothing when none did. */
function dispatchersField(stack: StackPackages): string {
  const { packages, dispatched } = stack;
  let names = '';
  for (let i = 0; i < packages.length; i++) {
    if (dispatched[i] === true) names = `${names}${names === '' ? '' : ','}${JSONStringify((packages[i] as PackageRef).name)}`;
  }
  return names === '' ? '' : `"dispatchers":[${names}],`;
}

/**
 * Node 20 runs -r preloads, and so this agent, in its module hooks thread too. There, Node's own
 * loading (reading each ES module's source, loading audithook's loader hooks) repeats what the
 * main thread's `import` events already say: only what other code does there (loader hooks a
 * program registered) is logged.
 */
const hooksThread = inNodeHooksThread();
/** The cause of deferred work (src/core/cause.ts), kept by the one runtime of the thread. */
const { currentCause } = runtime;
/** Whose code a frame runs: audithook's own files, and the builders of code under a file name, kept by the runtime. */
const origins = ObjectFreeze({ isOwnFile, buildersOf: runtime.buildersOf });

function auditHook(event: string, args: readonly unknown[]): void {
  if (hooksThread && !hasForeignFrame(auditHook, isOwnFile)) return;
  const stack = withSpawner(packagesOnStack(auditHook, origins, currentCause()), spawner);
  const subjects = policy === null ? undefined : eventSubjects(policy, packageNames(stack.packages), stack.dispatched);
  // The innermost subject: with a policy, a framework that only dispatched is none.
  const responsible = subjects === undefined ? stack.packages[0]?.name ?? null : subjects[0] ?? null;
  if (event === 'node.permission') {
    // What Node's own layer refused (or, in its audit mode, reported): no policy decides it, and the
    // record shows it beside the policy's refusals.
    const verdict = { decision: 'deny' as const, rule: NODE_PERMISSION_MODEL, package: responsible };
    channel.send(record(event, args, stack, responsible, verdict, args[2] === 'denied'));
    return;
  }
  const guard = guardOf(args);
  const verdict = guard !== null ? { decision: 'deny' as const, rule: guard, package: responsible }
    : policy === null ? NO_VERDICT : decide(policy, event, args, subjects as readonly string[], stack.attribution !== 'complete');
  const blocked = verdict.decision === 'deny' && (policy?.mode === 'enforce' || guard !== null);
  channel.send(record(event, args, stack, responsible, verdict, blocked));
  if (blocked) throw denial(event, args, verdict, stack.attribution, guard);
}

/** Who starts a child or worker now: the packages of the starting call, and this thread's own starter's. */
function describeSpawner(): string {
  return spawnerText(withSpawner(packagesOnStack(describeSpawner, origins, currentCause()), spawner));
}

runtime.setSpawner(describeSpawner);
runtime.installInstrumentation();
// Strict: the hook's own writes go through functions taken before the instrumentation, so any
// event raised while it runs comes from other code it reached, and is refused.
runtime.addAuditHook(auditHook, true);
// The preload (preload.ts) announces the program's start next.
