/**
 * The inspector: whoever connects to it can run any code in this process and read all its memory.
 * `inspector.open` (port, host, wait) before the inspector starts listening, and
 * `inspector.Session.connect` (session, mainThread) before a session attaches to this thread
 * (connect) or, from a worker, to the main thread (connectToMainThread). Arguments are as given,
 * null when absent. Opening it by signal (SIGUSR1, process._debugProcess) raises os.kill instead.
 */
import { instrument, operation, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';


const describeOpen: Describe = (args) => operation('inspector.open', [args[0] ?? null, args[1] ?? null, args[2] ?? null]);

const describeConnect = (mainThread: boolean): Describe => (_args, session) =>
  operation('inspector.Session.connect', [session, mainThread]);

export const inspectorDomain: Domain = {
  withFirstHook() {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded here, with the first hook, not at startup */
    const inspector = require('node:inspector') as { Session: { prototype: object } };
    // node:inspector/promises shares open and, by inheritance, Session#connect.
    const inspectorPromises = require('node:inspector/promises') as object;
    /* eslint-enable @typescript-eslint/no-require-imports */
    instrument(inspector, 'open', describeOpen, THROWS);
    instrument(inspectorPromises, 'open', describeOpen, THROWS);
    instrument(inspector.Session.prototype, 'connect', describeConnect(false), THROWS);
    instrument(inspector.Session.prototype, 'connectToMainThread', describeConnect(true), THROWS);
  },
};
