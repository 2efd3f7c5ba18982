/**
 * `audithook run [--log FILE] [--policy FILE] [--no-permission-wall] [--otlp [URL]] -- COMMAND [ARGS...]`:
 * runs COMMAND with the agent (src/agent/) preloaded in every Node process and worker it starts,
 * collects their records and writes the log (collector.ts: no audited process writes it), then
 * prints what happened; with --otlp it also exports every record to an OpenTelemetry collector
 * (otlp.ts). With a policy, every process also runs inside Node's permission model with the flags
 * the policy maps to (wall.ts), unless --no-permission-wall; where it cannot, it says why once.
 *
 * Everything is checked before COMMAND starts: a broken policy or an unwritable log throws a
 * CliError and starts nothing. Then COMMAND runs with stdio inherited; SIGINT, SIGTERM and SIGHUP
 * are passed on to it; audithook exits with its exit code (EXIT in output.ts for a signal, a
 * COMMAND not found, one that cannot be run).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { CHANNEL_VARIABLE } from '../contract/channel.js';
import { LOG_VARIABLE, POLICY_FILE, POLICY_VARIABLE, WALL_VARIABLE, agentPreload } from '../contract/launch.js';
import { PolicyError, loadPolicy } from '../policy/index.js';
import type { CompiledPolicy } from '../policy/index.js';
import { policyVariables } from '../policy/variables.js';
import { openCollector } from './collector.js';
import type { Collector } from './collector.js';
import { EXIT, cannotRead, cannotRun, cannotWrite, commandNotFound, createEmpty, invalidPolicy, logChangedByOthers, logNotWritten, notice } from './output.js';
import { otlpProtocol, startOtlpExport } from './otlp.js';
import type { OtlpExport } from './otlp.js';
import { finishRun, printExport } from './summary.js';
import type { SummaryOptions } from './summary.js';
import { wallFor, wallOptions } from './wall.js';

/** Without --log: in the working directory, replaced by each run. */
export const DEFAULT_LOG = 'audithook.jsonl';
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const AGENT = resolve(__dirname, '..', 'agent.js');

/**
 * Every audited process reads, hashes and parses the compiled policy as it starts (about 1 ms per
 * 100 KB). Learned policies of real jobs compile to tens of KB (docs/policy.md, Limits); beyond
 * this size a policy costs each process more than audithook's whole start-up, and is a mistake.
 */
const MAX_POLICY_BYTES = 1024 * 1024;

export function readPolicy(file: string): CompiledPolicy {
  let policy: CompiledPolicy;
  try {
    policy = loadPolicy(resolve(file));
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw error.cause === undefined ? invalidPolicy(error.message) : cannotRead('the policy', file, error.cause);
  }
  const size = Buffer.byteLength(JSON.stringify(policy));
  if (size > MAX_POLICY_BYTES) {
    throw invalidPolicy(`${file}: the compiled policy is ${size} bytes, more than the ${MAX_POLICY_BYTES} every process may spend its start on; use fewer or broader rules`);
  }
  return policy;
}

/** Creates (or empties) the log and the channels now, so that an unwritable path stops the run before COMMAND starts. */
function startCollector(file: string, logSecrets: boolean, command: readonly string[]): Collector {
  try {
    // The log names the run's ${PROJECT}, the one its policy was loaded with, for `policy learn`.
    return openCollector(file, logSecrets, command, policyVariables().PROJECT);
  } catch (error) {
    throw cannotWrite('the log', file, error);
  }
}

/**
 * Writes the compiled policy into the channel directory (private to this run, and a file the agents
 * refuse every program event on), read-only and only if it is not there yet; returns its digest for
 * POLICY_VARIABLE, by which each agent knows it is the file written here.
 */
function handOverPolicy(channel: string, policy: CompiledPolicy): string {
  const json = JSON.stringify(policy);
  writeFileSync(join(channel, POLICY_FILE), json, { flag: 'wx', mode: 0o400 });
  return createHash('sha256').update(json).digest('hex');
}

/**
 * COMMAND's environment: the agent first in NODE_OPTIONS, then the wall's flags (`wall`, NODE_OPTIONS
 * text, '' for none), its configuration (`policyDigest`: handOverPolicy's, null without a policy),
 * and this Node's directory first in PATH, so that `node`, `npm test` and `npx` in COMMAND run on
 * the same Node.
 */
function childEnvironment(log: string, channel: string, policyDigest: string | null, wall: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const nodeOptions = env['NODE_OPTIONS'] ?? '';
  const first = wall === '' ? agentPreload(AGENT) : `${agentPreload(AGENT)} ${wall}`;
  env['NODE_OPTIONS'] = nodeOptions === '' ? first : `${first} ${nodeOptions}`;
  env[LOG_VARIABLE] = log;
  env[CHANNEL_VARIABLE] = channel;
  if (policyDigest === null) delete env[POLICY_VARIABLE];
  else env[POLICY_VARIABLE] = policyDigest;
  if (wall === '') delete env[WALL_VARIABLE];
  else env[WALL_VARIABLE] = wall;
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${env['PATH'] ?? ''}`;
  return env;
}

/** The wall of this run: its NODE_OPTIONS text ('' for none) and, when a policy gets none, why. */
function runWall(policy: CompiledPolicy | null, channel: string, wanted: boolean): { readonly text: string; readonly off: string | null } {
  if (policy === null || !wanted) return { text: '', off: null };
  const wall = wallFor(policy, channel);
  return wall.on ? { text: wallOptions(wall), off: null } : { text: '', off: wall.why };
}

interface Ending {
  /** The exit status a shell would report. */
  readonly status: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs COMMAND to its end, telling the collector its pid. */
function runToEnd(command: readonly string[], env: NodeJS.ProcessEnv, collector: Collector): Promise<Ending> {
  return new Promise((resolveEnding) => {
    const resolveStatus = (status: number, code: number | null = null, signal: NodeJS.Signals | null = null): void => resolveEnding({ status, code, signal });
    const [file, ...args] = command as [string, ...string[]];
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: 'inherit', env });
    } catch (error) {
      // Arguments Node rejects before starting anything (a NUL byte in them, for one).
      notice(cannotRun(file, error));
      resolveStatus(EXIT.CANNOT_RUN);
      return;
    }
    if (child.pid !== undefined) collector.command(child.pid);
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (status: number, code: number | null = null, signal: NodeJS.Signals | null = null): void => {
      for (const forwarded of FORWARDED_SIGNALS) process.removeListener(forwarded, forward);
      resolveStatus(status, code, signal);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        notice(commandNotFound(file));
        done(EXIT.NOT_FOUND);
      } else {
        notice(cannotRun(file, error));
        done(EXIT.CANNOT_RUN);
      }
    });
    child.on('exit', (code, signal) => {
      done(signal === null ? code ?? EXIT.OK : EXIT.SIGNAL + (constants.signals[signal] ?? 0), code, signal);
    });
  });
}

export interface RunOptions extends SummaryOptions {
  readonly log?: string;
  readonly policy?: string;
  /** `--otlp`: true for the collector the OTEL_EXPORTER_OTLP_* variables name, or its URL. */
  readonly otlp?: string | true;
  /** `--log-secrets`: the log keeps what redact.ts would replace. */
  readonly logSecrets?: boolean;
  /** false for `--no-permission-wall`. */
  readonly permissionWall?: boolean;
}

/** COMMAND is not empty and `--otlp URL` an http(s) URL: main.ts checks the command line. */
export async function runCommand(command: readonly string[], options: RunOptions): Promise<number> {
  const policy = options.policy === undefined ? null : readPolicy(options.policy);
  const protocol = options.otlp === undefined ? null : otlpProtocol();
  const log = resolve(options.log ?? DEFAULT_LOG);
  // Before the collector, which would keep this process alive after the error.
  if (options.summaryFile !== undefined) createEmpty('the summary', options.summaryFile);
  const collector = startCollector(log, options.logSecrets === true, command);
  let otlp: OtlpExport | null = null;
  let policyDigest: string | null = null;
  try {
    if (policy !== null) policyDigest = handOverPolicy(collector.directory, policy);
    if (protocol !== null) otlp = await startOtlpExport(log, protocol, options.otlp === true ? undefined : options.otlp);
  } catch (error) {
    // The pool's read ends would keep this process alive: COMMAND never started, the run ends here.
    await collector.finish(null, null);
    throw error;
  }
  const wall = runWall(policy, collector.directory, options.permissionWall !== false);
  const { status: commandStatus, code, signal } = await runToEnd(command, childEnvironment(log, collector.directory, policyDigest, wall.text), collector);
  const collected = await collector.finish(code, signal);
  if (collected.writeError !== null) notice(logNotWritten(log, collected.writeError, collected.unwritten));
  if (collected.changed !== null) notice(logChangedByOthers(log, collected.changed));
  // With the text summary on stderr: part of what it says, not a problem of the run.
  if (wall.off !== null && options.quiet !== true && (options.summary ?? 'text') === 'text' && options.summaryFile === undefined) {
    notice(`no permission wall: ${wall.off}`);
  }
  // A log cut short would summarise only its start; one changed by others, what they wrote.
  const status = finishRun(collected.writeError === null && collected.changed === null ? log : null, commandStatus, options);
  if (otlp !== null) {
    const outcome = await otlp.finish();
    printExport(outcome, options.quiet);
    // The SDK cannot be cancelled: its retries would hold `audithook run` past the flush timeout.
    if (!outcome.finished) process.exit(status);
  }
  return status;
}
