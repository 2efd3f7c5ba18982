/**
 * ES modules on Node >= 22.15: synchronous `module.registerHooks` hooks in this thread, which raise
 * `import` before a module is read and check and rewrite ES module sources. They also see
 * require(), which the CommonJS side audits.
 */
import { runCausedBy } from '../../core/cause.js';
import { isAuditing } from '../../core/kernel.js';
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
  resolve(specifier: string, context: { conditions?: readonly string[]; parentURL?: string }, next: (s: string, c?: unknown) => ResolveResult): ResolveResult;
  load(url: string, context: unknown, next: (u: string, c?: unknown) => LoadResult): LoadResult;
}

/** An import resolved and not yet loaded: the specifier a URL was first imported by, and by which module. */
interface PendingImport { readonly specifier: string; readonly parentURL: string | undefined }

/** Imports resolved and not yet loaded, by URL. */
const pendingImports = new MapCtor<string, PendingImport>();

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
        && !MapPrototypeHas(pendingImports, result.url)) {
        MapPrototypeSet(pendingImports, result.url, { specifier, parentURL: context.parentURL });
      }
      return result;
    },
    load(url, context, next) {
      const pending = MapPrototypeGet(pendingImports, url);
      if (pending === undefined) return next(url, context);
      MapPrototypeDelete(pendingImports, url);
      auditImport(pending.specifier, url, pending.parentURL);
      // Node reads the source here, for the importer.
      const result = isAuditing() ? runCausedBy(pending.parentURL ?? url, () => next(url, context)) : next(url, context);
      // Node hands a CommonJS file and, under --experimental-addon-modules, an addon to Module#load.
      if (result.format !== 'commonjs' && result.format !== 'addon') forgetEsmImport(toFilename(url));
      if (result.format === 'module' && result.source != null) {
        result.source = checkSource(toFilename(url), sourceText(result.source), true);
      }
      return result;
    },
  };
}
