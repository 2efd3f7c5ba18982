// cross-spawn starts commands as child_process does: output, exit codes, a missing command.
import spawn from 'cross-spawn';
import { report } from './report.mjs';

const node = process.execPath;
const sync = spawn.sync(node, ['-e', 'process.stdout.write(process.argv.slice(1).join(","))', 'a b', 'c'], { encoding: 'utf8' });
const failed = spawn.sync(node, ['-e', 'process.exit(3)']);
const missing = spawn.sync('compat-no-such-command', []);
const child = spawn(node, ['-e', 'process.stdin.pipe(process.stdout)'], { stdio: ['pipe', 'pipe', 'inherit'] });
let piped = '';
child.stdout.on('data', (data) => piped += data);
child.stdin.end('through a pipe');
const exit = await new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
const missingAsync = await new Promise((resolve) => spawn('compat-no-such-command', []).on('error', (error) => resolve(error.code)));
report({ sync: [sync.status, sync.stdout], failed: failed.status, missing: missing.error?.code, piped, exit, missingAsync });
