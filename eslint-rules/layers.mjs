// The package's layering, checked: each folder of src/ imports only from the folders it may depend
// on (README, "Layout"), so that the kernel stays dependency-free, the agent never reaches into the
// instrumentation it shares through the runtime, and the CLI never loads what runs in audited processes.
import { dirname, relative, resolve, sep } from 'node:path';

/** Each layer and what it may import (itself included). `policy/decide` names one file of a layer. */
export const LAYERS = {
  core: ['core'],
  catalogue: ['catalogue'],
  contract: ['contract', 'core'],
  instrument: ['instrument', 'core', 'catalogue', 'contract'],
  policy: ['policy', 'core', 'catalogue', 'contract'],
  // The preload: the shared runtime and the dependency-free verdict, never the policy loader's libraries.
  agent: ['agent', 'core', 'contract', 'policy/decide', 'policy/types', 'runtime'],
  cli: ['cli', 'policy', 'catalogue', 'contract'],
  // src/index.ts, src/register.ts, src/runtime.ts and src/esm/: the entry points and the composition root.
  root: ['root', 'core', 'instrument', 'catalogue', 'runtime'],
};

/** The layer and module (`policy/decide`) of a file under src/, or undefined outside it. */
function locate(srcDir, file) {
  const path = relative(srcDir, file).split(sep).join('/');
  if (path.startsWith('..')) return undefined;
  const slash = path.indexOf('/');
  const folder = slash === -1 ? '' : path.slice(0, slash);
  const module = path.replace(/\.(d\.)?m?[tj]s$/, '');
  if (module === 'runtime') return { layer: 'runtime', module };
  if (folder === '' || folder === 'esm') return { layer: 'root', module };
  return { layer: folder, module };
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layering of src/ (eslint-rules/layers.mjs)' },
    schema: [],
    messages: { forbidden: '{{from}}/ may not import {{to}} ({{spec}}): {{from}} depends only on {{allowed}}' },
  },
  create(context) {
    const srcDir = resolve(context.cwd, 'src');
    const file = context.filename;
    const self = locate(srcDir, file);
    if (self === undefined) return {};
    const allowed = LAYERS[self.layer === 'runtime' ? 'root' : self.layer] ?? [];
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = locate(srcDir, resolve(dirname(file), spec));
      if (target === undefined || target.layer === self.layer) return;
      if (allowed.includes(target.layer) || allowed.includes(target.module)) return;
      context.report({ node, messageId: 'forbidden', data: { from: self.layer, to: target.module, spec, allowed: allowed.join(', ') } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportEqualsDeclaration: (node) => node.moduleReference.type === 'TSExternalModuleReference'
        && check(node.moduleReference.expression, node.moduleReference.expression.value),
      CallExpression: (node) => node.callee.type === 'Identifier' && node.callee.name === 'require'
        && node.arguments[0]?.type === 'Literal' && check(node.arguments[0], node.arguments[0].value),
    };
  },
};
