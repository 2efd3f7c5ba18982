#!/usr/bin/env node
/**
 * The `audithook` command. Each subcommand lives in its own module and returns the exit code;
 * this file only parses the command line. Usage errors exit with 2.
 */
import { Command, CommanderError } from 'commander';
import { runEvents } from './events.js';
import { runPolicyLearn } from './learn.js';
import { runReport } from './report.js';
import { runCommand } from './run.js';

const USAGE_ERROR = 2;

function program(): Command {
  const cli = new Command('audithook')
    .description('Audit what a Node program and its dependencies do; enforce a policy.')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  cli.command('run')
    .description('run COMMAND with every Node process and worker it starts audited')
    .option('--log <file>', 'write every event as JSON lines to FILE')
    .option('--policy <file>', 'enforce (or report on) the policy in FILE')
    .argument('<command...>', 'the command to run, after --')
    .passThroughOptions()
    .action(async (command: string[], options: { log?: string; policy?: string }) => {
      process.exitCode = await runCommand(command, options);
    });

  const policy = cli.command('policy').description('work with policy files');
  policy.command('learn')
    .description('write the least-privilege policy that allows everything in the logs')
    .argument('<log...>', 'logs written by audithook run')
    .option('-o, --output <file>', 'write the policy to FILE instead of standard output')
    .action((logs: string[], options: { output?: string }) => {
      process.exitCode = runPolicyLearn(logs, options);
    });

  cli.command('report')
    .description('what each package did, from a log')
    .argument('<log>', 'a log written by audithook run')
    .option('--html <file>', 'also write a self-contained HTML report to FILE')
    .action((log: string, options: { html?: string }) => {
      process.exitCode = runReport(log, options);
    });

  cli.command('events')
    .description('print the event catalogue')
    .option('--json', 'as JSON')
    .action((options: { json?: boolean }) => {
      process.exitCode = runEvents(options);
    });
  return cli;
}

program().parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // --help and --version exit 0; every other parse error is a usage error.
    process.exitCode = error.exitCode === 0 ? 0 : USAGE_ERROR;
    return;
  }
  throw error;
});
