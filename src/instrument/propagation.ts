/**
 * Keeping children audited. When this process was started with an audithook preload in
 * NODE_OPTIONS, every child gets it in NODE_OPTIONS too, even when the caller passed an explicit
 * `env` without it: a Node child (started directly, through a shell or through another program)
 * then runs instrumented, and other programs ignore the variable.
 *
 * Two preloads propagate: the plain register (`NODE_OPTIONS="--import audithook/register"`), and
 * the `audithook run` agent, which also hands its configuration (log, policy) to every child in
 * environment variables that the child's caller cannot drop or change.
 */
import { AGENT_FILE, agentPreload, agentVariables } from '../contract/launch.js';
import {
  ObjectKeys, PathJoin, PathToFileURL, StringCtor, StringPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeSlice, asArray, newList, newRecord,
} from '../core/primordials.js';

/**
 * The register as NODE_OPTIONS takes it: this package's register, beside this bundle, as an
 * absolute file URL, so the child's cwd does not matter.
 */
const REGISTER_PRELOAD = `--import=${PathToFileURL(PathJoin(__dirname, 'register.js')).href}`;

interface Propagation {
  /** The NODE_OPTIONS option that loads the preload. */
  readonly preload: string;
  /** Whether a child's NODE_OPTIONS already loads it. */
  readonly loads: (nodeOptions: string) => boolean;
  /** `KEY=value` pairs every child gets, replacing the caller's values for those keys. */
  readonly env: readonly string[];
}

/** Whether NODE_OPTIONS already loads audithook (the package name or this build's register). */
function loadsRegister(nodeOptions: string): boolean {
  return StringPrototypeIncludes(nodeOptions, 'audithook') || StringPrototypeIncludes(nodeOptions, REGISTER_PRELOAD);
}

/**
 * Under `audithook run` (its variables in the environment at startup), every child gets the agent
 * beside this bundle first in NODE_OPTIONS, before any preload of the caller's, and exactly the
 * agent's variables; otherwise, when NODE_OPTIONS loads the register, the register.
 */
function startupPropagation(): Propagation | undefined {
  const forced = agentVariables(process.env);
  if (forced !== undefined) {
    const preload = agentPreload(PathJoin(__dirname, AGENT_FILE));
    return { preload, loads: (nodeOptions) => StringPrototypeIndexOf(nodeOptions, preload) === 0, env: forced };
  }
  return loadsRegister(StringCtor(process.env['NODE_OPTIONS'] ?? '')) ? { preload: REGISTER_PRELOAD, loads: loadsRegister, env: [] } : undefined;
}

const propagation: Propagation | undefined = startupPropagation();

/** Whether children get a preload: decided before the instrumentation is installed. */
export function propagating(): boolean {
  return propagation !== undefined;
}

function keyOf(pair: string): string {
  const at = StringPrototypeIndexOf(pair, '=', 1);
  return at === -1 ? pair : StringPrototypeSlice(pair, 0, at);
}

/**
 * A worker's `env` object with the agent's configuration forced in, or undefined when there is
 * nothing to force: a worker given its own env must not run its agent without the policy.
 */
export function withForcedVariables(env: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const forced = propagation?.env;
  if (forced === undefined || forced.length === 0) return undefined;
  // As Node reads it: its own enumerable string keys, each read once. Into a record with no
  // prototype, where no setter the program put on Object.prototype can swallow a forced variable.
  const result = newRecord<unknown>();
  const keys = ObjectKeys(env);
  for (let i = 0; i < keys.length; i++) result[keys[i] as string] = env[keys[i] as string];
  for (let i = 0; i < forced.length; i++) {
    const pair = forced[i] as string;
    const key = keyOf(pair);
    result[key] = StringPrototypeSlice(pair, key.length + 1);
  }
  return result;
}

/** Node's `KEY=value` environment pairs for a child, with the preload in NODE_OPTIONS and the agent's configuration. */
export function withPreload(envPairs: readonly string[]): string[] {
  const current = propagation;
  if (current === undefined) return envPairs as string[];
  const forced = current.env;
  // Built with no prototype (an index setter on Array.prototype cannot drop NODE_OPTIONS), handed to Node as an array.
  const result = newList<string>();
  let found = false;
  for (let i = 0; i < envPairs.length; i++) {
    const pair = envPairs[i] as string;
    const key = keyOf(pair);
    let replaced = false;
    for (let j = 0; j < forced.length; j++) if (keyOf(forced[j] as string) === key) replaced = true;
    if (replaced) continue;
    if (key === 'NODE_OPTIONS') {
      found = true;
      const options = StringPrototypeSlice(pair, 13);
      result[result.length] = current.loads(options) ? pair : `NODE_OPTIONS=${joinOptions(current, options)}`;
    } else {
      result[result.length] = pair;
    }
  }
  if (!found) result[result.length] = `NODE_OPTIONS=${current.preload}`;
  for (let j = 0; j < forced.length; j++) result[result.length] = forced[j] as string;
  return asArray(result);
}

/** The register goes after the caller's options (as before); the agent goes first, so it loads before any other preload. */
function joinOptions(current: Propagation, options: string): string {
  if (options === '') return current.preload;
  return current.preload === REGISTER_PRELOAD ? `${options} ${current.preload}` : `${current.preload} ${options}`;
}
