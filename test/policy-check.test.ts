/**
 * `audithook policy check`: every finding is located (file:line:column, JSON path) and has its
 * severity; rules that only look alike are not reported as shadowed; the installed tree (nested,
 * scoped, pnpm's store) says which packages exist; the command's output and exit statuses.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installedPackages } from '../src/cli/check';
import { EXIT } from '../src/cli/output';
import { checkPolicy } from '../src/policy/check';
import type { Finding } from '../src/policy/check';
import { runAudithook } from './helpers/audithook-cli';

const dir = mkdtempSync(join(tmpdir(), 'audithook-policy-check-'));
let fileCount = 0;

/** The policy's rules, one per line, as a file; its path and text. */
function policyFile(rules: readonly object[], extra: object = {}): { file: string; text: string } {
  const text = `{\n  "default": "deny",${Object.entries(extra).map(([key, value]) => ` ${JSON.stringify(key)}: ${JSON.stringify(value)},`).join('')}\n  "rules": [\n${rules.map((rule) => `    ${JSON.stringify(rule)}`).join(',\n')}\n  ]\n}\n`;
  const file = join(dir, `policy-${fileCount++}.json`);
  writeFileSync(file, text);
  return { file, text };
}

/** `file:line:column` of the first `needle` on line `line` (1-based) of `text`. */
function at(file: string, text: string, line: number, needle: string): string {
  const column = text.split('\n')[line - 1]?.indexOf(needle) ?? -1;
  assert.notEqual(column, -1, `${needle} on line ${line}`);
  return `${file}:${line}:${column + 1}`;
}

const check = (rules: readonly object[], installed: readonly string[] | null = null): { findings: Finding[]; file: string; text: string } => {
  const { file, text } = policyFile(rules);
  return { findings: checkPolicy(file, { installed: installed === null ? null : new Set(installed) }), file, text };
};

// Rules start on line 4 of policyFile's layout.
const RULE_LINE = 4;

test('a rule that an earlier rule shadows: an error with the other action, a warning with the same; a duplicate is named so', () => {
  const rules = [
    { event: 'open', package: null, action: 'allow' },
    { event: 'open', package: null, match: { path: '/etc/**' }, action: 'deny' },
    { match: { path: ['/x'] }, event: 'open', package: null, action: 'allow' },
    { event: 'os.*', action: 'deny' },
    { event: 'os.remove', package: 'evil', match: { path: '/tmp/x' }, action: 'allow' },
    { event: 'os.*', action: 'deny' },
  ];
  const { findings, file, text } = check(rules);
  assert.deepEqual(findings, [
    { severity: 'error', location: at(file, text, RULE_LINE + 1, '{'), message: 'rules[1]: never decides: rules[0] fits every event this rule fits, and decides first, with "allow": this "deny" never applies; move it above rules[0]' },
    { severity: 'warning', location: at(file, text, RULE_LINE + 2, '{'), message: 'rules[2]: never decides: rules[0] fits every event this rule fits, and decides first (allow too): remove one' },
    { severity: 'error', location: at(file, text, RULE_LINE + 4, '{'), message: 'rules[4]: never decides: rules[3] fits every event this rule fits, and decides first, with "deny": this "allow" never applies; move it above rules[3]' },
    { severity: 'warning', location: at(file, text, RULE_LINE + 5, '{'), message: 'rules[5]: never decides: the same rule as rules[3] (deny too): remove one' },
  ]);
});

test('rules that only look alike are not shadowed', () => {
  const rules = [
    // Narrower than what follows, in each way a rule can be.
    { event: 'open', package: null, match: { path: '/etc/**' }, action: 'deny' },
    { event: 'open', package: 'trusted', action: 'allow' },
    { event: 'open', package: 'left-*', match: { path: '/a/*' }, action: 'allow' },
    // `/a/*` does not cover `/a/**`.
    { event: 'open', package: 'left-pad', match: { path: '/a/**' }, action: 'deny' },
    { event: 'os.remove', action: 'deny' },
    { event: 'urllib.Request', match: { fullurl: 'https://a.example/**' }, action: 'allow' },
    // The application is not a package; "*" and a package glob are not the application.
    { event: 'open', package: '*', action: 'allow' },
    { event: 'open', package: null, action: 'deny' },
    // An event glob covers names outside the catalogue that a rule with a match does not.
    { event: 'os.*', action: 'allow' },
    { event: 'urllib.Request', action: 'deny' },
  ];
  assert.deepEqual(check(rules).findings, []);
  // And a covering rule does shadow: a prefix covers the paths under it, a name glob the names it matches.
  const covered = check([
    { event: 'open', package: 'left-*', match: { path: ['/a/**', '/b'] }, action: 'allow' },
    { event: 'open', package: 'left-pad', match: { path: ['/a/b/**', '/a/c', '/b'], mode: 'r' }, action: 'deny' },
    { event: '*', action: 'allow' },
    { event: 'os.*', action: 'deny' },
  ]);
  assert.deepEqual(covered.findings.map((finding) => [finding.severity, finding.message.slice(0, 40)]), [
    ['error', 'rules[1]: never decides: rules[0] fits e'],
    ['error', 'rules[3]: never decides: rules[2] fits e'],
  ]);
});

test('patterns that can never match the text their argument is matched as are errors, located at the pattern', () => {
  const rules = [
    { event: 'socket.connect', match: { address: ['[::1', 'localhost:http', '[::1]:443', '127.0.0.1', '/run/x.sock'] }, action: 'allow' },
    { event: 'urllib.Request', match: { fullurl: ['example.com/**', 'https://example.com:443/**', 'https://me@x.test/', 'https://x.test/#top', 'https://x.test:8443/**', '*://x.test/**'] }, action: 'allow' },
    { event: 'os.kill', match: { sig: 'SIGTERM', pid: '{1,-1}' }, action: 'allow' },
    { event: 'socket.getaddrinfo', match: { host: ['Example.com:443', 'registry.npmjs.org', '::1'] }, action: 'allow' },
    // `~` is the home directory, and a variable fine: neither is a finding.
    { event: 'open', match: { path: ['~/.npmrc', '${NPM_CACHE}/_logs/**'] }, action: 'deny' },
  ];
  const { findings, file, text } = check(rules);
  const line = (index: number): number => RULE_LINE + index;
  assert.deepEqual(findings, [
    { severity: 'error', location: at(file, text, line(0), '"[::1"'), message: `rules[0].match.address[0]: "[::1" can never match: '[' is never closed: an IPv6 host is written [::1] or [::1]:PORT` },
    { severity: 'error', location: at(file, text, line(0), '"localhost:http"'), message: 'rules[0].match.address[1]: "localhost:http" can never match: the port "http" is not a number: an address is matched as host:port, the port in decimal' },
    { severity: 'error', location: at(file, text, line(1), '"example.com/**"'), message: 'rules[1].match.fullurl[0]: "example.com/**" can never match: no scheme: a URL is matched as scheme://host/path, e.g. "https://example.com/**"' },
    { severity: 'error', location: at(file, text, line(1), '"https://example.com:443/**"'), message: 'rules[1].match.fullurl[1]: "https://example.com:443/**" can never match: the default port of https is never part of the URL matched' },
    { severity: 'error', location: at(file, text, line(1), '"https://me@x.test/"'), message: 'rules[1].match.fullurl[2]: "https://me@x.test/" can never match: a user name or password is never part of the URL matched' },
    { severity: 'error', location: at(file, text, line(1), '"https://x.test/#top"'), message: 'rules[1].match.fullurl[3]: "https://x.test/#top" can never match: a #fragment is never part of the URL matched' },
    { severity: 'error', location: at(file, text, line(2), '"SIGTERM"'), message: 'rules[2].match.sig: "SIGTERM" can never match: the argument is a number, matched in decimal: "SIGTERM" never matches' },
    { severity: 'error', location: at(file, text, line(3), '"Example.com:443"'), message: 'rules[3].match.host[0]: "Example.com:443" can never match: a host has no port (an IPv6 host has at least two colons): match the port argument' },
  ]);
});

test('a rule that only names report-only events: a deny is an error, an allow a warning; a glob that also covers others is fine', () => {
  const { findings, file, text } = check([
    { event: 'sys.excepthook', action: 'deny' },
    { event: '{sys.excepthook,builtins.input/result}', package: '*', action: 'allow' },
    { event: 'sys.*', action: 'deny' },
  ]);
  assert.deepEqual(findings, [
    { severity: 'error', location: at(file, text, RULE_LINE, '"sys.excepthook"'), message: 'rules[0].event: sys.excepthook is report-only: a policy logs it and never refuses it, so this deny changes nothing' },
    { severity: 'warning', location: at(file, text, RULE_LINE + 1, '"{sys'), message: 'rules[1].event: builtins.input/result, sys.excepthook are report-only and always allowed: this rule changes nothing' },
  ]);
});

test('packages: a name or glob that fits no installed package is a warning (with a suggestion); not checked without a tree', () => {
  const rules = [
    { event: 'open', package: 'lodsh', action: 'allow' },
    { event: 'open', package: '@acme/*', action: 'allow' },
    { event: 'open', package: '@nope/*', action: 'allow' },
    { event: 'open', package: 'left-pad', action: 'allow' },
    { event: 'open', package: '*', action: 'allow' },
  ];
  const { findings, file, text } = check(rules, ['lodash', '@acme/util', 'left-pad']);
  assert.deepEqual(findings, [
    { severity: 'warning', location: at(file, text, RULE_LINE, '"lodsh"'), message: 'rules[0].package: no package "lodsh" is installed (did you mean "lodash"?)' },
    { severity: 'warning', location: at(file, text, RULE_LINE + 2, '"@nope/*"'), message: 'rules[2].package: "@nope/*" matches no installed package' },
  ]);
  assert.deepEqual(check(rules, null).findings, []);
});

test('frameworks: a name or glob that fits no installed package is a warning too, at its place in the list', () => {
  const { file, text } = policyFile([], { frameworks: ['express', 'expresss', '@nest/*'] });
  assert.deepEqual(checkPolicy(file, { installed: new Set(['express', '@nestjs/core']) }), [
    { severity: 'warning', location: at(file, text, 2, '"expresss"'), message: 'frameworks[1]: no package "expresss" is installed (did you mean "express"?)' },
    { severity: 'warning', location: at(file, text, 2, '"@nest/*"'), message: 'frameworks[2]: "@nest/*" matches no installed package' },
  ]);
});

test('the installed tree: top-level, scoped, nested and pnpm store packages, each named by its directory; none without node_modules', () => {
  const project = join(dir, 'tree');
  for (const path of ['node_modules/a', 'node_modules/@s/b', 'node_modules/a/node_modules/c', 'node_modules/.bin', 'node_modules/.pnpm/d@1.0.0/node_modules/d', 'node_modules/.pnpm/d@1.0.0/node_modules/@s/e']) {
    mkdirSync(join(project, path), { recursive: true });
  }
  assert.deepEqual([...(installedPackages(project) ?? [])].sort(), ['@s/b', '@s/e', 'a', 'c', 'd']);
  assert.equal(installedPackages(join(dir, 'no-such-project')), null);
});

test('a policy loadPolicy refuses is one error, located as audithook run words it', () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, '{\n  "default": "deny",\n  "rules": [{ "event": "os.renam", "action": "deny" }]\n}\n');
  assert.deepEqual(checkPolicy(file, { installed: null }), [
    { severity: 'error', location: `${file}:3:24`, message: 'rules[0].event: unknown event "os.renam" (did you mean "os.rename"?); docs/events.md lists them' },
  ]);
});

test('audithook policy check: findings on stdout, then the count; exit 2 on errors, 0 on warnings only or none; unreadable file as every subcommand says it', () => {
  const project = join(dir, 'project');
  mkdirSync(join(project, 'node_modules', 'lodash'), { recursive: true });
  const clean = policyFile([{ event: 'open', package: 'lodash', action: 'allow' }]);
  assert.deepEqual(runAudithook(['policy', 'check', clean.file, '--project', project]), { status: EXIT.OK, stdout: `${clean.file}: no problems\n`, stderr: '' });
  const warned = policyFile([{ event: 'open', package: 'lodsh', action: 'allow' }]);
  const warning = runAudithook(['policy', 'check', warned.file, '--project', project]);
  assert.deepEqual(warning, {
    status: EXIT.OK,
    stdout: `${at(warned.file, warned.text, RULE_LINE, '"lodsh"')}: warning: rules[0].package: no package "lodsh" is installed (did you mean "lodash"?)\n${warned.file}: 0 errors, 1 warning\n`,
    stderr: '',
  });
  const failed = policyFile([{ event: 'open', action: 'allow' }, { event: 'open', match: { path: '/etc/**' }, action: 'deny' }]);
  const failure = runAudithook(['policy', 'check', failed.file, '--project', join(dir, 'empty')]);
  assert.equal(failure.status, EXIT.USAGE);
  assert.equal(failure.stdout, `${at(failed.file, failed.text, RULE_LINE + 1, '{')}: error: rules[1]: never decides: rules[0] fits every event this rule fits, and decides first, with "allow": this "deny" never applies; move it above rules[0]\n`
    + `${failed.file}: 1 error, 0 warnings; package names not checked: no node_modules in ${join(dir, 'empty')}\n`);
  const missing = join(dir, 'missing.json');
  assert.deepEqual(runAudithook(['policy', 'check', missing]), { status: EXIT.USAGE, stdout: '', stderr: `audithook: cannot read the policy ${missing}: no such file\n` });
  const usage = runAudithook(['policy', 'check']);
  assert.equal(usage.status, EXIT.USAGE);
  assert.match(usage.stderr, /^audithook: missing required argument 'FILE'\nusage: audithook policy check FILE \[--project DIR\]\n$/);
});
