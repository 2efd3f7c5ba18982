/**
 * The permission wall on the CLI side: what audithook itself needs in every audited process, the
 * wall for this Node (src/policy/wall.ts computes it), its flags as NODE_OPTIONS text for
 * `audithook run` (run.ts), and `audithook run --explain-wall`.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { nodeOptionsQuoted } from '../contract/launch.js';
import { permissionWall } from '../policy/wall.js';
import type { AudithookNeeds, PermissionWall } from '../policy/wall.js';
import type { CompiledPolicy } from '../policy/index.js';
import { EXIT, printable } from './output.js';

/** This package's root: dist/ (the agent and what it loads) and its package.json. */
const PACKAGE_ROOT = resolve(__dirname, '..', '..');

/**
 * What every audited process needs whatever the policy says: audithook's own files, the code the
 * command loads (the working directory, where its modules and node_modules are; the node_modules
 * above it, as the run starts; NODE_PATH; Node's installation, for npm and npx), and `channel`, the run's private directory of FIFOs, which the
 * agent lists, opens for writing and removes a FIFO of (src/agent/channel.ts). Not the log: only
 * `audithook run` writes it.
 */
export function audithookNeeds(channel: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): AudithookNeeds {
  const read = [
    { path: PACKAGE_ROOT, why: 'its own files (the agent)' },
    { path: cwd, why: 'module loading: the working directory' },
    { path: dirname(dirname(process.execPath)), why: "module loading: Node's installation (npm, npx)" },
  ];
  // Node looks for packages in the node_modules of every folder above a module too.
  for (let folder = cwd; dirname(folder) !== folder;) {
    folder = dirname(folder);
    const modules = join(folder, 'node_modules');
    if (existsSync(modules)) read.push({ path: modules, why: 'module loading: node_modules above the working directory' });
  }
  for (const entry of (env['NODE_PATH'] ?? '').split(delimiter)) {
    if (entry !== '') read.push({ path: resolve(cwd, entry), why: 'module loading: NODE_PATH' });
  }
  const why = "the run's channel: the agent claims a FIFO there and writes its records to it";
  return { read: [...read, { path: channel, why }], write: [{ path: channel, why }] };
}

/** The wall for `policy` on the Node running audithook, which also runs the command (run.ts puts it first in PATH). */
export function wallFor(policy: CompiledPolicy, channel: string): PermissionWall {
  return permissionWall(policy, audithookNeeds(channel), { version: process.version, optionFlags: process.allowedNodeEnvironmentFlags });
}

/** The wall's flags as NODE_OPTIONS text: each value quoted, as NODE_OPTIONS splits on spaces. */
export function wallOptions(wall: Extract<PermissionWall, { on: true }>): string {
  return wall.flags.map(({ flag }) => {
    const equals = flag.indexOf('=');
    return equals === -1 ? flag : `${flag.slice(0, equals + 1)}${nodeOptionsQuoted(flag.slice(equals + 1))}`;
  }).join(' ');
}

/** `audithook run --explain-wall --policy P`: the wall's flags, one line each with its reasons. */
export function explainWall(policy: CompiledPolicy): number {
  // Each run makes its own channel directory: shown as the pattern mkdtemp completes.
  const wall = wallFor(policy, join(tmpdir(), 'audithook-XXXXXX'));
  const lines = wall.on
    ? wall.flags.map((flag) => `${flag.flag}  # ${flag.why.join('; ')}`)
    : [`no permission wall: ${wall.why}`];
  process.stdout.write(`${lines.map(printable).join('\n')}\n`);
  return EXIT.OK;
}
