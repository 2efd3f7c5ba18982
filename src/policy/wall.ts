/**
 * The permission wall: from a compiled policy, the flags of Node's own permission model
 * (`--permission` and `--allow-*`) that allow everything any subject of the policy (the
 * application, any package, code of unknown origin) may do, and nothing the policy denies to all of
 * them, so that Node's C++ checks stand behind the policy's JavaScript ones. Never narrower than the
 * policy where Node can say what the policy allows: a path glob Node cannot express widens to the
 * directory or prefix Node can, and every flag carries the reasons it is there (`audithook run
 * --explain-wall`). Where Node cannot allow what the policy allows at all (the wall would refuse it),
 * there is no wall, and the reason says why.
 *
 * What was checked on Node 22.23, 24.21 and 26.10 (docs/security-model.md has the rest):
 * - NODE_OPTIONS takes exactly the permission flags process.allowedNodeEnvironmentFlags lists:
 *   `--permission`, the fs, child process, worker, addon and WASI flags on 22; `--permission-audit`
 *   and `--allow-inspector` from 24 on; `--allow-net`, `--allow-ffi`, `--allow-fs-vfs` on 26.
 * - A path in `--allow-fs-read=PATH` allows PATH and everything below it; a trailing `*` allows
 *   every path that starts with the text before it; a `*` anywhere else acts as if the rest of the
 *   path were not there (`/a/* /b` is `/a/*`).
 * - Under either `--permission` or `--permission-audit`, `process.binding` always throws (and
 *   `process._linkedBinding` from 24 on); on 22 the inspector is refused with no flag to allow it;
 *   on 26 the network is refused without `--allow-net`, on 22 and 24 it is not checked.
 */
import { events as catalogue } from '../catalogue/index.js';
import { literalPrefixes } from './glob.js';
import { FD_PREFIX } from './types.js';
import type { CompiledMatch, CompiledPolicy, CompiledRule } from './types.js';

/** The Node that runs the audited processes. */
export interface NodeRuntime {
  /** `process.version`. */
  readonly version: string;
  /** `process.allowedNodeEnvironmentFlags`: the flags NODE_OPTIONS accepts on this Node. */
  readonly optionFlags: ReadonlySet<string>;
}

export interface NeededPath {
  readonly path: string;
  /** Why audithook needs it, for --explain-wall. */
  readonly why: string;
}

/**
 * What audithook itself needs in every audited process, whatever the policy says; the run decides
 * (its own files, module loading, where the agent writes its records).
 */
export interface AudithookNeeds {
  readonly read: readonly NeededPath[];
  readonly write: readonly NeededPath[];
}

export interface WallFlag {
  readonly flag: string;
  /** Why the flag is there: the rules (or `default`) that need it, and any widening. */
  readonly why: readonly string[];
}

export type PermissionWall =
  | { readonly on: true; readonly flags: readonly WallFlag[] }
  | { readonly on: false; readonly why: string };

/** Which path argument (by name) of which event needs which of Node's fs permissions. */
interface FsUse {
  readonly event: string;
  readonly arg: string;
  /** The argument's position in the event's arguments (the compiled policy names arguments by position). */
  readonly index: number;
  readonly read: boolean;
  readonly write: boolean;
  /** The argument is a template the OS completes (`tempfile.mkdtemp`'s `prefixXXXXXX`). */
  readonly template: boolean;
}

/** Resolved when this module loads, so that a catalogue change that breaks a table fails every test. */
function argumentIndex(event: string, arg: string): number {
  const index = catalogue.find((spec) => spec.name === event)?.args.findIndex((spec) => spec.name === arg) ?? -1;
  if (index === -1) throw new Error(`wall.ts: the catalogue has no ${event} with an argument ${arg}`);
  return index;
}
const fsUse = (event: string, arg: string, read: boolean, write: boolean, template = false): FsUse => ({ event, arg, index: argumentIndex(event, arg), read, write, template });
const rw = (event: string, arg: string): FsUse => fsUse(event, arg, true, true);
const reads = (event: string, arg: string): FsUse => fsUse(event, arg, true, false);
const writes = (event: string, arg: string): FsUse => fsUse(event, arg, false, true);

/**
 * The catalogue's file-system events and the permission each path argument needs in Node's model.
 * `open` does not say whether it reads or writes in a way a rule's path patterns bound, so it
 * needs both; renames, links and symlinks get both on both ends; `process.chdir` is a read in
 * Node's model (checked on 22, 24 and 26).
 */
const FS_USES: readonly FsUse[] = [
  rw('open', 'path'),
  writes('os.remove', 'path'), rw('os.rename', 'src'), rw('os.rename', 'dst'), writes('os.mkdir', 'path'), writes('os.rmdir', 'path'),
  reads('os.listdir', 'path'), reads('os.scandir', 'path'), writes('os.chmod', 'path'), writes('os.chown', 'path'),
  rw('os.link', 'src'), rw('os.link', 'dst'), rw('os.symlink', 'src'), rw('os.symlink', 'dst'), writes('os.truncate', 'fd'), writes('os.utime', 'path'),
  fsUse('tempfile.mkdtemp', 'fullpath', false, true, true),
  reads('shutil.copyfile', 'src'), writes('shutil.copyfile', 'dst'), reads('shutil.copytree', 'src'), writes('shutil.copytree', 'dst'), writes('shutil.rmtree', 'path'),
  reads('fs.watch', 'path'), reads('os.chdir', 'path'), rw('sqlite3.connect', 'database'), rw('module.enableCompileCache', 'directory'),
];

/** Events that, allowed at all, open the whole fs flags: no argument bounds their reach, or Node's model wants it all. */
const UNBOUNDED_FS: readonly { readonly event: string; readonly read: boolean; readonly write: boolean; readonly why: string }[] = [
  { event: 'glob.glob/2', read: true, write: false, why: 'whose reach no argument bounds' },
  { event: 'process.report.writeReport', read: false, write: true, why: 'whose reach no argument bounds' },
  { event: 'os.symlink', read: true, write: true, why: 'and Node refuses every symlink without full fs read and write' },
];

/**
 * Events on a descriptor that Node's model refuses whatever the flags (futimes, fchmod, fchown,
 * checked on 22, 24 and 26): a policy that may allow one on a descriptor gets no wall. The
 * model also refuses fsync and fdatasync, which raise no event (docs/security-model.md).
 */
const DESCRIPTOR_EVENTS: readonly { readonly event: string; readonly index: number }[] = ['os.utime', 'os.chmod', 'os.chown']
  .map((event) => ({ event, index: argumentIndex(event, 'path') }));

/** Whether a path check (undefined: none, any path) may let a descriptor (`fd:N`) through; over-approximated. */
function mayAllowDescriptor(check: CompiledMatch | undefined): boolean {
  if (check === undefined) return true;
  const couldStartOne = (text: string): boolean => text.startsWith(FD_PREFIX) || FD_PREFIX.startsWith(text);
  return check.exact.some((text) => text.startsWith(FD_PREFIX)) || check.prefixes.some(couldStartOne)
    || (check.pattern !== null && literalPrefixes(check.pattern).some(couldStartOne));
}

interface Capability {
  readonly flag: string;
  readonly events: readonly string[];
  /** Node 24+ prints a SecurityWarning with this code in every process that has the flag. */
  readonly warning?: string;
}

/** The all-or-nothing permissions, and the events that need them. */
const CAPABILITIES: readonly Capability[] = [
  { flag: '--allow-child-process', events: ['subprocess.Popen', 'os.exec'], warning: 'PERM0002' },
  { flag: '--allow-worker', events: ['worker_threads.Worker'], warning: 'PERM0006' },
  { flag: '--allow-addons', events: ['ctypes.dlopen', 'sqlite3.enable_load_extension', 'sqlite3.load_extension'], warning: 'PERM0001' },
  { flag: '--allow-wasi', events: ['wasi.WASI'], warning: 'PERM0005' },
  { flag: '--allow-inspector', events: ['inspector.open', 'inspector.Session.connect'], warning: 'PERM0004' },
  { flag: '--allow-ffi', events: ['ctypes.dlopen', 'ctypes.dlsym', 'ctypes.call_function', 'ctypes.cdata', 'ctypes.cdata/buffer', 'ctypes.string_at', 'ffi.write', 'ctypes.addressof'], warning: 'PERM0003' },
  {
    flag: '--allow-net',
    events: ['socket.connect', 'socket.bind', 'socket.sendto', 'socket.getaddrinfo', 'socket.getnameinfo', 'socket.gethostbyaddr', 'dns.resolve', 'urllib.Request', 'http.client.connect', 'http.client.send'],
  },
];

/**
 * Refused by Node under the permission model whatever the flags: a policy that allows them gets no
 * wall. Node 22 leaves `process._linkedBinding` alone; 24 and 26 refuse it (23, untested, is taken to).
 */
function alwaysRefused(major: number): readonly string[] {
  return major > 22 ? ['process.binding', 'process._linkedBinding'] : ['process.binding'];
}

/** Events Node's model checks with no flag to allow them on Node 22: the inspector. */
const INSPECTOR_EVENTS = ['inspector.open', 'inspector.Session.connect'];

for (const event of [...CAPABILITIES.flatMap((capability) => capability.events), ...UNBOUNDED_FS.map((fs) => fs.event), ...alwaysRefused(Infinity)]) {
  if (!catalogue.some((spec) => spec.name === event)) throw new Error(`wall.ts: the catalogue has no event ${event}`);
}

type SubjectClass = 'application' | 'unknown' | 'package';

/**
 * What the policy lets some subject do for one event: nothing, anything (`all`: the rule or
 * `default` that allows it whatever the arguments), or what the allowing rules' `match` entries say.
 */
type Reach =
  | { readonly kind: 'none' }
  | { readonly kind: 'all'; readonly why: string }
  | { readonly kind: 'some'; readonly rules: readonly CompiledRule[] };

const CLASSES_OF: Readonly<Record<CompiledRule['subjects'], readonly SubjectClass[]>> = {
  'everyone': ['application', 'unknown', 'package'],
  'application': ['application'],
  'any-package': ['unknown', 'package'],
  'packages': ['package'],
};

function appliesToEvent(rule: CompiledRule, event: string): boolean {
  return rule.match === null ? new RegExp(rule.event).test(event) : Object.hasOwn(rule.match, event);
}

/**
 * The union over subjects of what `decide` can allow for `event`, over-approximated: a rule counts
 * unless rules without `match` before it already decide every subject it is for (first fit), and
 * `default` counts unless such rules decide every kind of subject. A package that only some
 * package globs name is counted as any package (its own globs can only add rules).
 */
function reach(policy: CompiledPolicy, event: string): Reach {
  const decided = new Set<SubjectClass>();
  const decidedGlobs = new Set<string>();
  const allowing: CompiledRule[] = [];
  for (const rule of policy.rules) {
    if (!appliesToEvent(rule, event)) continue;
    const classes = CLASSES_OF[rule.subjects];
    const shadowed = rule.subjects === 'packages' && decidedGlobs.has(rule.package as string) ? true : classes.every((c) => decided.has(c));
    if (shadowed) continue;
    if (rule.action === 'allow') {
      if (rule.match === null) return { kind: 'all', why: `${rule.rule} allows ${event}` };
      allowing.push(rule);
    } else if (rule.match === null) {
      if (rule.subjects === 'packages') decidedGlobs.add(rule.package as string);
      else for (const c of classes) decided.add(c);
    }
  }
  // A package no rule fits is denied the inspector whatever `default` says (decide.ts).
  const defaulted: readonly SubjectClass[] = INSPECTOR_EVENTS.includes(event) ? ['application'] : ['application', 'unknown', 'package'];
  if (policy.default === 'allow' && defaulted.some((c) => !decided.has(c))) return { kind: 'all', why: `default allows ${event}` };
  return allowing.length === 0 ? { kind: 'none' } : { kind: 'some', rules: allowing };
}

/** `/a` grants `/a/b`: whether Node's grant `outer` covers `inner` (both as Node writes them). */
function covers(outer: string, inner: string): boolean {
  if (outer === '*') return true;
  if (outer.endsWith('*')) return inner.startsWith(outer.slice(0, -1));
  return inner === outer || inner.startsWith(`${outer}/`);
}

/** Node's grant for a path and everything below it, or for every path starting with `text`. */
function subtree(path: string): string {
  return path === '/' || path === '' ? '*' : path.replace(/\/+$/, '');
}
function startingWith(text: string): string {
  return text === '' || text === '/' ? '*' : `${text}*`;
}

class Grants {
  private readonly paths = new Map<string, string[]>();

  add(path: string, why: string): void {
    const reasons = this.paths.get(path);
    if (reasons === undefined) this.paths.set(path, [why]);
    else if (!reasons.includes(why)) reasons.push(why);
  }

  /** The grants with those that a wider one covers folded into it, in the order first added. */
  flags(flag: string): WallFlag[] {
    const kept = [...this.paths.keys()].filter((path) => ![...this.paths.keys()].some((other) => other !== path && covers(other, path)));
    return kept.map((path) => {
      const why: string[] = [];
      for (const [other, reasons] of this.paths) if (covers(path, other)) for (const r of reasons) if (!why.includes(r)) why.push(r);
      return { flag: `${flag}=${path}`, why };
    });
  }
}

/** Adds Node's grants for the paths one `match` entry lets through, widened where Node's syntax must. */
function addMatch(grants: Grants, check: CompiledMatch, rule: string, what: string, template: boolean): void {
  // `dir/**` compiles to `dir` in exact and `dir/` in prefixes: one grant, one reason.
  const directories = new Set(check.prefixes.map((prefix) => prefix.slice(0, -1)));
  for (const path of check.exact) {
    if (directories.has(path)) continue;
    if (template) grants.add(startingWith(path.replace(/X+$/, '')), `${rule} ${what} ${path} (a template the OS completes: every path starting with it)`);
    else grants.add(subtree(path), `${rule} ${what} ${path}`);
  }
  for (const prefix of check.prefixes) grants.add(subtree(prefix), `${rule} ${what} ${prefix}**`);
  if (check.pattern !== null) {
    for (const literal of literalPrefixes(check.pattern)) {
      const node = literal.endsWith('/') ? subtree(literal) : startingWith(literal);
      grants.add(node, `${rule} ${what} a glob ${node === '*' ? 'with no fixed directory (widened to every path)' : `widened to ${node}, as far as Node's paths can say`}`);
    }
  }
}

/** `v24.1.0` -> [24, 1]. */
function majorMinor(version: string): readonly [number, number] {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor];
}

/** The permission model is stable from 22.13 and 23.5 on. */
function isStable(version: string): boolean {
  const [major, minor] = majorMinor(version);
  return major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
}

/**
 * The wall for `policy` on `node`, with what audithook itself needs. Report mode uses Node's
 * audit mode (`--permission-audit`: Node refuses nothing and only reports), where Node has it.
 */
export function permissionWall(policy: CompiledPolicy, needs: AudithookNeeds, node: NodeRuntime): PermissionWall {
  if (!isStable(node.version)) return { on: false, why: `Node ${node.version} has no stable permission model (22.13 or later)` };
  const report = policy.mode === 'report';
  if (report && !node.optionFlags.has('--permission-audit')) return { on: false, why: `report mode: Node ${node.version} has no --permission-audit, and --permission would refuse what the policy only reports` };
  const [major] = majorMinor(node.version);
  for (const event of alwaysRefused(major)) {
    const allowed = reach(policy, event);
    if (allowed.kind !== 'none') return { on: false, why: `${whyAllowed(allowed, event)}, and Node refuses ${event} to every process under its permission model` };
  }
  for (const { event, index } of DESCRIPTOR_EVENTS) {
    const allowed = reach(policy, event);
    if (allowed.kind === 'none') continue;
    const onDescriptor = allowed.kind === 'all' ? allowed
      : { kind: 'some' as const, rules: allowed.rules.filter((rule) => mayAllowDescriptor(rule.match?.[event]?.find((check) => check.index === index))) };
    if (onDescriptor.kind === 'some' && onDescriptor.rules.length === 0) continue;
    return { on: false, why: `${whyAllowed(onDescriptor, event)} on a file descriptor, and Node refuses futimes, fchmod and fchown to every process under its permission model` };
  }
  if (!node.optionFlags.has('--allow-inspector')) {
    for (const event of INSPECTOR_EVENTS) {
      const allowed = reach(policy, event);
      if (allowed.kind !== 'none') return { on: false, why: `${whyAllowed(allowed, event)}, and Node ${node.version} refuses the inspector under its permission model (no --allow-inspector before Node 24)` };
    }
  }

  const flags: WallFlag[] = [{
    flag: report ? '--permission-audit' : '--permission',
    why: [report ? 'report mode: Node refuses nothing and reports what it would refuse' : 'Node refuses what no flag below allows, and fsync and fdatasync on every file descriptor'],
  }];
  const read = new Grants();
  const write = new Grants();
  for (const need of needs.read) read.add(subtree(need.path), `audithook: ${need.why}`);
  for (const need of needs.write) write.add(subtree(need.path), `audithook: ${need.why}`);
  for (const use of FS_USES) {
    const allowed = reach(policy, use.event);
    if (allowed.kind === 'none') continue;
    const targets = [use.read ? read : null, use.write ? write : null].filter((g): g is Grants => g !== null);
    if (allowed.kind === 'all') {
      for (const grants of targets) grants.add('*', `${allowed.why}, whatever its ${use.arg}`);
      continue;
    }
    for (const rule of allowed.rules) {
      const check = (rule.match?.[use.event] ?? []).find((c) => c.index === use.index);
      for (const grants of targets) {
        if (check === undefined) grants.add('*', `${rule.rule} allows ${use.event} with any ${use.arg}`);
        else addMatch(grants, check, rule.rule, `allows ${use.event} ${use.arg}`, use.template);
      }
    }
  }
  for (const use of UNBOUNDED_FS) {
    const allowed = reach(policy, use.event);
    if (allowed.kind === 'none') continue;
    const why = `${whyAllowed(allowed, use.event)}, ${use.why}`;
    if (use.read) read.add('*', why);
    if (use.write) write.add('*', why);
  }
  flags.push(...read.flags('--allow-fs-read'), ...write.flags('--allow-fs-write'));

  const warned: Capability[] = [];
  for (const capability of CAPABILITIES) {
    // Where NODE_OPTIONS takes no such flag, Node does not check the permission (the network before
    // 26, FFI before node:ffi), except the inspector on 22, which has no wall (above).
    if (!node.optionFlags.has(capability.flag)) continue;
    const why: string[] = [];
    for (const event of capability.events) {
      const allowed = reach(policy, event);
      if (allowed.kind !== 'none') why.push(whyAllowed(allowed, event));
    }
    if (why.length === 0) continue;
    flags.push({ flag: capability.flag, why });
    if (capability.warning !== undefined) warned.push(capability);
  }
  // Node 24+ names its warnings: silence exactly the ones the wall's own flags cause in every process.
  // (Node 22's have no code, and its other SecurityWarnings matter.) One flag per code: the option takes no list.
  if (major >= 24) {
    for (const capability of warned) flags.push({ flag: `--disable-warning=${capability.warning}`, why: [`Node's warning about ${capability.flag} in every process: audithook chose the flag`] });
  }
  return { on: true, flags };
}

function whyAllowed(allowed: Exclude<Reach, { kind: 'none' }>, event: string): string {
  return allowed.kind === 'all' ? allowed.why : `${allowed.rules.map((rule) => rule.rule).join(', ')} ${allowed.rules.length === 1 ? 'allows' : 'allow'} ${event}`;
}
