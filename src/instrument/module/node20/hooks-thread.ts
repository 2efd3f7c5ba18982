/**
 * Node 20's module.register hooks, loaded by Node in its hooks thread (bundled as
 * dist/hooks-thread.js; node20/main-thread.ts registers them). They raise nothing themselves: the
 * audit and open-code hooks live in the main thread, so `load` asks it over a MessagePort, and only
 * when the shared flags say a hook is there to answer. Eval is rewritten here, off the main thread.
 */
import { join } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { rewritesEval } from '../mentions-eval.js';
import { sourceText, toFilename } from '../source.js';
import { FLAG_AUDITING, FLAG_OPEN_CODE, FLAG_REGISTERING, LAZY_BUILTIN_URLS } from './protocol.js';
import type { LoaderData, LoaderReply, LoaderRequest } from './protocol.js';

interface LoadResult { format?: string | null; source?: string | Uint8Array | null }

let port: MessagePort;
let flags: Int32Array;
let nextId = 0;
const waiting = new Map<number, (reply: LoaderReply) => void>();
/** The specifier each URL was first imported by, and by which module, until it loads. */
const pendingImports = new Map<string, { specifier: string; parentURL: string | undefined }>();
let rewriteEval: ((source: string, filename: string, isModule: boolean) => string) | undefined;

export function initialize(data: LoaderData): void {
  ({ port, flags } = data);
  port.on('message', (reply: LoaderReply) => {
    const settle = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) port.unref();
    settle?.(reply);
  });
  port.unref();
}

/** Asks the main thread; its hook's error is rethrown here with the same class name, message and properties. */
async function ask(request: Omit<LoaderRequest, 'id'>): Promise<void> {
  const id = nextId++;
  const reply = await new Promise<LoaderReply>((resolve) => {
    // While an answer is awaited this thread must stay alive, and so the main thread, whose loader
    // keeps it referenced until it answers: an unreferenced port alone would let both exit.
    if (waiting.size === 0) port.ref();
    waiting.set(id, resolve);
    port.postMessage({ ...request, id });
  });
  if (reply.error === undefined) return;
  const error = new Error(reply.error.message);
  Object.assign(error, reply.error.properties);
  error.name = reply.error.name;
  throw error;
}

export async function resolve(
  specifier: string, context: { parentURL?: string }, next: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const result = await next(specifier, context);
  if (!result.url.startsWith('node:') && !pendingImports.has(result.url)) pendingImports.set(result.url, { specifier, parentURL: context.parentURL });
  return result;
}

export async function load(url: string, context: unknown, next: (url: string, context: unknown) => Promise<LoadResult>): Promise<LoadResult> {
  const pending = pendingImports.get(url);
  if (pending === undefined) {
    // The main thread instruments such a built-in before Node hands the program its exports.
    if (LAZY_BUILTIN_URLS.includes(url) && Atomics.load(flags, FLAG_REGISTERING) === 0 && Atomics.load(flags, FLAG_AUDITING) === 1) {
      await ask({ specifier: url, url, source: undefined, readBy: undefined, builtin: true });
    }
    return next(url, context);
  }
  pendingImports.delete(url);
  const { specifier, parentURL } = pending;
  // Loads while the main thread is blocked in module.register() are of the hooks being registered
  // (audited as module.register): the main thread cannot answer until they are loaded.
  const mainCanAnswer = Atomics.load(flags, FLAG_REGISTERING) === 0;
  const openCode = mainCanAnswer && Atomics.load(flags, FLAG_OPEN_CODE) === 1;
  // A file: URL is read here (getSource), or for CommonJS by the main thread's translator (Node's
  // own test, on resolve's format): the main thread raises its open.
  const format = (context as { format?: unknown }).format;
  const readBy = !url.startsWith('file:') ? undefined : format === 'commonjs' ? 'main thread' : 'hooks thread';
  // With an open-code hook, one question after the read carries both (a round trip per module, not two).
  if (mainCanAnswer && !openCode && Atomics.load(flags, FLAG_AUDITING) === 1) await ask({ specifier, url, parentURL, source: undefined, readBy });
  const result = await next(url, context);
  const text = result.format === 'module' && result.source != null ? sourceText(result.source) : undefined;
  if (openCode) await ask({ specifier, url, parentURL, source: text, readBy });
  if (text === undefined) return result;
  if (!rewritesEval(text, Atomics.load(flags, FLAG_AUDITING) === 1)) return { ...result, source: text };
  // acorn loads on the first source that mentions eval, from the bundle beside this one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, no-restricted-syntax -- a file of the package beside this bundle, loaded at run time
  rewriteEval ??= (require(join(__dirname, 'rewrite-eval.js')) as { rewriteEval: typeof rewriteEval & object }).rewriteEval;
  return { ...result, source: rewriteEval(text, toFilename(url), true) };
}
