/**
 * The startup events, CPython's cpython.run_*: `node.run_file` (filename) for the entry script,
 * `node.run_command` (code) for -e / -p, `node.run_stdin` () for a program read from standard
 * input and `node.run_interactivehook` () when the REPL starts. Raised once, in the main thread,
 * before the first line of user code and after the preloads that add hooks, so such a hook sees it
 * and can refuse it (the program then does not run; Node reports the hook's error, exit code 1).
 *
 * The point where that holds, without the module loaders: under `-r audithook/register` the entry
 * script starts when Node calls `Module.runMain` (looked up at call time, the seam Node keeps for
 * -r preloads), after every -r preload; it is wrapped for that call. Under `--import`, Node is
 * already inside runMain when preloads load, and they load one after another: the event is raised
 * when audithook/register finishes, so hooks added by the preloads listed before it see it.
 */
import { dispatch, isAuditing } from '../kernel.js';
import { ObjectFreeze, ReflectApply, StringPrototypeSlice } from '../primordials.js';
import { copyIdentity } from './wrap.js';

let announced = false;

/** Whether `flag` is given, alone or as `flag=value`. */
function hasFlag(argv: readonly string[], flag: string): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag || StringPrototypeSlice(arg, 0, flag.length + 1) === `${flag}=`) return true;
  }
  return false;
}

function startupEvent(): [event: string, args: unknown[]] {
  // process._eval also holds a program read from stdin once it is read: the flags tell -e / -p.
  const code = (process as { _eval?: unknown })._eval;
  const argv = process.execArgv;
  if (typeof code === 'string' && (hasFlag(argv, '-e') || hasFlag(argv, '--eval') || hasFlag(argv, '-p') || hasFlag(argv, '--print'))) {
    return ['node.run_command', [code]];
  }
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '-') return ['node.run_file', [entry]];
  if (hasFlag(argv, '-i') || hasFlag(argv, '--interactive')) return ['node.run_interactivehook', []];
  // Node's own test, made only in these two modes (tty loads net).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when no script or code was given
  const { isatty } = require('node:tty') as typeof import('node:tty');
  return entry === undefined && isatty(0) ? ['node.run_interactivehook', []] : ['node.run_stdin', []];
}

function raise(event: string, args: unknown[]): void {
  if (isAuditing()) dispatch(event, ObjectFreeze(args));
}

/**
 * A worker's process.abort is Node's unavailableInWorker stub, marked `disabled`: telling threads
 * apart by it spares loading worker_threads at startup.
 */
function inWorker(): boolean {
  return (process.abort as { disabled?: unknown }).disabled === true;
}

/**
 * Called by audithook/register; `requirePreload` when it was loaded by -r. Once, in the main thread
 * only: a worker's start raised worker_threads.Worker.
 */
export function announceStartup(requirePreload: boolean, moduleClass: { runMain: (...args: unknown[]) => unknown }): void {
  if (announced || inWorker()) return;
  announced = true;
  const [event, args] = startupEvent();
  if (!requirePreload || event !== 'node.run_file') {
    raise(event, args);
    return;
  }
  const runMain = moduleClass.runMain;
  moduleClass.runMain = copyIdentity(function (this: unknown, ...runArgs: unknown[]) {
    moduleClass.runMain = runMain;
    raise(event, args);
    return ReflectApply(runMain, this, runArgs);
  }, runMain);
}
