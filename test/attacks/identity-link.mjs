// elsewhere/evil/index.mjs, linked as node_modules/evil (as npm link and workspaces do): Node
// runs it by its real path, which has no node_modules in it. Evil first makes itself look like the
// entry script (a link to the application's own directory is the application), then writes a file
// the policy denies it.
import fs from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';
import { fileURLToPath } from 'node:url';

process.argv[1] = fileURLToPath(import.meta.url);

const write = attempt(() => fs.writeFileSync(join(process.argv[process.argv.length - 1], 'written-by-evil'), 'x'));
reportAtExit({ write });
