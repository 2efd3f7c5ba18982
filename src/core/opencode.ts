/**
 * The open-code hook, CPython's `PyFile_SetOpenCodeHook` / `io.open_code`: one function per thread,
 * set once, that receives every source file the module loaders read, with its path and text,
 * before it is compiled. Throwing refuses the file: it never runs and the load fails with the error.
 *
 * Like the audit hooks, the hook lives in this closure only: nothing can read, replace or remove it.
 */
import { audit } from './kernel.js';
import { ErrorCtor, TypeErrorCtor } from './primordials.js';

/** Receives a module's path (a URL for modules that are not files) and its source text before it runs. */
export type OpenCodeHook = (path: string, source: string) => void;

let openCodeHook: OpenCodeHook | undefined;

/**
 * Raises `setopencodehook` first (a hook may veto), then sets the hook; a second call throws, as
 * CPython refuses to change an existing open-code hook.
 */
export function setHook(hook: OpenCodeHook): void {
  if (typeof hook !== 'function') {
    throw new TypeErrorCtor(`setOpenCodeHook(): expected the hook to be a function, received ${hook === null ? 'null' : `type ${typeof hook}`}`);
  }
  audit('setopencodehook');
  if (openCodeHook !== undefined) throw new ErrorCtor('setOpenCodeHook(): an open-code hook is already set in this thread and cannot be changed');
  openCodeHook = hook;
}

/** Hands a module's source to the hook, if one is set; the hook's exception propagates. */
export function openCode(path: string, source: string): void {
  if (openCodeHook !== undefined) openCodeHook(path, source);
}
