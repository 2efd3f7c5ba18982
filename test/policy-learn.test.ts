/**
 * `audithook policy learn`: the learned policy, loaded back and run through decide(), allows every
 * logged event (fixed logs and random ones); it is deterministic; it generalises paths and
 * addresses as documented and no further; the command warns about corrupt lines and exits 2 on an
 * unreadable log.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { LogRecord } from '../src/contract/record';
import { decide, loadPolicy } from '../src/policy/index';
import type { CompiledPolicy } from '../src/policy/index';
import { learnPolicy } from '../src/policy/learn';
import type { PolicyVariables } from '../src/policy/variables';
import { REPO_ROOT } from './helpers/scenario';

const root = mkdtempSync(join(tmpdir(), 'audithook-learn-'));
const project = join(root, 'project');
const tmp = join(root, 'tmp');
const home = join(root, 'home');
mkdirSync(project, { recursive: true });
const nodePrefix = join(root, 'opt', 'node');
const variables: PolicyVariables = {
  HOME: home, PROJECT: project, TMPDIR: tmp, NPM_CACHE: join(home, '.npm'),
  NODE: join(nodePrefix, 'bin', 'node'), NPM: join(nodePrefix, 'lib', 'node_modules', 'npm'), NPM_GLOBALCONFIG: join(nodePrefix, 'etc', 'npmrc'),
};
const options = { variables };
let policyCount = 0;

function record(event: string, args: unknown[], packages: string[] = []): LogRecord {
  return {
    time: '2026-01-01T00:00:00.000Z', pid: 1, thread: 0, event, args,
    package: packages[0] ?? null, packages: packages.map((name) => ({ name, version: '1.0.0' })),
    decision: 'allow', rule: null, blocked: false,
  };
}

/** Learns from `records`, writes the policy into the project and loads it as `audithook run` would. */
function learnAndLoad(records: readonly LogRecord[]): { text: string; policy: CompiledPolicy; warnings: readonly string[] } {
  const { text, warnings } = learnPolicy(records, options);
  const file = join(project, `learned-${policyCount++}.json`);
  writeFileSync(file, text);
  return { text, policy: loadPolicy(file, variables), warnings };
}

const verdict = (policy: CompiledPolicy, entry: LogRecord) => decide(policy, entry.event, entry.args, entry.packages.map((ref) => ref.name));

const supplyChain: LogRecord[] = [
  record('open', [`${project}/package.json`, 'r', 0]),
  record('open', [`${project}/data/users/1.json`, 'r', 0]),
  record('open', [`${project}/data/users/2.json`, 'w', 577]),
  record('os.rename', [`${project}/data/a.tmp`, `${project}/data/a.json`, null, null]),
  record('tempfile.mkdtemp', [`${tmp}/build-XXXXXX`]),
  record('open', [`${tmp}/build-3f9a1c/out.txt`, 'w', 577]),
  record('open', [`${project}/node_modules/left-pad/package.json`, 'r', 0], ['left-pad']),
  record('open', [`${project}/node_modules/@acme/util/lib/x.json`, 'r', 0], ['@acme/util', 'left-pad']),
  record('open', ['/etc/hosts', 'r', 0], ['@acme/util']),
  record('socket.getaddrinfo', ['Registry.NPMJS.org', null, 0, null, null], ['@acme/util']),
  record('socket.connect', [{ summary: 'net.Socket' }, ['104.16.0.35', 443]], ['@acme/util']),
  record('socket.connect', [{ summary: 'net.Socket' }, ['127.0.0.1', 41234]]),
  record('socket.connect', [{ summary: 'net.Socket' }, ['::1', 5432]]),
  record('socket.bind', [{ summary: 'net.Server' }, ['0.0.0.0', 3000]]),
  record('socket.connect', [{ summary: 'net.Socket' }, `${tmp}/app.sock`]),
  record('urllib.Request', ['https://api.example.com/v1/items?page=2', null, {}, 'GET']),
  record('subprocess.Popen', ['/bin/sh', ['/bin/sh', '-c', 'git status'], null, {}], ['simple-git']),
  record('subprocess.Popen', ['git', ['git', 'status'], `${project}`, {}], ['simple-git']),
  record('ctypes.dlopen', [`${project}/node_modules/@acme/util/build/Release/addon.node`], ['@acme/util']),
  record('process.binding', ['fs'], ['@acme/util']),
  record('os.putenv', ['DEBUG', '1']),
  record('os.kill', [1234, 15]),
  record('sys.addaudithook', []),
  record('myapp.custom', ['x']),
  record('open', [`${home}/.npmrc`, 'r', 0], ['@npmcli/config']),
  record('open', [`${home}/.npm/_logs/2026-12-03T17_35_50_638Z-debug-0.log`, 'a', 1089], ['npm']),
  record('open', [`${home}/.npm/_cacache/index-v5/3f/9a/1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8`, 'r', 0], ['npm']),
  record('open', [`${home}/.cache/tool/run-2026-12-03T17:35:50.638Z.log`, 'w', 577]),
  record('open', ['/var/lib/tool/lock-1733247350638', 'w', 577]),
  record('open', ['/var/lib/tool/cache-3f9a1c2b4d5e6f70.json', 'w', 577]),
  record('import', ['left-pad', `${project}/node_modules/left-pad/index.js`, [], null, null]),
  record('import', ['./lib/x.js', `${project}/node_modules/left-pad/lib/x.js`, [], null, null]),
  record('import', ['@acme/util', `${project}/node_modules/@acme/util/index.js`, [], null, null]),
  record('import', ['simple-git', `${project}/node_modules/simple-git/index.js`, [], null, null]),
];

describe('the learned policy', () => {
  test('has no rule for report-only events, which every policy allows', () => {
    const crash = record('sys.excepthook', [null, { $type: 'function', name: 'Error' }, { $type: 'Error', message: 'boom' }, 'Error: boom'], ['left-pad']);
    const { text, policy, warnings } = learnAndLoad([record('os.kill', [1234, 15]), crash]);
    assert.doesNotMatch(text, /excepthook/);
    assert.deepEqual(warnings, []);
    assert.deepEqual(verdict(policy, crash), { decision: 'allow', rule: 'report-only', package: null });
  });

  test('allows every logged event of the catalogue, and warns about the others', () => {
    const { policy, warnings } = learnAndLoad(supplyChain);
    assert.equal(policy.default, 'deny');
    assert.equal(policy.mode, 'enforce');
    for (const entry of supplyChain) {
      if (entry.event === 'myapp.custom') continue;
      assert.equal(verdict(policy, entry).decision, 'allow', JSON.stringify(entry));
    }
    assert.deepEqual(warnings, ['audithook policy learn: "myapp.custom" is not in the catalogue, so no policy can allow it by name; it falls to the default (deny)']);
  });

  test('generalises as documented: variables for the project, temp, cache and home, package folders, volatile names; grouped by package, one rule per line', () => {
    const { text } = learnAndLoad(supplyChain);
    assert.equal(text, `{
  "$schema": "./node_modules/audithook/schema/policy.schema.json",
  "default": "deny",
  "mode": "enforce",
  "rules": [
    { "event": "import", "package": null, "action": "allow", "match": { "filename": "\${PROJECT}/node_modules/**" } },
    { "event": "open", "package": null, "action": "allow", "match": { "path": [
      "\${PROJECT}/data/**",
      "\${PROJECT}/package.json",
      "\${TMPDIR}/**",
      "/var/lib/tool/cache-*.json",
      "/var/lib/tool/lock-*",
      "~/.cache/tool/run-*.log"
    ] } },
    { "event": "os.kill", "package": null, "action": "allow" },
    { "event": "os.putenv", "package": null, "action": "allow", "match": { "key": "DEBUG" } },
    { "event": "os.remove", "package": null, "action": "allow", "match": { "path": [
      "\${PROJECT}/data/**",
      "\${TMPDIR}/**",
      "/var/lib/tool/cache-*.json",
      "/var/lib/tool/lock-*",
      "~/.cache/tool/run-*.log"
    ] } },
    { "event": "os.rename", "package": null, "action": "allow", "match": { "dst": "\${PROJECT}/data/**", "src": "\${PROJECT}/data/**" } },
    { "event": "os.rmdir", "package": null, "action": "allow", "match": { "path": [
      "\${PROJECT}/data/**",
      "\${TMPDIR}/**",
      "/var/lib/tool/cache-*.json",
      "/var/lib/tool/lock-*",
      "~/.cache/tool/run-*.log"
    ] } },
    { "event": "shutil.rmtree", "package": null, "action": "allow", "match": { "path": [
      "\${PROJECT}/data/**",
      "\${TMPDIR}/**",
      "/var/lib/tool/cache-*.json",
      "/var/lib/tool/lock-*",
      "~/.cache/tool/run-*.log"
    ] } },
    { "event": "socket.bind", "package": null, "action": "allow", "match": { "address": "0.0.0.0:3000" } },
    { "event": "socket.connect", "package": null, "action": "allow", "match": { "address": [
      "\${TMPDIR}/**",
      "127.0.0.1:*",
      "[::1]:*"
    ] } },
    { "event": "sys.addaudithook", "package": null, "action": "allow" },
    { "event": "tempfile.mkdtemp", "package": null, "action": "allow", "match": { "fullpath": "\${TMPDIR}/**" } },
    { "event": "urllib.Request", "package": null, "action": "allow", "match": { "fullurl": "https://api.example.com/**" } },
    { "event": "ctypes.dlopen", "package": "@acme/util", "action": "allow", "match": { "name": "\${PROJECT}/node_modules/@acme/util/**" } },
    { "event": "open", "package": "@acme/util", "action": "allow", "match": { "path": [
      "\${PROJECT}/node_modules/@acme/util/**",
      "/etc/hosts"
    ] } },
    { "event": "process.binding", "package": "@acme/util", "action": "allow", "match": { "module": "fs" } },
    { "event": "socket.connect", "package": "@acme/util", "action": "allow", "match": { "address": "104.16.0.35:443" } },
    { "event": "socket.getaddrinfo", "package": "@acme/util", "action": "allow", "match": { "host": "registry.npmjs.org" } },
    { "event": "open", "package": "@npmcli/config", "action": "allow", "match": { "path": "~/.npmrc" } },
    { "event": "open", "package": "left-pad", "action": "allow", "match": { "path": [
      "\${PROJECT}/node_modules/@acme/util/**",
      "\${PROJECT}/node_modules/left-pad/**"
    ] } },
    { "event": "open", "package": "npm", "action": "allow", "match": { "path": [
      "\${NPM_CACHE}/_cacache/**",
      "\${NPM_CACHE}/_logs/**"
    ] } },
    { "event": "os.remove", "package": "npm", "action": "allow", "match": { "path": "\${NPM_CACHE}/_logs/**" } },
    { "event": "os.rmdir", "package": "npm", "action": "allow", "match": { "path": "\${NPM_CACHE}/_logs/**" } },
    { "event": "shutil.rmtree", "package": "npm", "action": "allow", "match": { "path": "\${NPM_CACHE}/_logs/**" } },
    { "event": "subprocess.Popen", "package": "simple-git", "action": "allow", "match": { "executable": [
      "/bin/sh",
      "git"
    ] } }
  ]
}
`);
  });

  test('the Node executable, npm\'s folder and its global .npmrc are written as ${NODE}, ${NPM} and ${NPM_GLOBALCONFIG}: the policy fits another Node installation', () => {
    const records = [
      record('open', [variables.NPM_GLOBALCONFIG, 'r', 0], ['@npmcli/config']),
      record('subprocess.Popen', [variables.NODE, [variables.NODE, 'script.js'], null, {}], ['npm']),
      record('open', [`${variables.NPM}/lib/cli.js`, 'r', 0], ['npm']),
      record('import', ['abbrev', `${variables.NPM}/node_modules/abbrev/index.js`, [], null, null], ['npm']),
    ];
    const { text, policy } = learnAndLoad(records);
    assert.match(text, /"executable": "\$\{NODE\}"/);
    assert.match(text, /"path": "\$\{NPM\}\/\*\*"/);
    assert.match(text, /"filename": "\$\{NPM\}\/node_modules\/abbrev\/\*\*"/);
    assert.match(text, /"path": "\$\{NPM_GLOBALCONFIG\}"/);
    assert.doesNotMatch(text, new RegExp(nodePrefix));
    for (const entry of records) assert.equal(verdict(policy, entry).decision, 'allow', entry.event);
    // Loaded for a run on another Node: its executable and its npm.
    const other = join(root, 'other-node');
    const elsewhere = loadPolicy(join(project, `learned-${policyCount - 1}.json`), {
      ...variables, NODE: join(other, 'bin', 'node'), NPM: join(other, 'lib', 'node_modules', 'npm'), NPM_GLOBALCONFIG: join(other, 'etc', 'npmrc'),
    });
    assert.equal(decide(elsewhere, 'subprocess.Popen', [join(other, 'bin', 'node'), [], null, {}], ['npm']).decision, 'allow');
    assert.equal(decide(elsewhere, 'subprocess.Popen', [variables.NODE, [], null, {}], ['npm']).decision, 'deny');
    assert.equal(decide(elsewhere, 'open', [join(other, 'lib', 'node_modules', 'npm', 'lib', 'cli.js'), 'r', 0], ['npm']).decision, 'allow');
    assert.equal(decide(elsewhere, 'open', [join(other, 'etc', 'npmrc'), 'r', 0], ['@npmcli/config']).decision, 'allow');
  });

  test('what a subject made it may remove, and nothing else: the next npm ci removes the node_modules the last one installed', () => {
    const records = [
      record('os.mkdir', [`${project}/node_modules/a`, 0o777, null], ['npm']),
      record('open', [`${project}/node_modules/a/index.js`, 'w', 577], ['npm']),
      record('open', [`${project}/node_modules/.package-lock.json`, null, 0o1101], ['npm']),
      record('open', [`${project}/package.json`, 'r', 0], ['npm']),
      record('os.rename', [`${tmp}/x`, `${project}/dist/out.js`, null, null]),
    ];
    const { policy } = learnAndLoad(records);
    const removes = (event: string, path: string, packages: string[]) => decide(policy, event, [path, null], packages).decision;
    for (const event of ['shutil.rmtree', 'os.remove', 'os.rmdir']) {
      assert.equal(removes(event, `${project}/node_modules/a`, ['npm']), 'allow', event);
      assert.equal(removes(event, `${project}/node_modules/a/index.js`, ['npm']), 'allow', event);
      assert.equal(removes(event, `${project}/node_modules/.package-lock.json`, ['npm']), 'allow', `${event}: opened with write flags`);
      assert.equal(removes(event, `${project}/package.json`, ['npm']), 'deny', `${event}: only read`);
      assert.equal(removes(event, `${project}/node_modules/a`, ['left-pad']), 'deny', `${event}: another package`);
      assert.equal(removes(event, `${project}/dist/out.js`, []), 'allow', `${event}: the application's rename destination`);
      assert.equal(removes(event, `${project}/src/index.js`, []), 'deny', event);
    }
  });

  test('allows no more than the generalisation: other files, hosts, ports, packages and callers stay denied', () => {
    const { policy } = learnAndLoad(supplyChain);
    const denied = (entry: LogRecord) => assert.equal(verdict(policy, entry).decision, 'deny', JSON.stringify(entry));
    denied(record('open', [`${project}/.env`, 'r', 0]));
    denied(record('open', [`${project}/data/../.env`, 'r', 0]));
    denied(record('open', ['/etc/passwd', 'r', 0], ['@acme/util']));
    denied(record('open', [`${project}/node_modules/@acme/util/x`, 'r', 0], ['evil']));
    // The trusted package's permission is not borrowed by a package calling through it.
    denied(record('open', ['/etc/hosts', 'r', 0], ['@acme/util', 'evil']));
    denied(record('socket.connect', [{}, ['104.16.0.36', 443]], ['@acme/util']));
    denied(record('socket.connect', [{}, ['104.16.0.35', 80]], ['@acme/util']));
    denied(record('socket.getaddrinfo', ['evil.example', null, 0, null, null], ['@acme/util']));
    denied(record('urllib.Request', ['https://evil.example/api.example.com/', null, {}, 'GET']));
    denied(record('subprocess.Popen', ['/usr/bin/curl', ['curl'], null, {}], ['simple-git']));
    denied(record('os.putenv', ['PATH', '/tmp']));
    // Only read, so not the application's to remove (what it wrote in data/ is).
    denied(record('os.remove', [`${project}/package.json`, null]));
    denied(record('ctypes.dlopen', [`${project}/node_modules/evil/addon.node`], ['@acme/util']));
    denied(record('process.binding', ['spawn_sync'], ['@acme/util']));
  });

  test('a file descriptor in a path argument is learned as fd:*: any descriptor for that event and package, no named path', () => {
    const { text, policy } = learnAndLoad([record('os.utime', [23, [1, 1], null, null], ['tar']), record('os.chmod', [`${project}/out`, 420, null, true], ['tar'])]);
    assert.match(text, /"event": "os.utime", "package": "tar", "action": "allow", "match": \{ "path": "fd:\*" \}/);
    const decision = (entry: LogRecord) => verdict(policy, entry).decision;
    assert.equal(decision(record('os.utime', [31, [2, 2], null, null], ['tar'])), 'allow', 'another descriptor on the next run');
    assert.equal(decision(record('os.utime', [`${project}/fd:31`, [2, 2], null, null], ['tar'])), 'deny', 'a path is never a descriptor');
    assert.equal(decision(record('os.utime', ['/etc/passwd', [2, 2], null, null], ['tar'])), 'deny');
    assert.equal(decision(record('os.chmod', [7, 420, null, true], ['tar'])), 'deny', 'a path rule allows no descriptor');
    assert.equal(decision(record('os.utime', [31, [2, 2], null, null], ['evil'])), 'deny');
  });

  test('warns when it allows what the policy of the logged run denied', () => {
    const denied = { ...record('open', ['/etc/passwd', 'r', 0], ['netpkg']), decision: 'deny' as const, rule: 'default', blocked: true };
    const { policy, warnings } = learnAndLoad([...supplyChain.slice(0, 3), denied]);
    assert.equal(verdict(policy, denied).decision, 'allow');
    assert.deepEqual(warnings, ['audithook policy learn: 1 logged event was denied by the policy of its run and is allowed here (open by netpkg): review before use']);
  });

  test('is deterministic: the order and repetition of records change nothing', () => {
    const text = learnPolicy(supplyChain, options).text;
    fc.assert(fc.property(fc.shuffledSubarray(supplyChain, { minLength: supplyChain.length }), fc.array(fc.constantFrom(...supplyChain)), (shuffled, repeated) => {
      assert.equal(learnPolicy([...shuffled, ...repeated], options).text, text);
    }), { numRuns: 50 });
  });

  test('property: whatever the logs, the learned policy allows every logged event', () => {
    const name = fc.constantFrom('a', 'b', 'data', 'node_modules', 'x*y', 'q?', '{c,d}', 'e\\f', '.hidden', '..', '.', 'left-pad', '@acme', 'util', '~', '~x', '${PROJECT}', '$',
      '2026-12-03T17_35_50_638Z-debug-0.log', 'deadbeefdeadbeef01.json', 'lock-1733247350638', '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d');
    const relativePath = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const path = fc.oneof(
      relativePath.map((rel) => `${project}/${rel}`),
      relativePath.map((rel) => `${tmp}/${rel}`),
      relativePath.map((rel) => `${home}/${rel}`),
      relativePath.map((rel) => `${variables.NPM_CACHE}/${rel}`),
      relativePath.map((rel) => `/${rel}`),
      relativePath,
    );
    const packageName = fc.constantFrom('left-pad', '@acme/util', 'evil', 'x*');
    const host = fc.constantFrom('127.0.0.1', '10.0.0.1', '::1', '2001:db8::2', 'Example.COM', 'a*b');
    const port = fc.constantFrom(0, 80, 443, 5432, 40000, 65535);
    const entry = fc.oneof(
      fc.tuple(path, fc.constantFrom('r', null)).map(([value, mode]) => ['open', [value, mode, 0]] as const),
      fc.tuple(path, path).map(([src, dst]) => ['os.rename', [src, dst, null, null]] as const),
      fc.tuple(host, port).map(([h, p]) => ['socket.connect', [{}, [h, p]]] as const),
      path.map((value) => ['socket.bind', [{}, value]] as const),
      host.map((h) => ['socket.getaddrinfo', [h, null, 0, null, null]] as const),
      fc.tuple(fc.constantFrom('https://a.example/x', 'http://[::1]:8080/y?z', 'data:text/plain,hi', 'not a url'), fc.constant(null)).map(([url]) => ['urllib.Request', [url, null, {}, 'GET']] as const),
      fc.oneof(path, fc.constantFrom('git', 'x*', null)).map((executable) => ['subprocess.Popen', [executable, [], null, {}]] as const),
      fc.constantFrom('A', 'B_*', 'x{').map((key) => ['os.putenv', [key, 'v']] as const),
      fc.constant(['os.kill', [1, 9]] as const),
      path.map((value) => ['ctypes.dlopen', [value]] as const),
      path.map((value) => ['import', ['x', value, [], null, null]] as const),
    );
    const logged = fc.tuple(entry, fc.array(packageName, { maxLength: 3 })).map(([[event, args], chain]) => record(event, [...args], [...new Set(chain)]));
    fc.assert(fc.property(fc.array(logged, { minLength: 1, maxLength: 12 }), (records) => {
      const { policy } = learnAndLoad(records);
      for (const entry of records) assert.equal(verdict(policy, entry).decision, 'allow', JSON.stringify(entry));
    }), { numRuns: 300 });
  });
});

describe('audithook policy learn', () => {
  const cli = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
  // The variables of `variables` are those of this run: the project is the working directory.
  const env = { ...process.env, HOME: home, TMPDIR: tmp, npm_config_cache: variables.NPM_CACHE };
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'policy', 'learn', ...args], { cwd: project, encoding: 'utf8', env });
  const logFile = join(root, 'run.jsonl');
  writeFileSync(logFile, `${supplyChain.map((entry) => JSON.stringify(entry)).join('\n')}\n{"time": "cut sh`);

  test('writes the policy to standard output or -o, warning about skipped lines', () => {
    const printed = run([logFile]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stderr, /^audithook: .*run\.jsonl: skipped 1 corrupt or truncated line$/m);
    assert.match(printed.stderr, /"myapp\.custom" is not in the catalogue/);
    const output = join(project, 'policy.json');
    const written = run([logFile, '-o', output]);
    assert.equal(written.status, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal(readFileSync(output, 'utf8'), printed.stdout);
    const policy = loadPolicy(output, variables);
    for (const entry of supplyChain.filter((item) => item.event !== 'myapp.custom')) assert.equal(verdict(policy, entry).decision, 'allow');
  });

  test('${PROJECT} is the directory the logged run ran in, wherever learn runs; --project names another', () => {
    const ranIn = join(root, 'ran-in');
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const runRecord = (cwd: string) => JSON.stringify({ time: '2026-01-01T00:00:00.000Z', pid: null, thread: null, stream: 'run', records: 0, argv: ['node', 'app.js'], cwd });
    const events = [record('open', [`${ranIn}/src/a.js`, 'r', 0]), record('open', [`${elsewhere}/src/b.js`, 'r', 0])];
    const log = (name: string, lines: readonly string[]) => {
      const file = join(root, name);
      writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    };
    // A `run` record anywhere but the first line is not the supervisor's: it names no project.
    const logged = log('ran-in.jsonl', [runRecord(ranIn), ...events.map((entry) => JSON.stringify(entry)), runRecord('/')]);
    const paths = (result: { stdout: string }) => (JSON.parse(result.stdout) as { rules: { match?: { path?: string | string[] } }[] }).rules.flatMap((rule) => rule.match?.path ?? []).sort();

    const learned = run([logged]);
    assert.equal(learned.status, 0, learned.stderr);
    assert.deepEqual(paths(learned), ['${PROJECT}/src/**', `${elsewhere}/src/b.js`]);
    const named = run([logged, '--project', elsewhere]);
    assert.deepEqual(paths(named), ['${PROJECT}/src/**', `${ranIn}/src/a.js`]);

    // Runs in two directories: learn's own directory, and a notice saying so.
    const two = run([logged, log('elsewhere.jsonl', [runRecord(elsewhere)])]);
    assert.equal(two.status, 0, two.stderr);
    assert.deepEqual(paths(two), [`${elsewhere}/src/b.js`, `${ranIn}/src/a.js`]);
    assert.equal(two.stderr, `audithook: the logs are of runs in 2 directories (${ranIn}, ${elsewhere}): \${PROJECT} is this directory, ${project}; --project DIR names another\n`);
  });

  test('an unreadable log: exit 2 with a message, no policy written', () => {
    const output = join(project, 'never.json');
    const result = run([logFile, join(root, 'missing.jsonl'), '-o', output]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `audithook: cannot read the log ${join(root, 'missing.jsonl')}: no such file\n`);
    assert.throws(() => readFileSync(output), { code: 'ENOENT' });
  });
});

// End to end with `audithook run` (issue #6's run slice; skipped until its agent is built here):
// a run logs, learn writes the policy, the same program under it in enforce mode is denied nothing,
// and a package that then does something new is blocked.
describe('audithook run, learn, run again under the learned policy', { skip: !existsSync(resolve(REPO_ROOT, 'dist', 'agent.js')) && 'audithook run is not built in this tree' }, () => {
  const cli = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
  const app = mkdtempSync(join(tmpdir(), 'audithook-learn-e2e-'));
  const pkg = join(app, 'node_modules', 'netpkg');
  mkdirSync(join(app, 'data'), { recursive: true });
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(app, 'data', 'a.json'), '{"a":1}');
  writeFileSync(join(pkg, 'package.json'), '{ "name": "netpkg", "version": "1.0.0", "main": "index.js" }');
  const packageSource = (extra: string) => `
    const fs = require('node:fs');
    const net = require('node:net');
    exports.work = (done) => {
      fs.readFileSync(require('node:path').join(__dirname, 'package.json'));
      fs.readFileSync('/etc/hosts');
      require('node:child_process').execFileSync('true');
      ${extra}
      const server = net.createServer((socket) => socket.end()).listen(0, '127.0.0.1', () => {
        const client = net.connect(server.address().port, '127.0.0.1', () => { client.end(); server.close(); done(); });
      });
    };`;
  writeFileSync(join(app, 'app.js'), `
    const fs = require('node:fs');
    const path = require('node:path');
    JSON.parse(fs.readFileSync('data/a.json', 'utf8'));
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'audithook-e2e-'));
    fs.writeFileSync(path.join(dir, 'out.txt'), 'x');
    fs.rmSync(dir, { recursive: true });
    process.env.APP_MODE = 'test';
    require('netpkg').work(() => console.log('done'));`);
  const audithook = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });
  const records = (log: string) => readFileSync(join(app, log), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogRecord);

  test('the learned policy denies nothing the program did, and blocks what it did not', () => {
    writeFileSync(join(pkg, 'index.js'), packageSource(''));
    const first = audithook(['run', '--log', 'first.jsonl', '--', process.execPath, 'app.js']);
    assert.equal(first.status, 0, first.stderr);
    const learned = audithook(['policy', 'learn', 'first.jsonl', '-o', 'policy.json']);
    assert.equal(learned.status, 0, learned.stderr);
    const again = audithook(['run', '--log', 'again.jsonl', '--policy', 'policy.json', '--', process.execPath, 'app.js']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, 'done\n');
    assert.deepEqual(records('again.jsonl').filter((entry) => entry.decision === 'deny'), []);
    assert.equal(records('again.jsonl').length, records('first.jsonl').length);

    writeFileSync(join(pkg, 'index.js'), packageSource("try { fs.readFileSync('/etc/passwd'); } catch (error) { console.log(error.code); }"));
    const changed = audithook(['run', '--log', 'changed.jsonl', '--policy', 'policy.json', '--', process.execPath, 'app.js']);
    assert.equal(changed.stdout, 'ERR_ACCESS_DENIED\ndone\n', changed.stderr);
    const denied = records('changed.jsonl').filter((entry) => entry.decision === 'deny');
    assert.deepEqual(denied.map((entry) => [entry.event, entry.args[0], entry.package, entry.rule, entry.blocked]), [['open', '/etc/passwd', 'netpkg', 'default', true]]);
  });
});

describe('frameworks: what a framework only dispatched to is learned and enforced for the code it called', { skip: !existsSync(resolve(REPO_ROOT, 'dist', 'agent.js')) && 'audithook run is not built in this tree' }, () => {
  const cli = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'audithook-framework-')));
  const copy = (name: string): string => {
    const dir = join(base, name);
    cpSync(resolve(REPO_ROOT, 'test', 'fixtures', 'framework'), dir, { recursive: true });
    return dir;
  };
  const first = copy('first');
  const elsewhere = copy('elsewhere');
  const audithook = (cwd: string, args: readonly string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  const records = (log: string) => readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogRecord).filter((entry) => 'event' in entry);
  const opens = (log: string, name: string) => records(log).filter((entry) => entry.event === 'open' && typeof entry.args[0] === 'string' && entry.args[0].endsWith(`/${name}`));
  const learnt = join(base, 'first.jsonl');
  const run = (cwd: string, log: string, policy?: string, ...args: string[]) => {
    const result = audithook(cwd, ['run', '--log', log, ...(policy === undefined ? [] : ['--policy', policy]), '--', process.execPath, 'app.cjs', ...args]);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Record<string, string>;
  };
  /** The paths a learnt policy's open rules allow a subject (null: the application). */
  const opened = (text: string, subject: string | null): string[] => (JSON.parse(text) as { rules: { event: string; package: string | null; match?: { path: string | string[] } }[] }).rules
    .filter((rule) => rule.event === 'open' && rule.package === subject).flatMap((rule) => rule.match?.path ?? []);
  const learn = (output: string, ...args: string[]): string => {
    const result = audithook(first, ['policy', 'learn', learnt, '-o', output, ...args]);
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(output, 'utf8');
  };

  test('the log says which packages called other code of the program on the way to an event', () => {
    assert.deepEqual(run(first, learnt), { data: 'data\n', public: 'public\n' });
    const [data] = opens(learnt, 'data.txt');
    assert.deepEqual([data?.packages.map((ref) => ref.name), data?.dispatchers], [['router-kit'], ['router-kit']]);
    const [served] = opens(learnt, 'public.txt');
    assert.deepEqual([served?.packages.map((ref) => ref.name), served?.dispatchers], [['router-kit'], undefined]);
  });

  test('learnt with --framework: the handler\'s read is the application\'s, the framework\'s own read is its; enforced elsewhere, nothing is denied; a new read of the handler is denied to the application, at its line', () => {
    const policy = join(base, 'framework.policy.json');
    const text = learn(policy, '--framework', 'router-kit');
    assert.deepEqual((JSON.parse(text) as { frameworks?: string[] }).frameworks, ['router-kit']);
    assert.ok(opened(text, null).includes('${PROJECT}/data.txt'), text);
    assert.deepEqual(opened(text, 'router-kit'), ['${PROJECT}/public.txt']);
    const again = join(base, 'again.jsonl');
    assert.deepEqual(run(elsewhere, again, policy), { data: 'data\n', public: 'public\n' });
    assert.deepEqual(records(again).filter((entry) => entry.decision === 'deny'), []);
    assert.deepEqual(opens(again, 'data.txt').map((entry) => entry.package), [null]);
    assert.deepEqual(opens(again, 'public.txt').map((entry) => entry.package), ['router-kit']);
    const changed = join(base, 'changed.jsonl');
    assert.deepEqual(run(elsewhere, changed, policy, '--new'), { data: 'data\n', public: 'public\n', new: 'ERR_ACCESS_DENIED' });
    const denied = records(changed).filter((entry) => entry.decision === 'deny');
    assert.deepEqual(denied.map((entry) => [entry.event, entry.args[0], entry.package, entry.rule, entry.blocked]), [['open', join(elsewhere, 'new.txt'), null, 'default', true]]);
    assert.match(denied[0]?.frame ?? '', new RegExp(`^${join(elsewhere, 'app.cjs')}:9:\\d+$`));
  });

  test('learnt without it, the framework is decided for what it dispatched too, and that policy enforces cleanly as well', () => {
    const policy = join(base, 'plain.policy.json');
    const text = learn(policy);
    assert.equal((JSON.parse(text) as { frameworks?: string[] }).frameworks, undefined);
    assert.ok(!opened(text, null).includes('${PROJECT}/data.txt'), text);
    assert.deepEqual(opened(text, 'router-kit'), ['${PROJECT}/data.txt', '${PROJECT}/public.txt']);
    const again = join(base, 'plain-again.jsonl');
    assert.deepEqual(run(elsewhere, again, policy), { data: 'data\n', public: 'public\n' });
    assert.deepEqual(records(again).filter((entry) => entry.decision === 'deny'), []);
    assert.deepEqual(opens(again, 'data.txt').map((entry) => entry.package), ['router-kit']);
  });

  test('a --framework no logged event dispatched through is a warning; a broken one is a usage error', () => {
    const result = audithook(first, ['policy', 'learn', learnt, '--framework', 'expresss']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /framework "expresss": no logged event ran code of the program inside a call of a package it names/);
    const broken = audithook(first, ['policy', 'learn', learnt, '--framework', 'a{b']);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /--framework: bad glob "a\{b"/);
  });
});

describe('learn and the application', () => {
  test('a learned application rule is for the application only; events with no known chain are learned for "*", with a warning', () => {
    const unknown: LogRecord = { ...record('open', [`${project}/deep.txt`, 'w', 577]), attribution: 'truncated' };
    const { text, policy, warnings } = learnAndLoad([record('open', [`${project}/own.txt`, 'w', 577]), unknown]);
    assert.match(text, /\{ "event": "open", "package": null, "action": "allow", "match": \{ "path": "\$\{PROJECT\}\/own\.txt" \} \}/);
    assert.match(text, /\{ "event": "open", "package": "\*", "action": "allow", "match": \{ "path": "\$\{PROJECT\}\/deep\.txt" \} \}/);
    assert.equal(decide(policy, 'open', [`${project}/own.txt`, 'w', 577], []).decision, 'allow');
    assert.equal(decide(policy, 'open', [`${project}/own.txt`, 'w', 577], ['left-pad']).decision, 'deny');
    assert.equal(decide(policy, 'open', [`${project}/own.txt`, 'w', 577], [], true).decision, 'deny');
    assert.equal(decide(policy, 'open', [`${project}/deep.txt`, 'w', 577], [], true).decision, 'allow');
    assert.match(warnings.join('\n'), /1 logged event has no known package chain/);
  });
});

/**
 * The npm that ships with the Node running the test; a Node without one (the `node` package of npm,
 * as the other majors here are installed) runs the npm on PATH.
 */
function npmBin(): string | null {
  const candidates = [resolve(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, 'npm'))) candidates.push(realpathSync(join(dir, 'npm')));
  }
  const found = candidates.find((file) => file.endsWith('npm-cli.js') && existsSync(file));
  return found === undefined ? null : dirname(found);
}

// Learn, then enforce, on real tooling (issue #16): npm ci of a project whose dependency has an
// install script, npm test running node --test, npx of the project's own CLI; each job learnt once,
// then run again under its policy in the same folder and in a copy elsewhere, with nothing denied;
// then an install script changed to read ~/.npmrc or post to 127.0.0.1 is refused, by name.
const NPM = npmBin();
describe('learn from npm ci, npm test and npx, then enforce', { skip: NPM === null && 'no npm-cli.js for this Node' }, () => {
  const cli = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
  const fixture = resolve(REPO_ROOT, 'test', 'fixtures', 'learn-npm');
  const base = mkdtempSync(join(tmpdir(), 'audithook-learn-npm-'));
  const npmHome = join(base, 'home');
  const npmTmp = join(base, 'tmp');
  mkdirSync(npmHome);
  mkdirSync(npmTmp);
  // The user's and the test runner's npm configuration (npm test sets npm_config_*) stay out.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env)
    .filter(([key]) => !/^(?:npm_|audithook_|node_options$)/i.test(key)));
  Object.assign(env, { HOME: npmHome, TMPDIR: npmTmp, npm_config_cache: join(npmHome, '.npm') });
  const jobs = {
    ci: [process.execPath, join(NPM as string, 'npm-cli.js'), 'ci'],
    test: [process.execPath, join(NPM as string, 'npm-cli.js'), 'test'],
    npx: [process.execPath, join(NPM as string, 'npx-cli.js'), 'hello-cli'],
  } as const;
  type Job = keyof typeof jobs;
  const copy = (name: string, installScript?: string): string => {
    const dir = join(base, name);
    cpSync(fixture, dir, { recursive: true });
    if (installScript !== undefined) writeFileSync(join(dir, 'deps', 'hello-install', 'install.cjs'), installScript);
    return dir;
  };
  const audithook = (cwd: string, args: readonly string[]) => spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  const logged = (log: string): LogRecord[] => readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as LogRecord)
    .filter((entry) => 'event' in entry);
  /** What was denied to whom (the message names the resource too). */
  const denials = (log: string): string[] => logged(log).filter((entry) => entry.decision === 'deny')
    .map((entry) => `${entry.event} by ${entry.package ?? 'the application'}`);
  /** The same, with the records, for a failure message. */
  const denialDetail = (log: string): string => logged(log).filter((entry) => entry.decision === 'deny').map((entry) => JSON.stringify(entry)).join('\n');
  let runs = 0;
  /** `audithook run` of a job in `dir`, under `policy` when given: its log and output. */
  const job = (dir: string, name: Job, policy?: string) => {
    const log = join(base, `${name}-${runs++}.jsonl`);
    const result = audithook(dir, ['run', '--log', log, ...(policy === undefined ? [] : ['--policy', policy]), '--', ...jobs[name]]);
    return { ...result, log };
  };
  const policies = {} as Record<Job, string>;

  test('each job learnt from one run; the policies are small and use the variables', () => {
    const first = copy('first');
    for (const name of Object.keys(jobs) as Job[]) {
      const result = job(first, name);
      assert.equal(result.status, 0, result.stderr);
      if (name === 'ci') assert.equal(readFileSync(join(first, 'node_modules', 'hello-install', 'built.txt'), 'utf8'), 'built\n', 'the install script ran');
      if (name === 'npx') assert.equal(result.stdout, 'hello from first\n');
      policies[name] = join(base, `${name}.policy.json`);
      const learned = audithook(first, ['policy', 'learn', result.log, '-o', policies[name]]);
      assert.equal(learned.status, 0, learned.stderr);
      const text = readFileSync(policies[name], 'utf8');
      assert.doesNotMatch(text, new RegExp(`${first}|${npmHome}`), 'the project, home and cache are variables');
      const globalConfig = join(dirname(dirname(process.execPath)), 'etc', 'npmrc');
      for (const literal of [process.execPath, dirname(NPM as string), globalConfig]) assert.ok(!text.includes(`"${literal}`), `${name}: ${literal} is a variable`);
      // Measured with npm 10 and 11: npm ci, npx about 30 KB, npm test 8 KB; MAX_POLICY_BYTES in src/cli/run.ts is 1 MiB.
      assert.ok(text.length < 100_000, `${name}: ${text.length} bytes`);
    }
    assert.match(readFileSync(policies.ci, 'utf8'), /"\$\{PROJECT\}\/node_modules\/hello-install\/\*\*"/);
  });

  for (const folder of ['first', 'elsewhere']) {
    test(`the same jobs again under their policies${folder === 'first' ? ', in the same folder' : ', in another folder'}: nothing denied`, () => {
      const dir = join(base, folder);
      // In the first folder npm ci removes the node_modules the learnt run installed, which that run
      // (starting without one) never did: it made them, so it may remove them.
      if (folder !== 'first') copy(folder);
      for (const name of Object.keys(jobs) as Job[]) {
        const result = job(dir, name, policies[name]);
        assert.deepEqual(denials(result.log), [], `${name} in ${folder}:\n${denialDetail(result.log)}`);
        assert.equal(result.status, 0, result.stderr);
      }
      assert.equal(readFileSync(join(dir, 'node_modules', 'hello-install', 'built.txt'), 'utf8'), 'built\n');
    });
  }

  test('an install script changed to read ~/.npmrc or post to 127.0.0.1 is denied, with a message naming what and who', () => {
    const npmrc = join(npmHome, '.npmrc');
    writeFileSync(npmrc, '//registry.npmjs.org/:_authToken=npm_secret\n');
    const changes = {
      npmrc: ["require('node:fs').readFileSync(require('node:os').homedir() + '/.npmrc', 'utf8');", `open ${npmrc}`, 'open by hello-install'],
      post: ["require('node:http').request({ host: '127.0.0.1', port: 9, method: 'POST' }).end('token');", 'http.client.connect 127.0.0.1:9', 'http.client.connect by hello-install'],
    };
    try {
      for (const [name, [source, resource, denial]] of Object.entries(changes)) {
        const result = job(copy(`changed-${name}`, `${source}\n`), 'ci', policies.ci);
        assert.notEqual(result.status, 0, result.stderr);
        assert.match(result.stderr, new RegExp(`audithook: ${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} denied for package "hello-install" by default of ci\\.policy\\.json`));
        // npm then rolls the install back, which the learnt run never did: those denials are npm's own.
        const denied = denials(result.log).filter((line) => line.endsWith(' by hello-install'));
        assert.equal(denied[0], denial, denials(result.log).join('\n'));
      }
    } finally {
      rmSync(npmrc);
    }
  });
});
