/**
 * audithook: PEP 578 runtime audit hooks for Node.js.
 *
 * `audit(event, ...args)` raises an event; `addAuditHook(hook)` adds a hook that sees every event
 * raised in this thread, in the order hooks were added, and may throw to stop the operation.
 * Adding a hook also installs the runtime instrumentation (see `audithook/register`).
 */
import { runtime } from './runtime.js';
import type { CatalogueEventArgs } from './catalogue/index.js';
import type { OpenCodeHook } from './core/opencode.js';

/**
 * Event names mapped to their argument tuples. Open for declaration merging: a library that raises
 * its own events declares them so that `audit()` and hooks are typed for them too:
 *
 * ```ts
 * declare module 'audithook' {
 *   interface AuditEvents { 'mylib.fetch_plugin': [url: string] }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface so that libraries can merge into it
export interface AuditEvents extends CatalogueEventArgs {}

export type AuditEventName = Extract<keyof AuditEvents, string>;

/** The `(event, args)` pairs a hook receives: checking `event` narrows `args`. */
export type AuditHookCall = { [E in AuditEventName]: [event: E, args: AuditEvents[E]] }[AuditEventName];

/** A hook: called for every event; throwing stops the operation that raised it. */
export type AuditHook = (...call: AuditHookCall) => void;

/** Arguments of an event: typed for known events, free for others. */
export type AuditArgs<E extends string> = E extends AuditEventName ? AuditEvents[E] : readonly unknown[];

/**
 * Raises `event` with `args`: every hook is called with `(event, args)`, `args` frozen. The first
 * exception a hook throws propagates to the caller. Name your own events `<package>.<action>`.
 */
export const audit: <E extends string>(event: E, ...args: AuditArgs<E>) => void = runtime.audit as never;

/**
 * Adds a hook (hooks cannot be removed). Raises `sys.addaudithook` first: if a hook throws an Error
 * there, the new hook is not added and false is returned. Installs the runtime instrumentation.
 */
export interface AddAuditHook {
  (hook: AuditHook): boolean;
  /** A hook that reads only the event name. */
  (hook: (event: AuditEventName) => void): boolean;
}

export const addAuditHook: AddAuditHook = runtime.addAuditHook as never;

/**
 * Sets the thread's open-code hook (CPython's `PyFile_SetOpenCodeHook`): it receives the path and
 * source text of every module the CommonJS and ESM loaders read, before the module is compiled, and
 * may throw to refuse it (the module never runs; require/import fails with the error). Raises
 * `setopencodehook` first, which a hook may veto. It can be set once: a second call throws.
 * Installs the runtime instrumentation.
 */
export const setOpenCodeHook: (hook: OpenCodeHook) => void = runtime.setOpenCodeHook;

export type { OpenCodeHook } from './core/opencode.js';
export type { ArgSpec, ArgTypeName, EventSpec, UnauditedApi } from './catalogue/index.js';
