/**
 * The `audithook run` agent, preloaded (`--require`) in every audited process and worker thread.
 * It installs the instrumentation and one hook that, for every event: finds the npm packages on
 * the call stack, asks the policy (when there is one), appends a JSONL record (src/contract/record.ts)
 * to the shared log, and in enforce mode refuses a denied operation with ERR_ACCESS_DENIED.
 *
 * Bundled with the runtime into one dependency-free file (dist/agent.js). Its configuration comes
 * from the environment (src/agent/config.ts), which it passes on to every child it starts.
 */
import { constants } from 'node:os';
import { basename, dirname, sep } from 'node:path';
import { threadId } from 'node:worker_threads';
// decide.ts, not the policy index: the loader's libraries stay out of the preload.
import { decide } from '../policy/decide.js';
import { UNKNOWN_SUBJECT } from '../policy/types.js';
import type { CompiledPolicy, Verdict } from '../policy/types.js';
import { runtime } from '../runtime.js';
import {
  DateCtor, DateNow, DatePrototypeToISOString, ErrorCtor, JSONParse, JSONStringify, SetCtor, SetPrototypeHas, StringPrototypeStartsWith, newList,
} from '../core/primordials.js';
import type { Attribution, PackageRef } from '../contract/record.js';
import { LOG_VARIABLE, POLICY_VARIABLE } from '../contract/launch.js';
import { hasForeignFrame, packagesOnStack } from './attribution.js';
import type { StackPackages } from './attribution.js';
import { inNodeHooksThread } from '../core/thread.js';
import { jsonSafeArgs } from './json-safe.js';
import { jsonText } from './json-text.js';
import { openLog } from './log-writer.js';
import type { LogWriter } from './log-writer.js';

const { signals } = constants;
// process.kill goes through process._kill, which the instrumentation audits: the agent's own
// re-raise of a signal must not be an event (nor be refused by the policy).
const rawKill = (process as unknown as { _kill: (pid: number, signal: number) => number })._kill;

/** audithook's own files (this bundle and the package's dist/): their frames are not the caller's. */
const ownDirectory = `${dirname(__filename)}${sep}`;
const ownFileURL = `file://${ownDirectory}`;
const isOwnFile = (file: string): boolean => StringPrototypeStartsWith(file, ownDirectory) || StringPrototypeStartsWith(file, ownFileURL);

/** Why the agent cannot run; the process stops before any user code (fail closed), with one line, no stack. */
class AgentError extends ErrorCtor {}

function configuration(): { log: string; policy: CompiledPolicy | null } {
  const log = process.env[LOG_VARIABLE];
  if (log === undefined || log === '') throw new AgentError(`${LOG_VARIABLE} is not set (start programs with \`audithook run\`)`);
  const policyText = process.env[POLICY_VARIABLE];
  if (policyText === undefined || policyText === '') return { log, policy: null };
  try {
    return { log, policy: JSONParse(policyText) as CompiledPolicy };
  } catch {
    throw new AgentError(`${POLICY_VARIABLE} is not a compiled policy (start programs with \`audithook run\`)`);
  }
}

// Runs once at load, before any program code: the built-ins it uses are still Node's own.
/* eslint-disable audithook/primordials */
function start(): { policy: CompiledPolicy | null; writer: LogWriter } {
  try {
    const { log, policy } = configuration();
    return { policy, writer: openLog(log, (pid, signal) => rawKill(pid, signals[signal as keyof typeof signals])) };
  } catch (error) {
    const message = error instanceof AgentError ? error.message : `cannot open the log: ${(error as Error).message}`;
    process.stderr.write(`audithook agent: ${message}\n`);
    // 2, as the CLI's own configuration errors; a worker ends its own thread only.
    return process.exit(2);
  }
}
/* eslint-enable audithook/primordials */

const { policy, writer } = start();
const policyName = policy === null ? '' : basename(policy.file);
/**
 * Events after which this process may wait long or never run again (a synchronous child, a signal
 * to itself or its group, an exec): their record and the ones before are written at once.
 */
const HANDS_OVER = new SetCtor(['subprocess.Popen', 'os.exec', 'os.kill', 'os.killpg']);
const NO_VERDICT: Verdict = { decision: 'allow', rule: '', package: null };

function denial(event: string, verdict: Verdict, attribution: Attribution): Error {
  const who = verdict.package === null ? 'the application'
    : verdict.package === UNKNOWN_SUBJECT ? `code of unknown origin (attribution: ${attribution})` : `package "${verdict.package}"`;
  const error = new ErrorCtor(`audithook: ${event} denied for ${who} by ${verdict.rule} of ${policyName}`);
  (error as Error & { code: string }).code = 'ERR_ACCESS_DENIED';
  return error;
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
const PROCESS_FIELDS = `"pid":${process.pid},"thread":${threadId}`;

/** One JSONL line, as record.ts describes it, with the fields in its order. */
function record(event: string, args: readonly unknown[], { packages, attribution }: StackPackages, verdict: Verdict, blocked: boolean): string {
  let safeArgs: unknown;
  try {
    safeArgs = jsonSafeArgs(args);
  } catch {
    safeArgs = [{ $type: 'unreadable' }];
  }
  const innermost = packages[0];
  return `{"time":"${isoTime()}",${PROCESS_FIELDS},"event":${JSONStringify(event)},"args":${jsonText(safeArgs)},`
    + `"package":${innermost === undefined ? 'null' : JSONStringify(innermost.name)},"packages":${jsonText(packages)},"attribution":"${attribution}",`
    + `"decision":"${verdict.decision}","rule":${policy === null ? 'null' : JSONStringify(verdict.rule)},"blocked":${blocked}}`;
}

function packageNames(packages: readonly PackageRef[]): string[] {
  const names = newList<string>();
  for (let i = 0; i < packages.length; i++) names[i] = (packages[i] as PackageRef).name;
  return names;
}

/**
 * Node 20 runs -r preloads, and so this agent, in its module hooks thread too. There, Node's own
 * loading (reading each ES module's source, loading audithook's loader hooks) repeats what the
 * main thread's `import` events already say: only what other code does there (loader hooks a
 * program registered) is logged.
 */
const hooksThread = inNodeHooksThread();

function auditHook(event: string, args: readonly unknown[]): void {
  if (hooksThread && !hasForeignFrame(auditHook, isOwnFile)) return;
  const stack = packagesOnStack(auditHook, isOwnFile);
  const verdict = policy === null ? NO_VERDICT : decide(policy, event, args, packageNames(stack.packages), stack.attribution !== 'complete');
  const blocked = verdict.decision === 'deny' && policy?.mode === 'enforce';
  writer.write(record(event, args, stack, verdict, blocked), blocked || SetPrototypeHas(HANDS_OVER, event));
  if (blocked) throw denial(event, verdict, stack.attribution);
}

runtime.installInstrumentation();
// Strict: the hook's own writes go through functions taken before the instrumentation, so any
// event raised while it runs comes from other code it reached, and is refused.
runtime.addAuditHook(auditHook, true);
// After the hook: the program's start (cpython.run_file, cpython.run_command, ...) is logged and decided too.
runtime.announceStartup(module.parent?.id === 'internal/preload');
