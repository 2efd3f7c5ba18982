/**
 * Policies: every kind of broken policy is rejected with its file, line:column, JSON path and
 * problem; decide() follows the documented semantics (first match, default, packages on the stack,
 * paths, addresses, hosts); and, property-based, decide() agrees with a naive reference
 * implementation of the same semantics, and the glob compiler with a naive matcher and picomatch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { events } from '../src/catalogue/index';
import { decide, loadPolicy, PolicyError } from '../src/policy/index';
import { eventSubjects } from '../src/policy/decide';
import type { CompiledPolicy } from '../src/policy/index';
import { GlobError, globMatcher, globSource } from '../src/policy/glob';
import { policyVariables } from '../src/policy/variables';
import { REPO_ROOT } from './helpers/scenario';

const dir = mkdtempSync(join(tmpdir(), 'audithook-policy-'));
let fileCount = 0;

/** Writes `text` to a fresh policy file and returns its path. */
function policyFile(text: string, name = `policy-${fileCount++}.json`): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const load = (policy: object): CompiledPolicy => loadPolicy(policyFile(JSON.stringify(policy, null, 2)));

/** `line:column` of the last occurrence of `needle` in `text`: where the message must point. */
function locate(text: string, needle: string): string {
  const offset = text.lastIndexOf(needle);
  assert.notEqual(offset, -1, `${needle} in ${text}`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1) as string).length + 1}`;
}

/** Loading `text` fails with `file:line:column: problem`, the location being the last `at` in the text. */
function rejects(text: string, at: string | null, problem: string): void {
  const file = policyFile(text);
  assert.throws(() => loadPolicy(file), (error: unknown) => {
    assert.ok(error instanceof PolicyError, `a PolicyError, not ${String(error)}`);
    assert.equal(error.message, `${file}:${at === null ? '1:1' : locate(text, at)}: ${problem}`);
    return true;
  });
}

const withRule = (rule: string): string => `{\n  "default": "allow",\n  "rules": [\n    ${rule}\n  ]\n}`;

describe('a broken policy is rejected with its location and problem', () => {
  test('unreadable files', () => {
    assert.throws(() => loadPolicy(join(dir, 'missing.json')), { name: 'PolicyError', message: `${join(dir, 'missing.json')}: cannot read the policy: ENOENT: no such file or directory, open '${join(dir, 'missing.json')}'` });
    assert.throws(() => loadPolicy(dir), { name: 'PolicyError', message: `${dir}: cannot read the policy: EISDIR: illegal operation on a directory, read` });
    // The CLI words the error from its cause (cli/output.ts).
    assert.throws(() => loadPolicy(dir), (error: Error) => (error.cause as NodeJS.ErrnoException).code === 'EISDIR');
  });

  test('invalid JSON', () => {
    rejects('', null, 'invalid JSON: expected a value');
    rejects('{\n  "default": "allow"\n  "rules": []\n}', '"rules"', "invalid JSON: expected ','");
    rejects('{\n  "default": "allow",\n  "rules": [],\n}', ',', 'invalid JSON: trailing comma (JSON allows none)');
    rejects('{\n  // why\n  "default": "allow", "rules": []\n}', '//', 'invalid JSON: comments are not allowed in JSON');
    rejects('{ "default": "allow", "rules": [] } []', '[]', 'invalid JSON: unexpected text after the end of the policy');
    rejects('{ "default": "allow, "rules": [] }', 'rules', 'invalid JSON: unexpected character');
  });

  test('duplicate keys, at the second one', () => {
    rejects(withRule('{ "event": "open", "action": "deny", "action": "allow" }'), '"action"', 'rules[0].action: duplicate key "action"');
  });

  test('unknown keys, with the closest known one', () => {
    rejects(withRule('{ "event": "open", "acton": "deny" }'), '"acton"',
      'rules[0].acton: unknown key "acton" (did you mean "action"?); expected "event", "package", "match", "action"');
    rejects('{ "default": "allow", "rules": [], "extra": 1 }', '"extra"',
      'extra: unknown key "extra"; expected "$schema", "default", "mode", "frameworks", "rules"');
  });

  test('missing keys, wrong types, unknown actions and modes', () => {
    rejects('{ "rules": [] }', null, 'missing "default"');
    rejects(withRule('{ "event": "open" }'), '{ "event"', 'rules[0]: missing "action"');
    rejects(withRule('{ "event": "open", "action": "dney" }'), '"dney"', 'rules[0].action: must be "allow" or "deny", not "dney" (did you mean "deny"?)');
    rejects('{ "default": "block", "rules": [] }', '"block"', 'default: must be "allow" or "deny", not "block"');
    rejects('{ "default": "deny", "mode": "enforced", "rules": [] }', '"enforced"', 'mode: must be "enforce" or "report", not "enforced" (did you mean "enforce"?)');
    rejects('{ "default": "allow", "rules": {} }', '{}', 'rules: must be array, not object');
    rejects(withRule('{ "event": 7, "action": "deny" }'), '7', 'rules[0].event: must be string, not number');
    rejects(withRule('{ "event": "open", "match": { "path": 7 }, "action": "deny" }'), '7', 'rules[0].match.path: must be string or array, not number');
    rejects(withRule('{ "event": "open", "match": { "path": [] }, "action": "deny" }'), '[]', 'rules[0].match.path: must list at least one pattern');
    rejects(withRule('{ "event": "", "action": "deny" }'), '""', 'rules[0].event: must not be empty');
    rejects(withRule('{ "event": "open", "match": {}, "action": "deny" }'), '{}', 'rules[0].match: must name at least one argument');
    rejects(withRule('{ "event": "open", "package": 7, "action": "deny" }'), '7', 'rules[0].package: must be string or null, not number');
    rejects(withRule('{ "event": "open", "package": "", "action": "deny" }'), '""', 'rules[0].package: must not be empty');
  });

  test('event names not in the catalogue, with the closest one', () => {
    rejects(withRule('{ "event": "os.renam", "action": "deny" }'), '"os.renam"',
      'rules[0].event: unknown event "os.renam" (did you mean "os.rename"?); docs/events.md lists them');
    rejects(withRule('{ "event": "totally.different", "action": "deny" }'), '"totally',
      'rules[0].event: unknown event "totally.different"; docs/events.md lists them');
    rejects(withRule('{ "event": "oss.*", "action": "deny" }'), '"oss', 'rules[0].event: "oss.*" matches no event in the catalogue (docs/events.md)');
  });

  test('bad globs, pointing at the bad pattern of a list', () => {
    const rule = (match: string) => withRule(`{ "event": "open", "match": { "path": ${match} }, "action": "deny" }`);
    rejects(rule('"/a/{b,c"'), '"/a/{', 'rules[0].match.path: bad glob "/a/{b,c": \'{\' at position 4 is never closed');
    rejects(rule('["/ok", "/a}"]'), '"/a}"', 'rules[0].match.path[1]: bad glob "/a}": \'}\' at position 3 closes no \'{\'');
    rejects(rule('"/a\\\\"'), '"/a', 'rules[0].match.path: bad glob "/a\\": ends with a lone \'\\\' (escape what?)');
    rejects(rule('"/a/***"'), '"/a', 'rules[0].match.path: bad glob "/a/***": \'***\' at position 4: use \'*\' or \'**\'');
    rejects(withRule('{ "event": "os.{mkdir", "action": "deny" }'), '"os.', 'rules[0].event: bad glob "os.{mkdir": \'{\' at position 4 is never closed');
    rejects(withRule('{ "event": "open", "package": "a}", "action": "deny" }'), '"a}"', 'rules[0].package: bad glob "a}": \'}\' at position 2 closes no \'{\'');
    rejects('{ "default": "allow", "frameworks": ["express", "a}"], "rules": [] }', '"a}"', 'frameworks[1]: bad glob "a}": \'}\' at position 2 closes no \'{\'');
  });

  test('match keys the rule\'s events do not have, or that cannot be matched', () => {
    rejects(withRule('{ "event": "os.rename", "match": { "paht": "/x" }, "action": "deny" }'), '"paht"',
      'rules[0].match.paht: os.rename has no argument "paht"; its arguments: src, dst, src_dir_fd, dst_dir_fd');
    rejects(withRule('{ "event": "os.remove", "match": { "paht": "/x" }, "action": "deny" }'), '"paht"',
      'rules[0].match.paht: os.remove has no argument "paht" (did you mean "path"?); its arguments: path, dir_fd');
    rejects(withRule('{ "event": "os.{remove,rename}", "match": { "path": "/x" }, "action": "deny" }'), '"path"',
      'rules[0].match.path: os.rename has no argument "path": a match applies to every event the rule\'s glob covers, so narrow the event');
    rejects(withRule('{ "event": "socket.connect", "match": { "self": "x" }, "action": "deny" }'), '"self"',
      'rules[0].match.self: argument "self" of socket.connect cannot be matched: it is an object, not a value a pattern can match');
    rejects(withRule('{ "event": "os.remove", "match": { "dir_fd": "x" }, "action": "deny" }'), '"dir_fd"',
      'rules[0].match.dir_fd: argument "dir_fd" of os.remove cannot be matched: it is always null');
  });

  test('messages are one line, never a stack trace', () => {
    const file = policyFile(withRule('{ "event": "open", "action": "maybe" }'));
    try {
      loadPolicy(file);
      assert.fail('loaded');
    } catch (error) {
      assert.ok(error instanceof PolicyError);
      assert.doesNotMatch(error.message, /\n|\bat .*:\d+:\d+\)/);
    }
  });
});

describe('loading', () => {
  test('the policies in the README and docs/policy.md load', () => {
    for (const doc of ['README.md', 'docs/policy.md']) {
      const blocks = [...readFileSync(resolve(REPO_ROOT, doc), 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((found) => found[1]);
      assert.ok(blocks.length > 0, doc);
      for (const block of blocks) assert.ok(loadPolicy(policyFile(block)).rules.length > 0, `${doc}:\n${block}`);
    }
  });

  test('a valid policy compiles to plain JSON, mode defaulting to enforce', () => {
    const file = policyFile(JSON.stringify({ $schema: './schema.json', default: 'deny', rules: [{ event: 'os.*', action: 'allow' }] }));
    const policy = loadPolicy(file);
    assert.equal(policy.file, file);
    assert.equal(policy.mode, 'enforce');
    assert.equal(policy.default, 'deny');
    assert.deepEqual(JSON.parse(JSON.stringify(policy)), policy);
  });

  test('every catalogued event can be named', () => {
    const policy = load({ default: 'deny', rules: events.map((event) => ({ event: event.name, action: 'allow' })) });
    for (const event of events) assert.equal(decide(policy, event.name, [], []).decision, 'allow');
  });
});

describe('decide', () => {
  const APP: string[] = [];

  test('the first rule that fits decides, otherwise the default', () => {
    const policy = load({
      default: 'allow',
      rules: [
        { event: 'open', match: { path: '/etc/hosts' }, action: 'allow' },
        { event: 'open', match: { path: '/etc/**' }, action: 'deny' },
        { event: 'os.*', action: 'deny' },
      ],
    });
    assert.deepEqual(decide(policy, 'open', ['/etc/hosts', 'r', 0], APP), { decision: 'allow', rule: 'rules[0]', package: null });
    assert.deepEqual(decide(policy, 'open', ['/etc/passwd', 'r', 0], APP), { decision: 'deny', rule: 'rules[1]', package: null });
    assert.deepEqual(decide(policy, 'open', ['/home/x', 'r', 0], APP), { decision: 'allow', rule: 'default', package: null });
    assert.deepEqual(decide(policy, 'os.remove', ['/x', null], APP), { decision: 'deny', rule: 'rules[2]', package: null });
    assert.deepEqual(decide(policy, 'subprocess.Popen', ['/bin/sh', ['sh'], null, {}], APP), { decision: 'allow', rule: 'default', package: null });
  });

  test('the inspector is denied to a package that no rule fits, whatever the default; a rule that fits decides', () => {
    const policy = load({ default: 'allow', rules: [{ event: 'inspector.*', package: 'devtools', action: 'allow' }] });
    for (const event of ['inspector.open', 'inspector.Session.connect']) {
      const args = event === 'inspector.open' ? [null, null, null] : [{}, false];
      assert.deepEqual(decide(policy, event, args, ['evil']), { decision: 'deny', rule: 'default (inspector)', package: 'evil' });
      assert.deepEqual(decide(policy, event, args, ['devtools']), { decision: 'allow', rule: 'rules[0]', package: 'devtools' });
      // The application decides by the default, and a package calling through devtools is still denied.
      assert.deepEqual(decide(policy, event, args, APP), { decision: 'allow', rule: 'default', package: null });
      assert.deepEqual(decide(policy, event, args, ['devtools', 'evil']), { decision: 'deny', rule: 'default (inspector)', package: 'evil' });
    }
    assert.deepEqual(decide(policy, 'os.kill', [1, 10], ['evil']), { decision: 'allow', rule: 'default', package: 'evil' });
  });

  test('report-only events (sys.excepthook, builtins.input/result) are allowed whatever the rules and the default say', () => {
    const reportOnly = events.filter((event) => 'reportOnly' in event).map((event) => event.name);
    assert.deepEqual(reportOnly, ['builtins.input/result', 'sys.excepthook']);
    const policy = load({ default: 'deny', rules: [{ event: '*', action: 'deny' }, { event: 'sys.excepthook', package: 'evil', action: 'deny' }] });
    assert.deepEqual(policy.reportOnly, reportOnly);
    for (const event of reportOnly) {
      for (const chain of [APP, ['evil']]) {
        assert.deepEqual(decide(policy, event, [null, null, new Error('boom'), null], chain), { decision: 'allow', rule: 'report-only', package: null });
        assert.deepEqual(decide(policy, event, [null], chain, true), { decision: 'allow', rule: 'report-only', package: null });
      }
    }
    assert.deepEqual(decide(policy, 'builtins.input', ['?'], APP), { decision: 'deny', rule: 'rules[0]', package: null });
  });

  test('package: absent is everyone, "*" any package but not the application, globs and scopes', () => {
    const policy = load({
      default: 'allow',
      rules: [
        { event: 'open', package: 'trusted', action: 'allow' },
        { event: 'open', package: '@evil/*', action: 'deny' },
        { event: 'open', package: 'left-*', action: 'deny' },
        { event: 'open', package: '*', match: { path: '/secret/**' }, action: 'deny' },
        { event: 'os.remove', action: 'deny' },
      ],
    });
    const open = (chain: string[]) => decide(policy, 'open', ['/secret/key', 'r', 0], chain);
    assert.deepEqual(open([]), { decision: 'allow', rule: 'default', package: null });
    assert.deepEqual(open(['trusted']), { decision: 'allow', rule: 'rules[0]', package: 'trusted' });
    assert.deepEqual(open(['@evil/x']), { decision: 'deny', rule: 'rules[1]', package: '@evil/x' });
    assert.deepEqual(open(['left-pad']), { decision: 'deny', rule: 'rules[2]', package: 'left-pad' });
    assert.deepEqual(open(['@scope/other']), { decision: 'deny', rule: 'rules[3]', package: '@scope/other' });
    assert.deepEqual(decide(policy, 'os.remove', ['/x', null], []), { decision: 'deny', rule: 'rules[4]', package: null });
    assert.deepEqual(decide(policy, 'os.remove', ['/x', null], ['trusted']), { decision: 'deny', rule: 'rules[4]', package: 'trusted' });
  });

  test('package: null is the application only; the unknown subject fits rules for everyone and "*", and stands for the application', () => {
    const policy = load({
      default: 'deny',
      rules: [
        { event: 'open', package: null, match: { path: '/app/**' }, action: 'allow' },
        { event: 'open', package: '*', match: { path: '/shared/**' }, action: 'allow' },
        { event: 'open', match: { path: '/everyone/**' }, action: 'allow' },
        { event: 'open', package: 'trusted', action: 'allow' },
        { event: 'open', package: '**', match: { path: '/globbed/**' }, action: 'allow' },
      ],
    });
    const open = (path: string, chain: string[], unknown = false) => decide(policy, 'open', [path, 'r', 0], chain, unknown);
    assert.deepEqual(open('/app/x', []), { decision: 'allow', rule: 'rules[0]', package: null });
    assert.deepEqual(open('/app/x', ['trusted']), { decision: 'allow', rule: 'rules[3]', package: 'trusted' });
    assert.deepEqual(open('/app/x', ['other']), { decision: 'deny', rule: 'default', package: 'other' });
    // Unknown: never the application's rules, nor a named package's, nor a glob's; "*" and everyone's rules fit.
    assert.deepEqual(open('/app/x', [], true), { decision: 'deny', rule: 'default', package: '(unknown)' });
    assert.deepEqual(open('/globbed/x', [], true), { decision: 'deny', rule: 'default', package: '(unknown)' });
    assert.deepEqual(open('/shared/x', [], true), { decision: 'allow', rule: 'rules[1]', package: '(unknown)' });
    assert.deepEqual(open('/everyone/x', [], true), { decision: 'allow', rule: 'rules[2]', package: '(unknown)' });
    // With packages found: they and the unknown subject must all be allowed.
    assert.deepEqual(open('/app/x', ['trusted'], true), { decision: 'deny', rule: 'default', package: '(unknown)' });
    assert.deepEqual(open('/shared/x', ['trusted'], true), { decision: 'allow', rule: 'rules[1]', package: 'trusted' });
  });

  test('stack inspection: denied if any package on the chain is denied, the innermost denied one reported', () => {
    const policy = load({
      default: 'deny',
      rules: [
        { event: 'open', package: 'trusted', action: 'allow' },
        { event: 'open', package: 'helper', action: 'allow' },
      ],
    });
    const chain = (packages: string[]) => decide(policy, 'open', ['/x', 'r', 0], packages);
    assert.deepEqual(chain(['trusted', 'helper']), { decision: 'allow', rule: 'rules[0]', package: 'trusted' });
    // A malicious package calling through a trusted one does not borrow its permission.
    assert.deepEqual(chain(['trusted', 'evil']), { decision: 'deny', rule: 'default', package: 'evil' });
    assert.deepEqual(chain(['evil', 'trusted', 'other']), { decision: 'deny', rule: 'default', package: 'evil' });
    // The application is a subject only when no package is on the stack.
    assert.deepEqual(chain([]), { decision: 'deny', rule: 'default', package: null });
  });

  test('frameworks: a framework that only dispatched to other code on the way is no subject; its own work is, and so is everyone it called', () => {
    const policy = load({ default: 'allow', frameworks: ['router-kit', '@acme/*'], rules: [{ event: 'open', package: '{router-kit,@acme/*}', action: 'deny' }] });
    // packages innermost first, beside whether other code of the program ran inside their innermost frame
    const subjects = (packages: string[], dispatched: boolean[]) => Array.from(eventSubjects(policy, packages, dispatched));
    const verdict = (packages: string[], dispatched: boolean[]) => decide(policy, 'open', ['/x', 'r', 0], eventSubjects(policy, packages, dispatched));
    // The application's handler, called by the router: the application's.
    assert.deepEqual(subjects(['router-kit'], [true]), []);
    assert.deepEqual(verdict(['router-kit'], [true]), { decision: 'allow', rule: 'default', package: null });
    // The router's own read: its.
    assert.deepEqual(verdict(['router-kit'], [false]), { decision: 'deny', rule: 'rules[0]', package: 'router-kit' });
    // A package's handler, or a package calling through the router: still that package's; a scope glob.
    assert.deepEqual(subjects(['evil', 'router-kit', '@acme/app'], [false, true, true]), ['evil']);
    assert.deepEqual(subjects(['router-kit', 'evil'], [false, true]), ['router-kit', 'evil']);
    // A package the policy does not call a framework stays a subject when it dispatched.
    assert.deepEqual(subjects(['lodash'], [true]), ['lodash']);
    const plain = load({ default: 'allow', rules: [] });
    assert.deepEqual(Array.from(eventSubjects(plain, ['router-kit'], [true])), ['router-kit']);
  });

  test('paths: relative values against the working directory, relative patterns against the policy file, normalised', () => {
    const sub = join(dir, 'project');
    mkdirSync(sub, { recursive: true });
    const policy = loadPolicy(policyFile(JSON.stringify({
      default: 'deny',
      rules: [
        { event: 'open', match: { path: ['data/**', './config.json', '../shared/*.txt'] }, action: 'allow' },
        { event: 'os.rename', match: { src: '/tmp/**', dst: '/tmp/**' }, action: 'allow' },
        { event: 'subprocess.Popen', match: { executable: ['git', 'bin/*.sh', '/usr/bin/*'] }, action: 'allow' },
      ],
    }), 'project/policy.json'));
    const open = (path: string) => decide(policy, 'open', [path, 'r', 0], []).decision;
    assert.equal(open(`${sub}/data/a/b.json`), 'allow');
    assert.equal(open(`${sub}/data`), 'allow');
    assert.equal(open(`${sub}/config.json`), 'allow');
    assert.equal(open(`${dir}/shared/notes.txt`), 'allow');
    assert.equal(open(`${sub}/data/../secret`), 'deny', 'normalised before matching: .. cannot escape');
    assert.equal(open(`${sub}//data/./x`), 'allow');
    assert.equal(open(`${sub}/other`), 'deny');
    assert.equal(open(posix.relative(process.cwd(), `${sub}/data/x`)), 'allow', 'a relative value is resolved against the working directory');
    assert.equal(decide(policy, 'os.rename', ['/tmp/a', '/tmp/b', null, null], []).decision, 'allow');
    assert.equal(decide(policy, 'os.rename', ['/tmp/a', '/etc/b', null, null], []).decision, 'deny', 'every match entry must fit');
    const spawn = (executable: string | null) => decide(policy, 'subprocess.Popen', [executable, [], null, {}], []).decision;
    assert.equal(spawn('git'), 'allow', 'a name without / is looked up in PATH: matched as given');
    assert.equal(spawn(`${sub}/bin/x.sh`), 'allow');
    assert.equal(spawn('/usr/bin/git'), 'allow');
    assert.equal(spawn('/bin/git'), 'deny');
    assert.equal(spawn(null), 'deny', 'null matches no pattern');
  });

  test('variables: ~ and ${HOME}, ${PROJECT}, ${TMPDIR}, ${NPM_CACHE}, ${NODE}, ${NPM}, ${NPM_GLOBALCONFIG} are the run\'s, in every kind of argument that holds a path', () => {
    // Values with glob characters in them stay literal.
    const variables = {
      HOME: '/home/m{e}', PROJECT: '/work/app*', TMPDIR: '/var/tmp', NPM_CACHE: '/cache/npm', NODE: '/opt/node[22]/bin/node', NPM: '/opt/node[22]/lib/node_modules/npm',
      NPM_GLOBALCONFIG: '/opt/node[22]/etc/npmrc',
    };
    const policy = loadPolicy(policyFile(JSON.stringify({
      default: 'deny',
      rules: [
        { event: 'open', match: { path: ['${NPM_GLOBALCONFIG}', '~/.npmrc', '${HOME}/.config/**', '${PROJECT}/src/**', '${TMPDIR}/**', '${NPM_CACHE}/_logs/*-debug-0.log', '{~,${PROJECT}}/both', '\\${HOME}/x', '\\~/y'] }, action: 'allow' },
        { event: 'import', match: { filename: ['${PROJECT}/node_modules/**', '~/lib/*.js'] }, action: 'allow' },
        { event: 'subprocess.Popen', match: { executable: ['${PROJECT}/node_modules/.bin/*', '${NODE}'] }, action: 'allow' },
        { event: 'import', package: 'npm', match: { filename: '${NPM}/**' }, action: 'allow' },
        { event: 'socket.connect', match: { address: '${TMPDIR}/*.sock' }, action: 'allow' },
      ],
    })), variables);
    const open = (path: string) => decide(policy, 'open', [path, 'r', 0], []).decision;
    for (const path of ['/opt/node[22]/etc/npmrc', '/home/m{e}/.npmrc', '/home/m{e}/.config/a/b', '/work/app*/src/x.ts', '/var/tmp/a/b', '/cache/npm/_logs/2026-01-01T00_00_00_000Z-debug-0.log', '/home/m{e}/both', '/work/app*/both']) {
      assert.equal(open(path), 'allow', path);
    }
    for (const path of ['/home/me/.npmrc', '/work/apps/src/x.ts', '/work/app*/.env', '/cache/npm/_cacache/x', '/home/m{e}/y']) assert.equal(open(path), 'deny', path);
    assert.equal(open(`${dir}/$HOME/x`), 'allow', '\\$ is a literal $ (and {HOME} braces of one alternative): a path relative to the policy file');
    assert.equal(open(`${dir}/~/y`), 'allow', '\\~ is a literal ~: a path relative to the policy file');
    assert.equal(decide(policy, 'import', ['x', '/work/app*/node_modules/x/index.js', [], null, null], []).decision, 'allow');
    assert.equal(decide(policy, 'import', ['x', '/home/m{e}/lib/a.js', [], null, null], []).decision, 'allow');
    assert.equal(decide(policy, 'subprocess.Popen', ['/work/app*/node_modules/.bin/tsc', [], null, {}], []).decision, 'allow');
    assert.equal(decide(policy, 'subprocess.Popen', ['/opt/node[22]/bin/node', [], null, {}], []).decision, 'allow');
    assert.equal(decide(policy, 'subprocess.Popen', ['/opt/node2/bin/node', [], null, {}], []).decision, 'deny');
    assert.equal(decide(policy, 'import', ['x', '/opt/node[22]/lib/node_modules/npm/lib/cli.js', [], null, null], ['npm']).decision, 'allow');
    assert.equal(decide(policy, 'socket.connect', [{}, '/var/tmp/db.sock'], []).decision, 'allow');
  });

  test('variables: ${NPM_CACHE} is the cache npm would use, from the environment or the project\'s, the user\'s or the global .npmrc, in that order', () => {
    const root = mkdtempSync(join(dir, 'npmrc-'));
    const project = join(root, 'project');
    mkdirSync(project);
    const userrc = join(root, 'userrc');
    const globalrc = join(root, 'globalrc');
    const env = { npm_config_userconfig: userrc, npm_config_globalconfig: globalrc, CACHE_ROOT: '/caches' };
    const cache = (extra: Record<string, string> = {}) => policyVariables(project, { ...env, ...extra }).NPM_CACHE;
    const home = policyVariables(project, env).HOME;
    assert.equal(cache(), join(home, '.npm'), 'no .npmrc sets it: ~/.npm');
    writeFileSync(globalrc, 'cache=/global/cache\n');
    assert.equal(cache(), '/global/cache');
    writeFileSync(userrc, '//registry.npmjs.org/:_authToken=secret-token\n; a comment\ncache = ~/user-cache\n');
    assert.equal(cache(), join(home, 'user-cache'), 'the user\'s .npmrc before the global one; ~/ is the home directory');
    writeFileSync(join(project, '.npmrc'), 'cache="${CACHE_ROOT}/project"\n');
    assert.equal(cache(), '/caches/project', 'the project\'s .npmrc first; ${VAR} from the environment');
    writeFileSync(join(project, '.npmrc'), 'cache=.cache/${UNSET}\n');
    assert.equal(cache(), join(project, '.cache', '${UNSET}'), 'relative to the project; an unset variable stays as written');
    assert.equal(cache({ NPM_CONFIG_CACHE: 'from-env' }), join(project, 'from-env'), 'the environment before any .npmrc');
    assert.equal(cache({ npm_config_cache: '~/env-cache' }), join(home, 'env-cache'));
  });

  test('variables: an unknown or unclosed one is an error at its pattern, naming the variables', () => {
    const rule = (match: string) => withRule(`{ "event": "open", "match": { "path": ${match} }, "action": "deny" }`);
    rejects(rule('["/ok", "${PROJ}/x"]'), '"${PROJ}', 'rules[0].match.path[1]: "${PROJ}/x": unknown variable "${PROJ}"; the variables are ~, ${HOME}, ${PROJECT}, ${TMPDIR}, ${NPM_CACHE}, ${NODE}, ${NPM}, ${NPM_GLOBALCONFIG} (\\$ for a literal $)');
    rejects(rule('"${HOME/x"'), '"${HOME/', 'rules[0].match.path: "${HOME/x": "${" at position 1 is never closed; the variables are ~, ${HOME}, ${PROJECT}, ${TMPDIR}, ${NPM_CACHE}, ${NODE}, ${NPM}, ${NPM_GLOBALCONFIG}');
  });

  test('every argument is matched as the kind the catalogue states: a database is a path, a glob pattern is text', () => {
    const sub = join(dir, 'kinds');
    mkdirSync(sub, { recursive: true });
    const policy = loadPolicy(policyFile(JSON.stringify({
      default: 'deny',
      rules: [
        { event: 'sqlite3.connect', match: { database: 'db/*.sqlite' }, action: 'allow' },
        { event: 'glob.glob/2', match: { pathname: 'src/**' }, action: 'allow' },
      ],
    }), 'kinds/policy.json'));
    const connect = (database: string) => decide(policy, 'sqlite3.connect', [database], []).decision;
    assert.equal(connect(`${sub}/db/app.sqlite`), 'allow', 'a relative pattern is resolved against the policy folder');
    assert.equal(connect(`${sub}/db/../secret.sqlite`), 'deny', 'the value is normalised as a path');
    const glob = (pattern: string) => decide(policy, 'glob.glob/2', [pattern, true, null, null], []).decision;
    assert.equal(glob('src/**/*.ts'), 'allow', 'a pattern is text, matched as written');
    assert.equal(glob(`${sub}/src/x`), 'deny', 'not resolved as a path');
  });

  test('addresses: host:port, [v6]:port, host alone is any port, IPC paths; hosts lower-cased', () => {
    const policy = load({
      default: 'deny',
      rules: [
        { event: 'socket.connect', match: { address: ['*:443', '127.0.0.1', '[::1]:8080', '::2', '/run/*.sock'] }, action: 'allow' },
        { event: 'socket.getaddrinfo', match: { host: '*.Example.com' }, action: 'allow' },
        { event: 'http.client.connect', match: { host: 'api.example.com', port: '{80,443}' }, action: 'allow' },
        { event: 'os.kill', match: { sig: '15' }, action: 'allow' },
        { event: 'glob.glob/2', match: { pathname: 'src/** test/**' }, action: 'allow' },
      ],
    });
    const connect = (address: unknown) => decide(policy, 'socket.connect', [{}, address], []).decision;
    assert.equal(connect(['93.184.216.34', 443]), 'allow');
    assert.equal(connect(['2001:db8::1', 443]), 'allow');
    assert.equal(connect(['93.184.216.34', 80]), 'deny');
    assert.equal(connect(['127.0.0.1', 5432]), 'allow');
    assert.equal(connect(['::1', 8080]), 'allow');
    assert.equal(connect(['::1', 8081]), 'deny');
    assert.equal(connect(['::2', 1]), 'allow');
    assert.equal(connect('/run/app.sock'), 'allow');
    assert.equal(connect('/tmp/app.sock'), 'deny');
    assert.equal(connect({ host: '127.0.0.1' }), 'deny', 'an object matches no pattern');
    assert.equal(decide(policy, 'socket.getaddrinfo', ['WWW.EXAMPLE.COM', null, 0, null, null], []).decision, 'allow');
    assert.equal(decide(policy, 'socket.getaddrinfo', ['example.com.evil', null, 0, null, null], []).decision, 'deny');
    assert.equal(decide(policy, 'http.client.connect', [{}, 'api.example.com', 443], []).decision, 'allow', 'numbers in decimal');
    assert.equal(decide(policy, 'http.client.connect', [{}, 'api.example.com', 8443], []).decision, 'deny');
    assert.equal(decide(policy, 'os.kill', [1234, 15], []).decision, 'allow');
    assert.equal(decide(policy, 'glob.glob/2', [['src/**', 'test/**'], true, null, null], []).decision, 'allow', 'lists joined by spaces');
  });

  test('URLs as the URL parser reads them: case, default ports, user info and dot segments cannot dodge a rule', () => {
    const policy = load({ default: 'allow', rules: [{ event: 'urllib.Request', match: { fullurl: ['HTTPS://Evil.example/**', 'http://*.tracker.example/**'] }, action: 'deny' }] });
    const fetchOf = (url: string) => decide(policy, 'urllib.Request', [url, null, {}, 'GET'], []).decision;
    for (const url of ['https://evil.example/', 'HTTPS://EVIL.example:443/x', 'https://user:pw@evil.example/x', 'https://evil.example/a/../x', 'https:\\\\evil.example\\x', 'https://%65vil.example/']) {
      assert.equal(fetchOf(url), 'deny', url);
    }
    assert.equal(fetchOf('http://a.tracker.example/pixel#frag'), 'deny');
    assert.equal(fetchOf('https://evil.example.com/'), 'allow');
    assert.equal(fetchOf('https://good.example/evil.example/'), 'allow');
    assert.equal(fetchOf('not a url'), 'allow', 'unparsable text is matched as given');
  });

  test('events outside the catalogue: only rules without a match apply', () => {
    const policy = load({ default: 'allow', rules: [{ event: 'open', match: { path: '/**' }, action: 'deny' }, { event: '*', action: 'deny' }] });
    assert.deepEqual(decide(policy, 'myapp.custom', ['/x'], []), { decision: 'deny', rule: 'rules[1]', package: null });
  });

  test('a policy handed over as JSON decides the same, and tampering with RegExp, String and URL changes nothing', () => {
    const compiled = load({ default: 'allow', rules: [
      { event: 'open', match: { path: ['/etc/*', '/etc/ssh/**'] }, action: 'deny' },
      { event: 'socket.getaddrinfo', match: { host: 'evil.com' }, action: 'deny' },
      { event: 'urllib.Request', match: { fullurl: 'https://evil.com/**' }, action: 'deny' },
    ] });
    const policy = JSON.parse(JSON.stringify(compiled)) as CompiledPolicy;
    const exec = Object.getOwnPropertyDescriptor(RegExp.prototype, 'exec') as PropertyDescriptor;
    const toLowerCase = Object.getOwnPropertyDescriptor(String.prototype, 'toLowerCase') as PropertyDescriptor;
    const startsWith = Object.getOwnPropertyDescriptor(String.prototype, 'startsWith') as PropertyDescriptor;
    const origin = Object.getOwnPropertyDescriptor(URL.prototype, 'origin') as PropertyDescriptor;
    const url = globalThis.URL;
    try {
      RegExp.prototype.exec = () => null;
      String.prototype.toLowerCase = function (this: string) { return 'x'; };
      String.prototype.startsWith = () => false;
      Object.defineProperty(URL.prototype, 'origin', { get: () => 'https://good.com', configurable: true });
      globalThis.URL = class { constructor() { throw new Error('no'); } } as unknown as typeof URL;
      assert.equal(decide(policy, 'open', ['/etc/passwd', 'r', 0], []).decision, 'deny');
      assert.equal(decide(policy, 'open', ['/etc/ssh/sshd_config', 'r', 0], []).decision, 'deny');
      assert.equal(decide(policy, 'socket.getaddrinfo', ['EVIL.com', null, 0, null, null], []).decision, 'deny');
      assert.equal(decide(policy, 'urllib.Request', ['HTTPS://EVIL.com/x', null, {}, 'GET'], []).decision, 'deny');
    } finally {
      Object.defineProperty(RegExp.prototype, 'exec', exec);
      Object.defineProperty(String.prototype, 'toLowerCase', toLowerCase);
      Object.defineProperty(String.prototype, 'startsWith', startsWith);
      Object.defineProperty(URL.prototype, 'origin', origin);
      globalThis.URL = url;
    }
  });
});

// ---- property-based: the glob compiler and decide() against naive references --------------------

/** Brace expansion, the obvious way: the first top-level {...} and its comma-separated parts. */
function naiveExpand(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  const commas: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') i++;
    else if (char === '{') {
      if (depth++ === 0) open = i;
    } else if (char === ',' && depth === 1) commas.push(i);
    else if (char === '}' && --depth === 0) {
      const bounds = [open, ...commas, i];
      const parts: string[] = [];
      for (let k = 0; k + 1 < bounds.length; k++) parts.push(pattern.slice(bounds[k] + 1, bounds[k + 1]));
      return parts.flatMap((part) => naiveExpand(pattern.slice(0, open) + part + pattern.slice(i + 1)));
    }
  }
  return [pattern];
}

/** The documented glob semantics as a backtracking matcher over one brace-free pattern. */
function naiveMatch(p: string, s: string, segments: boolean, i = 0, j = 0): boolean {
  if (i === p.length) return j === s.length;
  if (segments) {
    if ((i === 0 || p[i - 1] === '/') && p.startsWith('**/', i)) {
      // Leading (or right after `/**/`): any whole segments, none included.
      for (let k = j; k <= s.length; k++) if ((k === j || s[k - 1] === '/') && naiveMatch(p, s, segments, i + 3, k)) return true;
      return false;
    }
    if (p.startsWith('/**/', i)) {
      // `/`, any segments, then the pattern's next `/`.
      if (s[j] !== '/') return false;
      for (let k = j; k < s.length; k++) if (s[k] === '/' && naiveMatch(p, s, segments, i + 3, k)) return true;
      return false;
    }
    if (p.length - i === 3 && p.endsWith('/**')) return j === s.length || s[j] === '/';
  }
  if (p.startsWith('**', i)) {
    for (let k = j; k <= s.length; k++) if (naiveMatch(p, s, segments, i + 2, k)) return true;
    return false;
  }
  if (p[i] === '*') {
    for (let k = j; k <= s.length; k++) {
      if (naiveMatch(p, s, segments, i + 1, k)) return true;
      if (segments && s[k] === '/') return false;
    }
    return false;
  }
  if (p[i] === '?') return j < s.length && !(segments && s[j] === '/') && naiveMatch(p, s, segments, i + 1, j + 1);
  const literal = p[i] === '\\' ? p[i + 1] : p[i];
  return s[j] === literal && naiveMatch(p, s, segments, i + (p[i] === '\\' ? 2 : 1), j + 1);
}

/** Consecutive `**` segments mean one (documented). */
const oneGlobstar = (pattern: string): string => pattern.replace(/(^|\/)\*\*(?:\/\*\*)+(?=\/|$)/g, '$1**');

const naiveGlob = (pattern: string, text: string, segments: boolean): boolean =>
  naiveExpand(pattern).some((alternative) => naiveMatch(segments ? oneGlobstar(alternative) : alternative, text, segments));

const globToken = fc.constantFrom('a', 'b', '.', '/', '*', '**', '?', '/**', '**/', '/**/', '{a,b/}', '{,a*}', '\\*', '\\{');
const textToken = fc.constantFrom('a', 'b', '.', '/', '*', '{');

describe('properties', () => {
  test('compiled globs (RegExp, and string comparisons where they suffice) agree with the naive matcher', () => {
    fc.assert(fc.property(fc.array(globToken, { minLength: 1, maxLength: 7 }), fc.array(textToken, { maxLength: 9 }), fc.boolean(), (tokens, chars, segments) => {
      const pattern = tokens.join('');
      const text = chars.join('');
      let source: string;
      try {
        source = globSource([pattern], { segments });
      } catch (error) {
        assert.ok(error instanceof GlobError);
        // The only rejected shape these tokens can build: three or more stars in a row, once braces are expanded.
        assert.ok(naiveExpand(pattern).some((alternative) => /\*\*\*/.test(alternative.replace(/\\./g, ''))), pattern);
        return;
      }
      const expected = naiveGlob(pattern, text, segments);
      assert.equal(new RegExp(source).test(text), expected, `${pattern} on ${text}`);
      if (segments) {
        // What the agent runs: plain strings and directory prefixes compared as strings, the rest as a RegExp.
        const matcher = globMatcher([pattern], { segments });
        const viaMatcher = matcher.exact.includes(text) || matcher.prefixes.some((prefix) => text.startsWith(prefix))
          || (matcher.pattern !== null && new RegExp(matcher.pattern).test(text));
        assert.equal(viaMatcher, expected, `matcher of ${pattern} on ${text}`);
      }
    }), { numRuns: 3000 });
  });

  // picomatch lets `**` match no segment in `/a/**` but not in `/**/b` or `/*/**`; ours does in every
  // whole-segment position (documented), so with `**` every picomatch match must be ours too.
  test('compiled path globs agree with picomatch (dot, no brackets, extglobs or negation) on normalised paths', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', '.x', '*', 'a*', '*b', '?', 'a?', '**', '{a,b}', '{ab,*x}');
    const name = fc.constantFrom('a', 'b', 'ab', 'ba', '.x', 'xb');
    fc.assert(fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.array(name, { minLength: 1, maxLength: 6 }), (segments, names) => {
      const pattern = `/${segments.join('/')}`;
      const path = `/${names.join('/')}`;
      const theirs = picomatch.makeRe(pattern, { dot: true, nobracket: true, noextglob: true, nonegate: true }).test(path);
      const ours = new RegExp(globSource([pattern], { segments: true })).test(path);
      if (pattern.includes('**')) assert.ok(ours || !theirs, `${pattern} on ${path}: picomatch matches, we do not`);
      else assert.equal(ours, theirs, `${pattern} on ${path}`);
    }), { numRuns: 3000 });
  });

  // A small world of events, packages and paths, so that random rules often fit random events.
  const EVENTS = ['open', 'os.remove', 'os.mkdir', 'subprocess.Popen'];
  const PATH_ARG: Record<string, number | null> = { 'open': 0, 'os.remove': 0, 'os.mkdir': 0, 'subprocess.Popen': null };
  const PACKAGES = ['a', 'b', 'ab', '@s/a', '@s/b'];
  const eventGlob = fc.constantFrom('open', 'os.remove', 'os.*', '*', '{open,os.mkdir}', 'o*');
  // null: the application only.
  const packageGlob = fc.option(fc.constantFrom<string | null>('*', 'a', 'a*', '@s/*', '{b,@s/b}', '**', null), { nil: undefined });
  const pathGlob = fc.constantFrom('/a/**', '/a/*', '/b/*/c', '**/c', '/a/{b,c}', '/a/b', '/**');
  const rule = fc.record({ event: eventGlob, package: packageGlob, path: fc.option(fc.array(pathGlob, { minLength: 1, maxLength: 2 }), { nil: undefined }), action: fc.constantFrom('allow', 'deny') });
  const path = fc.array(fc.constantFrom('a', 'b', 'c', '..', '.'), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);

  type RuleSpec = { event: string; package: string | null | undefined; path: string[] | undefined; action: 'allow' | 'deny' };
  const UNKNOWN = '(unknown)';

  /** The documented semantics, spelled out naively. */
  function reference(rules: RuleSpec[], fallback: 'allow' | 'deny', event: string, value: string, chain: string[], unknown: boolean): { decision: string; rule: string; package: string | null } {
    const normal = posix.normalize(value).replace(/(.)\/$/, '$1');
    const verdictFor = (subject: string | null) => {
      for (const [i, spec] of rules.entries()) {
        if (!naiveGlob(spec.event, event, false)) continue;
        if (spec.package === null) {
          if (subject !== null) continue;
        } else if (spec.package !== undefined) {
          if (subject === null) continue;
          if (!(spec.package === '*' || (subject !== UNKNOWN && naiveGlob(spec.package, subject, true)))) continue;
        }
        if (spec.path !== undefined && !spec.path.some((glob) => naiveGlob(glob, normal, true))) continue;
        return { decision: spec.action, rule: `rules[${i}]`, package: subject };
      }
      return { decision: fallback, rule: 'default', package: subject };
    };
    // The unknown subject is the outermost, and stands for the application when no package is known.
    const subjects: (string | null)[] = chain.length === 0 && !unknown ? [null] : [...chain, ...unknown ? [UNKNOWN] : []];
    const verdicts = subjects.map(verdictFor);
    return verdicts.find((verdict) => verdict.decision === 'deny') ?? (verdicts[0]);
  }

  test('decide agrees with the reference: first match, default, package globs, stack semantics', () => {
    fc.assert(fc.property(
      fc.array(rule, { maxLength: 6 }), fc.constantFrom<'allow' | 'deny'>('allow', 'deny'),
      fc.array(fc.tuple(fc.constantFrom(...EVENTS), path, fc.array(fc.constantFrom(...PACKAGES), { maxLength: 3 }), fc.boolean()), { minLength: 1, maxLength: 5 }),
      (rules, fallback, calls) => {
        // A rule with a path match applies to the events that have a path: narrow the glob as the loader demands.
        const specs: RuleSpec[] = rules.map((spec) => (spec.path === undefined ? spec : { ...spec, event: '{open,os.remove,os.mkdir}' }));
        const policy = load({
          default: fallback,
          rules: specs.map((spec) => ({
            event: spec.event,
            ...(spec.package === undefined ? {} : { package: spec.package }),
            ...(spec.path === undefined ? {} : { match: { path: spec.path } }),
            action: spec.action,
          })),
        });
        for (const [event, value, chain, unknown] of calls) {
          const index = PATH_ARG[event];
          const args = index === null ? ['/bin/sh', ['sh'], null, {}] : [value, 'r', 0];
          assert.deepEqual(decide(policy, event, args, chain, unknown), reference(specs, fallback, event, value, chain, unknown));
        }
      },
    ), { numRuns: 300 });
  });
});

test('names and text with a newline are matched by * and **: nothing slips past a deny rule', () => {
  const policy = load({ default: 'allow', rules: [
    { event: 'open', package: '*', action: 'deny' },
    { event: 'subprocess.Popen', match: { executable: 'sh*' }, action: 'deny' },
  ] });
  assert.equal(decide(policy, 'open', ['/x', 'r', 0], ['evil\nname']).decision, 'deny');
  assert.equal(decide(policy, 'subprocess.Popen', ['sh\n', ['sh'], null, null], []).decision, 'deny');
});
