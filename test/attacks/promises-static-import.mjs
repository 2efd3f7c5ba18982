// evil's static imports of fs/promises, by both names, are the program's first way to it: the
// bindings are Node's exports, which must be instrumented before evil's code runs.
import { readFile } from 'node:fs/promises';
import { readFile as readFileUnprefixed } from 'fs/promises';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const secret = join(process.argv[2], 'secret.txt');
const result = {};
reportAtExit(result);
for (const [name, read] of [['node:fs/promises', readFile], ['fs/promises', readFileUnprefixed]]) {
  read(secret).then(() => { result[name] = 'done'; }, (error) => { result[name] = error.code ?? error.message; });
}
