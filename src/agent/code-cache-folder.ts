/**
 * Where the code caches live: `.code-cache/` beside dist/. code-cache.ts reads and writes them; the
 * agent guards the folder from the program. Apart from code-cache.ts, whose loader the agent's
 * bundle does not need.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object, to take its functions before anyone can replace them
import path = require('node:path');

const { dirname, join } = path;

/** The package's `.code-cache/`, beside `dist` (the folder of its bundles). */
export function codeCacheDirectory(dist: string): string {
  return join(dirname(dist), '.code-cache');
}
