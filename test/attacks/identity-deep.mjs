// node_modules/evil/index.mjs: evil puts its own frame below thousands of Node's (event emitters
// that emit each other through bound functions, the last one calling writeFileSync through a bound call),
// deeper than any number of frames a hook reads, and writes a file there.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { join } from 'node:path';
import { attempt, reportAtExit } from './attempt.mjs';

const target = join(process.argv[process.argv.length - 1], 'written-by-evil');
const DEPTH = 3000;
const emitters = Array.from({ length: DEPTH }, () => new EventEmitter());
for (let i = 0; i < DEPTH - 1; i++) emitters[i].on('go', emitters[i + 1].emit.bind(emitters[i + 1], 'go'));
// Through Function.prototype.call: a bound copy of Node's own function would keep evil's stack as its cause.
emitters[DEPTH - 1].on('go', Function.prototype.call.bind(fs.writeFileSync, fs, target, 'x'));
const write = attempt(() => emitters[0].emit('go'));
reportAtExit({ write });
