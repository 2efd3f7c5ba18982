/**
 * Runs node with test/fixtures/hook-preload.js as a preload (a hook added before user code, as a
 * policy adds it) and returns the events that hook saw, in every thread, with the process outcome.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './scenario';

export const HOOK_PRELOAD = resolve(REPO_ROOT, 'test', 'fixtures', 'hook-preload.js');

export interface PreloadedRun {
  /** [threadId, event, ...args] as the hook saw them. */
  readonly events: unknown[][];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
}

export interface PreloadedOptions {
  readonly block?: string;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly node?: string;
}

/** `args` are node's arguments; `$DIR` in them and in `files` is a fresh directory, where `files` are written first. */
export function runPreloaded(args: readonly string[], files: Readonly<Record<string, string>> = {}, options: PreloadedOptions = {}): PreloadedRun {
  const dir = mkdtempSync(join(tmpdir(), 'audithook-preloaded-'));
  const log = join(dir, 'events.jsonl');
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text.replaceAll('$DIR', dir));
  }
  const child = spawnSync(options.node ?? process.execPath, args.map((arg) => arg.replaceAll('$DIR', dir)), {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 30_000,
    env: { ...process.env, ...withDir(options.env ?? {}, dir), AUDIT_LOG: log, AUDIT_BLOCK: options.block ?? '' },
  });
  const events = existsSync(log)
    ? readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown[])
    : [];
  return { events, status: child.status, stdout: child.stdout, stderr: child.stderr, dir };
}

function withDir(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value?.replaceAll('$DIR', dir)]));
}

/** The events named `name`, without the thread id. */
export function named(run: PreloadedRun, name: string, thread?: number): unknown[][] {
  return run.events.filter((e) => e[1] === name && (thread === undefined || e[0] === thread)).map((e) => e.slice(2));
}
