/**
 * What each package did, summarised from log records: the data behind `audithook report`'s text
 * and its HTML page. Deterministic: every list is sorted, so the same log gives the same report.
 *
 * Paths, hosts and commands are found by the kinds the catalogue states for each argument (the
 * kinds policy rules match them as), so an event added to the catalogue is summarised without a
 * change here.
 */
import { constants } from 'node:fs';
import { argKind, events as catalogue } from '../catalogue/index.js';
import type { ArgSpec, Capability } from '../catalogue/index.js';
import type { StreamRecord } from '../contract/channel.js';
import { asSpawner } from '../contract/launch.js';
import type { LogRecord } from '../contract/record.js';

const argsByEvent = new Map<string, readonly ArgSpec[]>(catalogue.map((spec) => [spec.name, spec.args]));
const capabilityByEvent = new Map<string, Capability>(catalogue.map((spec) => [spec.name, spec.capability]));

/** Riskiest first: the order of a report's packages and event kinds (denials come before all of them). */
const RISK: readonly Capability[] = ['process', 'native', 'network', 'write', 'read', 'code', 'runtime'];
const OPEN_WRITES = constants.O_WRONLY | constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

/** What a record did: its event's capability, and for `open`, whether its flags write. */
function capabilityOf(record: LogRecord): Capability {
  if (record.event === 'open') return typeof record.args[2] === 'number' && (record.args[2] & OPEN_WRITES) !== 0 ? 'write' : 'read';
  // An event the catalogue does not know (a program's own audit()) is ranked last.
  return capabilityByEvent.get(record.event) ?? 'runtime';
}

const riskOf = (capability: Capability): number => RISK.indexOf(capability);
const eventRisk = (event: string): number => riskOf(capabilityByEvent.get(event) ?? 'runtime');

/** A denied operation, with how often the same denial was logged. */
export interface Denial {
  readonly package: string | null;
  readonly event: string;
  /** The path, host or command it was about, else the arguments as JSON. */
  readonly subject: string;
  readonly rule: string | null;
  /** Stopped (enforce mode), or only reported (report mode). */
  readonly blocked: boolean;
  readonly count: number;
  readonly firstTime: string;
  /** Where the responsible code was the first time (the record's `frame`), or null when the log does not say. */
  readonly frame: string | null;
}

export interface EventCount {
  readonly event: string;
  readonly count: number;
  readonly denied: number;
}

export interface PackageSummary {
  /** The npm package's name; null for the application's own code. */
  readonly name: string | null;
  /** The versions seen for it, from the nearest package.json (several when it is installed twice). */
  readonly versions: string[];
  readonly total: number;
  readonly denied: number;
  /** Riskiest first, as the report's event kinds. */
  readonly events: EventCount[];
  /** Paths it changed (a write capability, `open` with writing flags). */
  readonly writes: string[];
  /** Paths it read (files, directories). */
  readonly reads: string[];
  /** Paths of code it loaded or ran: modules, native libraries, programs. */
  readonly loads: string[];
  readonly hosts: string[];
  readonly commands: string[];
  readonly denials: Denial[];
  /** The riskiest capability among its events (0 is `process`, RISK's order). */
  readonly risk: number;
}

export interface Report {
  /** The log file, as given. */
  readonly source: string;
  /** Lines of the log that were not records. */
  readonly skipped: number;
  readonly total: number;
  readonly denied: number;
  readonly blocked: number;
  readonly processes: number;
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  /** Every event kind seen, riskiest first (RISK), then by name: the columns of the HTML matrix. */
  readonly eventKinds: string[];
  /** Riskiest first: those with denials, then by their riskiest capability; the application before packages of the same risk, then by name. */
  readonly packages: PackageSummary[];
  /** Streams that were not intact (channel.ts), in the log's order. */
  readonly streams: StreamRecord[];
  /** Every process that said where it came from, parents before their children: a process tree. */
  readonly processTree: ProcessNode[];
}

export interface ProcessNode {
  readonly pid: number;
  readonly ppid: number | null;
  /** How many of its ancestors are in the tree. */
  readonly depth: number;
  readonly command: string;
  /** Whose call started it (`evil > left-pad`, outermost first; `the application`; UNKNOWN_LABEL), or null when its agent did not say (COMMAND). */
  readonly spawnedBy: string | null;
  /** Its events, and how many were denied. */
  readonly events: number;
  readonly denied: number;
}

/**
 * Whether a stream record tells of something lost or forged. An exit, an exec, and a worker
 * thread stopped without its 'exit' (terminate(), its process ending) are how streams end.
 */
export function isStreamProblem(record: StreamRecord): boolean {
  switch (record.stream) {
    case 'run':
    case 'start':
    case 'exit':
    case 'exec':
      return false;
    case 'cut':
      return record.thread === 0;
    default:
      return true;
  }
}

/**
 * Who started a process, as its start record says: its packages outermost first, `the application`
 * for its own code, UNKNOWN_LABEL when the chain was not known; null when the record does not say.
 * A log is untrusted input: anything but a Spawner is not one.
 */
export function spawnerLabel(spawnedBy: unknown): string | null {
  if (spawnedBy === undefined) return null;
  const spawner = asSpawner(spawnedBy);
  if (spawner === undefined || spawner.attribution !== 'complete') return UNKNOWN_LABEL;
  return spawner.packages.length === 0 ? 'the application' : spawner.packages.map((ref) => ref.name).reverse().join(' > ');
}

/** A log is untrusted input: a status this version does not know is shown as its JSON. */
const printableStatus = (status: unknown): string => JSON.stringify(status);

/** One line for what `audithook run` said of a stream: whose, and what happened to it. */
export function streamText(record: StreamRecord): string {
  const who = record.pid === null ? 'a writer that never said who it is'
    : `process ${record.pid}${record.thread === 0 || record.thread === null ? '' : ` thread ${record.thread}`}`;
  const after = `after ${record.records} record${record.records === 1 ? '' : 's'}`;
  switch (record.stream) {
    case 'run':
      return `audithook run${Array.isArray(record.argv) ? `: ${formatArgv(record.argv)}` : ''}${typeof record.cwd === 'string' ? ` in ${record.cwd}` : ''}`;
    case 'start':
      return `${who}: started by process ${record.ppid ?? '?'}${record.spawnedBy === undefined ? '' : ` (${spawnerLabel(record.spawnedBy)})`}`
        + `${Array.isArray(record.argv) ? `: ${formatArgv(record.argv)}` : ''}`;
    case 'exit':
      return `${who}: exited with code ${record.code ?? '?'} ${after}, none missing`;
    case 'exec':
      return `${who}: replaced its image (exec) ${after}`;
    case 'cut': {
      const how = typeof record.signal === 'string' ? `killed by ${record.signal}`
        : typeof record.code === 'number' ? `exit code ${record.code} without its 'exit' event` : 'killed, aborted or process.reallyExit';
      return `${who}: stream cut ${after} (${how}); what it sent is logged`;
    }
    case 'gap':
      return `${who}: ${record.missing ?? '?'} records missing ${after}`;
    case 'malformed':
      return `${who}: ${record.missing ?? '?'} lines that were not its records, dropped`;
    case 'forged':
      return `${who}: forged stream (${record.detail ?? 'the kernel contradicts its claim'}); ${record.records} records not logged`;
    case 'open':
      return `${who}: still running when the run ended, ${after}; later records are lost`;
    default:
      return `${who}: ${printableStatus(record.stream)} ${after}`;
  }
}

/** The label of the application's own code, which no npm package name can be (npm names are URL-safe). */
export const APP_LABEL = '<app>';

/** The label of events whose package chain is not known (the log's `attribution`); no npm name has angle brackets. */
export const UNKNOWN_LABEL = '<unknown>';

export function packageLabel(name: string | null): string {
  return name ?? APP_LABEL;
}

/** Code-unit order: the same in every locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort(byText);
}

/** Event names, riskiest first, then by name. */
function byRisk(events: Iterable<string>): string[] {
  return [...events].sort((a, b) => eventRisk(a) - eventRisk(b) || byText(a, b));
}

/** `host:port`, `[v6]:port`, or the IPC path; null when the value is not an address. */
function formatAddress(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || typeof value[0] !== 'string') return null;
  const [host, port] = value as [string, unknown];
  if (typeof port !== 'number' && typeof port !== 'string') return host;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** argv as a shell would show it: words with spaces or quotes are quoted. */
function formatArgv(argv: readonly unknown[]): string {
  return argv.map((word) => {
    // A log is untrusted input: a word that is not a string is shown as its JSON.
    const text = typeof word === 'string' ? word : JSON.stringify(word);
    return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
  }).join(' ');
}

interface Subjects {
  readonly paths: string[];
  readonly hosts: string[];
  readonly commands: string[];
}

/** What the resource of each of Node's permissions is (node.permission names it as text). */
const PERMISSION_RESOURCES: Readonly<Record<string, keyof Subjects>> = {
  FileSystemRead: 'paths', FileSystemWrite: 'paths', ChildProcess: 'commands', Net: 'hosts',
};

function subjectsOf(record: LogRecord): Subjects {
  const subjects: Subjects = { paths: [], hosts: [], commands: [] };
  if (record.event === 'node.permission') {
    const [permission, resource] = record.args;
    const list = typeof permission === 'string' && Object.hasOwn(PERMISSION_RESOURCES, permission) ? PERMISSION_RESOURCES[permission] : undefined;
    if (list !== undefined && typeof resource === 'string') subjects[list].push(resource);
    return subjects;
  }
  const specs = argsByEvent.get(record.event);
  if (specs === undefined) return subjects;
  const args = record.args;
  specs.forEach((spec, index) => {
    const value = args[index];
    const kind = argKind(spec);
    if (kind === 'path' || kind === 'pattern') {
      for (const path of Array.isArray(value) ? value as unknown[] : [value]) {
        if (typeof path === 'string') subjects.paths.push(path);
      }
    } else if (kind === 'address') {
      const address = formatAddress(value);
      if (address !== null) subjects.hosts.push(address);
    } else if (kind === 'host' && typeof value === 'string') {
      // http.client.connect(self, host, port): the port belongs with its host.
      const port = specs[index + 1]?.name === 'port' ? args[index + 1] : undefined;
      subjects.hosts.push(formatAddress([value, port]) ?? value);
    } else if (kind === 'url' && typeof value === 'string') {
      subjects.hosts.push(URL.canParse(value) ? new URL(value).host || value : value);
    } else if (kind === 'argv' && Array.isArray(value) && value.length > 0) {
      subjects.commands.push(formatArgv(value as unknown[]));
    }
  });
  return subjects;
}

function subjectOf(record: LogRecord, subjects: Subjects): string {
  // "FileSystemRead /etc/passwd": Node's permission, then what it guards.
  if (record.event === 'node.permission') return record.args.slice(0, 2).filter((arg) => typeof arg === 'string').join(' ') || JSON.stringify(record.args);
  const first = subjects.commands[0] ?? subjects.hosts[0] ?? subjects.paths[0];
  // Parsed JSON always serialises again.
  return first ?? JSON.stringify(record.args);
}

/** The path, host or command a record is about, else its arguments as JSON. */
export function recordSubject(record: LogRecord): string {
  return subjectOf(record, subjectsOf(record));
}

class PackageTally {
  readonly versions = new Set<string>();
  readonly counts = new Map<string, { count: number; denied: number }>();
  readonly writes = new Set<string>();
  readonly reads = new Set<string>();
  readonly loads = new Set<string>();
  readonly hosts = new Set<string>();
  readonly commands = new Set<string>();
  risk = RISK.length;
  readonly denials = new Map<string, { denial: Omit<Denial, 'count'>; count: number }>();
  total = 0;
  denied = 0;

  constructor(readonly name: string | null) {}

  add(record: LogRecord): void {
    this.total++;
    // The package decided for: the innermost, or the innermost after a policy's frameworks that only dispatched.
    const decided = record.package === null ? undefined : record.packages.find((ref) => ref.name === record.package);
    if (typeof decided?.version === 'string') this.versions.add(decided.version);
    const count = this.counts.get(record.event) ?? { count: 0, denied: 0 };
    count.count++;
    this.counts.set(record.event, count);
    const subjects = subjectsOf(record);
    const capability = capabilityOf(record);
    this.risk = Math.min(this.risk, riskOf(capability));
    const paths = capability === 'write' ? this.writes : capability === 'read' ? this.reads : this.loads;
    for (const path of subjects.paths) paths.add(path);
    for (const host of subjects.hosts) this.hosts.add(host);
    for (const command of subjects.commands) this.commands.add(command);
    if (record.decision !== 'deny') return;
    this.denied++;
    count.denied++;
    const rule = typeof record.rule === 'string' ? record.rule : null;
    const blocked = record.blocked === true;
    const subject = subjectOf(record, subjects);
    const key = JSON.stringify([record.event, subject, rule, blocked]);
    const same = this.denials.get(key);
    if (same !== undefined) same.count++;
    else this.denials.set(key, { denial: { package: this.name, event: record.event, subject, rule, blocked, firstTime: typeof record.time === 'string' ? record.time : '',
      frame: typeof record.frame === 'string' ? record.frame : null }, count: 1 });
  }

  summary(): PackageSummary {
    const denials = [...this.denials.values()].map(({ denial, count }) => ({ ...denial, count }));
    denials.sort((a, b) => eventRisk(a.event) - eventRisk(b.event) || byText(a.event, b.event) || byText(a.subject, b.subject) || byText(String(a.rule), String(b.rule)));
    return {
      name: this.name,
      versions: sorted(this.versions),
      total: this.total,
      denied: this.denied,
      events: byRisk(this.counts.keys()).map((event) => ({ event, ...this.counts.get(event)! })),
      writes: sorted(this.writes),
      reads: sorted(this.reads),
      loads: sorted(this.loads),
      hosts: sorted(this.hosts),
      commands: sorted(this.commands),
      denials,
      risk: this.risk,
    };
  }
}

/** Takes records one at a time (a log may not fit in memory), then summarises them. */
export class ReportBuilder {
  private readonly tallies = new Map<string | null, PackageTally>();
  private readonly pids = new Set<number>();
  private readonly kinds = new Set<string>();
  private readonly streams: StreamRecord[] = [];
  private readonly starts = new Map<number, { ppid: number | null; command: string; spawnedBy: string | null }>();
  private readonly byPid = new Map<number, { events: number; denied: number }>();
  private total = 0;
  private blocked = 0;
  private firstTime: string | null = null;
  private lastTime: string | null = null;

  add(record: LogRecord): void {
    // An event whose chain is not known is not the application's: it is listed apart.
    const subject = record.package ?? (record.attribution === undefined || record.attribution === 'complete' ? null : UNKNOWN_LABEL);
    let tally = this.tallies.get(subject);
    if (tally === undefined) this.tallies.set(subject, tally = new PackageTally(subject));
    tally.add(record);
    this.total++;
    this.pids.add(record.pid);
    const own = this.byPid.get(record.pid) ?? { events: 0, denied: 0 };
    own.events++;
    if (record.decision === 'deny') own.denied++;
    this.byPid.set(record.pid, own);
    this.kinds.add(record.event);
    if (record.decision === 'deny' && record.blocked === true) this.blocked++;
    if (typeof record.time === 'string') {
      if (this.firstTime === null || record.time < this.firstTime) this.firstTime = record.time;
      if (this.lastTime === null || record.time > this.lastTime) this.lastTime = record.time;
    }
  }

  addStream(record: StreamRecord): void {
    if (isStreamProblem(record)) this.streams.push(record);
    if (record.stream === 'start' && typeof record.pid === 'number') {
      this.starts.set(record.pid, {
        ppid: typeof record.ppid === 'number' ? record.ppid : null,
        command: Array.isArray(record.argv) ? formatArgv(record.argv) : '',
        spawnedBy: spawnerLabel(record.spawnedBy),
      });
    }
  }

  /** Roots are the processes whose parent said nothing (COMMAND, or a process a program that is not Node started). */
  private processTree(): ProcessNode[] {
    const children = new Map<number | null, number[]>();
    for (const [pid, { ppid }] of this.starts) {
      const parent = ppid !== null && this.starts.has(ppid) ? ppid : null;
      children.set(parent, [...children.get(parent) ?? [], pid]);
    }
    const tree: ProcessNode[] = [];
    const visit = (parent: number | null, depth: number): void => {
      for (const pid of children.get(parent) ?? []) {
        const start = this.starts.get(pid)!;
        tree.push({ pid, ppid: start.ppid, depth, command: start.command, spawnedBy: start.spawnedBy, ...this.byPid.get(pid) ?? { events: 0, denied: 0 } });
        visit(pid, depth + 1);
      }
    };
    visit(null, 0);
    return tree;
  }

  report(source: string, skipped: number): Report {
    const packages = [...this.tallies.values()].map((tally) => tally.summary());
    packages.sort((a, b) => Number(b.denied > 0) - Number(a.denied > 0) || a.risk - b.risk
      || (a.name === null ? -1 : b.name === null ? 1 : byText(a.name, b.name)));
    return {
      source,
      skipped,
      total: this.total,
      denied: packages.reduce((sum, pkg) => sum + pkg.denied, 0),
      blocked: this.blocked,
      processes: this.pids.size,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      eventKinds: byRisk(this.kinds),
      packages,
      streams: this.streams,
      processTree: this.processTree(),
    };
  }
}
