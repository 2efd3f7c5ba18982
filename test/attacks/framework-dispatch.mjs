// evil, under a policy that names router-kit a framework: what router-kit only dispatched is not
// router-kit's, so evil tries to hide behind that, reading a secret through router-kit's dispatch
// with its own handler, with Node's function bound (dispatched now, or later by router-kit alone),
// with the application's helper bound, and from a timer. evil stays on the chain each time: every read is evil's, and denied.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const require = createRequire(import.meta.url);
const kit = require('router-kit');
const work = process.argv[process.argv.length - 1];
const helpers = require(join(work, 'helpers.cjs'));
const secret = join(work, 'secret.txt');
const result = {};
reportAtExit(result);

kit.route('/handler', () => fs.readFileSync(secret, 'utf8'));
kit.route('/node-function', fs.readFileSync.bind(null, secret, 'utf8'));
kit.route('/app-helper', helpers.read.bind(null, secret));
for (const path of ['/handler', '/node-function', '/app-helper']) result[path.slice(1)] = attempt(() => kit.dispatch(path));
result['app-helper-direct'] = attempt(() => helpers.read(secret));
setTimeout(() => { result.timer = attempt(() => kit.dispatch('/app-helper')); });
// Node's function, bound, run by router-kit's own function on a later tick: only router-kit's frame is there.
kit.later('/node-function', (error) => { result['node-function-later'] = error === null ? 'done' : error.code ?? error.message; });
