/**
 * Node's own permission model, seen from the JavaScript layer: each operation it refuses (under
 * `--permission`), or would refuse (under `--permission-audit`), raises `node.permission` with the
 * permission and resource Node names. Node 24+ publishes every such check on the diagnostics
 * channels `node:permission-model:<scope>`, synchronously on the caller's stack (so the record has
 * the caller's packages), before it throws ERR_ACCESS_DENIED; Node 22 publishes nothing, and only
 * the caller sees the error.
 *
 * Node also publishes its own questions that are answered no, which refuse nothing the program
 * asked for: process.permission.has(), whether a new worker may have the inspector, and the module
 * loader's look for a package.json in each directory above a module (it stops at the first it may
 * not read). They are told apart by the Node module that asked (the frame below
 * diagnostics_channel's), and raise nothing. The loader's reads of a package.json it needs (a
 * package's main or exports) throw when refused: those are refusals.
 *
 * The event reports Node's decision; a hook's error cannot change it (Node refuses or allows
 * anyway) and would escape diagnostics_channel as an uncaught exception: it is dropped here.
 */
import { ProcessEnvironment, ProcessGetBuiltinModule, StringPrototypeIndexOf, StringPrototypeStartsWith } from '../core/primordials.js';
import { callSiteFileName, callSiteFunctionName, callSites } from '../core/callsites.js';
import { isAuditing } from '../core/kernel.js';
import { nodeOptionsArgv, toStringValue } from './args.js';
import type { Domain } from './domain.js';
import { raise } from './wrap.js';

/** The scopes Node 24 and 26 publish checks for (those a Node does not check publish nothing). */
const SCOPES: readonly string[] = ['fs', 'child', 'worker', 'wasi', 'addon', 'inspector', 'net', 'ffi', 'openssl-store'];

/** Whether this process runs Node's model in audit mode: refusing nothing, reporting what it would refuse. */
function auditMode(): boolean {
  const words = nodeOptionsArgv(ProcessEnvironment['NODE_OPTIONS']);
  for (let i = 0; i < words.length; i++) if (words[i] === '--permission-audit') return true;
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) if (StringPrototypeIndexOf(argv[i], '--permission-audit') === 0) return true;
  return false;
}

/**
 * The module loader's reads of a package.json it needs (a package's main, its exports), which throw
 * ERR_ACCESS_DENIED when refused (Node 24: package_json_reader's read; 26: helpers' readPackageJSON):
 * refusals, not questions, though the loader asks.
 */
const isLoaderRead = (name: unknown): boolean => name === 'read' || name === 'readPackageJSON';

/** Whether the check being published is one of Node's own questions (above), by the module that asked. */
function isQuestion(permission: unknown, below: (message: unknown) => void): boolean {
  const sites = callSites(below, 4);
  if (sites === undefined) return false;
  for (let i = 0; i < sites.length; i++) {
    const site = sites[i] as object;
    const file = callSiteFileName(site);
    if (file === 'node:diagnostics_channel') continue;
    if (typeof file === 'string' && StringPrototypeStartsWith(file, 'node:internal/modules/')) {
      return !isLoaderRead(callSiteFunctionName(site));
    }
    return file === 'node:internal/process/permission' || (file === 'node:internal/worker' && permission === 'Inspector');
  }
  return false;
}

function subscribeToDenials(): void {
  if ((process as { permission?: unknown }).permission === undefined) return;
  const channels = ProcessGetBuiltinModule?.('node:diagnostics_channel') as { subscribe?: (name: string, listener: (message: unknown) => void) => void } | undefined;
  const subscribe = channels?.subscribe;
  if (subscribe === undefined) return;
  const decision = auditMode() ? 'reported' : 'denied';
  const report = (message: unknown): void => {
    if (!isAuditing() || message === null || typeof message !== 'object') return;
    const { permission, resource } = message as { permission?: unknown; resource?: unknown };
    if (isQuestion(permission, report)) return;
    try {
      raise('node.permission', [toStringValue(permission), typeof resource === 'string' ? resource : null, decision]);
    } catch {
      // Node's layer decides: see above.
    }
  };
  for (let i = 0; i < SCOPES.length; i++) subscribe(`node:permission-model:${SCOPES[i] as string}`, report);
}

export const permissionDomain: Domain = { withFirstHook: subscribeToDenials };
