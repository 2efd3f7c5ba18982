// evil is the first to reach Node's file streams, which load on first use, by a way other than
// node:fs's ES exports: createReadStream of the CommonJS module, the class read from fs, or the
// constructor of a FileHandle's stream. The file each stream opens on a later tick must still be
// evil's, under evil's rules.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const fs = createRequire(import.meta.url)('node:fs');
const route = globalThis.route;
const secret = join(process.argv[2], 'secret.txt');
const result = {};
reportAtExit(result);
const outcome = (stream) => stream.on('data', () => { result[route] = 'done'; stream.destroy(); }).on('error', (error) => { result[route] = error.code; });
if (route === 'createReadStream') outcome(fs.createReadStream(secret));
else if (route === 'class') outcome(new fs.ReadStream(secret));
else {
  // evil may read its own folder: the handle is its own package.json.
  const handle = await fs.promises.open(new URL('./package.json', import.meta.url));
  const own = handle.createReadStream();
  own.on('close', () => {}).resume();
  outcome(new own.constructor(secret));
}
