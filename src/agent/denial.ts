/**
 * The error a denied operation fails with in enforce mode: `code` ERR_ACCESS_DENIED (the code of
 * Node's own permission model), with the `event`, the `package` denied (null: the application,
 * "(unknown)": code of unknown origin), the `resource` the operation reached (the path, address,
 * URL or command as the policy matched it; null when the event names none or there is no policy),
 * the `rule` and the `policy` file (null when audithook's own guard of its record denied it, with
 * no policy), and a message that names them all:
 *   audithook: open /home/me/.npmrc denied for package "evil" by rules[1] of policy.json
 * Its stack starts at the program's frame that asked for the operation: audithook's own frames
 * (the hook, the kernel, the instrumentation's wrappers) are left out, wherever they are.
 *
 * The properties are defined, not assigned, so a setter on Object.prototype cannot drop them;
 * the stack is written with the program's own formatter (as Node's would be), and left as V8 made
 * it when that formatter throws or returns no text.
 */
import { stackLinesAbove, stackTraceLimit } from '../core/callsites.js';
import { accessDenied } from '../core/errors.js';
import { ObjectHasOwn, StringPrototypeIncludes, StringPrototypeIndexOf, StringPrototypeSlice, defineValue } from '../core/primordials.js';
import type { Attribution } from '../contract/record.js';
import { argumentText } from '../policy/decide.js';
import { UNKNOWN_SUBJECT } from '../policy/types.js';
import type { CompiledPolicy, CompiledResource, Verdict } from '../policy/types.js';

/** Longer resources (a compiled source, a huge argv) are cut, in the message and the property alike. */
const MAX_RESOURCE = 256;
/** Frames read beyond the program's limit, for audithook's own, which are then left out. */
const OWN_FRAMES_SLACK = 64;
const FRAME = '\n    at ';

/** The resource as the policy matched it: a resolved path, `host:port`, a URL, a command line. */
function resourceText(policy: CompiledPolicy | null, event: string, args: readonly unknown[]): string | null {
  if (policy === null || !ObjectHasOwn(policy.resources, event)) return null;
  const resource = policy.resources[event] as CompiledResource;
  let text = argumentText(args[resource.index], resource.kind);
  if (text === null) return null;
  if (resource.port !== undefined) {
    const port = args[resource.port];
    if (typeof port === 'number' || typeof port === 'string') text = StringPrototypeIncludes(text, ':') ? `[${text}]:${port}` : `${text}:${port}`;
  }
  return text.length <= MAX_RESOURCE ? text : `${StringPrototypeSlice(text, 0, MAX_RESOURCE - 1)}…`;
}

/** `header` and the frames above `below` that are not audithook's, at most the program's limit; undefined when they are not text. */
function programStack(header: string, below: (...args: never[]) => unknown, isOwnFrame: (line: string) => boolean): string | undefined {
  const limit = stackTraceLimit();
  let lines: string | undefined;
  try {
    lines = stackLinesAbove(below, limit + OWN_FRAMES_SLACK);
  } catch {
    // The program's Error.prepareStackTrace threw: the error keeps V8's stack.
    return undefined;
  }
  if (lines === undefined) return undefined;
  let stack = header;
  let kept = 0;
  for (let at = StringPrototypeIndexOf(lines, FRAME); at !== -1 && kept < limit;) {
    const next = StringPrototypeIndexOf(lines, FRAME, at + 1);
    const line = StringPrototypeSlice(lines, at, next === -1 ? lines.length : next);
    if (!isOwnFrame(line)) {
      stack += line;
      kept++;
    }
    at = next;
  }
  return stack;
}

/**
 * The ERR_ACCESS_DENIED error for `event` (with `args`) that `verdict` denied; `source` says by
 * what (`rules[1] of policy.json`). `below`: the hook, whose callers are the stack; `isOwnFrame`:
 * whether a stack line is one of audithook's files.
 */
export function denialError(
  event: string, args: readonly unknown[], verdict: Verdict, attribution: Attribution, policy: CompiledPolicy | null, source: string,
  below: (...args: never[]) => unknown, isOwnFrame: (line: string) => boolean,
): Error {
  const who = verdict.package === null ? 'the application'
    : verdict.package === UNKNOWN_SUBJECT ? `code of unknown origin (attribution: ${attribution})` : `package "${verdict.package}"`;
  const resource = resourceText(policy, event, args);
  const message = `audithook: ${event}${resource === null ? '' : ` ${resource}`} denied for ${who} by ${source}`;
  const error = accessDenied(message);
  const stack = programStack(`Error: ${message}`, below, isOwnFrame);
  if (stack !== undefined) defineValue(error, 'stack', stack, false);
  defineValue(error, 'event', event);
  defineValue(error, 'package', verdict.package);
  defineValue(error, 'resource', resource);
  defineValue(error, 'rule', verdict.rule);
  defineValue(error, 'policy', policy === null ? null : policy.file);
  return error;
}
