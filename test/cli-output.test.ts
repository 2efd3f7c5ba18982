/**
 * The `audithook` command speaks with one voice (src/cli/output.ts): untrusted names are escaped
 * alike in the run summary and the report, each problem has one wording in every subcommand, usage
 * errors show the usage line, and every exit status is the documented one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { EXIT, fail, printable } from '../src/cli/output';
import { nodeConfigFiles } from '../src/contract/launch';
import { runAudithook } from './helpers/audithook-cli';
import { fixtureLog, fixtureRecords } from './helpers/log-fixture';
import { REPO_ROOT } from './helpers/scenario';

const dir = mkdtempSync(join(tmpdir(), 'audithook-output-'));
/** RegExp.escape, which Node 20 lacks. */
const escape = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const noStackTrace = (stderr: string): void => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

test('printable escapes control characters, line separators and bidirectional marks and overrides, and nothing else', () => {
  assert.equal(printable('a\nb\u001b[2J\u0007\u007f\u009b\u2028\u202e\u2066 é €/\\'), 'a\\u000ab\\u001b[2J\\u0007\\u007f\\u009b\\u2028\\u202e\\u2066 é €/\\');
  // The marks that reorder a line as the overrides do: right-to-left, left-to-right, Arabic letter mark.
  assert.equal(printable('x\u200fy\u200ez\u061c\u200d'), 'x\\u200fy\\u200ez\\u061c\u200d');
  assert.equal(printable(printable('\u0000')), '\\u0000');
});

test('a bug prints its message as an internal error, with no stack trace, and its own exit status', () => {
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk: string | Uint8Array): boolean => written.push(String(chunk)) > 0;
  try {
    assert.equal(fail(new TypeError('x is not a function\n    at forged (/x.js:1:1)')), EXIT.INTERNAL);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(written, ['audithook: internal error: x is not a function\\u000a    at forged (/x.js:1:1)\n']);
});

test('a package whose directory name has an escape code and a newline prints escaped, the same, in the run summary and the report', () => {
  // A package is named by its directory under node_modules, which may hold any byte but "/".
  const name = 'evil\u001b[2J\nBLOCKED  forged';
  const project = join(dir, 'hostile-name');
  mkdirSync(join(project, 'node_modules', name), { recursive: true });
  writeFileSync(join(project, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0' }));
  writeFileSync(join(project, 'node_modules', name, 'index.js'), "require('fs').writeFileSync(require('path').join(__dirname, '../../touched'), '');");
  writeFileSync(join(project, 'policy.json'), JSON.stringify({ default: 'allow', mode: 'report', rules: [{ event: 'open', action: 'deny' }] }));
  writeFileSync(join(project, 'app.js'), `require(${JSON.stringify(name)});`);
  const log = join(project, 'log.jsonl');
  const run = runAudithook(['run', '--log', log, '--policy', join(project, 'policy.json'), '--', 'node', join(project, 'app.js')]);
  assert.equal(run.status, 0, run.stderr);
  const report = runAudithook(['report', log]);
  assert.equal(report.status, 0, report.stderr);
  const escaped = 'evil\\u001b[2J\\u000aBLOCKED  forged';
  for (const [what, text] of [['summary', run.stderr], ['report', report.stdout]]) {
    assert.doesNotMatch(text.replaceAll('\n', ''), /\p{Cc}/u, what);
    assert.ok(text.includes(escaped), `${what}: ${text}`);
  }
  assert.match(run.stderr, new RegExp(`^ {2}${escape(escaped)} +open 1$`, 'm'));
  assert.match(run.stderr, new RegExp(`^ {2}REPORTED ${escape(escaped)} open \\S+/touched \\(rules\\[0\\]\\)$`, 'm'));
  assert.doesNotMatch(run.stderr, /^BLOCKED {2}forged/m, 'no forged line');
});

test('policy learn prints the names it learned with no raw C1 control, line separator or bidirectional override, as the same JSON values', () => {
  const name = 'evil\u009b2J\u202edecoy\u2028';
  const path = '/app/data/\u0085\u2066x';
  const log = join(dir, 'hostile-learn.jsonl');
  const entry = fixtureRecords[4];
  writeFileSync(log, fixtureLog([{ ...entry, package: name, packages: [{ name, version: '1.0.0' }], args: [path, 'r', 0] }]));
  const policy = join(dir, 'hostile-learn.json');
  for (const [output, text] of [['stdout', () => runAudithook(['policy', 'learn', log]).stdout], ['file', () => {
    assert.equal(runAudithook(['policy', 'learn', log, '-o', policy]).status, 0);
    return readFileSync(policy, 'utf8');
  }]] as const) {
    const printed = text();
    assert.doesNotMatch(printed, /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, output);
    const rules = (JSON.parse(printed) as { rules: { package: string | null; match?: { path?: unknown } }[] }).rules;
    assert.ok(rules.some((rule) => rule.package === name && JSON.stringify(rule.match?.path).includes(JSON.stringify(path).slice(1, -1))), `${output}: ${printed}`);
  }
});

test('a file that cannot be read or written is worded the same by every subcommand', () => {
  const missing = join(dir, 'missing');
  const inMissingDir = join(missing, 'out');
  const log = join(dir, 'ok.jsonl');
  writeFileSync(log, fixtureLog(fixtureRecords.filter((record) => record.decision === 'allow')));
  const cases: [string[], string][] = [
    [['run', '--policy', missing, '--', 'node', '-e', ''], `cannot read the policy ${missing}: no such file`],
    [['run', '--log', inMissingDir, '--', 'node', '-e', ''], `cannot write the log ${inMissingDir}: no such file`],
    [['report', missing], `cannot read the log ${missing}: no such file`],
    [['report', dir], `cannot read the log ${dir}: is a directory`],
    [['report', log, '--html', inMissingDir], `cannot write the HTML report ${inMissingDir}: no such file`],
    [['policy', 'learn', missing], `cannot read the log ${missing}: no such file`],
    [['policy', 'learn', log, '-o', inMissingDir], `cannot write the policy ${inMissingDir}: no such file`],
  ];
  for (const [args, message] of cases) {
    const { status, stdout, stderr } = runAudithook(args);
    assert.equal(stderr, `audithook: ${message}\n`, args.join(' '));
    assert.equal(status, EXIT.USAGE, args.join(' '));
    assert.equal(stdout, '', args.join(' '));
  }
});

test('audithook run with no command prints the problem and the usage line, and exits with the usage status', () => {
  const usage = 'usage: audithook run [--log FILE] [--policy FILE] [--no-permission-wall] [--otlp [URL]] [--log-secrets] [--summary text|json] [--summary-file FILE] [--quiet] [--fail-on-deny] -- COMMAND [ARGS...]\n';
  for (const args of [['run'], ['run', '--log', join(dir, 'unused.jsonl')], ['run', '--', '']]) {
    const { status, stdout, stderr } = runAudithook(args);
    assert.equal(status, EXIT.USAGE);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^audithook: (missing required argument 'COMMAND'|COMMAND is empty)\n${escape(usage)}$`));
  }
  const unknown = runAudithook(['report', '--htm', 'x', 'log']);
  assert.equal(unknown.status, EXIT.USAGE);
  assert.equal(unknown.stderr, "audithook: unknown option '--htm' (did you mean --html?)\nusage: audithook report LOG [--html FILE]\n");
});

test('a COMMAND that names a Node configuration file is a usage error where Node reads it from audithook run\'s own arguments (22.16+, 23.10+)', () => {
  const config = join(dir, 'node.config.json');
  const preload = join(dir, 'config-preload.cjs');
  const ran = join(dir, 'config-preload-ran');
  const started = join(dir, 'config-command-started');
  writeFileSync(preload, `require('fs').appendFileSync(${JSON.stringify(ran)}, process.argv[1] + '\\n')`);
  writeFileSync(config, JSON.stringify({ nodeOptions: { require: [preload] } }));
  const script = join(dir, 'config-command.cjs');
  writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(started)}, '')`);
  // As a script's own argument: Node reads it there too.
  const { status, stderr } = runAudithook(['run', '--log', join(dir, 'config.jsonl'), '--', 'node', script, `--experimental-config-file=${config}`]);
  if (nodeConfigFiles() === 'none') {
    // An argument like any other: COMMAND runs.
    assert.equal(status, 0, stderr);
    assert.equal(existsSync(started), true);
    return;
  }
  assert.equal(status, EXIT.USAGE, stderr);
  assert.match(stderr, new RegExp(`^audithook: COMMAND names a Node configuration file: Node ${escape(process.versions.node)} reads it for every Node process whose arguments name it, audithook run's own included, where its preloads would run unaudited; give its options on COMMAND's command line instead\n`));
  assert.equal(existsSync(started), false, 'COMMAND never started');
  // What Node did before audithook could look: the preload ran in audithook run itself.
  assert.deepEqual(readFileSync(ran, 'utf8').split('\n').filter(Boolean), [resolve(REPO_ROOT, 'dist', 'cli', 'main.js')]);
});

test('an option that takes one value, given twice, is a usage error: two policies would leave one unapplied', () => {
  const marker = join(dir, 'twice-started');
  const command = ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`];
  for (const flag of ['--policy', '--log', '--summary-file']) {
    const { status, stdout, stderr } = runAudithook(['run', flag, join(dir, 'a.json'), flag, join(dir, 'b.json'), '--', ...command]);
    assert.equal(status, EXIT.USAGE, flag);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^audithook: ${flag} given twice \\(${escape(join(dir, 'a.json'))}, ${escape(join(dir, 'b.json'))}\\): a run takes one\nusage: audithook run `), flag);
  }
  const summary = runAudithook(['run', '--summary', 'json', '--summary', 'text', '--', ...command]);
  assert.equal(summary.status, EXIT.USAGE);
  assert.match(summary.stderr, /^audithook: --summary given twice \(json, text\)/);
  const format = runAudithook(['run', '--summary', 'xml', '--', ...command]);
  assert.equal(format.status, EXIT.USAGE);
  assert.match(format.stderr, /^audithook: --summary: "xml" is not text or json\nusage: /);
  assert.equal(existsSync(marker), false, 'COMMAND never started');
});

test('audithook --version prints the package version on stdout and exits 0', () => {
  const { version } = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) assert.deepEqual(runAudithook([flag]), { status: EXIT.OK, stdout: `${version}\n`, stderr: '' });
});

test('a broken policy gets one line naming the file and the problem, no stack trace', () => {
  const policy = join(dir, 'typo.json');
  writeFileSync(policy, '{\n  "default": "allow",\n  "rules": [{ "event": "os.renam", "action": "deny" }]\n}\n');
  const { status, stdout, stderr } = runAudithook(['run', '--log', join(dir, 'typo.jsonl'), '--policy', policy, '--', 'node', '-e', '']);
  assert.equal(status, EXIT.USAGE);
  assert.equal(stdout, '');
  assert.match(stderr, new RegExp(`^audithook: ${escape(policy)}:3:24: rules\\[0\\]\\.event: unknown event "os\\.renam" \\(did you mean "os\\.rename"\\?\\)[^\n]*\n$`));
  noStackTrace(stderr);
});

test('every exit status audithook has is in the table of docs/cli.md', () => {
  const docs = readFileSync(resolve(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
  const table = /^## Exit status\n[^#]*?\n((?:\|.*\n)+)/m.exec(docs)?.[1] ?? '';
  const documented = [...table.matchAll(/^\| (\d+)(?: \+ N)? \|/gm)].map((row) => Number(row[1]));
  assert.deepEqual(documented.sort((a, b) => a - b), Object.values(EXIT).sort((a, b) => a - b));
});
