// tar creates, lists and extracts a gzipped archive (its streams and its own fs calls).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { report } from './report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'compat-tar-'));
mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
writeFileSync(join(dir, 'src', 'a.txt'), 'alpha');
writeFileSync(join(dir, 'src', 'nested', 'b.txt'), 'beta'.repeat(1000));
const archive = join(dir, 'out.tgz');
await tar.create({ gzip: true, file: archive, cwd: dir, portable: true }, ['src']);
const listed = [];
await tar.list({ file: archive, onReadEntry: (entry) => listed.push([entry.path, entry.size]) });
mkdirSync(join(dir, 'extracted'));
await tar.extract({ file: archive, cwd: join(dir, 'extracted'), strip: 1 });
tar.create({ file: join(dir, 'sync.tar'), cwd: dir, sync: true, portable: true }, ['src/a.txt']);
const syncListed = [];
tar.list({ file: join(dir, 'sync.tar'), sync: true, onReadEntry: (entry) => syncListed.push(entry.path) });
const missing = await tar.list({ file: join(dir, 'none.tgz') }).then(() => 'listed', (error) => error.code);
report({
  listed: listed.sort(),
  extracted: [readFileSync(join(dir, 'extracted', 'a.txt'), 'utf8'), readFileSync(join(dir, 'extracted', 'nested', 'b.txt'), 'utf8').length],
  syncListed,
  missing,
});
