/**
 * The process object: signals, the working directory, the environment, native code, raw bindings,
 * credentials and the other calls that change what the process is or may do.
 */
import { dispatch, isAuditing } from '../core/kernel.js';
import {
  ArrayIsArray,
  ObjectFreeze,
  ProxyCtor,
  ReflectDefineProperty,
  ReflectDeleteProperty,
  ReflectSet,
  StringCtor,
} from '../core/primordials.js';
import { INVALID, frozenCopy, toMode, toPath } from './args.js';
import { toSignal } from './child_process.js';
import { instrument, operation, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';

/**
 * process._kill(pid, signal) is where process.kill sends, after validating and turning a signal
 * name into its number: wrapping it audits process.kill once and the underscored function too.
 * pid 0 and negative pids other than -1 name a process group (kill(2)).
 */
const describeKill: Describe = (args) => {
  const pid = args[0];
  const signal = args[1];
  if (typeof pid !== 'number' || typeof signal !== 'number') return undefined;
  if (pid === 0 || pid < -1) return operation('os.killpg', [-pid, signal]);
  return operation('os.kill', [pid, signal]);
};

/** process._debugProcess(pid) sends SIGUSR1, which opens the inspector of the process it names. */
const describeDebugProcess: Describe = (args) =>
  typeof args[0] === 'number' ? operation('os.kill', [args[0], toSignal('SIGUSR1')]) : undefined;

const describeChdir: Describe = (args) => {
  const path = typeof args[0] === 'string' ? toPath(args[0]) : INVALID;
  return path === INVALID ? undefined : operation('os.chdir', [path]);
};

const describeDlopen: Describe = (args) => {
  const filename = args[1];
  return typeof filename === 'string' ? operation('ctypes.dlopen', [filename]) : undefined;
};

/** An event named after the API, carrying its first `count` arguments as given. */
function describeAs(event: string, count: number): Describe {
  return (args) => {
    const eventArgs: unknown[] = [];
    for (let i = 0; i < count; i++) eventArgs[i] = args[i] ?? null;
    return operation(event, eventArgs);
  };
}

const describeBinding = (event: string): Describe => (args) =>
  typeof args[0] === 'string' ? operation(event, [args[0]]) : undefined;

const describeId = (event: string): Describe => (args) =>
  typeof args[0] === 'number' || typeof args[0] === 'string' ? operation(event, [args[0]]) : undefined;

const describeSetgroups: Describe = (args) =>
  ArrayIsArray(args[0]) ? operation('process.setgroups', [frozenCopy(args[0])]) : undefined;

/** Only a call that sets the mask changes anything; `process.umask()` reads it. */
const describeUmask: Describe = (args) => {
  if (args[0] === undefined) return undefined;
  const mask = toMode(args[0], 0);
  return mask === INVALID ? undefined : operation('process.umask', [mask]);
};

/** process.execve(file[, args[, env]]): args default to [file] and env to the current environment. */
const describeExecve: Describe = (args) => {
  const file = args[0];
  const argv = args[1];
  if (typeof file !== 'string') return undefined;
  return operation('os.exec', [file, ArrayIsArray(argv) ? frozenCopy(argv) : frozenCopy([file]), args[2] ?? null]);
};

const describeSetPriority: Describe = (args) => {
  // os.setPriority([pid, ]priority): pid defaults to 0, the calling process.
  const pid = args.length >= 2 ? args[0] : 0;
  const priority = args.length >= 2 ? args[1] : args[0];
  return typeof pid === 'number' && typeof priority === 'number' ? operation('os.setPriority', [pid, priority]) : undefined;
};


export function installProcess(os: { setPriority: unknown }): void {
  instrument(process, '_kill', describeKill, THROWS);
  instrument(process, '_debugProcess', describeDebugProcess, THROWS);
  instrument(process, 'chdir', describeChdir, THROWS);
  instrument(process, 'dlopen', describeDlopen, THROWS);
  instrument(process, 'binding', describeBinding('process.binding'), THROWS);
  instrument(process, '_linkedBinding', describeBinding('process._linkedBinding'), THROWS);
  for (const name of ['setuid', 'setgid', 'seteuid', 'setegid'] as const) instrument(process, name, describeId(`process.${name}`), THROWS);
  instrument(process, 'setgroups', describeSetgroups, THROWS);
  instrument(process, 'initgroups', describeAs('process.initgroups', 2), THROWS);
  instrument(process, 'umask', describeUmask, THROWS);
  instrument(process, 'setUncaughtExceptionCaptureCallback', describeAs('process.setUncaughtExceptionCaptureCallback', 1), THROWS);
  instrument(process, 'execve', describeExecve, THROWS);
  instrument(process.report, 'writeReport', describeAs('process.report.writeReport', 1), THROWS);
  instrument(os, 'setPriority', describeSetPriority, THROWS);
}

/**
 * process.env becomes a Proxy whose writes raise os.putenv and deletions os.unsetenv; reads have no
 * trap and go straight to Node's environment object. The value is converted to a string once, and
 * that string is what is audited and stored.
 *
 * Even a trap-less Proxy slows every read, so this happens when the first hook is added, not at
 * install: without hooks, process.env stays Node's own object and costs nothing.
 */
export function auditEnvironment(): void {
  const env = process.env;
  const proxy = new ProxyCtor(env, {
    set(target, key, value) {
      if (typeof key !== 'string' || !isAuditing()) return ReflectSet(target, key, value);
      const text = StringCtor(value);
      dispatch('os.putenv', ObjectFreeze([key, text]));
      return ReflectSet(target, key, text);
    },
    defineProperty(target, key, descriptor) {
      if (typeof key !== 'string' || !isAuditing() || !('value' in descriptor)) return ReflectDefineProperty(target, key, descriptor);
      const text = StringCtor(descriptor.value);
      dispatch('os.putenv', ObjectFreeze([key, text]));
      return ReflectDefineProperty(target, key, { ...descriptor, value: text });
    },
    deleteProperty(target, key) {
      if (typeof key === 'string' && isAuditing()) dispatch('os.unsetenv', ObjectFreeze([key]));
      return ReflectDeleteProperty(target, key);
    },
  });
  process.env = proxy;
}
