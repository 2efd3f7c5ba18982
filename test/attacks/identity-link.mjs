// elsewhere/evil/index.mjs, linked as node_modules/evil (as npm link and workspaces do): Node
// runs it by its real path, which has no node_modules in it. Evil writes a file the policy denies it.
import fs from 'node:fs';
import { join } from 'node:path';

let write;
try {
  fs.writeFileSync(join(process.argv[process.argv.length - 1], 'written-by-evil'), 'x');
  write = 'done';
} catch (error) {
  write = error.code ?? error.message;
}
process.on('exit', () => process.stdout.write(`${JSON.stringify({ write })}\n`));
