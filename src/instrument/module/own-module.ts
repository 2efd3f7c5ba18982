/**
 * CommonJS modules audithook compiles itself, with the loader's own `_compile` captured before
 * commonjs.ts replaces it: nothing is raised, handed to the open-code hook or rewritten, and
 * require.cache never holds them.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import Module = require('node:module');
import { ReflectApply } from '../../core/primordials.js';

const compile = (Module as unknown as { prototype: { _compile: (content: string, filename: string) => unknown } }).prototype._compile;
const ModuleCtor = Module as unknown as new (id: string) => { filename: string; paths: string[]; exports: unknown };

/** The exports of `source` run as a CommonJS module of `filename`, which resolves nothing by require. */
export function compileOwnModule(filename: string, source: string): unknown {
  const own = new ModuleCtor(filename);
  own.filename = filename;
  own.paths = [];
  ReflectApply(compile, own, [source, filename]);
  return own.exports;
}
