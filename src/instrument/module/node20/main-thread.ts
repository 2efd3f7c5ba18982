/**
 * Node 20 has only `module.register`, whose hooks (hooks-thread.ts) run in Node's hooks thread and
 * ask this thread, where the audit and open-code hooks live, over a MessagePort, reading shared
 * flags first so that no question is asked when there is no hook. Delete this folder with Node 20.
 */
import { constants } from 'node:fs';
import type { MessageChannel as MessageChannelType, MessagePort } from 'node:worker_threads';
import { runCausedBy } from '../../../core/cause.js';
import { isAuditing } from '../../../core/kernel.js';
import { openCode } from '../../../core/opencode.js';
import {
  AtomicsStore, ErrorCtor, ObjectGetOwnPropertyNames, PathJoin, PathToFileURL, ReflectApply, StringCtor, isInstanceOf, isNativeError,
} from '../../../core/primordials.js';
import { systemOpenFlags } from '../../args.js';
import { raise, replaceFunction } from '../../wrap.js';
import { isLoaded, loadingBuiltin } from '../../lazy-builtins.js';
import { auditImport } from '../loading.js';
import { toFilename } from '../source.js';
import { FLAG_AUDITING, FLAG_COUNT, FLAG_OPEN_CODE, FLAG_REGISTERING } from './protocol.js';
import type { LoaderData, LoaderReply, LoaderRequest } from './protocol.js';

type Register = (specifier: string | URL, parentURL?: unknown, options?: unknown) => void;

const sharedFlags = new Int32Array(new SharedArrayBuffer(FLAG_COUNT * 4));
type PortMethod = (this: MessagePort, ...args: never[]) => unknown;
let portPostMessage: (this: MessagePort, message: unknown) => void;

/**
 * Starts the hooks thread's hooks (returned function, called once with the first hook) and wraps
 * `module.register`, which waits, blocked, for the hooks thread to load new hooks through ours.
 * Called at load, before user code: the port's class and methods are taken then (the program can
 * replace them later), from the globals, which load Node's messaging module and not worker_threads
 * (whose loading wraps process.chdir).
 */
export function offThreadHooks(loader: { register: Register }): () => void {
  const MessageChannel = (globalThis as unknown as { MessageChannel: typeof MessageChannelType }).MessageChannel;
  const portPrototype = (globalThis as unknown as { MessagePort: { prototype: Record<string, PortMethod> } }).MessagePort.prototype;
  const portOn = portPrototype['on'] as (this: MessagePort, event: string, listener: (request: LoaderRequest) => void) => unknown;
  const portUnref = portPrototype['unref'] as (this: MessagePort) => void;
  portPostMessage = portPrototype['postMessage'] as (this: MessagePort, message: unknown) => void;
  const register = loader.register;
  replaceFunction(loader, 'register', (original) => function (this: unknown) {
    AtomicsStore(sharedFlags, FLAG_REGISTERING, 1);
    try {
      // eslint-disable-next-line prefer-rest-params -- every argument, as given
      return ReflectApply(original, this, arguments) as unknown;
    } finally {
      AtomicsStore(sharedFlags, FLAG_REGISTERING, 0);
    }
  });
  return () => {
    const { port1, port2 } = new MessageChannel();
    ReflectApply(portOn, port1, ['message', (request: LoaderRequest) => answer(port1, request)]);
    ReflectApply(portUnref, port1, []);
    const data: LoaderData = { port: port2, flags: sharedFlags };
    register(PathToFileURL(PathJoin(__dirname, 'hooks-thread.js')), { data, transferList: [port2] });
  };
}

export function setAuditingFlag(): void {
  AtomicsStore(sharedFlags, FLAG_AUDITING, 1);
}

export function setOpenCodeFlag(): void {
  AtomicsStore(sharedFlags, FLAG_OPEN_CODE, 1);
}

function answer(port: MessagePort, request: LoaderRequest): void {
  let reply: LoaderReply;
  try {
    if (request.builtin === true) loadingBuiltin(request.url);
    else {
      auditImport(request.specifier, request.url, request.parentURL);
      if (request.readBy === 'hooks thread' || (request.readBy === 'main thread' && translatorReadsUnseen)) auditSourceRead(request.url, request.parentURL);
    }
    if (request.source !== undefined) openCode(toFilename(request.url), request.source);
    reply = { id: request.id, error: undefined };
  } catch (error) {
    reply = { id: request.id, error: describeError(error) };
  }
  ReflectApply(portPostMessage, port, [reply]);
}

const READ_ONLY = systemOpenFlags(constants.O_RDONLY);

/**
 * Whether the ESM loader's CommonJS translator was loaded before audithook (a program started with
 * `--import`): it holds Node's own readFileSync then, whose reads raise nothing; loaded later, it
 * holds the audited one. Read at load, before any code of the program.
 */
const translatorReadsUnseen = isLoaded('internal/modules/esm/translators');

/**
 * `open` for a module's file, which Node 20's loader reads where no audited function sees it (the
 * hooks thread; the translator above), with the import's cause.
 */
function auditSourceRead(url: string, parentURL: string | undefined): void {
  if (isAuditing()) runCausedBy(parentURL ?? url, () => raise('open', [toFilename(url), 'r', READ_ONLY]));
}

/** A hook's error as data the hooks thread rebuilds: its class name, message and own properties (code...). */
function describeError(error: unknown): LoaderReply['error'] {
  if (!isNativeError(error) && !isInstanceOf(error, ErrorCtor)) return { name: 'Error', message: StringCtor(error), properties: {} };
  const properties: Record<string, unknown> = {};
  const names = ObjectGetOwnPropertyNames(error);
  for (let i = 0; i < names.length; i++) {
    const value = (error as unknown as Record<string, unknown>)[names[i] as string];
    if (value === null || typeof value !== 'object') properties[names[i] as string] = value;
  }
  return { name: (error).name, message: (error).message, properties };
}
