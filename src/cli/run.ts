/**
 * `audithook run [--log FILE] [--policy FILE] -- COMMAND [ARGS...]`: runs COMMAND with the agent
 * (src/agent/) preloaded in every Node process and worker it starts, then prints what happened.
 *
 * Everything is checked before COMMAND starts: a broken policy or an unwritable log exits 2 and
 * starts nothing. Then COMMAND runs with stdio inherited; SIGINT, SIGTERM and SIGHUP are passed
 * on to it; audithook exits with its exit code (128 + the signal's number when a signal killed it,
 * as a shell reports it, 127 when COMMAND is not found, 126 when it cannot be run).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { LOG_VARIABLE, POLICY_VARIABLE, agentPreload } from '../contract/launch.js';
import { PolicyError, loadPolicy } from '../policy/index.js';
import type { CompiledPolicy } from '../policy/index.js';
import { readLog, skippedWarning } from './log.js';
import { summary } from './summary.js';

const USAGE_ERROR = 2;
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;
/** Without --log: in the working directory, replaced by each run. */
export const DEFAULT_LOG = 'audithook.jsonl';
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const AGENT = resolve(__dirname, '..', 'agent.js');

class UsageError extends Error {}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Linux refuses to start a process with one environment string over 128 KiB (MAX_ARG_STRLEN). */
const MAX_POLICY_BYTES = 128 * 1024 - POLICY_VARIABLE.length - 2;

function readPolicy(file: string): CompiledPolicy {
  let policy: CompiledPolicy;
  try {
    policy = loadPolicy(resolve(file));
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw new UsageError(`${file}: cannot read the policy: ${errorMessage(error)}`);
  }
  const size = Buffer.byteLength(JSON.stringify(policy));
  if (size > MAX_POLICY_BYTES) {
    throw new UsageError(`${file}: the compiled policy is ${size} bytes, more than the ${MAX_POLICY_BYTES} an environment variable can pass to every process; use fewer or broader rules`);
  }
  return policy;
}

/** Creates (or empties) the log now, so that an unwritable path stops the run before COMMAND starts. */
function prepareLog(file: string): void {
  try {
    closeSync(openSync(file, 'w'));
  } catch (error) {
    throw new UsageError(`${file}: cannot write the log: ${errorMessage(error)}`);
  }
}

/**
 * COMMAND's environment: the agent first in NODE_OPTIONS, its configuration, and this Node's
 * directory first in PATH, so that `node`, `npm test` and `npx` in COMMAND run on the same Node.
 */
function childEnvironment(log: string, policy: CompiledPolicy | null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const nodeOptions = env['NODE_OPTIONS'] ?? '';
  env['NODE_OPTIONS'] = nodeOptions === '' ? agentPreload(AGENT) : `${agentPreload(AGENT)} ${nodeOptions}`;
  env[LOG_VARIABLE] = log;
  if (policy === null) delete env[POLICY_VARIABLE];
  else env[POLICY_VARIABLE] = JSON.stringify(policy);
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${env['PATH'] ?? ''}`;
  return env;
}

/** Runs COMMAND to its end; resolves to the exit status a shell would report. */
function runToEnd(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolveStatus) => {
    const [file, ...args] = command as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: 'inherit', env });
    } catch (error) {
      // Arguments Node rejects before starting anything (a NUL byte in them, for one).
      process.stderr.write(`audithook: ${file}: cannot run: ${errorMessage(error)}\n`);
      resolveStatus(NOT_EXECUTABLE);
      return;
    }
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (status: number): void => {
      for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
      resolveStatus(status);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        process.stderr.write(`audithook: ${file}: command not found\n`);
        done(NOT_FOUND);
      } else {
        process.stderr.write(`audithook: ${file}: cannot run: ${error.message}\n`);
        done(NOT_EXECUTABLE);
      }
    });
    child.on('exit', (code, signal) => {
      done(signal === null ? code ?? 0 : 128 + (constants.signals[signal] ?? 0));
    });
  });
}

function printSummary(log: string): void {
  let contents;
  try {
    contents = readLog(log);
  } catch (error) {
    process.stderr.write(`audithook: cannot read the log ${log}: ${errorMessage(error)}\n`);
    return;
  }
  const warning = skippedWarning(log, contents.skipped);
  if (warning !== null) process.stderr.write(`${warning}\n`);
  process.stderr.write(summary(contents.records, log));
}

export async function runCommand(command: readonly string[], options: { log?: string; policy?: string }): Promise<number> {
  let log: string;
  let policy: CompiledPolicy | null;
  try {
    if (command.length === 0 || command[0] === '') throw new UsageError('missing COMMAND (usage: audithook run [--log FILE] [--policy FILE] -- COMMAND [ARGS...])');
    policy = options.policy === undefined ? null : readPolicy(options.policy);
    log = resolve(options.log ?? DEFAULT_LOG);
    prepareLog(log);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`audithook: ${error.message}\n`);
    return USAGE_ERROR;
  }
  const status = await runToEnd(command, childEnvironment(log, policy));
  printSummary(log);
  return status;
}
