/**
 * The README's layout section matches the tree: it names every source file, by its name, by a
 * `name*.ts` pattern, or by the folder for the two folders it describes whole.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/scenario';

/** Folders the layout describes as one piece, and how it spells them. */
const WHOLE_FOLDERS: Readonly<Record<string, string>> = { esm: '`src/esm/`', 'instrument/module/node20': '`node20/`' };

test('the README layout names every file under src/', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('Layout (');
  const layout = readme.slice(start, readme.indexOf('`.ci/run` is what CI runs', start));
  assert.ok(start !== -1 && layout.length > 1000, 'the README has its layout section');
  const patterns = [...layout.matchAll(/`([\w-]+)\*\.ts`/g)].map((match) => match[1]);
  for (const [folder, spelling] of Object.entries(WHOLE_FOLDERS)) assert.ok(layout.includes(spelling), `the layout names ${folder}`);
  const unnamed = readdirSync(join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.m?ts$/.test(file))
    .filter((file) => {
      const name = basename(file);
      return !layout.includes(`\`${name}\``) && !layout.includes(`\`src/${file}\``) && !patterns.some((prefix) => name.startsWith(prefix)) && !(dirname(file) in WHOLE_FOLDERS);
    });
  assert.deepEqual(unnamed, []);
});
