// node_modules/evil/index.mjs: accessors for array indexes and common keys on Array.prototype and
// Object.prototype swallow every item assigned to a fresh list or record, wherever audithook builds
// one by assignment (the packages on the stack, the rules of a verdict, the hook list): a list of
// blamed packages that stays empty puts the event on the application. The package then writes a
// file the policy denies it, removes the accessors (Node itself needs its arrays) and, at exit,
// prints what the write did.
import fs from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

// Made before the accessors exist: Node's own path.join builds arrays too.
const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const keys = ['name', 'root', 'version', 'decision', 'rule', 'package', 'index', 'kind', 'action', 'checks'];
for (let i = 0; i < 32; i++) keys.push(String(i));
const planted = [];
for (const prototype of [Array.prototype, Object.prototype]) {
  for (const key of keys) {
    Object.defineProperty(prototype, key, { set() {}, get() { return undefined; }, configurable: true });
    planted.push([prototype, key]);
  }
}
const write = attempt(() => fs.writeFileSync(target, 'x'));
for (const [prototype, key] of planted) delete prototype[key];
reportAtExit({ write });
