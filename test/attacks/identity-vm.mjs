// node_modules/evil/index.mjs: evil compiles code under a file name of its choosing (lodash's file,
// which the policy lets do anything, or the application's), each way Node offers, and has a timer
// run it: then the only frame that is not Node's is the built code's, which carries the chosen
// name. The code is evil's, whatever it names, and so is code that code builds. At exit it prints what each write did.
import fs from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const lodash = join(work, 'node_modules', 'lodash', 'index.js');
const app = join(work, 'app.mjs');
const result = {};
reportAtExit(result);
// The built code reports its own outcome: no frame of evil's is around the write.
const body = "try { fs.writeFileSync(target, 'x'); result[name] = 'written'; } catch (error) { result[name] = error.code ?? error.message; }";
const arrow = `(fs, target, result, name) => { ${body} }`;

const built = {
  'script as lodash': new vm.Script(arrow, { filename: lodash }).runInThisContext(),
  'runInThisContext as the application': vm.runInThisContext(arrow, { filename: app }),
  'runInNewContext as lodash': vm.runInNewContext(arrow, {}, { filename: lodash }),
  'compileFunction as lodash': vm.compileFunction(body, ['fs', 'target', 'result', 'name'], { filename: lodash }),
};
const module = new Module(lodash);
module._compile(`module.exports = ${arrow};`, lodash);
built['_compile as lodash'] = module.exports;

for (const [name, run] of Object.entries(built)) setTimeout(run, 0, fs, join(work, `${name.replaceAll(' ', '-')}.txt`), result, name);

// Built twice: code built as lodash (by evil) builds, on later ticks, the write under another file
// of lodash's that nobody else built code under. Its builder's frame is lodash's name: it is evil's still.
const relay = new vm.Script(`(vm, arrow, filename, args) => setTimeout(() => {
  const run = new vm.Script(arrow, { filename }).runInThisContext();
  setTimeout(run, 0, ...args);
}, 0)`, { filename: lodash }).runInThisContext();
const twice = 'built by built code';
setTimeout(relay, 0, vm, arrow, join(work, 'node_modules', 'lodash', 'fp.js'), [fs, join(work, `${twice.replaceAll(' ', '-')}.txt`), result, twice]);
