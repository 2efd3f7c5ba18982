/**
 * Node 20 has only `module.register`, whose hooks (hooks-thread.ts) run in Node's hooks thread and
 * ask this thread, where the audit and open-code hooks live, over a MessagePort, reading shared
 * flags first so that no question is asked when there is no hook. Delete this folder with Node 20.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { openCode } from '../../../core/opencode.js';
import { ErrorCtor, ObjectGetOwnPropertyNames, ReflectApply, StringCtor, isNativeError } from '../../../core/primordials.js';
import { replaceFunction } from '../../wrap.js';
import { auditImport } from '../loading.js';
import { toFilename } from '../source.js';
import { FLAG_AUDITING, FLAG_COUNT, FLAG_OPEN_CODE, FLAG_REGISTERING } from './protocol.js';
import type { LoaderData, LoaderReply, LoaderRequest } from './protocol.js';

type Register = (specifier: string | URL, parentURL?: unknown, options?: unknown) => void;

const sharedFlags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * 4));

/**
 * Starts the hooks thread's hooks (returned function, called once with the first hook) and wraps
 * `module.register`, which waits, blocked, for the hooks thread to load new hooks through ours.
 */
export function offThreadHooks(loader: { register: Register }): () => void {
  const register = loader.register;
  replaceFunction(loader, 'register', (original) => function (this: unknown) {
    Atomics.store(sharedFlags, FLAG_REGISTERING, 1);
    try {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(original, this, arguments) as unknown;
    } finally {
      Atomics.store(sharedFlags, FLAG_REGISTERING, 0);
    }
  });
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded with the hooks thread, not at startup
    const { MessageChannel } = require('node:worker_threads') as typeof import('node:worker_threads');
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (request: LoaderRequest) => answer(port1, request));
    port1.unref();
    const data: LoaderData = { port: port2, flags: sharedFlags };
    register(pathToFileURL(join(__dirname, 'hooks-thread.js')), { data, transferList: [port2] });
  };
}

export function setAuditingFlag(): void {
  Atomics.store(sharedFlags, FLAG_AUDITING, 1);
}

export function setOpenCodeFlag(): void {
  Atomics.store(sharedFlags, FLAG_OPEN_CODE, 1);
}

function answer(port: MessagePort, request: LoaderRequest): void {
  let reply: LoaderReply;
  try {
    auditImport(request.specifier, request.url);
    if (request.source !== undefined) openCode(toFilename(request.url), request.source);
    reply = { id: request.id, error: undefined };
  } catch (error) {
    reply = { id: request.id, error: describeError(error) };
  }
  port.postMessage(reply);
}

/** A hook's error as data the hooks thread rebuilds: its class name, message and own properties (code...). */
function describeError(error: unknown): LoaderReply['error'] {
  if (!isNativeError(error) && !(error instanceof ErrorCtor)) return { name: 'Error', message: StringCtor(error), properties: {} };
  const properties: Record<string, unknown> = {};
  const names = ObjectGetOwnPropertyNames(error);
  for (let i = 0; i < names.length; i++) {
    const value = (error as unknown as Record<string, unknown>)[names[i] as string];
    if (value === null || typeof value !== 'object') properties[names[i] as string] = value;
  }
  return { name: (error).name, message: (error).message, properties };
}
