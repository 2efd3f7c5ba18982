/**
 * Node 20's ES module hooks run in Node's hooks thread, while the audit and open-code hooks live in
 * the main thread: what the two sides say to each other.
 */
import type { MessagePort } from 'node:worker_threads';

export interface LoaderData {
  readonly port: MessagePort;
  /** Int32 flags written by the main thread, read by the hooks thread without asking: see FLAG_*. */
  readonly flags: Int32Array;
}
/** Some audit hook exists. */
export const FLAG_AUDITING = 0;
/** The open-code hook is set. */
export const FLAG_OPEN_CODE = 1;
/** The main thread is blocked in module.register() and cannot answer. */
export const FLAG_REGISTERING = 2;
export const FLAG_COUNT = 3;

/** An import to audit; with `source`, an ES module's text for the open-code hook, after the import event. */
export interface LoaderRequest {
  readonly id: number;
  readonly specifier: string;
  readonly url: string;
  /** The importing module's URL; none for an entry point. */
  readonly parentURL?: string | undefined;
  readonly source: string | undefined;
  /**
   * Who reads the module's file (a `file:` URL): this thread (getSource), or the main thread's
   * CommonJS translator; undefined for other URLs.
   */
  readonly readBy: 'hooks thread' | 'main thread' | undefined;
  /** A built-in instrumented when the program loads it (lazy-builtins.ts): the main thread instruments it, raising nothing. */
  readonly builtin?: true;
}

/**
 * The built-ins the hooks thread tells the main thread about before they load (lazy-builtins.ts on
 * Node 20): every id a domain gives instrumentWhenLoaded, and the ids that reach the same objects.
 */
export const LAZY_BUILTIN_URLS: readonly string[] = [
  'node:wasi', 'node:http2', 'node:worker_threads', 'node:v8', 'node:readline', 'node:readline/promises', 'node:repl',
  'node:inspector', 'node:inspector/promises', 'node:trace_events', 'node:crypto', 'node:tls', 'node:_tls_common', 'node:_tls_wrap',
  'node:https', 'node:http', 'node:_http_agent', 'node:_http_client', 'node:_http_server', 'node:net', 'node:dgram', 'node:sqlite',
];
export interface LoaderReply {
  readonly id: number;
  readonly error: { readonly name: string; readonly message: string; readonly properties: Record<string, unknown> } | undefined;
}
