// evil has Node do its work on a later tick, where none of its frames are left: file streams open
// their file after the constructor returned. Each open must still be evil's, under evil's rules.
import fs from 'node:fs';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[2];
const secret = join(work, 'secret.txt');
const result = {};
reportAtExit(result);
const outcome = (name, stream, success) => stream.on(success, () => { result[name] = 'done'; stream.destroy(); }).on('error', (error) => { result[name] = error.code; });
outcome('createReadStream', fs.createReadStream(secret), 'data');
outcome('newReadStream', new fs.ReadStream(secret), 'data');
// Node's classes are callable without new.
outcome('callReadStream', fs.ReadStream(secret), 'data');
outcome('createWriteStream', fs.createWriteStream(join(work, 'dropped.txt')), 'open');
class Quiet extends fs.ReadStream {}
outcome('subclass', new Quiet(secret), 'data');
