/**
 * Keeping children audited. When this process was started with the register preload in
 * NODE_OPTIONS, every child gets it in NODE_OPTIONS too, even when the caller passed an explicit
 * `env` without it: a Node child (started directly, through a shell or through another program)
 * then runs instrumented, and other programs ignore the variable.
 */
import { pathToFileURL } from 'node:url';
import { StringPrototypeIncludes, StringPrototypeSlice, StringCtor } from '../primordials.js';

/**
 * The preload as NODE_OPTIONS takes it: this package's register (found through the package's own
 * name, whatever the file layout) as an absolute file URL, so the child's cwd does not matter.
 */
const PRELOAD = `--import=${pathToFileURL(require.resolve('audithook/register')).href}`;

/** Whether NODE_OPTIONS already loads audithook (the package name or this build's register). */
function preloads(nodeOptions: string): boolean {
  return StringPrototypeIncludes(nodeOptions, 'audithook') || StringPrototypeIncludes(nodeOptions, PRELOAD);
}

export const propagating = preloads(StringCtor(process.env['NODE_OPTIONS'] ?? ''));

/** Node's `KEY=value` environment pairs for a child, with the preload in NODE_OPTIONS. */
export function withPreload(envPairs: readonly string[]): string[] {
  const result: string[] = [];
  let found = false;
  for (let i = 0; i < envPairs.length; i++) {
    const pair = envPairs[i] as string;
    if (StringPrototypeSlice(pair, 0, 13) === 'NODE_OPTIONS=') {
      found = true;
      const options = StringPrototypeSlice(pair, 13);
      result[i] = preloads(options) ? pair : `NODE_OPTIONS=${options === '' ? '' : `${options} `}${PRELOAD}`;
    } else {
      result[i] = pair;
    }
  }
  if (!found) result[result.length] = `NODE_OPTIONS=${PRELOAD}`;
  return result;
}
