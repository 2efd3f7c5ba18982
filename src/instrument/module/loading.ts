/**
 * What both module loaders share: the `import` event of an ES module load, and the files whose
 * `import` the ESM loader raised, so that the CommonJS load of the same file raises nothing again.
 */
import { runCausedBy } from '../../core/cause.js';
import { isAuditing } from '../../core/kernel.js';
import { MapCtor, MapPrototypeDelete, MapPrototypeGet, MapPrototypeGetSize, MapPrototypeSet } from '../../core/primordials.js';
import { raise } from '../wrap.js';
import { toFilename } from './source.js';

/** Files whose `import` the ESM loader raised, and the module that imported each: the CommonJS load of the same file raises nothing. */
const importedByEsm = new MapCtor<string, string>();

/**
 * `import` for an ESM load (specifier as written, resolved file); sys.path, meta_path and path_hooks
 * have no ESM value. The importing module (`parentURL`; the module itself for an entry point, which
 * none imports) is its cause: Node links static imports with no frame of the importer on the stack,
 * so a package's imports are charged to it, not to the application.
 */
export function auditImport(specifier: string, url: string, parentURL: string | undefined): void {
  const filename = toFilename(url);
  const importer = parentURL ?? url;
  if (isAuditing()) runCausedBy(importer, () => raise('import', [specifier, filename, null, null, null]));
  MapPrototypeSet(importedByEsm, filename, importer);
}

/** The ESM loader finished with `filename` without handing it to the CommonJS loader. */
export function forgetEsmImport(filename: string): void {
  MapPrototypeDelete(importedByEsm, filename);
}

/** Whether the ESM loader raised `import` for this file, which the CommonJS loader now loads (consumed). */
export function takeEsmImport(filename: string): boolean {
  return MapPrototypeGetSize(importedByEsm) !== 0 && MapPrototypeDelete(importedByEsm, filename);
}

/**
 * The module that imported `filename`, while the ESM loader hands it to the CommonJS loader: Node
 * 20's ESM loader reads a CommonJS file's source itself first, with no frame of the importer on the stack.
 */
export function esmImporterOf(filename: string): string | undefined {
  return MapPrototypeGetSize(importedByEsm) === 0 ? undefined : MapPrototypeGet(importedByEsm, filename);
}
