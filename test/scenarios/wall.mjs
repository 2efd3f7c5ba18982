// Scenarios of test/wall.test.ts, run under plain Node (no audithook: the JavaScript layer is not
// there at all) with and without the flags of Node's permission model that src/policy/wall.ts
// computes: raw capabilities, each reached by the most direct route, and how each attempt ended.
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, futimesSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
    // node:ffi (Node 26): libc called from JavaScript, with no binding or event in between.
    ffi: attempt(() => {
      const ffi = process.getBuiltinModule('node:ffi');
      if (ffi === undefined) throw Object.assign(new Error('this Node has no node:ffi'), { code: 'absent' });
      if (new ffi.DynamicLibrary('libc.so.6').getFunction('getpid', { return: 'int32', arguments: [] })() !== process.pid) throw new Error('getpid lied');
    }),
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

/**
 * The synchronous starts and the look-ups, which the agent audits at their public functions inside
 * the wall (src/instrument/public-callers.ts) and at the bindings outside it: run with the harness,
 * inside and outside, the events and outcomes must be the same.
 */
export async function publicCallers(harness) {
  const { execFileSync, execSync, spawnSync } = await import('node:child_process');
  const dns = await import('node:dns');
  const outcome = (run) => {
    try {
      const value = run();
      return typeof value === 'string' ? value.trim() : String(value?.stdout ?? value).trim();
    } catch (error) {
      return error.code ?? error.message;
    }
  };
  const lookup = (...args) => new Promise((resolve) => dns.lookup(...args, (error, address) => resolve(error?.code ?? address)));
  const service = (...args) => new Promise((resolve) => dns.lookupService(...args, (error, host) => resolve(error?.code ?? typeof host)));
  const settled = (promise) => promise.then((value) => JSON.stringify(value), (error) => error.code);
  const inherited = Object.create({ INHERITED: 'from the prototype' }, { OWN: { value: 'own', enumerable: true }, HIDDEN: { value: 'not enumerable' } });
  const result = {
    walled: process.permission !== undefined,
    argv0AndEnv: outcome(() => spawnSync('/bin/echo', ['a b', 1], { argv0: 'zero', env: inherited, cwd: '/tmp', encoding: 'utf8' })),
    shell: outcome(() => spawnSync('echo', ['x'], { shell: true, env: { PATH: '/bin:/usr/bin' }, encoding: 'utf8' })),
    shellWithoutArgs: outcome(() => spawnSync('echo y', { shell: '/bin/sh', env: {}, encoding: 'utf8' })),
    execSync: outcome(() => execSync('echo z', { encoding: 'utf8', env: { NUMBER: 1, UNDEFINED: undefined } })),
    execFileSync: outcome(() => execFileSync('/bin/echo', { encoding: 'utf8', env: {} })),
    invalid: outcome(() => spawnSync(123)),
    empty: outcome(() => execSync('')),
    lookup: await lookup('localhost', { family: 'IPv4', all: false }),
    lookupNumber: await lookup('localhost', 4),
    lookupAddress: await lookup('127.0.0.1'),
    lookupBadFamily: outcome(() => dns.lookup('localhost', { family: 5 }, () => {})),
    promises: await settled(dns.promises.lookup('localhost', { family: 4 }).then(({ address }) => address)),
    service: await service('127.0.0.1', '22'),
  };
  harness.block('subprocess.Popen');
  result.refusedStart = outcome(() => execSync('true', { env: {} }));
  harness.block('socket.getaddrinfo');
  result.refusedLookup = await lookup('localhost');
  result.refusedPromise = await settled(dns.promises.lookup('localhost'));
  harness.unblock();
  harness.done(result);
}

/** A symlink, and what Node's model refuses on an open descriptor whatever the flags. */
export async function fileOperationsNodeLimits(harness, { writable, link }) {
  writeFileSync(writable, 'x');
  const fd = openSync(writable, 'r+');
  const result = {
    symlink: attempt(() => symlinkSync(writable, link)),
    futimes: attempt(() => futimesSync(fd, 1, 1)),
    fsync: attempt(() => fsyncSync(fd)),
  };
  closeSync(fd);
  harness.done(result);
}
