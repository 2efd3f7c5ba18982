// evil is the first to reach fs.promises, which Node loads on first use, and reads the secret with
// it, by each way Node hands it out (and after putting a decoy on fs.promises, where audithook might
// look for Node's object), or with a FileHandle of its own file changes the file's mode. Each must be
// raised as evil's and denied.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const require = createRequire(import.meta.url);
const route = globalThis.route;
const work = process.argv[2];
const secret = join(work, 'secret.txt');
const result = {};
reportAtExit(result);
const settle = (pending) => pending.then(() => { result[route] = 'done'; }, (error) => { result[route] = error.code ?? error.message; });
const fs = require('node:fs');
const decoy = () => Object.defineProperty(fs, 'promises', { value: { readFile: async () => 'decoy' }, configurable: true, enumerable: true, writable: true });

switch (route) {
  case 'fs.promises': settle(fs.promises.readFile(secret)); break;
  case 'fs.promises-descriptor': settle(Object.getOwnPropertyDescriptor(fs, 'promises').get().readFile(secret)); break;
  case 'require-fs/promises': settle(require('fs/promises').readFile(secret)); break;
  case 'require-node:fs/promises': settle(require('node:fs/promises').readFile(secret)); break;
  case 'import-node:fs/promises': settle((await import('node:fs/promises')).readFile(secret)); break;
  case 'import-fs/promises': settle((await import('fs/promises')).readFile(secret)); break;
  case 'import-node:fs': settle((await import('node:fs')).promises.readFile(secret)); break;
  case 'import-default': settle((await import('node:fs/promises')).default.readFile(secret)); break;
  case 'getBuiltinModule-fs/promises': settle(process.getBuiltinModule('fs/promises').readFile(secret)); break;
  case 'getBuiltinModule-node:fs/promises': settle(process.getBuiltinModule('node:fs/promises').readFile(secret)); break;
  case 'decoy-then-require': decoy(); settle(require('fs/promises').readFile(secret)); break;
  case 'decoy-then-import': decoy(); settle((await import('node:fs/promises')).readFile(secret)); break;
  case 'handle-readFile': {
    // The handle is of evil's own file (which it may read): the open raises it, readFile reads no
    // other file; what matters is that the handle's methods are instrumented, chmod among them.
    const handle = await fs.promises.open(new URL('./package.json', import.meta.url));
    await handle.readFile();
    settle(handle.chmod(0o644).finally(() => handle.close()));
    break;
  }
  default: throw new Error(`no route ${route}`);
}
