/**
 * node:wasi: `new WASI({ preopens })` gives a WebAssembly module the preopened host directories,
 * which its WASI calls then read and write with no event: the Node-only `wasi.WASI` (preopens),
 * guest path to host path, raised once the options are valid, before the instance exists.
 *
 * Loading node:wasi prints Node's ExperimentalWarning, so it is instrumented when the program
 * loads it (see lazy-builtins.ts).
 */
import { ArrayIsArray, ObjectCreate, ObjectFreeze, ObjectKeys, StringCtor } from '../core/primordials.js';
import type { Domain } from './domain.js';
import { instrumentWhenLoaded } from './lazy-builtins.js';
import { instrumentConstructor, operation } from './wrap.js';
import type { Describe } from './wrap.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !ArrayIsArray(value);

/**
 * The preopens as Node reads them (own enumerable entries, each converted to a string once), and
 * options for Node that inherit the caller's but hold that copy, so the audited map is the one used.
 */
const describeWasi: Describe = (args) => {
  const options = args[0];
  if (!isObject(options)) return undefined;
  const version = options['version'];
  // The versions Node accepts; any other fails the construction.
  if (version !== 'unstable' && version !== 'preview1') return undefined;
  const given = options['preopens'];
  if (given !== undefined && !isObject(given)) return undefined;
  const preopens: Record<string, string> = {};
  if (given !== undefined) {
    const keys = ObjectKeys(given);
    for (let i = 0; i < keys.length; i++) preopens[keys[i] as string] = StringCtor(given[keys[i] as string]);
  }
  const frozen = ObjectFreeze(preopens);
  const forNode = ObjectCreate(options) as Record<string, unknown>;
  forNode['preopens'] = frozen;
  args[0] = forNode;
  return operation('wasi.WASI', [frozen]);
};

export const wasiDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('wasi', (wasi) => instrumentConstructor(wasi, 'WASI', describeWasi));
  },
};
