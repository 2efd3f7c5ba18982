// A preload that refuses to run any file under node_modules whose sha256 is not in allowlist.json
// (in the current directory), as written by write-allowlist.mjs:
//
//   node --import ./verify.mjs app.mjs
//
// The open-code hook sees each module's source as the loader read it, just before it is compiled,
// so the bytes checked are the bytes that run. Files outside node_modules (the application's own)
// are not checked here; a stricter policy could list them too.
import { setOpenCodeHook } from 'audithook';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const project = process.cwd();
const allowlist = JSON.parse(readFileSync(join(project, 'allowlist.json'), 'utf8'));

setOpenCodeHook((path, source) => {
  const name = relative(project, path);
  if (!name.startsWith(`node_modules${sep}`)) return;
  // The loaders pass the text decoded as UTF-8: for UTF-8 files its bytes are the file's bytes.
  const digest = createHash('sha256').update(source, 'utf8').digest('hex');
  if (allowlist[name] !== digest) {
    throw Object.assign(new Error(`integrity: ${name} is not on the allowlist (sha256 ${digest})`), { code: 'ERR_INTEGRITY' });
  }
});
