// node_modules/evil/index.mjs: evil builds a function from a string and has a timer call it:
// the only frame of that stack that is not Node's is the built code's, which has no file.
import fs from 'node:fs';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const built = new Function('fs', 'target', "fs.writeFileSync(target, 'x');");
const report = { write: 'not run' };
setTimeout(built.bind(null, fs, target));
setTimeout(() => { if (report.write === 'not run') report.write = 'done'; });
process.on('uncaughtException', (error) => { report.write = error.code ?? error.message; });
reportAtExit(report);
