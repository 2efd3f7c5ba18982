// chokidar watches a directory: the initial scan, then an added, a changed and a removed file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import chokidar from 'chokidar';
import { report } from './report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'compat-chokidar-'));
writeFileSync(join(dir, 'existing.txt'), 'x');
const watcher = chokidar.watch(dir, { ignoreInitial: false });
const seen = [];
const next = (event, name) => new Promise((resolve) => {
  const listener = (path) => {
    if (relative(dir, path) !== name) return;
    watcher.off(event, listener);
    resolve();
  };
  watcher.on(event, listener);
});
watcher.on('all', (event, path) => seen.push([event, relative(dir, path)]));
await new Promise((resolve) => watcher.once('ready', resolve));
const added = next('add', 'new.txt');
writeFileSync(join(dir, 'new.txt'), 'one');
await added;
const changed = next('change', 'new.txt');
writeFileSync(join(dir, 'new.txt'), 'two');
await changed;
const removed = next('unlink', 'new.txt');
rmSync(join(dir, 'new.txt'));
await removed;
await watcher.close();
report(seen);
