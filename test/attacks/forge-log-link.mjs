// A package the policy lets make links and write files reaches the log by a name of its own, a
// link to the log's folder (the agent's guard refuses the log's names, not every way to its file),
// and appends a record in the application's name, then rewrites a byte of the log in place. The
// supervisor finds the log changed, says so, and makes no summary from it.
import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const log = process.env.AUDITHOOK_LOG;
const work = process.argv[2];
const link = join(work, 'elsewhere');
const forged = `${JSON.stringify({
  seq: 1, time: new Date().toISOString(), pid: process.pid, thread: 0, event: 'forged.event', args: [], package: null, packages: [],
  attribution: 'complete', decision: 'allow', rule: null, blocked: false,
})}\n`;
const route = fs.readFileSync(join(work, 'route.txt'), 'utf8');
const through = join(link, basename(log));
const result = { link: attempt(() => fs.symlinkSync(dirname(log), link)) };
reportAtExit(result);
if (route === 'append') {
  result.change = attempt(() => fs.appendFileSync(through, forged));
} else {
  // In place, once the supervisor has written the run's first line: the same size, a digit of it
  // changed (the line still parses).
  const rewrite = () => {
    const text = fs.readFileSync(through, 'latin1');
    const digit = text.search(/[0-8]/);
    if (digit === -1) return setTimeout(rewrite, 10);
    result.change = attempt(() => {
      const fd = fs.openSync(through, 'r+');
      fs.writeSync(fd, String(Number(text[digit]) + 1), digit);
      fs.closeSync(fd);
    });
  };
  rewrite();
}
