/** `audithook policy learn LOG... [-o FILE]`: the least-privilege policy for what the logs recorded. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { learnPolicy } from '../policy/learn.js';
import { policyVariables } from '../policy/variables.js';
import { type LogContents, readLog } from './log.js';
import { EXIT, cannotRead, cannotWrite, notice, printable, printableJson, skippedLines } from './output.js';
import type { LogRecord } from '../contract/record.js';

/**
 * The ${PROJECT} of the learned patterns: `--project`, else the directory the logged runs ran in
 * (their `run` record), else, for logs of runs in several directories or of earlier versions, the
 * directory learn runs in.
 */
function learnedProject(option: string | undefined, projects: ReadonlySet<string>): string | undefined {
  if (option !== undefined) return resolve(option);
  if (projects.size === 1) return [...projects][0];
  if (projects.size > 1) {
    notice(`the logs are of runs in ${projects.size} directories (${[...projects].join(', ')}): \${PROJECT} is this directory, ${process.cwd()}; --project DIR names another`);
  }
  return undefined;
}

export function runPolicyLearn(logs: readonly string[], options: { output?: string; project?: string; frameworks: readonly string[] }): number {
  const records: LogRecord[] = [];
  const skipped: string[] = [];
  const projects = new Set<string>();
  for (const log of logs) {
    let contents: LogContents;
    try {
      contents = readLog(log);
    } catch (error) {
      throw cannotRead('the log', log, error);
    }
    // One at a time: a spread of a million records would overflow the stack.
    for (const entry of contents.records) records.push(entry);
    if (contents.skipped > 0) skipped.push(skippedLines(log, contents.skipped));
    if (typeof contents.run?.cwd === 'string') projects.add(contents.run.cwd);
  }
  // Only once every log was read: a log that cannot be read is the one message.
  for (const warning of skipped) notice(warning);
  const output = options.output === undefined ? undefined : resolve(options.output);
  const learned = learnPolicy(records, { variables: policyVariables(learnedProject(options.project, projects)), frameworks: options.frameworks });
  // The learner's warnings name their speaker; they quote event and package names from the logs.
  for (const warning of learned.warnings) process.stderr.write(`${printable(warning)}\n`);
  // Names from the logs (packages, paths) are in it; it is printed, or read in a terminal later.
  const text = printableJson(learned.text);
  if (output === undefined) {
    process.stdout.write(text);
    return EXIT.OK;
  }
  try {
    writeFileSync(output, text);
  } catch (error) {
    throw cannotWrite('the policy', options.output as string, error);
  }
  return EXIT.OK;
}
