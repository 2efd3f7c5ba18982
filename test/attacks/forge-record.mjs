// A package that read the agent's source and wants the log to say something else: it writes a
// record in its parent's name on its process's channels (the descriptors of the pool's FIFOs, found
// through /proc/self/fd), one in its own name that would read back as what the supervisor says (a
// `run` record naming `/` as the project, for `policy learn` to write `${PROJECT}/**` as `/**`),
// and tries to append to, rewrite or remove the log and to claim a fresh channel of the pool, also
// through other spellings of the same paths (a doubled slash, `/./`, `dir/../`, /proc's links to its
// root and working directory) and through the supervisor's own descriptor of the log.
import fs from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attempt, reportAtExit } from './attempt.mjs';

const forged = `${JSON.stringify({
  seq: 1, time: new Date().toISOString(), pid: process.ppid, thread: 0, event: 'forged.event', args: [], package: null, packages: [],
  attribution: 'complete', decision: 'allow', rule: null, blocked: false,
})}\n${JSON.stringify({
  seq: 1e9, time: new Date().toISOString(), pid: process.pid, thread: 0, event: 'forged.stream', args: [], stream: 'run', records: 0, argv: ['node'], cwd: '/',
})}\n`;
let guessed = 0;
for (let fd = 3; fd < 64; fd++) {
  try {
    if (!fs.readlinkSync(`/proc/self/fd/${fd}`).includes('/fifo-')) continue;
    fs.writeSync(fd, forged);
    guessed++;
  } catch {
    // Not open.
  }
}
const log = process.env.AUDITHOOK_LOG;
const here = dirname(fileURLToPath(import.meta.url));
const ownFolder = fs.openSync(here, 'r');
const channel = process.env.AUDITHOOK_CHANNEL;
reportAtExit({
  guessed: guessed > 0,
  append: attempt(() => fs.appendFileSync(log, forged)),
  truncate: attempt(() => fs.truncateSync(log)),
  remove: attempt(() => fs.unlinkSync(log)),
  claim: attempt(() => fs.openSync(`${channel}/${fs.readdirSync(channel)[0]}`, 'w')),
  respelled: [
    `/${log}`, `${dirname(log)}/./${basename(log)}`, `${dirname(log)}/../${basename(dirname(log))}/${basename(log)}`,
    `/proc/self/root${log}`, `/proc/${process.pid}/cwd/${relative(process.cwd(), log)}`,
    // Past the link and back: read name by name, `..` after it is the kernel's to resolve.
    `/proc/self/root/..${log}`, `/tmp/../proc/./self/root${log}`,
    // Through a descriptor of its own folder, which it may read: its link, or /dev/fd's.
    `/proc/self/fd/${ownFolder}/${relative(here, log)}`, `/dev/fd/${ownFolder}/${relative(here, log)}`,
  ].map((path) => attempt(() => fs.appendFileSync(path, forged))),
  supervisorDescriptor: attempt(() => {
    for (let fd = 0; fd < 64; fd++) {
      const descriptor = `/proc/${process.ppid}/fd/${fd}`;
      let target = null;
      try {
        target = fs.readlinkSync(descriptor);
      } catch {
        // Not open.
      }
      if (target === log) return fs.appendFileSync(descriptor, forged);
    }
    throw new Error('the supervisor holds no descriptor of the log');
  }),
  respelledChannel: attempt(() => fs.readdirSync(`${channel}/.`)),
});
