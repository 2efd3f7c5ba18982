/**
 * The startup events, with CPython's names (one rule set for Python and Node services):
 * `cpython.run_file` (filename) for the entry script, `cpython.run_command` (code) for -e / -p,
 * `cpython.run_stdin` () for a program read from standard input and `cpython.run_interactivehook`
 * (hook: null, Node has no hook object) when the REPL starts. Raised once, in the main thread,
 * before the first line of user code and after the preloads that add hooks, so such a hook sees it
 * and can refuse it (the program then does not run; Node reports the hook's error, exit code 1).
 *
 * The point where that holds, without the module loaders: under `-r audithook/register`, a step
 * Node takes after every -r preload, looked up at call time: `Module.runMain` for an entry script
 * (the seam Node keeps for -r preloads), `repl.start` for the REPL, the assignment of the program
 * read from stdin to `process._eval`. -e and -p run right after the preloads with no such step: raised
 * when register loads. Under `--import`, Node is already inside runMain when preloads load, and they
 * load one after another: the event is raised when audithook/register finishes, so hooks added by
 * the preloads listed before it see it.
 */
import { runCausedBy } from '../core/cause.js';
import { isAuditing } from '../core/kernel.js';
import { ObjectDefineProperty, StringPrototypeSlice, defineValue, nullPrototype } from '../core/primordials.js';
import { inWorker } from '../core/thread.js';
import { beforeCall, raise } from './wrap.js';
import type { ArgsOf } from './wrap.js';

let announced = false;
/** The cause of code given on the command line, from stdin or typed: Node's name for it. */
const EVAL_CAUSE = '[eval]';

/** Whether `flag` is given, alone or as `flag=value`. */
function hasFlag(argv: readonly string[], flag: string): boolean {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag || StringPrototypeSlice(arg, 0, flag.length + 1) === `${flag}=`) return true;
  }
  return false;
}

type StartupEventName = 'cpython.run_command' | 'cpython.run_file' | 'cpython.run_interactivehook' | 'cpython.run_stdin';

/** Which start-up event this process raises, and raising it with the program as its cause. */
interface StartupEvent {
  readonly event: StartupEventName;
  readonly raise: () => void;
}

/** Raised by Node's start-up, with no frame of the program on the stack: the program (`cause`) is its cause. */
function startup<E extends StartupEventName>(event: E, args: ArgsOf<E>, cause: string): StartupEvent {
  return { event, raise: () => {
    if (isAuditing()) runCausedBy(cause, () => raise(event, args));
  } };
}

function startupEvent(): StartupEvent {
  // process._eval also holds a program read from stdin once it is read: the flags tell -e / -p.
  const code = (process as { _eval?: unknown })._eval;
  const argv = process.execArgv;
  if (typeof code === 'string' && (hasFlag(argv, '-e') || hasFlag(argv, '--eval') || hasFlag(argv, '-p') || hasFlag(argv, '--print'))) {
    return startup('cpython.run_command', [code], EVAL_CAUSE);
  }
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '-') return startup('cpython.run_file', [entry], entry);
  if (hasFlag(argv, '-i') || hasFlag(argv, '--interactive')) return startup('cpython.run_interactivehook', [null], EVAL_CAUSE);
  // Node's own test, made only in these two modes (tty loads net).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when no script or code was given
  const { isatty } = require('node:tty') as typeof import('node:tty');
  return entry === undefined && isatty(0) ? startup('cpython.run_interactivehook', [null], EVAL_CAUSE) : startup('cpython.run_stdin', [], EVAL_CAUSE);
}

/** Raises `before()` when Node next calls `target[key]`, just before it runs; then steps aside. */
function beforeNextCall(target: Record<string, unknown>, key: string, before: () => void): void {
  const original = target[key];
  beforeCall(target, key, () => {
    target[key] = original;
    before();
  });
}

/** Node stores a program read from stdin in process._eval just before running it (absent until then). */
function beforeStdinProgram(before: () => void): void {
  ObjectDefineProperty(process, '_eval', nullPrototype({
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set(code: unknown) {
      defineValue(process, '_eval', code);
      before();
    },
  }));
}

/**
 * Called by audithook/register; `requirePreload` when it was loaded by -r. Once, in the main thread
 * only: a worker's start raised worker_threads.Worker.
 */
export function announceStartup(requirePreload: boolean, moduleClass: { runMain: (...args: unknown[]) => unknown }): void {
  if (announced || inWorker()) return;
  announced = true;
  const { event, raise: raiseEvent } = startupEvent();
  // Under -r, the program starts at a step Node takes after every -r preload; -e and -p have none.
  if (!requirePreload || event === 'cpython.run_command') {
    raiseEvent();
  } else if (event === 'cpython.run_file') {
    beforeNextCall(moduleClass, 'runMain', raiseEvent);
  } else if (event === 'cpython.run_interactivehook') {
    // The REPL starts with repl.start(), looked up at call time; the REPL loads node:repl anyway.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the REPL is about to start
    beforeNextCall(require('node:repl') as Record<string, unknown>, 'start', raiseEvent);
  } else {
    beforeStdinProgram(raiseEvent);
  }
}
