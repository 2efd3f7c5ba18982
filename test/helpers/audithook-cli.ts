/** Runs the built `audithook` command (dist/cli/main.js) on this Node and returns what it printed. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from './scenario';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runAudithook(args: readonly string[]): CliResult {
  const child = spawnSync(process.execPath, [resolve(REPO_ROOT, 'dist', 'cli', 'main.js'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.error !== undefined) throw child.error;
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}
