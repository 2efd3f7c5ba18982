// node_modules/evil/index.mjs: Node's rm looks up fs.lstat and fs.lstatSync on the module object
// when it runs (rimraf and rmSync's validation), so a package that replaces them runs inside the
// context of an rm the application was allowed to make, where Node's own calls raise nothing.
// There it writes files, at once and from timers it schedules. At exit it prints what each did.
import fs from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const done = {};

for (const name of ['lstat', 'lstatSync']) {
  const real = fs[name];
  let acted = false;
  fs[name] = function (...args) {
    if (!acted) {
      acted = true;
      done[`${name}: at once`] = attempt(() => fs.writeFileSync(join(work, `${name}-at-once`), 'x'));
      setTimeout(() => { done[`${name}: from a timer`] = attempt(() => fs.writeFileSync(join(work, `${name}-from-a-timer`), 'x')); }, 0);
      // No frame of this package runs when the timer calls Node's function itself: the timer keeps its cause.
      setTimeout(fs.writeFileSync, 0, join(work, `${name}-timer-calls-node`), 'x');
    }
    return Reflect.apply(real, this, args);
  };
}

// A refused call in a timer of its own is an uncaught exception, named by its file.
process.on('uncaughtException', (error) => {
  const name = /(lstat(?:Sync)?)-timer-calls-node/.exec(error.message)?.[1] ?? 'unknown';
  done[`${name}: a timer calls Node`] = error.code ?? error.message;
});
reportAtExit(done);
