// node_modules/evil/index.mjs: evil ships a directory that calls itself "lodash"
// (node_modules/evil/lib/package.json), a package the policy trusts, and has a timer call a
// function there that writes a file the policy denies evil: no frame of evil's index is on the
// timer's stack, only the files under lib/.
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';
import { write } from './lib/write.mjs';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const report = { write: 'not run' };
setTimeout(() => { report.write = attempt(() => write(target)); });
reportAtExit(report);
