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
