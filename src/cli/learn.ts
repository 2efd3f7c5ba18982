/** `audithook policy learn LOG... [-o FILE]`: the least-privilege policy for what the logs recorded. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { learnPolicy } from '../policy/learn.js';
import { type LogContents, readLog, skippedWarning } from './log.js';
import type { LogRecord } from '../contract/record.js';

const USAGE_ERROR = 2;

export function runPolicyLearn(logs: readonly string[], options: { output?: string }): number {
  const records: LogRecord[] = [];
  const warnings: string[] = [];
  for (const log of logs) {
    let contents: LogContents;
    try {
      contents = readLog(log);
    } catch (error) {
      process.stderr.write(`audithook policy learn: cannot read the log ${log}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return USAGE_ERROR;
    }
    // One at a time: a spread of a million records would overflow the stack.
    for (const entry of contents.records) records.push(entry);
    const warning = skippedWarning(log, contents.skipped);
    if (warning !== null) warnings.push(warning);
  }
  const output = options.output === undefined ? undefined : resolve(options.output);
  const learned = learnPolicy(records, {
    policyDir: output === undefined ? process.cwd() : dirname(output),
    projectDir: process.cwd(),
    tmpDir: tmpdir(),
  });
  for (const warning of [...warnings, ...learned.warnings]) process.stderr.write(`${warning}\n`);
  if (output === undefined) {
    process.stdout.write(learned.text);
    return 0;
  }
  try {
    writeFileSync(output, learned.text);
  } catch (error) {
    process.stderr.write(`audithook policy learn: cannot write ${options.output as string}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return USAGE_ERROR;
  }
  return 0;
}
