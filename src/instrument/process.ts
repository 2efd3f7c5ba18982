/**
 * The process object: signals, the working directory, the environment, native code, raw bindings,
 * credentials and the other calls that change what the process is or may do.
 */
// The module object itself, whose setPriority every caller reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- TypeScript's form for that in CommonJS output
import os = require('node:os');
import { constants, readFileSync } from 'node:fs';
import { parseEnv as nodeParseEnv } from 'node:util';
import { isAuditing } from '../core/kernel.js';
import {
  ArrayIsArray, ObjectDefineProperty, ObjectGetOwnPropertyDescriptor, ReflectApply, ObjectFreeze, ObjectHasOwn, ObjectKeys, ProcessEnvironment, ProxyCtor, ReflectDefineProperty, ReflectDeleteProperty, ReflectSet, ReflectSetPrototypeOf, StringCtor, StringPrototypeIncludes, nullPrototype,
} from '../core/primordials.js';
import { INVALID, absolutePath, frozenCopy, isStringArray, systemOpenFlags, toInt32, toMode, toPath, toSignal, toStringValue } from './args.js';
import { ANY, andThen, instrument, operation, raise, replaceFunction, THROWS } from './wrap.js';
import type { Describe } from './wrap.js';
import type { Domain } from './domain.js';
import { SIGUSR1, opensInspector, withSignalInspector } from './inspector.js';
import { propagating, withPreloadEnvironment } from './propagation.js';
import { cloneableEnvironment, installCloneableEnvironment } from './cloneable.js';

/**
 * process._kill(pid, signal) is where process.kill sends, after validating and turning a signal
 * name into its number: wrapping it audits process.kill once and the underscored function too.
 * The native function converts both with ToInt32 (a pid object's valueOf runs there a third time):
 * they are converted here once, and Node gets the numbers audited.
 * pid 0 and negative pids other than -1 name a process group (kill(2)).
 */
const describeKill: Describe = (args) => {
  if (args.length < 2) return undefined;
  const pid = toInt32(args[0]);
  const signal = toInt32(args[1]);
  args[0] = pid;
  args[1] = signal;
  // kill(0, sig) signals the caller's own group: pgid 0, never -0.
  if (pid === 0 || pid < -1) return withSignalInspector(operation('os.killpg', [pid === 0 ? 0 : -pid, signal]), signal);
  return withSignalInspector(operation('os.kill', [pid, signal]), signal);
};

/** process._debugProcess(pid) sends SIGUSR1, which opens the inspector of the process it names. */
const describeDebugProcess: Describe = (args) =>
  typeof args[0] === 'number' ? opensInspector(operation('os.kill', [args[0], SIGUSR1])) : undefined;

const describeChdir: Describe = (args) => {
  const path = typeof args[0] === 'string' ? toPath(args[0]) : INVALID;
  return path === INVALID ? undefined : operation('os.chdir', [path]);
};

/** process.dlopen(module, filename[, flags]): the native function converts the filename with ToString; here, once. */
const describeDlopen: Describe = (args) => {
  if (args.length < 2) return undefined;
  const filename = toStringValue(args[1]);
  args[1] = filename;
  return operation('ctypes.dlopen', [filename]);
};

/** Node 26 implements it (and add...) by setting process.report.reportOnUncaughtException: that is this operation. */
const describeCaptureCallback: Describe = (args) =>
  operation('process.setUncaughtExceptionCaptureCallback', [args[0] ?? null], [['process.report', 'reportOnUncaughtException', ANY]]);

/** process.binding(name) and _linkedBinding(name) begin with `name = String(name)`: done here, once. */
const describeBinding = (event: 'process.binding' | 'process._linkedBinding'): Describe => (args) => {
  const name = StringCtor(args[0]);
  args[0] = name;
  return operation(event, [name]);
};

type IdEvent = 'process.setuid' | 'process.setgid' | 'process.seteuid' | 'process.setegid';
const isId = (value: unknown): value is number | string => typeof value === 'number' || typeof value === 'string';
const describeId = (event: IdEvent): Describe => (args) => (isId(args[0]) ? operation(event, [args[0]]) : undefined);

/** Node checks both are ids (a number or a name) before it sets anything. */
const describeInitgroups: Describe = (args) =>
  isId(args[0]) && isId(args[1]) ? operation('process.initgroups', [args[0], args[1]]) : undefined;

/** The groups are read once; Node validates, looks up and reports from that copy (it reads each element three times). */
const describeSetgroups: Describe = (args) => {
  if (!ArrayIsArray(args[0])) return undefined;
  const groups = frozenCopy(args[0]);
  args[0] = groups;
  return operation('process.setgroups', [groups]);
};

/** Only a call that sets the mask changes anything; `process.umask()` reads it. */
const describeUmask: Describe = (args) => {
  if (args[0] === undefined) return undefined;
  const mask = toMode(args[0], 0);
  return mask === INVALID ? undefined : operation('process.umask', [mask]);
};

/**
 * process.execve(file[, args[, env]]), checked as Node checks them: args default to [] (the program
 * gets an empty argv) and env to the current environment (null in the event). A given env is read
 * once into a plain copy, which Node then receives: the audited environment is the one exec'd.
 */
const describeExecve: Describe = (args) => {
  const file = args[0];
  const argv = args[1] ?? [];
  if (typeof file !== 'string' || !isStringArray(argv) || hasNul(argv)) return undefined;
  const given = args[2];
  let env: Readonly<Record<string, string>> | null = null;
  if (given !== undefined) {
    const copy = environmentCopy(given);
    if (copy === undefined) return undefined;
    env = copy;
    args[2] = copy;
  }
  const argvCopy = frozenCopy(argv);
  args[1] = argvCopy;
  return operation('os.exec', [file, argvCopy, env]);
};

/**
 * The image process.execve puts in place of this process is a new process: it gets the preloads
 * first in NODE_OPTIONS and the agent's configuration, in the environment it is given or, without
 * one, in a copy of process.env (Node's default), hooks or not, before the call is described.
 */
function keepExecAudited(args: unknown[]): void {
  const env = environmentCopy(args[2] === undefined ? process.env : args[2]);
  // An env Node rejects stays the caller's: Node throws its own error.
  if (env !== undefined) args[2] = withPreloadEnvironment(env);
}

function hasNul(values: readonly string[]): boolean {
  for (let i = 0; i < values.length; i++) if (StringPrototypeIncludes(values[i], '\u0000')) return true;
  return false;
}

/** An env object as Node's execve reads it (own enumerable string keys, string values without NUL); undefined when Node rejects it. */
function environmentCopy(env: unknown): Readonly<Record<string, string>> | undefined {
  if (env === null || typeof env !== 'object' || ArrayIsArray(env)) return undefined;
  const copy: Record<string, string> = {};
  const keys = ObjectKeys(env);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = (env as Record<string, unknown>)[key];
    if (typeof value !== 'string' || StringPrototypeIncludes(key, '\u0000') || StringPrototypeIncludes(value, '\u0000')) return undefined;
    copy[key] = value;
  }
  return ObjectFreeze(copy);
}

const describeSetPriority: Describe = (args) => {
  // os.setPriority([pid, ]priority): pid defaults to 0, the calling process.
  const pid = args.length >= 2 ? args[0] : 0;
  const priority = args.length >= 2 ? args[1] : args[0];
  return typeof pid === 'number' && typeof priority === 'number' ? operation('os.setPriority', [pid, priority]) : undefined;
};


/** Read before fs is instrumented: process.loadEnvFile's own read is its `open` event, raised once. */
const readFile = readFileSync;
const parseEnv = nodeParseEnv as ((content: string) => Record<string, string>) | undefined;
/** Node's own environment object, which process.loadEnvFile writes whatever process.env now is. */
const nodeEnvironment = ProcessEnvironment as Record<string, string>;

/**
 * process.loadEnvFile(path = '.env'): `open` for the file, then `os.putenv` for each variable it
 * sets (Node sets only those not yet in its environment). The wrapper reads and parses the file once,
 * with Node's parser (util.parseEnv), audits that, and sets exactly what it audited: a file rewritten
 * meanwhile cannot set what was not. A file that cannot be read goes to Node, whose error is its own.
 */
function auditedLoadEnvFile(original: (this: unknown, ...args: unknown[]) => unknown) {
  return function loadEnvFile(this: unknown, ...args: unknown[]): unknown {
    const given = args[0];
    const path = given === undefined || given === null ? '.env' : toPath(given);
    if (!isAuditing() || path === INVALID || parseEnv === undefined) return ReflectApply(original, this, args);
    raise('open', [path, 'r', systemOpenFlags(constants.O_RDONLY)]);
    let variables: Record<string, string>;
    try {
      variables = parseEnv(readFile(path, 'utf8'));
    } catch {
      return ReflectApply(original, this, args);
    }
    const keys = ObjectKeys(variables);
    const set: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (ObjectHasOwn(nodeEnvironment, key)) continue;
      raise('os.putenv', [key, variables[key] as string]);
      set[set.length] = key;
    }
    for (let i = 0; i < set.length; i++) nodeEnvironment[set[i] as string] = variables[set[i] as string] as string;
    return undefined;
  };
}

/** Node's name for a report written without one (the date, time, pid, thread and a count are filled in as it writes). */
const DEFAULT_REPORT_NAME = 'report.YYYYMMDD.HHMMSS.PID.TID.SEQ.json';
/** Node writes a report through a C++ ofstream (fopen "w"), not libuv: no O_CLOEXEC. */
const REPORT_FLAGS = constants.O_TRUNC | constants.O_CREAT | constants.O_WRONLY;

/**
 * process.report.writeReport([filename][, err]): `process.report.writeReport` (filename), then
 * `open` for the file, as Node names it: the filename given, else process.report.filename, else
 * Node's own name (DEFAULT_REPORT_NAME, its fields filled in only as Node writes), in
 * process.report.directory when set (Node joins them as given), else in the working directory.
 * 'stdout' and 'stderr' write to those streams and open nothing. The settings are read through
 * the getters as Node's report object had them at load.
 */
function describeWriteReport(report: object): Describe {
  const directoryGetter = ObjectGetOwnPropertyDescriptor(report, 'directory')?.get;
  const filenameGetter = ObjectGetOwnPropertyDescriptor(report, 'filename')?.get;
  const setting = (getter: (() => unknown) | undefined): string => {
    const value = getter === undefined ? '' : ReflectApply(getter, report, []);
    return typeof value === 'string' ? value : '';
  };
  return (args) => {
    const given = typeof args[0] === 'object' && args[0] !== null ? undefined : args[0];
    if (given !== undefined && typeof given !== 'string') return undefined;
    const write = operation('process.report.writeReport', [given ?? null]);
    const name = given || setting(filenameGetter) || DEFAULT_REPORT_NAME;
    if (name === 'stdout' || name === 'stderr') return write;
    const directory = setting(directoryGetter);
    return andThen(write, operation('open', [absolutePath(directory === '' ? name : `${directory}/${name}`), 'w', REPORT_FLAGS]));
  };
}

/** The settings of process.report that decide where, and on what, Node writes reports later (the catalogue's raisedBy names each: test/catalogue.test.ts). */
export const REPORT_SETTINGS = ['directory', 'filename', 'signal', 'reportOnFatalError', 'reportOnSignal', 'reportOnUncaughtException'] as const;

/**
 * Setting one raises `process.report` (setting, value) once the value is valid for it (a string
 * for directory and filename, a signal name for signal, a boolean for the others), before it changes:
 * the files are written by native code at a time Node chooses, under a name it makes then.
 */
const describeReportSetting = (setting: (typeof REPORT_SETTINGS)[number]): Describe => (args) => {
  const value = args[0];
  if (setting === 'directory' || setting === 'filename') return typeof value === 'string' ? operation('process.report', [setting, value]) : undefined;
  if (setting === 'signal') return typeof value === 'string' && value !== '' && toSignal(value) !== undefined ? operation('process.report', [setting, value]) : undefined;
  return typeof value === 'boolean' ? operation('process.report', [setting, value]) : undefined;
};

/** Audits the setter of each report setting, where the accessor is (on process.report itself). */
function instrumentReportSettings(report: object): void {
  for (let i = 0; i < REPORT_SETTINGS.length; i++) {
    const setting = REPORT_SETTINGS[i] as (typeof REPORT_SETTINGS)[number];
    const descriptor = ObjectGetOwnPropertyDescriptor(report, setting);
    if (descriptor?.set === undefined) continue;
    const own = nullPrototype(descriptor);
    instrument(own, 'set', describeReportSetting(setting), THROWS);
    ObjectDefineProperty(report, setting, own);
  }
}

export const processDomain: Domain = { atLoad: installProcess, withFirstHook: auditEnvironment };

function installProcess(): void {
  instrument(process, '_kill', describeKill, THROWS);
  instrument(process, '_debugProcess', describeDebugProcess, THROWS);
  instrument(process, 'chdir', describeChdir, THROWS);
  instrument(process, 'dlopen', describeDlopen, THROWS);
  instrument(process, 'binding', describeBinding('process.binding'), THROWS);
  instrument(process, '_linkedBinding', describeBinding('process._linkedBinding'), THROWS);
  const ids = ['setuid', 'setgid', 'seteuid', 'setegid'] as const;
  for (let i = 0; i < ids.length; i++) instrument(process, ids[i] as string, describeId(`process.${ids[i] as (typeof ids)[number]}`), THROWS);
  instrument(process, 'setgroups', describeSetgroups, THROWS);
  instrument(process, 'initgroups', describeInitgroups, THROWS);
  instrument(process, 'umask', describeUmask, THROWS);
  instrument(process, 'setUncaughtExceptionCaptureCallback', describeCaptureCallback, { delivery: 'throw', nests: true });
  // Node 26: one more capture callback, the same capability; Node checks it is a function.
  instrument(process, 'addUncaughtExceptionCaptureCallback', (args) => (typeof args[0] === 'function' ? describeCaptureCallback(args, undefined) : undefined), { delivery: 'throw', nests: true });
  instrument(process, 'execve', describeExecve, propagating() ? { delivery: 'throw', prepare: keepExecAudited } : THROWS);
  replaceFunction(process, 'loadEnvFile', auditedLoadEnvFile);
  instrument(process.report, 'writeReport', describeWriteReport(process.report), THROWS);
  instrumentReportSettings(process.report);
  instrument(os, 'setPriority', describeSetPriority, THROWS);
}

/**
 * process.env becomes a Proxy whose writes raise os.putenv and deletions os.unsetenv; reads have no
 * trap and go straight to the environment object. The value is converted once (Node's own object:
 * with ToString, as its setter does, a Symbol throws), and that is what is audited and stored.
 *
 * Replacing the whole object (`process.env = { ...process.env, LD_PRELOAD }`, which children then
 * inherit) is an assignment to an accessor: it raises os.putenv for each key whose value changes
 * and os.unsetenv for each key that goes, all before anything changes, and stores a copy (see
 * replacement), so the caller keeps no reference through which to change it unaudited. The
 * accessor is not configurable: redefining or deleting process.env fails.
 *
 * Even a trap-less Proxy slows every read, so this happens when the first hook is added, not at
 * install: without hooks, process.env stays Node's own object and costs nothing. A Proxy cannot be
 * structured-cloned: the serializers get the object behind it (cloneable.ts).
 */
function auditEnvironment(): void {
  installCloneableEnvironment();
  let current: unknown = auditedEnvironment(process.env, toStringValue);
  ObjectDefineProperty(process, 'env', nullPrototype({
    configurable: false,
    enumerable: true,
    get: function env(): unknown {
      return current;
    },
    set: function env(value: unknown): void {
      if (!isAuditing()) {
        current = typeof value === 'object' && value !== null ? auditedEnvironment(value, stableValue) : value;
        return;
      }
      current = replacement(current, value);
    },
  }));
}

/**
 * What a replacing assignment stores, after raising its events: for an object, a copy of every key
 * a child process reads (child_process walks the object with for..in, prototype keys included),
 * through the same Proxy; any other value as given (null and undefined leave children no variables).
 */
function replacement(current: unknown, value: unknown): unknown {
  const copy: Record<string, unknown> = {};
  // Inherited keys included: child_process reads them too.
  for (const key in value as object) {
    const given = (value as Record<string, unknown>)[key];
    copy[key] = stableValue(given);
  }
  const keys = ObjectKeys(copy);
  const before = typeof current === 'object' && current !== null ? current as Record<string, unknown> : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const given = copy[key];
    // child_process skips undefined values.
    if (given === undefined) continue;
    const text = StringCtor(given);
    if (!ObjectHasOwn(before, key) || before[key] === undefined || StringCtor(before[key]) !== text) raise('os.putenv', [key, text]);
  }
  const previous = ObjectKeys(before);
  for (let i = 0; i < previous.length; i++) {
    const key = previous[i] as string;
    if (before[key] !== undefined && (!ObjectHasOwn(copy, key) || copy[key] === undefined)) raise('os.unsetenv', [key]);
  }
  return typeof value === 'object' && value !== null ? auditedEnvironment(copy, stableValue) : value;
}

/** A value of a replaced environment: primitives as given (a plain object keeps them), objects as the string they convert to now. */
function stableValue(value: unknown): unknown {
  return (typeof value === 'object' && value !== null) || typeof value === 'function' ? StringCtor(value) : value;
}

/** The Proxy of an environment object; `store` is what a write keeps (Node's own environment keeps strings). */
function auditedEnvironment(env: object, store: (value: unknown) => unknown): object {
  const audited = new ProxyCtor(env, nullPrototype({
    set(target, key, value) {
      if (typeof key !== 'string' || !isAuditing()) return ReflectSet(target, key, value);
      const stored = store(value);
      raise('os.putenv', [key, StringCtor(stored)]);
      return ReflectSet(target, key, stored);
    },
    defineProperty(target, key, descriptor) {
      const own = nullPrototype(descriptor);
      if (typeof key !== 'string' || !isAuditing() || !ObjectHasOwn(own, 'value')) return ReflectDefineProperty(target, key, own);
      const stored = store(own.value);
      raise('os.putenv', [key, StringCtor(stored)]);
      own.value = stored;
      return ReflectDefineProperty(target, key, own);
    },
    deleteProperty(target, key) {
      if (typeof key === 'string' && isAuditing()) raise('os.unsetenv', [key]);
      return ReflectDeleteProperty(target, key);
    },
    // A prototype's keys are variables too: process.env reads them, and child_process, which walks
    // the environment with for..in, gives them to children (Node 20). Each key it brings that the
    // environment does not have raises os.putenv with its value, converted once, as now.
    setPrototypeOf(target, prototype) {
      if (isAuditing() && prototype !== null) {
        for (const key in prototype) {
          if (!ObjectHasOwn(target, key)) raise('os.putenv', [key, StringCtor((prototype as Record<string, unknown>)[key])]);
        }
      }
      return ReflectSetPrototypeOf(target, prototype);
    },
  }));
  cloneableEnvironment(audited, env);
  return audited;
}
