/**
 * What is published: `npm pack`'s file list is exactly what the package's entry points load, and
 * every file they load is in it, so nothing is shipped twice or dead and nothing loaded is missing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/scenario';

interface PackedFile { readonly path: string }

const packed: readonly string[] = (JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
})) as { files: PackedFile[] }[])[0].files.map((file) => file.path).sort();

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string | Record<string, string>>>;
  bin: Record<string, string>;
  main: string;
  types: string;
};

/** Every file path the exports map, bin, main and types name. */
function entryPoints(): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') found.push(posix.normalize(value));
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(manifest.exports);
  visit(manifest.bin);
  visit(manifest.main);
  visit(manifest.types);
  return found;
}

/**
 * Files the code loads by a path it computes (beside dist/runtime.js): the eval rewriter, Node 20's
 * loader hooks, the agent that `audithook run` preloads into every process and the agent's body it
 * loads with the code cache.
 */
const LOADED_BY_PATH = ['dist/rewrite-eval.js', 'dist/hooks-thread.js', 'dist/agent.js', 'dist/agent-main.js'];

/** The closure of files reached from `roots` through relative imports and requires (JS) and type imports (declarations). */
function reachable(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file) || file === 'package.json') continue;
    seen.add(file);
    if (!/\.(m?js|d\.m?ts)$/.test(file)) continue;
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    for (const [, spec] of text.matchAll(/(?:from\s+|require\(|import\(|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      let target = posix.normalize(posix.join(dirname(file), spec));
      if (file.endsWith('.d.ts') || file.endsWith('.d.mts')) target = target.replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts');
      pending.push(target);
    }
  }
  return seen;
}

test('npm pack ships exactly the files the entry points load, the docs, the schema, README and package.json', () => {
  const code = [...reachable([...entryPoints(), ...LOADED_BY_PATH])].sort();
  const docs = packed.filter((file) => file.startsWith('docs/') || file.startsWith('schema/'));
  assert.ok(docs.includes('schema/policy.schema.json'));
  assert.deepEqual(packed, [...code, ...docs, 'README.md', 'package.json'].sort());
});

test('every file that loaded code names is packed', () => {
  for (const file of reachable([...entryPoints(), ...LOADED_BY_PATH])) assert.ok(packed.includes(file), `${file} is loaded but not packed`);
});

test('picomatch and the build tools are not runtime dependencies', () => {
  const { dependencies = {} } = manifest as { dependencies?: Record<string, string> };
  for (const name of ['picomatch', 'esbuild', 'acorn', 'typescript']) assert.equal(dependencies[name], undefined, name);
});
