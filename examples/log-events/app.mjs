// A small program that prints every audit event it raises, and refuses to delete anything.
// Run it from the repository root: node examples/log-events/app.mjs
import { addAuditHook } from 'audithook';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

addAuditHook((event, args) => {
  // Print every event (the hook's own console output raises nothing: hooks are not re-entered).
  console.log(`audit: ${event} ${JSON.stringify(args)}`);
  if (event === 'os.remove' || event === 'shutil.rmtree') {
    throw new Error(`${event} is not allowed here`);
  }
});

const dir = await mkdtemp(join(tmpdir(), 'audithook-example-'));
const file = join(dir, 'greeting.txt');
await writeFile(file, 'hello');
console.log(`read back: ${await readFile(file, 'utf8')}`);
try {
  await rm(file);
} catch (error) {
  console.log(`blocked: ${error.message}`);
}
