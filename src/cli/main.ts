#!/usr/bin/env node
/**
 * The `audithook` command. Each subcommand lives in its own module and returns the exit code or
 * throws a CliError; this file parses the command line and prints failures, through output.ts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { runEvents } from './events.js';
import { runPolicyCheck } from './check.js';
import { runPolicyLearn } from './learn.js';
import { namesNodeConfigFile, nodeConfigFiles } from '../contract/launch.js';
import { GlobError, globSource } from '../policy/glob.js';
import { EXIT, fail, usageError } from './output.js';
import { runReport } from './report.js';
import { readPolicy, runCommand } from './run.js';
import { explainWall } from './wall.js';
import type { RunOptions } from './run.js';
import { SUMMARY_FORMATS } from './summary.js';
import type { SummaryFormat } from './summary.js';

function fullName(command: Command): string {
  return command.parent === null ? command.name() : `${fullName(command.parent)} ${command.name()}`;
}

/**
 * Commander prints nothing on its own: a parse error becomes a usage CliError with the usage line of
 * the command it is about; help (asked for, or shown for a bare `audithook`) passes through.
 */
function speakThroughOutput(command: Command, usage: string): Command {
  return command
    .usage(usage)
    .configureOutput({ outputError: () => undefined })
    .exitOverride((error) => {
      if (error.code.startsWith('commander.help') || error.code === 'commander.version') throw error;
      const problem = error.message.replace(/^error: /, '').replace('\n(Did you mean', ' (did you mean');
      throw usageError(problem, `${fullName(command)} ${usage}`);
    });
}

function subcommand(parent: Command, name: string, usage: string): Command {
  return speakThroughOutput(parent.command(name), usage);
}

/** dist/cli/main.js is two directories below the package.json it ships with. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * An option that takes one value: given twice it is a usage error, not "the last one wins" (two
 * policies on one command line mean one of them is not applied).
 */
function once<T extends string>(command: () => Command, flag: string, check: (value: string) => T = (value) => value as T): (value: string, previous: T | undefined) => T {
  return (value, previous) => {
    if (previous !== undefined) command().error(`${flag} given twice (${previous}, ${value}): a run takes one`);
    return check(value);
  };
}

function program(): Command {
  const cli = speakThroughOutput(new Command('audithook'), '<command> [options]')
    .description('Audit what a Node program and its dependencies do; enforce a policy.')
    .version(packageVersion(), '-V, --version', 'print the version of audithook')
    .enablePositionalOptions();

  const runCli = (): Command => run;
  const summaryFormat = (value: string): SummaryFormat => {
    if (!(SUMMARY_FORMATS as readonly string[]).includes(value)) run.error(`--summary: "${value}" is not ${SUMMARY_FORMATS.join(' or ')}`);
    return value as SummaryFormat;
  };
  const run = subcommand(cli, 'run', `[--log FILE] [--policy FILE] [--no-permission-wall] [--otlp [URL]] [--log-secrets] [--summary ${SUMMARY_FORMATS.join('|')}] [--summary-file FILE] [--quiet] [--fail-on-deny] -- COMMAND [ARGS...]`)
    .description('run COMMAND with every Node process and worker it starts audited')
    .option('--log <file>', 'write every event as JSON lines to FILE', once(runCli, '--log'))
    .option('--policy <file>', 'enforce (or report on) the policy in FILE', once(runCli, '--policy'))
    .option('--otlp [url]', 'also export every event to the OpenTelemetry collector at URL (default: OTEL_EXPORTER_OTLP_* variables)')
    .option('--log-secrets', 'keep environment values, credential headers, URL credentials and queries, and request bodies in the log (redacted by default)')
    .option('--no-permission-wall', "do not also start every process inside Node's permission model (the flags --explain-wall prints)")
    .option('--explain-wall', "print the flags of Node's permission model the policy maps to, and why, one line each; run nothing")
    .option('--summary <format>', `the summary when COMMAND ends: ${SUMMARY_FORMATS.join(' or ')} (default: text)`, once(runCli, '--summary', summaryFormat))
    .option('--summary-file <file>', 'write the summary to FILE instead of stderr', once(runCli, '--summary-file'))
    .option('-q, --quiet', 'print no summary on stderr (problems are still said)')
    .option('--fail-on-deny', `exit with ${EXIT.DENIED} when anything was denied (blocked or reported)`)
    .argument('[COMMAND...]', 'the command to run, after --')
    .passThroughOptions()
    .action(async (command: string[], options: RunOptions & { explainWall?: true }) => {
      if (options.explainWall === true) {
        if (options.policy === undefined) run.error('--explain-wall needs --policy');
        if (command.length > 0) run.error('--explain-wall runs nothing: no COMMAND');
        process.exitCode = explainWall(readPolicy(options.policy as string));
        return;
      }
      if (command.length === 0) run.error("missing required argument 'COMMAND'");
      if (command[0] === '') run.error('COMMAND is empty');
      if (nodeConfigFiles() !== 'none' && namesNodeConfigFile(command)) {
        run.error(`COMMAND names a Node configuration file: Node ${process.versions.node} reads it for every Node process whose arguments name it, `
          + "audithook run's own included, where its preloads would run unaudited; give its options on COMMAND's command line instead");
      }
      const { otlp } = options;
      if (typeof otlp === 'string' && !(URL.canParse(otlp) && /^https?:$/.test(new URL(otlp).protocol))) run.error(`--otlp: not an http or https URL: ${otlp}`);
      process.exitCode = await runCommand(command, options);
    });

  const policy = subcommand(cli, 'policy', '<command> [options]').description('work with policy files');
  const learn = subcommand(policy, 'learn', 'LOG... [-o FILE] [--project DIR] [--framework NAME]...')
    .description('write the least-privilege policy that allows everything in the logs')
    .argument('<LOG...>', 'logs written by audithook run')
    .option('-o, --output <file>', 'write the policy to FILE instead of standard output')
    .option('--project <dir>', 'the directory written as ${PROJECT} (default: the one the logged runs ran in)')
    .option('--framework <name>', "a package (name or glob) that calls the application's code, as a router or a test runner does: "
      + 'what that code does is learned for it, not for the framework (repeatable; the policy lists them in "frameworks")', (value: string, list: string[] = []) => {
      try {
        globSource([value], { segments: true });
      } catch (error) {
        if (!(error instanceof GlobError)) throw error;
        learn.error(`--framework: bad glob "${value}": ${error.message}`);
      }
      return [...list, value];
    })
    .action((logs: string[], options: { output?: string; project?: string; framework?: string[] }) => {
      process.exitCode = runPolicyLearn(logs, { ...options, frameworks: options.framework ?? [] });
    });

  subcommand(policy, 'check', 'FILE [--project DIR]')
    .description('find what in a policy cannot be what was meant: shadowed and duplicate rules, unknown packages, patterns that never match')
    .argument('<FILE>', 'a policy file')
    .option('--project <dir>', 'the project whose node_modules tree says which packages exist (default: the working directory)')
    .action((file: string, options: { project?: string }) => {
      process.exitCode = runPolicyCheck(file, options);
    });

  subcommand(cli, 'report', 'LOG [--html FILE]')
    .description('what each package did, from a log')
    .argument('<LOG>', 'a log written by audithook run')
    .option('--html <file>', 'also write a self-contained HTML report to FILE')
    .action((log: string, options: { html?: string }) => {
      process.exitCode = runReport(log, options);
    });

  subcommand(cli, 'events', '[--json]')
    .description('print the event catalogue')
    .option('--json', 'as JSON')
    .action((options: { json?: boolean }) => {
      process.exitCode = runEvents(options);
    });
  return cli;
}

program().parseAsync(process.argv).catch((error: unknown) => {
  // Help exits 0 when asked for, with a usage error when shown for a bare `audithook`.
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  else process.exitCode = fail(error);
});
