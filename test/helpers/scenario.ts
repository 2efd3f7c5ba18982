/**
 * Runs a scenario in its own Node process (instrumentation patches process-wide state), with the
 * harness of test/fixtures/harness.mjs in scope as `harness`, and returns what it reported.
 *
 * A scenario is a file's named export (as CPython's Lib/test/audit-tests.py), selected with
 * scenario('<area>/<name>'): the function `name` of test/scenarios/<area>.mjs, or of
 * test/attacks/<area>.mjs for attacks. A one-liner may stay a string of module code.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What libuv adds to every open(2) on Linux, where the suite runs: an `open` event's flags include it. */
export const O_CLOEXEC = 0o2000000;

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures');
/** Where scenario('<area>/<name>') looks for <area>.mjs. */
const SCENARIO_FOLDERS = ['scenarios', 'attacks'].map((folder) => resolve(REPO_ROOT, 'test', folder));

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

/** A scenario file's export: `async function name(harness, params)`, which ends by calling harness.done(result). */
export interface ScenarioFile {
  readonly file: string;
  readonly name: string;
  /** JSON data passed as the function's second argument. */
  readonly params: unknown;
}

/** The export `name` of test/scenarios/<area>.mjs or test/attacks/<area>.mjs, for `id` '<area>/<name>'. */
export function scenario(id: string, params: unknown = null): ScenarioFile {
  const slash = id.lastIndexOf('/');
  const area = id.slice(0, slash);
  const files = SCENARIO_FOLDERS.map((folder) => resolve(folder, `${area}.mjs`)).filter((file) => existsSync(file));
  if (slash === -1 || files.length !== 1) {
    throw new Error(`scenario ${id}: expected <area>/<name> with <area>.mjs in exactly one of ${SCENARIO_FOLDERS.join(', ')}`);
  }
  return { file: files[0], name: id.slice(slash + 1), params };
}

/** Module code that imports the scenario file (set-up, not recorded) and calls its export. */
function callExport({ file, name, params }: ScenarioFile): string {
  return [
    'harness.pause();',
    `const { [${JSON.stringify(name)}]: run } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'harness.resume();',
    `if (typeof run !== 'function') throw new Error(${JSON.stringify(`${file} exports no function ${name}`)});`,
    `await run(harness, ${JSON.stringify(params)});`,
  ].join('\n');
}

/**
 * `body` is a scenario file's export, or module code with `harness`, `via`, `errorData`, `fs`, `fsp`,
 * `path` in scope; either ends by calling harness.done(result).
 */
export function runScenario(body: string | ScenarioFile, options: ScenarioOptions = {}): ScenarioResult {
  const harness = resolve(FIXTURES, options.plain === true ? 'plain-harness.mjs' : 'harness.mjs');
  const source = [
    `import { harness, via, errorData } from ${JSON.stringify(harness)};`,
    "import fs from 'node:fs';",
    "import fsp from 'node:fs/promises';",
    "import path from 'node:path';",
    'try {',
    typeof body === 'string' ? body : callExport(body),
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
