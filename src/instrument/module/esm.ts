/**
 * ES modules on Node >= 22.15: synchronous `module.registerHooks` hooks in this thread, which raise
 * `import` before a module is read and check and rewrite ES module sources. They also see
 * require(), which the CommonJS side audits.
 */
import {
  MapCtor, MapPrototypeDelete, MapPrototypeGet, MapPrototypeHas, MapPrototypeSet, StringPrototypeSlice,
} from '../../core/primordials.js';
import { loadingBuiltin } from '../lazy-builtins.js';
import { checkSource } from './eval.js';
import { auditImport, forgetEsmImport } from './loading.js';
import { sourceText, toFilename } from './source.js';

interface ResolveResult { readonly url: string }
interface LoadResult { format?: string | null; source?: string | Uint8Array | null }
export interface SyncHooks {
  resolve(specifier: string, context: { conditions?: readonly string[] }, next: (s: string, c?: unknown) => ResolveResult): ResolveResult;
  load(url: string, context: unknown, next: (u: string, c?: unknown) => LoadResult): LoadResult;
}

/** Imports resolved and not yet loaded: the specifier each URL was imported by. */
const importedSpecifiers = new MapCtor<string, string>();

function includes(list: readonly string[], value: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
  return false;
}

export function inThreadHooks(): SyncHooks {
  return {
    resolve(specifier, context, next) {
      const result = next(specifier, context);
      loadingBuiltin(result.url);
      const conditions = context.conditions;
      if (conditions !== undefined && includes(conditions, 'import') && StringPrototypeSlice(result.url, 0, 5) !== 'node:'
        && !MapPrototypeHas(importedSpecifiers, result.url)) {
        MapPrototypeSet(importedSpecifiers, result.url, specifier);
      }
      return result;
    },
    load(url, context, next) {
      const specifier = MapPrototypeGet(importedSpecifiers, url);
      if (specifier === undefined) return next(url, context);
      MapPrototypeDelete(importedSpecifiers, url);
      auditImport(specifier, url);
      const result = next(url, context);
      // Node hands a CommonJS file and, under --experimental-addon-modules, an addon to Module#load.
      if (result.format !== 'commonjs' && result.format !== 'addon') forgetEsmImport(toFilename(url));
      if (result.format === 'module' && result.source != null) {
        result.source = checkSource(toFilename(url), sourceText(result.source), true);
      }
      return result;
    },
  };
}
