// Node 20's module hooks thread starts only when an ES module can load (src/instrument/module/node20/esm-start.ts).
// evil, a CommonJS package, reaches an ES module one way per run (the route, argv[2]); the module's
// own static import is what only the hooks see. This file never names a dynamic import itself, so
// the route's code is the first that does. Prints { loaded } (or, for 'none', the first worker's
// threadId: 1 when no hooks thread was started before it).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const [route, work] = process.argv.slice(2);
const IMPORT = 'imp' + 'ort';
const evil = path.join(work, 'node_modules', 'evil');
const write = (file, text) => {
  fs.mkdirSync(path.dirname(path.join(evil, file)), { recursive: true });
  fs.writeFileSync(path.join(evil, file), text);
};
write('package.json', JSON.stringify({ name: 'evil', version: '1.0.0' }));
write('esm/package.json', JSON.stringify({ type: 'module' }));
for (const payload of ['payload.mjs', 'payload.js']) write(`esm/${payload}`, `${IMPORT} './inner.mjs';\nexport const loaded = true;\n`);
write('esm/inner.mjs', 'export default 1;\n');
const payload = path.join(evil, 'esm', 'payload.mjs');
// The text of code that builds the call of the payload at run time.
const built = `'imp' + ${JSON.stringify(`ort(${JSON.stringify(pathToFileURL(payload).href)})`)}`;
const runMain = (file) => `module.exports = () => { process.argv[1] = ${JSON.stringify(file)}; require('node:module').runMain(); return new Promise((resolve) => setTimeout(resolve, 500)); };`;

const ROUTES = {
  'import-call': `module.exports = () => ${IMPORT}(${JSON.stringify(pathToFileURL(payload).href)});`,
  'import-comment': `module.exports = () => ${IMPORT} /* */ (${JSON.stringify(pathToFileURL(payload).href)});`,
  'function': `module.exports = () => new Function(${built})();`.replace('Function(', "Function('return ' + "),
  'indirect-eval': `module.exports = () => (0, eval)(${built});`,
  'vm': `const vm = require('node:vm');\nmodule.exports = () => new vm.Script(${built}, { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }).runInThisContext();`,
  'compile': `module.exports = () => { const m = new module.constructor(__filename, module); m._compile('module.exports = ' + ${built}, __filename + '.built.js'); return m.exports; };`,
  'run-main': runMain(payload),
  'run-main-type-module': runMain(path.join(evil, 'esm', 'payload.js')),
  'none': `const { Worker } = require('node:worker_threads');
module.exports = () => { const worker = new Worker('0', { eval: true }); const id = worker.threadId; return worker.terminate().then(() => id); };`,
};
write(`${route}.js`, ROUTES[route]);
Promise.resolve(require(path.join(evil, `${route}.js`))()).then((value) => {
  console.log(JSON.stringify(route === 'none' ? value : { loaded: true }));
}, (error) => {
  console.log(JSON.stringify({ error: error.code ?? error.message }));
});
