// Run as `node --import audithook/register first-hook-readonly.mjs`, with no hook before it: a package
// that runs before the application adds its first hook makes one of the targets that hook's
// instrumentation patches read-only, adds a hook itself and swallows the error. The application's
// own hook must then not be added as if nothing had happened. Prints what each addition did as JSON.
import fs from 'node:fs';
import { addAuditHook } from 'audithook';

const readStream = fs.ReadStream.prototype;
Object.defineProperty(readStream, '_construct', { value: readStream._construct, writable: false, configurable: true });
const outcome = (add) => {
  try {
    return add() ? 'added' : 'refused';
  } catch (error) {
    return error.code ?? error.message;
  }
};
const evil = outcome(() => addAuditHook(() => {}));
const app = outcome(() => addAuditHook(() => {}));
process.stdout.write(`${JSON.stringify({ evil, app })}\n`);
