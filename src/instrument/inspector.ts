/**
 * The inspector: whoever connects to it can run any code in this process and read all its memory.
 * `inspector.open` (port, host, wait) before the inspector starts listening, and
 * `inspector.Session.connect` (session, mainThread) before a session attaches to this thread
 * (connect) or, from a worker, to the main thread (connectToMainThread). Arguments are as given,
 * null when absent. The other ways to open an inspector raise `inspector.open` (with null
 * arguments) after their own event: SIGUSR1 (process.kill, process._debugProcess, ChildProcess#kill),
 * which opens the inspector of the Node process it reaches, and a child started with --inspect,
 * --inspect-brk or --inspect-wait in its arguments or NODE_OPTIONS.
 */
import { StringPrototypeIndexOf, StringPrototypeSlice } from '../core/primordials.js';
import { toSignal } from './args.js';
import { andThen, instrument, operation, THROWS } from './wrap.js';
import type { Describe, Operation } from './wrap.js';
import type { Domain } from './domain.js';
import { builtinModule, instrumentWhenLoaded } from './lazy-builtins.js';

/** The signal that makes a Node process open its inspector. */
export const SIGUSR1 = toSignal('SIGUSR1') as number;

/** `op`, then `inspector.open`: the operation opens an inspector (of this process or another). */
export function opensInspector(op: Operation): Operation {
  return andThen(op, operation('inspector.open', [null, null, null]));
}

/** A signal: SIGUSR1 makes a Node process open its inspector. */
export function withSignalInspector(op: Operation, signal: number): Operation {
  return signal === SIGUSR1 ? opensInspector(op) : op;
}

/** Whether one of Node's options opens the inspector: --inspect, --inspect-brk, --inspect-wait (with or without =). */
export function isInspectFlag(value: string): boolean {
  const at = StringPrototypeIndexOf(value, '=');
  const flag = at === -1 ? value : StringPrototypeSlice(value, 0, at);
  return flag === '--inspect' || flag === '--inspect-brk' || flag === '--inspect-wait';
}


const describeOpen: Describe = (args) => operation('inspector.open', [args[0] ?? null, args[1] ?? null, args[2] ?? null]);

const describeConnect = (mainThread: boolean): Describe => (_args, session) =>
  operation('inspector.Session.connect', [session, mainThread]);

/** Instrumented when the program loads node:inspector or node:inspector/promises. */
export const inspectorDomain: Domain = {
  withFirstHook() {
    instrumentWhenLoaded('inspector', (inspector) => {
      // node:inspector/promises shares open and, by inheritance, Session#connect.
      const inspectorPromises = builtinModule('inspector/promises');
      const session = (inspector['Session'] as { prototype: object }).prototype;
      instrument(inspector, 'open', describeOpen, THROWS);
      if (inspectorPromises !== undefined) instrument(inspectorPromises, 'open', describeOpen, THROWS);
      instrument(session, 'connect', describeConnect(false), THROWS);
      instrument(session, 'connectToMainThread', describeConnect(true), THROWS);
    }, ['inspector/promises']);
  },
};
