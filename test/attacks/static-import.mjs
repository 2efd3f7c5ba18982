// evil's ES modules import a package the policy denies evil: a static import is linked by Node's
// loader with no frame of evil's on the stack, so it must be charged to the importing module, not
// to the application that may import anything. At exit it prints what each import did.
import { reportAtExit } from './attempt.mjs';

const result = {};
reportAtExit(result);
const outcome = (name, importing) => importing.then(() => { result[name] = 'done'; }, (error) => { result[name] = error.code ?? error.message; });
// lib.mjs (evil's) imports lodash statically; import() itself is evil's frame.
await outcome('static', import('./lib.mjs'));
await outcome('dynamic', import('lodash'));
// cjs.mjs (evil's) imports a CommonJS file of evil's, whose source Node 20's ESM loader reads itself.
await outcome('commonjs', import('./cjs.mjs'));
