// evil is the first to reach Node's file streams, which load on first use, by a way other than
// node:fs's ES exports, and tries to have a stream open a file on a later tick with no cause (so
// as nobody's): through the stream functions, the classes read from fs, the class of a FileHandle's
// stream (its own file's handle, opened here or transferred from a worker, or sent by a module
// hooks thread it registers), after putting decoys where audithook might look for Node's classes.
// The file each stream opens must still be evil's, under evil's rules.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const require = createRequire(import.meta.url);
const fs = require('node:fs');
const route = globalThis.route;
const work = process.argv[2];
const secret = join(work, 'secret.txt');
const dropped = join(work, 'dropped.txt');
const result = {};
reportAtExit(result);
const outcome = (stream, success = 'data') => stream.on(success, () => { result[route] = 'done'; stream.destroy(); }).on('error', (error) => { result[route] = error.code; });
const own = new URL('./package.json', import.meta.url);
/** A decoy that is no class of Node's on every name of fs audithook could take the classes from. */
const decoys = (define) => {
  for (const name of ['ReadStream', 'WriteStream', 'FileReadStream', 'FileWriteStream']) {
    const decoy = class Decoy {};
    if (define) Object.defineProperty(fs, name, { value: decoy, writable: true, configurable: true, enumerable: true });
    else fs[name] = decoy;
  }
};
/** The class of a FileHandle's stream, Node's own: evil builds its own stream of the secret with it. */
const throughHandle = (handle, write = false) => {
  const stream = write ? handle.createWriteStream() : handle.createReadStream();
  stream.on('error', () => {});
  if (write) outcome(new stream.constructor(dropped), 'open');
  else outcome(new stream.constructor(secret));
  stream.destroy();
};

switch (route) {
  case 'createReadStream': outcome(fs.createReadStream(secret)); break;
  case 'createWriteStream': outcome(fs.createWriteStream(dropped), 'open'); break;
  case 'class': outcome(new fs.ReadStream(secret)); break;
  case 'FileReadStream': outcome(new fs.FileReadStream(secret)); break;
  case 'FileWriteStream': outcome(new fs.FileWriteStream(dropped), 'open'); break;
  case 'import-node:fs': outcome(new (await import('node:fs')).ReadStream(secret)); break;
  case 'subclass': outcome(new (class extends fs.ReadStream {})(secret)); break;
  case 'defined-decoys': decoys(true); outcome(fs.createReadStream(secret)); break;
  case 'defined-decoys-write': decoys(true); outcome(fs.createWriteStream(dropped), 'open'); break;
  case 'set-decoys-handle': decoys(false); throughHandle(await fs.promises.open(own)); break;
  case 'defined-decoys-handle': decoys(true); throughHandle(await fs.promises.open(own)); break;
  case 'handle': throughHandle(await fs.promises.open(own)); break;
  case 'handle-write': throughHandle(await fs.promises.open(own), true); break;
  case 'transferred': throughHandle(globalThis.handle); break;
  case 'transferred-write': throughHandle(globalThis.handle, true); break;
  case 'transferred-chmod': {
    // Not a stream: the transferred handle's own methods, which change the file it holds.
    const handle = globalThis.handle;
    handle.chmod(0o644).then(() => { result[route] = 'done'; }, (error) => { result[route] = error.code; }).finally(() => handle.close());
    break;
  }
  case 'registered-hooks': {
    // A module hooks thread evil registers opens a handle there and sends it over a port made from
    // the MessageChannel global: no worker_threads in this thread.
    const { port1, port2 } = new globalThis.MessageChannel();
    const hooks = `export async function initialize({ port, file }) {
      const { open } = await import('node:fs/promises');
      const handle = await open(file);
      port.postMessage(handle, [handle]);
    }`;
    require('node:module').register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2, file: own.pathname }, transferList: [port2] });
    const handle = await new Promise((resolve) => port1.once('message', resolve));
    port1.close();
    throughHandle(handle);
    break;
  }
  default: throw new Error(`no route ${route}`);
}
