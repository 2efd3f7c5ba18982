/**
 * The README's layout section matches the tree: it names every source file in its folder's entry
 * (and its subfolder there), by its name or a `name*.ts` pattern, or by the folder for the two
 * folders it describes whole.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/scenario';

/** Folders the layout describes as one piece, and how it spells them. */
const WHOLE_FOLDERS: Readonly<Record<string, string>> = { esm: '`src/esm/`', 'instrument/module/node20': '`node20/`' };

test('the README layout names every file under src/ in its folder\'s entry', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('Layout (');
  const layout = readme.slice(start, readme.indexOf('`.ci/run` is what CI runs', start));
  assert.ok(start !== -1 && layout.length > 1000, 'the README has its layout section');
  // One entry per top folder: from its `- \`src/<folder>/\`` line to the next entry.
  const entries = new Map([...layout.matchAll(/^- `src\/([\w-]+)\/`[^]*?(?=^- |(?![^]))/gm)].map((match) => [match[1], match[0]]));
  for (const [folder, spelling] of Object.entries(WHOLE_FOLDERS)) assert.ok(layout.includes(spelling), `the layout names ${folder}`);
  const named = (file: string): boolean => {
    const [top, ...rest] = file.split('/');
    // src/runtime.ts and the other top-level files are named with their path, wherever.
    if (rest.length === 0) return layout.includes(`\`src/${file}\``);
    // Described whole, checked above.
    if (dirname(file) in WHOLE_FOLDERS) return true;
    const entry = entries.get(top);
    if (entry === undefined) return false;
    const name = basename(file);
    const patterns = [...entry.matchAll(/`([\w-]+)\*\.ts`/g)].map((match) => match[1]);
    // A file in a subfolder: the entry names the subfolder too (`module/`).
    const folders = rest.slice(0, -1).every((folder) => entry.includes(`\`${folder}/\``));
    return folders && (entry.includes(`\`${name}\``) || patterns.some((prefix) => name.startsWith(prefix)));
  };
  const unnamed = readdirSync(join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((file) => /\.m?ts$/.test(file) && !named(file));
  assert.deepEqual(unnamed, []);
});
