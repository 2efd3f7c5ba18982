// evil has Node do its work on a later tick, where none of its frames are left: file streams open
// their file after the constructor returned. Each open must still be evil's, under evil's rules.
import fs from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
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

// A dial Node makes on the next tick, and a listen after the look-up Node makes for the host.
const dial = net.connect(9, '127.0.0.1');
dial.on('connect', () => { result.connect = 'done'; dial.destroy(); }).on('error', (error) => { result.connect = error.code; });
const server = net.createServer();
server.on('listening', () => { result.listen = 'done'; server.close(); }).on('error', (error) => { result.listen = error.code; });
server.listen(0, '127.0.0.1');

// A datagram to an IP address: dgram binds and sends after its look-up.
const datagrams = dgram.createSocket('udp4');
// A refused implicit bind is the socket's 'error', as a failed bind is.
datagrams.on('error', (error) => { result.send = error.code; datagrams.close(); });
datagrams.send('exfiltrated', 9, '127.0.0.1', (error) => { result.send = error?.code ?? 'done'; datagrams.close(); });
