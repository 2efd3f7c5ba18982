// The application: removes two trees it made, synchronously and with fs.promises.
import 'evil';
import fs from 'node:fs';
import { join } from 'node:path';

const work = process.argv[process.argv.length - 1];
for (const tree of ['sync', 'promise']) fs.mkdirSync(join(work, tree, 'inner'), { recursive: true });
fs.rmSync(join(work, 'sync'), { recursive: true });
await fs.promises.rm(join(work, 'promise'), { recursive: true });
