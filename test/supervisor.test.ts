/**
 * The supervisor owns the record (src/cli/collector.ts, src/agent/channel.ts): every record an
 * audited process sent is in the log however the process ends, each stream is checked (sequence
 * numbers, the sender's identity from the kernel), and every loss or forgery is said, in the log
 * and in the summary.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { StreamRecord } from '../src/contract/channel';
import type { LogRecord } from '../src/contract/record';
import { REPO_ROOT } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const FIXTURES = resolve(REPO_ROOT, 'test', 'fixtures', 'supervisor');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
  readonly log: string;
}

function run(command: readonly string[], log?: string): Run {
  const dir = mkdtempSync(join(tmpdir(), 'audithook-supervisor-'));
  const logFile = log ?? join(dir, 'log.jsonl');
  const child = spawnSync(process.execPath, [CLI, 'run', '--log', logFile, '--', ...command.map((word) => word.replaceAll('$DIR', dir))], {
    cwd: dir, encoding: 'utf8', timeout: 120_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, dir, log: logFile };
}

type Line = (LogRecord & { seq: number }) | StreamRecord;
const lines = (log: string): Line[] => readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Line);
const records = (log: string): (LogRecord & { seq: number })[] => lines(log).filter((line): line is LogRecord & { seq: number } => !('stream' in line));
const streams = (log: string): StreamRecord[] => lines(log).filter((line): line is StreamRecord => 'stream' in line);
const fixture = (name: string): string => join(FIXTURES, name);

/** The numbers of the f<N> files created in `dir`, and of the ones whose open was logged. */
function createdAndLogged(dir: string, log: string): { created: number[]; logged: number[] } {
  const created = readdirSync(dir).filter((name) => /^f\d+$/.test(name)).map((name) => Number(name.slice(1))).sort((a, b) => a - b);
  const logged = records(log).filter((r) => r.event === 'open' && typeof r.args[0] === 'string' && /\/f\d+$/.test(r.args[0]))
    .map((r) => Number(/(\d+)$/.exec(r.args[0] as string)?.[1]));
  return { created, logged };
}

/** Every stream's records are numbered 1, 2, 3... with none missing. */
function assertContiguous(log: string): void {
  const bySender = new Map<string, number[]>();
  for (const r of records(log)) {
    const key = `${r.pid}/${r.thread}`;
    bySender.set(key, [...(bySender.get(key) ?? []), r.seq]);
  }
  for (const [sender, seqs] of bySender) assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `the records of ${sender} are numbered without a gap`);
}

const noStackTrace = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

for (const ending of ['SIGKILL', 'reallyExit', 'abort'] as const) {
  test(`${ending}: every record sent before the process died is in the log, and the cut is said`, () => {
    const result = run(['node', fixture('opens-then.cjs'), '$DIR', '3000', ending]);
    const { created, logged } = createdAndLogged(result.dir, result.log);
    assert.equal(created.length, 3000);
    assert.deepEqual(logged, created, 'one record per file the process created, in order');
    assertContiguous(result.log);
    const [end, ...others] = streams(result.log).filter((s) => s.thread === 0 && s.stream !== 'start');
    assert.deepEqual(others, []);
    assert.equal(end?.stream, 'cut');
    assert.equal(end?.records, records(result.log).length);
    if (ending === 'reallyExit') {
      assert.equal(result.status, 5);
      assert.equal(end?.code, 5);
      assert.match(result.stderr, /stream cut after \d+ records \(exit code 5 without its 'exit' event\)/);
    } else {
      const signal = ending === 'SIGKILL' ? 'SIGKILL' : 'SIGABRT';
      assert.equal(result.status, 128 + (ending === 'SIGKILL' ? 9 : 6));
      assert.equal(end?.signal, signal);
      assert.match(result.stderr, new RegExp(`stream cut after \\d+ records \\(killed by ${signal}\\)`));
    }
  });
}

test('SIGKILL from outside in the middle of a loop: every file created has its record, lines whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audithook-supervisor-'));
  const log = join(dir, 'log.jsonl');
  const child = spawn(process.execPath, [CLI, 'run', '--log', log, '--', 'node', fixture('opens-then.cjs'), dir, '10', 'loop'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const ready = /(\d+) ready/.exec(text);
    if (ready !== null) setTimeout(() => process.kill(Number(ready[1]), 'SIGKILL'), 200);
  });
  const status = await new Promise((done) => child.on('close', done));
  assert.equal(status, 137, stderr);
  assert.doesNotMatch(stderr, /skipped/, 'every line is whole');
  const { created, logged } = createdAndLogged(dir, log);
  assert.ok(created.length > 100, `the loop ran (${created.length} files)`);
  // The record goes out before the open: at most the one being opened when the signal came is logged without its file.
  assert.deepEqual(logged.slice(0, created.length), created);
  assert.ok(logged.length - created.length <= 1, `${logged.length} records for ${created.length} files`);
  assertContiguous(log);
});

test('a worker that dies of an uncaught exception loses none of its records', () => {
  const result = run(['node', fixture('worker-throws.cjs'), '$DIR']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /worker error: worker fails/);
  const workerOpens = records(result.log).filter((r) => r.thread !== 0 && r.event === 'open' && /\/w\d+$/.test(String(r.args[0])));
  assert.equal(workerOpens.length, 20);
  assert.equal(records(result.log).filter((r) => r.event === 'open' && String(r.args[0]).endsWith('/after')).length, 1);
  assertContiguous(result.log);
  assert.doesNotMatch(result.stderr, /not intact/);
});

test('50 children and 8 workers writing at once: every record, every stream whole and accounted for', () => {
  const result = run(['node', fixture('many.cjs'), '$DIR']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /all done/);
  const opens = records(result.log).filter((r) => r.event === 'open' && /\/[cw]\d+-\d+$/.test(String(r.args[0])));
  assert.equal(opens.length, 58 * 100);
  const senders = new Set(opens.map((r) => `${r.pid}/${r.thread}`));
  assert.equal(senders.size, 58, 'each child and worker on a stream of its own');
  assertContiguous(result.log);
  const exits = streams(result.log).filter((s) => s.stream === 'exit');
  for (const sender of senders) assert.ok(exits.some((s) => `${s.pid}/${s.thread}` === sender), `${sender} said goodbye`);
  // The log's first line is audithook run's own: COMMAND and where it ran (the policy's ${PROJECT}).
  const [first, ...rest] = streams(result.log);
  assert.deepEqual([first?.stream, first?.pid, first?.argv, first?.cwd], ['run', null, ['node', fixture('many.cjs'), result.dir], result.dir]);
  assert.deepEqual(lines(result.log)[0], first);
  assert.deepEqual(rest.filter((s) => s.stream !== 'exit' && s.stream !== 'start'), [], 'no stream cut, gapped or forged');
  // Each child's first line says where it came from: the parent, its argv, its working directory.
  const parent = records(result.log).find((r) => r.event === 'cpython.run_file')?.pid;
  const starts = streams(result.log).filter((s) => s.stream === 'start' && s.ppid === parent);
  assert.equal(starts.length, 50);
  assert.ok(starts.every((s) => s.argv?.[1] === '-e' && s.cwd === result.dir));
  const report = spawnSync(process.execPath, [CLI, 'report', result.log], { encoding: 'utf8' });
  assert.match(report.stdout, new RegExp(`^processes \\(51\\)\n  ${parent} \\S*node \\S*many\\.cjs \\S+\n    \\d+ \\S*node -e `, 'm'));
  assert.doesNotMatch(result.stderr, /not intact|skipped/);
});

test('a process that has ended before audithook run reads its first line still says where it came from', () => {
  const result = run(['node', fixture('ended-first.cjs')]);
  assert.equal(result.status, 0, result.stderr);
  const command = records(result.log).find((r) => r.event === 'cpython.run_file')?.pid;
  const starts = streams(result.log).filter((s) => s.stream === 'start');
  assert.equal(starts.length, 2);
  const child = starts.find((s) => s.pid !== command);
  assert.deepEqual([child?.ppid, child?.argv?.slice(1), child?.cwd], [command, ['-e', '0'], result.dir]);
});

test('a full disk for the log: a clear error, the records lost counted, COMMAND\'s exit code kept', () => {
  const result = run(['node', '-e', "require('fs').readFileSync('/etc/hostname'); process.exitCode = 7"], '/dev/full');
  assert.equal(result.status, 7);
  assert.match(result.stderr, /^audithook: cannot write the log \/dev\/full: no space left on device; \d+ records? received from the audited processes were lost$/m);
  noStackTrace(result.stderr);
});

test('garbage written into the channel is dropped and reported; the audited program is logged whole', () => {
  // A shell (not audited) writes into a FIFO of the pool before node claims one.
  const script = 'for f in "$AUDITHOOK_CHANNEL"/fifo-*; do printf \'not a record\\n\' > "$f"; break; done; node -e "require(\'fs\').readFileSync(\'/etc/hostname\')"';
  const result = run(['sh', '-c', script]);
  assert.equal(result.status, 0, result.stderr);
  const malformed = streams(result.log).filter((s) => s.stream === 'malformed');
  assert.equal(malformed.length, 1);
  assert.equal(malformed[0]?.pid, null);
  assert.equal(records(result.log).filter((r) => r.event === 'open' && r.args[0] === '/etc/hostname').length, 1);
  assert.match(result.stderr, /a writer that never said who it is: 1 lines that were not its records, dropped/);
});

test('a stream that claims another process is forged: its records are not logged in that name', () => {
  // The claim names the supervisor (the shell's parent) at descriptor 1, which is not this FIFO.
  const script = 'for f in "$AUDITHOOK_CHANNEL"/fifo-*; do printf \'{"hello":{"pid":%d,"thread":0,"fd":1}}\\n{"seq":1,"time":"t","pid":%d,"thread":0,"event":"forged.event","args":[],"package":null,"packages":[],"decision":"allow","rule":null,"blocked":false}\\n\' $PPID $PPID > "$f"; break; done';
  const result = run(['sh', '-c', script]);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(records(result.log).filter((r) => r.event === 'forged.event'), []);
  const forged = streams(result.log).filter((s) => s.stream === 'forged');
  assert.equal(forged.length, 1);
  assert.match(result.stderr, /forged stream \(process \d+ does not hold this channel at descriptor 1\)/);
});

test('the log is created 0600, and the pool of channels is gone after the run', () => {
  const result = run(['node', '-e', "process.stdout.write(process.env.AUDITHOOK_CHANNEL)"]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(statSync(result.log).mode & 0o777, 0o600);
  assert.throws(() => statSync(result.stdout), { code: 'ENOENT' });
});

test('secrets stay out of the log and the summary, and --log-secrets keeps them', () => {
  const redacted = run(['node', fixture('secrets.cjs')]);
  assert.equal(redacted.status, 0, redacted.stderr);
  const text = readFileSync(redacted.log, 'utf8');
  assert.doesNotMatch(text, /SECRET_\d/);
  assert.doesNotMatch(redacted.stderr, /SECRET_\d/);
  const events = new Set(records(redacted.log).map((r) => r.event));
  for (const event of ['subprocess.Popen', 'os.putenv', 'http.client.send', 'urllib.Request']) assert.ok(events.has(event), event);
  assert.match(text, /"\$redacted":"body","size":20/);

  const kept = spawnSync(process.execPath, [CLI, 'run', '--log', join(redacted.dir, 'kept.jsonl'), '--log-secrets', '--', 'node', fixture('secrets.cjs')], { cwd: redacted.dir, encoding: 'utf8' });
  assert.equal(kept.status, 0, kept.stderr);
  const keptText = readFileSync(join(redacted.dir, 'kept.jsonl'), 'utf8');
  for (const secret of ['SECRET_2', 'SECRET_6', 'SECRET_7', 'SECRET_8']) assert.match(keptText, new RegExp(secret));
});
