/**
 * The permission wall on the CLI side: what audithook itself needs in every audited process, the
 * wall for this Node (src/policy/wall.ts computes it), and `audithook run --explain-wall`.
 *
 * `audithook run` does not apply the wall yet: the agent instruments Node's internal bindings
 * through `process.binding` (src/instrument/net.ts, child_process.ts), which Node replaces with a
 * function that always throws under `--permission` and `--permission-audit`, so the agent cannot
 * load inside the wall (checked on Node 22.23, 24.21 and 26.10; docs/security-model.md).
 */
import { delimiter, dirname, resolve } from 'node:path';
import { permissionWall } from '../policy/wall.js';
import type { AudithookNeeds, PermissionWall } from '../policy/wall.js';
import type { CompiledPolicy } from '../policy/index.js';
import { EXIT, printable } from './output.js';

/** This package's root: dist/ (the agent and what it loads) and its package.json. */
const PACKAGE_ROOT = resolve(__dirname, '..', '..');

/**
 * What every audited process needs whatever the policy says: audithook's own files, the code the
 * command loads (the working directory, where its modules and node_modules are; NODE_PATH; Node's
 * installation, for npm and npx), and `written`: where the agent writes its records.
 */
export function audithookNeeds(written: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): AudithookNeeds {
  const read = [
    { path: PACKAGE_ROOT, why: 'its own files (the agent)' },
    { path: cwd, why: 'module loading: the working directory' },
    { path: dirname(dirname(process.execPath)), why: "module loading: Node's installation (npm, npx)" },
  ];
  for (const entry of (env['NODE_PATH'] ?? '').split(delimiter)) {
    if (entry !== '') read.push({ path: resolve(cwd, entry), why: 'module loading: NODE_PATH' });
  }
  return { read, write: [{ path: written, why: 'the agent writes its records there' }] };
}

/** The wall for `policy` on the Node running audithook, which also runs the command (run.ts puts it first in PATH). */
export function wallFor(policy: CompiledPolicy, written: string): PermissionWall {
  return permissionWall(policy, audithookNeeds(written), { version: process.version, optionFlags: process.allowedNodeEnvironmentFlags });
}

/** `audithook run --explain-wall --policy P [--log FILE]`: the wall's flags, one line each with its reasons. */
export function explainWall(policy: CompiledPolicy, log: string): number {
  const wall = wallFor(policy, resolve(log));
  const lines = wall.on
    ? wall.flags.map((flag) => `${flag.flag}  # ${flag.why.join('; ')}`)
    : [`no permission wall: ${wall.why}`];
  lines.push('(audithook run does not apply it yet: under the permission model Node refuses process.binding, which the agent needs)');
  process.stdout.write(`${lines.map(printable).join('\n')}\n`);
  return EXIT.OK;
}
