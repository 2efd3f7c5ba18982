// `npm run build`: every JavaScript file of the package, built once by esbuild, and the type
// declarations of the public entry points, by tsc. dist/ holds only what is published and loaded:
// a test (test/package.test.ts) compares `npm pack`'s file list with what the entry points reach.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const dist = resolve(root, 'dist');
const typesDir = resolve(root, 'build', 'types');
const src = (file) => resolve(root, 'src', file);
const out = (file) => resolve(dist, file);

const common = { platform: 'node', target: 'node20', logLevel: 'warning', legalComments: 'none' };

/**
 * Every copy of audithook in a thread shares one runtime (src/runtime.ts), so the entry points and
 * the agent load dist/runtime.js instead of bundling their own: `../runtime.js` stays a require.
 */
const runtimeIsShared = {
  name: 'shared-runtime',
  setup(builder) {
    builder.onResolve({ filter: /(^|\/)runtime\.js$/ }, (args) => (
      args.importer === src('runtime.ts') ? undefined : { path: './runtime.js', external: true }
    ));
  },
};

rmSync(dist, { recursive: true, force: true });
// The agent's code caches (src/agent/code-cache.ts) are of the runtime being replaced.
rmSync(resolve(root, '.code-cache'), { recursive: true, force: true });

const bundles = [
  // The runtime: kernel and instrumentation, dependency-free.
  { entryPoints: [src('runtime.ts')], outfile: out('runtime.js') },
  { entryPoints: [src('index.ts')], outfile: out('index.js'), plugins: [runtimeIsShared] },
  { entryPoints: [src('register.ts')], outfile: out('register.js'), plugins: [runtimeIsShared] },
  // Loaded on the first source that mentions eval (acorn inside).
  { entryPoints: [src('instrument/module/rewrite-eval.ts')], outfile: out('rewrite-eval.js') },
  // Node 20's module hooks thread loads these hooks itself.
  { entryPoints: [src('instrument/module/node20/hooks-thread.ts')], outfile: out('hooks-thread.js') },
  // `audithook run`'s preload: a small file Node compiles, which loads the runtime and the agent
  // (the second bundle) with V8's code cache (src/agent/code-cache.ts).
  { entryPoints: [src('agent/preload.ts')], outfile: out('agent.js'), plugins: [runtimeIsShared] },
  { entryPoints: [src('agent/index.ts')], outfile: out('agent-main.js'), plugins: [runtimeIsShared] },
  { entryPoints: [src('catalogue/index.ts')], outfile: out('catalogue/index.js') },
  // The CLI keeps its libraries (commander, ajv, ...) as dependencies.
  { entryPoints: [src('cli/main.ts')], outfile: out('cli/main.js'), packages: 'external' },
];
await Promise.all([
  ...bundles.map((options) => build({ ...common, bundle: true, format: 'cjs', ...options })),
  // The ES module entry points re-export the CommonJS ones: one module instance for import and require.
  build({ ...common, entryPoints: [src('esm/index.mts'), src('esm/register.mts')], outdir: out('esm'), outExtension: { '.js': '.mjs' }, format: 'esm' }),
]);
chmodSync(out('cli/main.js'), 0o755);

// Declarations: tsc writes them all to build/types; dist gets those the public entry points reach.
rmSync(typesDir, { recursive: true, force: true });
execFileSync(process.execPath, [resolve(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', resolve(root, 'tsconfig.json'),
  '--declaration', '--emitDeclarationOnly', '--outDir', typesDir], { stdio: 'inherit' });
const copied = new Set();
const copyDeclarations = (file) => {
  if (copied.has(file)) return;
  copied.add(file);
  const target = out(relative(typesDir, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from ['"](\.{1,2}\/[^'"]+)['"]/g)) {
    copyDeclarations(resolve(dirname(file), spec.replace(/\.js$/, '.d.ts').replace(/\.mjs$/, '.d.mts')));
  }
};
for (const entry of ['index.d.ts', 'esm/index.d.mts', 'catalogue/index.d.ts']) copyDeclarations(resolve(typesDir, entry));
