/**
 * The variables of policy patterns (CLI side: the loader expands them before compiling, the learner
 * writes them): `~` and `${HOME}` the home directory, `${PROJECT}` the project the command runs in
 * (`--project DIR`, default the working directory of `audithook run`), `${TMPDIR}` the temporary
 * directory, `${NPM_CACHE}` npm's cache. So one policy fits the same program in another folder,
 * under another user, with another cache: the values are those of the run, not of the learning.
 */
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { escapeGlob } from './glob.js';

export interface PolicyVariables {
  readonly HOME: string;
  readonly PROJECT: string;
  readonly TMPDIR: string;
  readonly NPM_CACHE: string;
}

export const VARIABLE_NAMES: readonly (keyof PolicyVariables)[] = ['HOME', 'PROJECT', 'TMPDIR', 'NPM_CACHE'];

/**
 * The values for a run in `project` (default the working directory). npm's cache is what npm
 * itself would use without an .npmrc saying otherwise: `npm_config_cache` (either case), else
 * `~/.npm`.
 */
export function policyVariables(project?: string, env: NodeJS.ProcessEnv = process.env): PolicyVariables {
  const home = resolve(homedir());
  const cache = env['npm_config_cache'] ?? env['NPM_CONFIG_CACHE'];
  return {
    HOME: home,
    PROJECT: resolve(project ?? process.cwd()),
    TMPDIR: resolve(tmpdir()),
    NPM_CACHE: cache === undefined || cache === '' ? join(home, '.npm') : resolve(cache),
  };
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
