// fs-extra's public API on a fresh directory: what each call returns or throws.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fse from 'fs-extra';
import { report } from './report.mjs';

const dir = await fse.mkdtemp(join(tmpdir(), 'compat-fs-extra-'));
const at = (...parts) => join(dir, ...parts);
const outcome = {};
await fse.outputFile(at('a', 'b', 'c.txt'), 'hello');
await fse.outputJson(at('a', 'data.json'), { n: 1, list: [1, 2] }, { spaces: 2 });
outcome.readJson = await fse.readJson(at('a', 'data.json'));
await fse.copy(at('a'), at('copy'));
outcome.copied = (await fse.readdir(at('copy'))).sort();
fse.copySync(at('a', 'b'), at('copy-sync'));
outcome.copiedSync = fse.readFileSync(at('copy-sync', 'c.txt'), 'utf8');
await fse.move(at('copy'), at('moved'));
outcome.moved = [await fse.pathExists(at('copy')), await fse.pathExists(at('moved', 'b', 'c.txt'))];
await fse.ensureDir(at('x', 'y', 'z'));
fse.ensureFileSync(at('x', 'file.txt'));
await fse.ensureSymlink(at('a', 'b', 'c.txt'), at('x', 'link.txt'));
outcome.link = fse.readlinkSync(at('x', 'link.txt')) === at('a', 'b', 'c.txt');
await fse.emptyDir(at('x'));
outcome.emptied = await fse.readdir(at('x'));
outcome.missing = await fse.readJson(at('nope.json')).then(() => 'read', (error) => error.code);
outcome.overwrite = await fse.move(at('moved'), at('a')).then(() => 'moved', (error) => error.message.replace(dir, '$DIR'));
// A package doing something new: reading a file its learned policy never saw it read.
if (process.env.COMPAT_NEW_ACTION) outcome.newAction = await fse.readFile(process.env.COMPAT_NEW_ACTION).then(() => 'read', ({ code, message }) => ({ code, message }));
await fse.remove(dir);
outcome.removed = !fse.existsSync(dir);
report(outcome);
