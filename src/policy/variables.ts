/**
 * The variables of policy patterns (CLI side: the loader expands them before compiling, the learner
 * writes them): `~` and `${HOME}` the home directory, `${PROJECT}` the project the command runs in
 * (`--project DIR`, default the working directory of `audithook run`), `${TMPDIR}` the temporary
 * directory, `${NPM_CACHE}` npm's cache, `${NODE}` the Node executable `audithook run` runs on (and
 * puts first in COMMAND's PATH), `${NPM}` the folder of the npm COMMAND runs, `${NPM_GLOBALCONFIG}`
 * npm's global .npmrc. So one policy fits the same
 * program in another folder, under another user, with another cache or another Node installation:
 * the values are those of the run, not of the learning.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { parse as parseIni } from 'ini';
import { escapeGlob } from './glob.js';

export interface PolicyVariables {
  readonly HOME: string;
  readonly PROJECT: string;
  readonly TMPDIR: string;
  readonly NPM_CACHE: string;
  readonly NODE: string;
  readonly NPM: string;
  readonly NPM_GLOBALCONFIG: string;
}

export const VARIABLE_NAMES: readonly (keyof PolicyVariables)[] = ['HOME', 'PROJECT', 'TMPDIR', 'NPM_CACHE', 'NODE', 'NPM', 'NPM_GLOBALCONFIG'];

/** The values for a run in `project` (default the working directory). */
export function policyVariables(project?: string, env: NodeJS.ProcessEnv = process.env): PolicyVariables {
  const home = resolve(homedir());
  const projectDir = resolve(project ?? process.cwd());
  return {
    HOME: home, PROJECT: projectDir, TMPDIR: resolve(tmpdir()), NPM_CACHE: npmCache(projectDir, home, env),
    NODE: process.execPath, NPM: npmFolder(env), NPM_GLOBALCONFIG: npmGlobalConfig(projectDir, home, env),
  };
}

/**
 * The npm COMMAND's `npm` runs: the one installed with this Node (`audithook run` puts this Node's
 * directory first in PATH), else the first in PATH; its package folder, where npm-cli.js is bin/.
 */
function npmFolder(env: NodeJS.ProcessEnv): string {
  const beside = join(nodePrefix(), 'lib', 'node_modules', 'npm');
  if (existsSync(beside)) return beside;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      const cli = realpathSync(join(dir, 'npm'));
      if (basename(cli) === 'npm-cli.js') return dirname(dirname(cli));
    } catch {
      // No npm there.
    }
  }
  return beside;
}

/** Where this Node is installed: `<prefix>/bin/node`, beside `<prefix>/lib/node_modules/npm` and `<prefix>/etc/npmrc`. */
const nodePrefix = (): string => dirname(dirname(process.execPath));

/** An npm setting from the environment, as npm reads it (`npm_config_<key>` in either case). */
function npmEnv(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[`npm_config_${key}`] ?? env[`NPM_CONFIG_${key.toUpperCase()}`];
  return value === '' ? undefined : value;
}

/**
 * The cache npm itself would use in `project`, by npm's order: the environment, then the `cache`
 * of the project's .npmrc, the user's (`npm_config_userconfig`, else ~/.npmrc) and the global
 * one (`npm_config_globalconfig`, else `$PREFIX/etc/npmrc`), else ~/.npm. Only that key is kept
 * of those files (a user's .npmrc holds registry tokens).
 */
function npmCache(project: string, home: string, env: NodeJS.ProcessEnv): string {
  const path = (value: string): string => npmPath(value, project, home, env);
  const fromEnv = npmEnv(env, 'cache');
  if (fromEnv !== undefined) return path(fromEnv);
  const files = [join(project, '.npmrc'), path(npmEnv(env, 'userconfig') ?? '~/.npmrc'), npmGlobalConfig(project, home, env)];
  for (const file of files) {
    const cache = npmrcCache(file);
    if (cache !== undefined) return path(cache);
  }
  return join(home, '.npm');
}

/** npm's global .npmrc, as npm finds it: `npm_config_globalconfig`, else `$PREFIX/etc/npmrc` (`npm_config_prefix`, else this Node's prefix). */
function npmGlobalConfig(project: string, home: string, env: NodeJS.ProcessEnv): string {
  return npmPath(npmEnv(env, 'globalconfig') ?? join(npmEnv(env, 'prefix') ?? nodePrefix(), 'etc', 'npmrc'), project, home, env);
}

/**
 * A path setting as npm reads it: `${VAR}` from the environment (an unset one, or one after an
 * odd number of backslashes, left as written), a leading `~/` the home directory, and a relative
 * path from the directory npm runs in (the project).
 */
function npmPath(value: string, project: string, home: string, env: NodeJS.ProcessEnv): string {
  const expanded = value.trim().replace(/(?<!\\)(\\*)\$\{([^${}]+)\}/g, (whole, escapes: string, name: string) => (
    escapes.length % 2 === 1 ? whole.slice((escapes.length + 1) / 2) : escapes.slice(escapes.length / 2) + (env[name] ?? `\${${name}}`)
  ));
  return expanded.startsWith('~/') ? resolve(home, expanded.slice(2)) : resolve(project, expanded);
}

/** The `cache` an .npmrc sets; undefined when it sets none or cannot be read. */
function npmrcCache(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const cache = (parseIni(text) as Record<string, unknown>)['cache'];
  return typeof cache === 'string' && cache !== '' ? cache : undefined;
}

export class VariableError extends Error {}

/**
 * `pattern` with each `${NAME}` replaced by its value, escaped so that the value is literal (a
 * home directory with a `{` in it stays one path). Before brace expansion, whose braces these are
 * not; `\$` is a literal `$`. Throws VariableError for an unknown or unclosed variable.
 */
export function expandVariables(pattern: string, variables: PolicyVariables): string {
  let result = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\') {
      result += pattern.slice(i, i + 2);
      i++;
    } else if (char === '$' && pattern[i + 1] === '{') {
      const close = pattern.indexOf('}', i + 2);
      if (close === -1) throw new VariableError(`"\${" at position ${i + 1} is never closed; the variables are ${known()}`);
      const name = pattern.slice(i + 2, close);
      if (!(VARIABLE_NAMES as readonly string[]).includes(name)) throw new VariableError(`unknown variable "\${${name}}"; the variables are ${known()} (\\$ for a literal $)`);
      result += escapeGlob(variables[name as keyof PolicyVariables]);
      i = close;
    } else {
      result += char;
    }
  }
  return result;
}

/** One alternative (after brace expansion) with a leading `~` (`~` alone or `~/...`) as the home directory. */
export function expandHome(alternative: string, variables: PolicyVariables): string {
  return alternative === '~' || alternative.startsWith('~/') ? `${escapeGlob(variables.HOME)}${alternative.slice(1)}` : alternative;
}

const known = (): string => `~, ${VARIABLE_NAMES.map((name) => `\${${name}}`).join(', ')}`;
