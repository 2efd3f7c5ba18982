/**
 * What both module loaders share: the `import` event of an ES module load, and the files whose
 * `import` the ESM loader raised, so that the CommonJS load of the same file raises nothing again.
 */
import { isAuditing } from '../../core/kernel.js';
import { SetCtor, SetPrototypeAdd, SetPrototypeDelete, SetPrototypeGetSize } from '../../core/primordials.js';
import { raise } from '../wrap.js';
import { toFilename } from './source.js';

/** Files whose `import` the ESM loader raised: the CommonJS load of the same file raises nothing. */
const importedByEsm = new SetCtor<string>();

/** `import` for an ESM load (specifier as written, resolved file); sys.path, meta_path and path_hooks have no ESM value. */
export function auditImport(specifier: string, url: string): void {
  const filename = toFilename(url);
  if (isAuditing()) raise('import', [specifier, filename, null, null, null]);
  SetPrototypeAdd(importedByEsm, filename);
}

/** The ESM loader finished with `filename` without handing it to the CommonJS loader. */
export function forgetEsmImport(filename: string): void {
  SetPrototypeDelete(importedByEsm, filename);
}

/** Whether the ESM loader raised `import` for this file, which the CommonJS loader now loads (consumed). */
export function takeEsmImport(filename: string): boolean {
  return SetPrototypeGetSize(importedByEsm) !== 0 && SetPrototypeDelete(importedByEsm, filename);
}
