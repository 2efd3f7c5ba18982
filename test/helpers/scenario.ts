/**
 * Runs a scenario in its own Node process (instrumentation patches process-wide state), with the
 * harness of test/fixtures/harness.mjs in scope as `harness`, and returns what it reported.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures');

export interface ScenarioResult {
  readonly events: unknown[][];
  readonly result: unknown;
  readonly status: number | null;
  readonly stderr: string;
}

export interface ScenarioOptions {
  /** Extra node flags, e.g. ['--import', 'audithook/register']. */
  readonly nodeArgs?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Run under plain Node: no audithook loaded, for comparing behaviour. */
  readonly plain?: boolean;
}

/** `body` is module code with `harness`, `via`, `errorData`, `fs`, `fsp`, `path` in scope; it ends by calling harness.done(result). */
export function runScenario(body: string, options: ScenarioOptions = {}): ScenarioResult {
  const harness = resolve(FIXTURES, options.plain === true ? 'plain-harness.mjs' : 'harness.mjs');
  const source = [
    `import { harness, via, errorData } from ${JSON.stringify(harness)};`,
    "import fs from 'node:fs';",
    "import fsp from 'node:fs/promises';",
    "import path from 'node:path';",
    'try {',
    body,
    '} catch (error) { harness.done({ uncaught: errorData(error) }); }',
  ].join('\n');
  const child = spawnSync(process.execPath, [...(options.nodeArgs ?? []), '--input-type=module', '--eval', source], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 30_000,
  });
  const marker = child.stdout.lastIndexOf('@@RESULT@@');
  if (marker === -1) {
    throw new Error(`scenario reported nothing (status ${child.status}, signal ${child.signal})\nstderr:\n${child.stderr}\nstdout:\n${child.stdout}`);
  }
  const report = JSON.parse(child.stdout.slice(marker + '@@RESULT@@'.length)) as { events: unknown[][]; result: unknown };
  return { ...report, status: child.status, stderr: child.stderr };
}
