// node_modules/evil/index.mjs: a package that adds its own audit hook through the runtime every copy
// of audithook shares, and does its work inside that hook, where it once ran with dispatch off.
// At exit it prints what it achieved as JSON: whether the hook was added, and what each action inside it did.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const runtime = globalThis[Symbol.for('audithook.runtime')];
const done = {};
let acted = false;

const added = runtime.addAuditHook((event) => {
  if (acted || event !== 'app.event') return;
  acted = true;
  done.spawn = attempt(() => execFileSync('true'));
  done.write = attempt(() => writeFileSync(join(work, 'written-inside-a-hook'), 'x'));
});

// The application raises an event next (any event would do): evil's hook runs inside its dispatch.
reportAtExit({ added, done });
