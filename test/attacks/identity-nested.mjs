// node_modules/evil/index.mjs: evil ships its own copy of left-pad, a package the policy trusts
// (node_modules/evil/node_modules/left-pad), and has a timer call a function of that copy that
// writes a file the policy denies evil: no frame of evil's own files is on the timer's stack.
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';
import { write } from 'left-pad';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const report = { write: 'not run' };
setTimeout(() => { report.write = attempt(() => write(target)); });
reportAtExit(report);
