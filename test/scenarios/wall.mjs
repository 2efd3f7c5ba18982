// Scenarios of test/wall.test.ts, run under plain Node (no audithook: the JavaScript layer is not
// there at all) with and without the flags of Node's permission model that src/policy/wall.ts
// computes: raw capabilities, each reached by the most direct route, and how each attempt ended.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { errorData } from '../fixtures/outcome.mjs';

const attempt = (run) => {
  try {
    run();
    return 'done';
  } catch (error) {
    return errorData(error).code;
  }
};

/** A TCP connection to a closed loopback port: refused by the kernel, or by Node's wall first. */
const dial = () => new Promise((resolve) => {
  const socket = connect(1, '127.0.0.1');
  socket.on('connect', () => { socket.destroy(); resolve('done'); });
  socket.on('error', (error) => resolve(error.code));
});

export async function rawCapabilities(harness, { readable, secret, writable }) {
  const result = {
    // The spawn binding itself, the route a package takes to start a process unseen by JavaScript hooks.
    rawSpawn: attempt(() => {
      const spawn = process.binding('spawn_sync');
      const outcome = spawn.spawn({ file: '/bin/true', args: ['/bin/true'], envPairs: [], stdio: [{ type: 'ignore' }, { type: 'ignore' }, { type: 'ignore' }] });
      if (outcome.error !== undefined && outcome.error !== 0) throw Object.assign(new Error('spawn failed'), { code: `errno ${outcome.error}` });
    }),
    childProcess: attempt(() => {
      const outcome = spawnSync('/bin/true');
      if (outcome.error !== undefined) throw outcome.error;
    }),
    // A path that loads nothing: Node refuses before it looks (ERR_DLOPEN_DISABLED) or fails to find it.
    addon: attempt(() => process.dlopen({ exports: {} }, '/nonexistent/addon.node')),
    inspector: attempt(() => {
      const { Session } = process.getBuiltinModule('node:inspector');
      const session = new Session();
      session.connect();
      session.disconnect();
    }),
    wasi: attempt(() => new (process.getBuiltinModule('node:wasi').WASI)({ version: 'preview1' })),
    worker: await new Promise((resolve) => {
      try {
        const { Worker } = process.getBuiltinModule('node:worker_threads');
        const worker = new Worker('', { eval: true });
        worker.on('error', (error) => resolve(errorData(error).code));
        worker.on('exit', () => resolve('done'));
      } catch (error) {
        resolve(errorData(error).code);
      }
    }),
    readAllowed: attempt(() => readFileSync(readable)),
    readSecret: attempt(() => readFileSync(secret)),
    write: attempt(() => writeFileSync(writable, 'x')),
    net: await dial(),
  };
  harness.done(result);
}

/**
 * A worker started with `env: {}` writes a file: under a wall given in NODE_OPTIONS, Node re-reads
 * the worker's options from that env, so the worker has no wall unless something forces it in.
 */
export async function workerWithEmptyEnv(harness, { writable }) {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  // process.getBuiltinModule: the worker inherits --input-type=module, where `require` is not defined.
  const source = `const { writeFileSync } = process.getBuiltinModule('node:fs');
    const { parentPort } = process.getBuiltinModule('node:worker_threads');
    try { writeFileSync(${JSON.stringify(writable)}, 'x'); parentPort.postMessage('done'); } catch (error) { parentPort.postMessage(error.code); }`;
  const outcome = (options) => new Promise((resolve) => {
    const worker = new Worker(source, { eval: true, ...options });
    worker.on('message', resolve);
    worker.on('error', (error) => resolve(errorData(error).code));
  });
  harness.done({ sharedEnv: await outcome({}), emptyEnv: await outcome({ env: {} }) });
}
