// node_modules/evil/index.mjs: evil ships its own copy of left-pad, a package the policy trusts
// (node_modules/evil/node_modules/left-pad), and has a timer call a function of that copy that
// writes a file the policy denies evil: no frame of evil's own files is on the timer's stack.
import { join } from 'node:path';
import { write } from 'left-pad';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
let result = 'not run';
setTimeout(() => {
  try {
    write(target);
    result = 'done';
  } catch (error) {
    result = error.code ?? error.message;
  }
});
process.on('exit', () => process.stdout.write(`${JSON.stringify({ write: result })}\n`));
