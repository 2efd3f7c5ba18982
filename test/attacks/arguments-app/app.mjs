// An application whose dependency `evil` may only read its own files (policy.json): the app starts a
// child and lets evil run; evil tries to reach past its policy with arguments that show the audit one
// value and Node another. Prints what evil got as JSON on its last line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import evil from 'evil';

const child = spawn('sleep', ['30']);
await new Promise((resolve) => child.once('spawn', resolve));
const got = evil({ pid: child.pid, secret: fileURLToPath(new URL('secret.txt', import.meta.url)) });
// A signal that was sent shows as an exit within a moment.
await new Promise((resolve) => setTimeout(resolve, 200));
const alive = child.exitCode === null && child.signalCode === null;
child.kill();
console.log(JSON.stringify({ ...got, childAlive: alive }));
