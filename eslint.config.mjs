// Lint: typescript-eslint's type-aware recommended rules for the package and its tests; plain JS rules for scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.mjs';
import primordials from './eslint-rules/primordials.mjs';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.node/'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', AbortSignal: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', performance: 'readonly',
        globalThis: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly', WebSocket: 'readonly', URLSearchParams: 'readonly',
      },
    },
  },
  {
    files: ['**/*.{ts,mts}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './test/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The primordials pattern: built-in methods are captured unbound and called with Reflect.apply.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,mts}'],
    plugins: { audithook: { rules: { layers, primordials } } },
    rules: { 'audithook/layers': 'error' },
  },
  {
    // What runs in audited processes reaches nothing the program can replace (eslint-rules/primordials.mjs).
    files: ['src/runtime.ts', 'src/core/**/*.ts', 'src/instrument/**/*.ts', 'src/agent/**/*.ts', 'src/contract/**/*.ts', 'src/policy/decide.ts'],
    // primordials.ts is where the captures are made; rewrite-eval.ts drives acorn, code we do not own;
    // Node 20's hooks thread runs no audit hook and no program code but loader hooks: see docs/security-model.md.
    ignores: ['src/core/primordials.ts', 'src/instrument/module/rewrite-eval.ts', 'src/instrument/module/node20/hooks-thread.ts'],
    rules: { 'audithook/primordials': 'error' },
  },
  {
    // One mechanism raises events: the verbs of src/instrument/wrap.ts.
    files: ['src/instrument/**/*.ts'],
    ignores: ['src/instrument/wrap.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        group: ['**/core/kernel.js'], importNames: ['dispatch'],
        message: 'raise events through src/instrument/wrap.ts (instrument, instrumentConstructor, raise)',
      }] }],
      // The same, for the kernel reached by require (import = require included).
      'no-restricted-syntax': ['error',
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/core\\/kernel/]",
          message: 'raise events through src/instrument/wrap.ts (instrument, instrumentConstructor, raise)',
        },
        {
          selector: "TSExternalModuleReference[expression.value=/core\\/kernel/]",
          message: 'raise events through src/instrument/wrap.ts (instrument, instrumentConstructor, raise)',
        },
        // A module named at run time could be the kernel: only names the rules above can read, and Node's built-ins.
        {
          selector: "CallExpression[callee.name='require'][arguments.0.type!='Literal'][arguments.0.type!='TemplateLiteral']",
          message: 'require a module by its literal name (a `node:` template for built-ins)',
        },
        {
          selector: "CallExpression[callee.name='require'][arguments.0.type='TemplateLiteral'][arguments.0.quasis.0.value.raw!=/^node:/]",
          message: 'require a module by its literal name (a `node:` template for built-ins)',
        },
        { selector: 'ImportExpression', message: 'the instrumentation loads modules with require (Node\'s loader hooks would see an import())' },
      ],
    },
  },
  {
    // node:test's test() and describe() return promises the runner itself awaits.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
);
