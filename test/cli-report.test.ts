/**
 * `audithook report LOG`: the text report of a log written by the test, corrupt lines, an empty
 * log, and logs that cannot be read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LogRecord } from '../src/contract/record';
import { runAudithook } from './helpers/audithook-cli';
import { fixtureLog, fixtureRecords, HOSTILE_PACKAGE, HOSTILE_PATH } from './helpers/log-fixture';

const dir = mkdtempSync(join(tmpdir(), 'audithook-report-'));

function logFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('the report lists packages riskiest first (denials, then processes, network, writes, reads), with event counts, commands, hosts, paths written, read and loaded, and denials', () => {
  const log = logFile('fixture.log', fixtureLog());
  const { status, stdout, stderr } = runAudithook(['report', log]);
  assert.equal(stderr, '');
  assert.equal(status, 0);
  assert.equal(stdout, `audithook report: ${log}
2 processes, 2026-11-25T10:00:01.000Z to 2026-11-25T10:00:14.000Z

evil-dep@1.0.0  (5 events, 4 denied)
  events
    subprocess.Popen  1  (1 denied)
    socket.connect    1  (1 denied)
    open              3  (2 denied)
  commands (1)
    /bin/sh -c 'cat /etc/passwd'
  hosts (1)
    127.0.0.1:9999
  reads (2)
    /app/node_modules/evil-dep/package.json
    /home/user/.npmrc
  denials
    subprocess.Popen /bin/sh -c 'cat /etc/passwd'
      denied by rules[2], blocked
    socket.connect 127.0.0.1:9999
      denied by rules[1], not blocked (report mode)
    open /home/user/.npmrc
      denied by rules[0], blocked, 2 times

<app>  (4 events)
  events
    socket.bind  1
    open         2
    os.listdir   1
  hosts (1)
    127.0.0.1:8080
  reads (2)
    /app/config.json
    /app/data

helper-dep@2.3.4  (4 events)
  events
    socket.connect      1
    socket.getaddrinfo  1
    os.rename           1
    open                1
  hosts (2)
    [::1]:443
    registry.npmjs.org
  writes (2)
    /app/data/a.txt
    /app/data/b.txt
  reads (1)
    /app/data/a.txt

${HOSTILE_PACKAGE}@0.0.1  (1 event)
  events
    open  1
  writes (1)
    ${HOSTILE_PATH}

total: 14 events from 3 packages and the app; 4 denied (3 blocked)
`);
});

test('the report does not depend on the order of the log', () => {
  const forward = runAudithook(['report', logFile('forward.log', fixtureLog())]);
  const backward = runAudithook(['report', logFile('backward.log', fixtureLog([...fixtureRecords].reverse()))]);
  assert.equal(backward.stdout.replace('backward.log', 'forward.log'), forward.stdout);
});

test('corrupt and truncated lines are skipped with a warning that counts them; the rest is reported', () => {
  const lines = fixtureLog().split('\n');
  const corrupt = [
    ...lines.slice(0, 7),
    'not json at all',
    '{"event":"open","args":[]}', // JSON, but not a log record
    ...lines.slice(7),
  ].join('\n');
  const truncated = `${corrupt}${JSON.stringify(fixtureRecords[0]).slice(0, 40)}`;
  const log = logFile('corrupt.log', truncated);
  const { status, stdout, stderr } = runAudithook(['report', log]);
  assert.equal(status, 0);
  assert.equal(stderr, `audithook: ${log}: skipped 3 corrupt or truncated lines\n`);
  assert.match(stdout, /^total: 14 events from 3 packages and the app; 4 denied \(3 blocked\)$/m);
});

test('a log read in chunks keeps multi-byte characters whole and skips an overlong line', () => {
  // Several 1 MiB read chunks, with 3-byte characters falling across their boundaries.
  const records = Array.from({ length: 30_000 }, (_, index): LogRecord => ({ ...fixtureRecords[0], args: [`/data/${'\u20ac'.repeat(60)}${index % 7}\u00e9.txt`, 'r', 0] }));
  const overlong = `{"event":"open","args":["${'x'.repeat(17 << 20)}`;
  const log = logFile('large.log', `${fixtureLog(records.slice(0, 15_000))}${overlong}\n${fixtureLog(records.slice(15_000))}`);
  const { status, stdout, stderr } = runAudithook(['report', log]);
  assert.equal(status, 0);
  assert.equal(stderr, `audithook: ${log}: skipped 1 corrupt or truncated line\n`);
  assert.match(stdout, /^ {4}open {2}30000$/m);
  assert.match(stdout, /^ {2}reads \(7\)\n {4}\/data\/\u20ac{60}0\u00e9\.txt\n/m);
  assert.doesNotMatch(stdout, /\ufffd/);
});

test('an empty log gives an empty report', () => {
  const { status, stdout, stderr } = runAudithook(['report', logFile('empty.log', '')]);
  assert.equal(status, 0);
  assert.equal(stderr, '');
  assert.match(stdout, /\n\ntotal: 0 events from 0 packages; 0 denied \(0 blocked\)\n$/);
});

test('control characters from the log never reach the terminal raw', () => {
  const record: LogRecord = { ...fixtureRecords[0], package: 'ansi\u001b[2J', args: ['/tmp/a\nforged line\u0007', 'r', 0] };
  const { status, stdout } = runAudithook(['report', logFile('ansi.log', fixtureLog([record]))]);
  assert.equal(status, 0);
  assert.doesNotMatch(stdout.replaceAll('\n', ''), /\p{Cc}/u);
  assert.match(stdout, /^ansi\\u001b\[2J {2}\(1 event\)$/m);
  assert.match(stdout, /^ {4}\/tmp\/a\\u000aforged line\\u0007$/m);
});

test('paths, hosts and commands come from the catalogue arguments of every kind of event', () => {
  const app = fixtureRecords[0];
  const events: [string, unknown[]][] = [
    ['glob.glob/2', [['/src/*.ts', '/test/*.ts'], true, null, null]],
    ['os.chmod', [7, 0o644, null]],
    ['shutil.copyfile', ['/a/from', '/a/to']],
    ['tempfile.mkdtemp', ['/tmp/xyz-123']],
    ['http.client.connect', [{}, 'example.com', 443]],
    ['urllib.Request', ['https://api.example.org:8443/upload?x=1', null, {}, 'POST']],
    ['dns.resolve', ['example.net', 'A']],
    ['socket.gethostbyaddr', ['10.0.0.1']],
    ['socket.connect', [{}, '/run/app.sock']],
    ['os.exec', ['/usr/bin/env', ['env', 'A=1', 'two words'], {}]],
  ];
  const log = fixtureLog(events.map(([event, args]) => ({ ...app, event, args })));
  const { stdout } = runAudithook(['report', logFile('subjects.log', log)]);
  const section = (title: string) => new RegExp(`^  ${title} \\(\\d+\\)\n((?: {4}.*\n)*)`, 'm').exec(stdout)?.[1].split('\n').filter(Boolean).map((line) => line.trim());
  // What a path is to the event: changed, read, or code loaded (os.exec's `path` is the program it runs).
  assert.deepEqual(section('writes'), ['/a/from', '/a/to', '/tmp/xyz-123']);
  assert.deepEqual(section('reads'), ['/src/*.ts', '/test/*.ts']);
  assert.deepEqual(section('loads'), ['/usr/bin/env']);
  assert.deepEqual(section('hosts'), ['/run/app.sock', '10.0.0.1', 'api.example.org:8443', 'example.com:443', 'example.net']);
  assert.deepEqual(section('commands'), ["env A=1 'two words'"]);
});

test('an event outside the catalogue is counted, with no paths or hosts guessed from it', () => {
  const record: LogRecord = { ...fixtureRecords[0], event: 'custom.thing', args: ['/not/a/path/arg'] };
  const { stdout } = runAudithook(['report', logFile('custom.log', fixtureLog([record]))]);
  assert.match(stdout, /^ {4}custom\.thing {2}1$/m);
  assert.doesNotMatch(stdout, /writes|reads|loads/);
});

test('events whose package chain was not known are listed under <unknown>, not the application', () => {
  const app = fixtureRecords[0];
  const unknown: LogRecord = { ...app, event: 'os.remove', args: ['/app/deep', null], attribution: 'truncated' };
  const { stdout } = runAudithook(['report', logFile('unknown.log', fixtureLog([app, unknown]))]);
  assert.match(stdout, /^<unknown>/m, stdout);
  assert.match(stdout, /^<app>/m, stdout);
  const unknownPart = stdout.slice(stdout.indexOf('<unknown>'));
  assert.match(unknownPart.slice(0, unknownPart.search(/\n(?=<app>)|$/)), /os\.remove/);
});

test('a log that cannot be read exits 2 with a message naming it, and no stack trace', () => {
  for (const [log, problem] of [[join(dir, 'missing.log'), 'no such file'], [dir, 'is a directory']]) {
    const { status, stdout, stderr } = runAudithook(['report', log]);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `audithook: cannot read the log ${log}: ${problem}\n`);
  }
});

test('an HTML report that cannot be written exits 2 with a message naming it', () => {
  const page = join(dir, 'no-such-dir', 'report.html');
  const { status, stderr } = runAudithook(['report', logFile('ok.log', fixtureLog()), '--html', page]);
  assert.equal(status, 2);
  assert.equal(stderr, `audithook: cannot write the HTML report ${page}: no such file\n`);
});

test('report without a LOG is a usage error', () => {
  const { status, stderr } = runAudithook(['report']);
  assert.equal(status, 2);
  assert.equal(stderr, "audithook: missing required argument 'LOG'\nusage: audithook report LOG [--html FILE]\n");
});
