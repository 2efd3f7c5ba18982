// node_modules/evil/index.mjs: Node's APIs that do their work on a later tick (open a stream,
// dial or listen after a name look-up, bind or send a datagram, connect an HTTP request). When that
// work raises its event, no frame of this package is on the stack: only the chain of the call to
// the public API can say whose work it is. At exit it prints what each attempt did.
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { reportAtExit } from './attempt.mjs';

const work = process.argv[process.argv.length - 1];
const { targets } = globalThis;
const done = {};
reportAtExit(done);

/** Resolves with what `start(succeed, fail)` reported (a code for a failure), or 'timeout'. */
const outcome = (name, start) => new Promise((resolve) => {
  const settle = (value) => { done[name] ??= value; resolve(); };
  setTimeout(() => settle('timeout'), 5000).unref();
  try {
    start(() => settle('done'), (error) => settle(error.code ?? error.message));
  } catch (error) {
    settle(`threw ${error.code ?? error.message}`);
  }
});

export const settled = Promise.all([
  outcome('createReadStream', (succeed, fail) => fs.createReadStream(join(work, 'secret.txt')).on('data', succeed).on('error', fail)),
  outcome('createWriteStream', (succeed, fail) => fs.createWriteStream(join(work, 'written-by-stream')).on('open', succeed).on('error', fail)),
  outcome('net.connect', (succeed, fail) => net.connect(targets.tcp, 'localhost').on('connect', succeed).on('error', fail)),
  outcome('server.listen', (succeed, fail) => {
    const server = net.createServer().on('error', fail);
    server.listen(0, 'localhost', () => { server.close(); succeed(); });
  }),
  outcome('dgram.bind', (succeed, fail) => {
    const socket = dgram.createSocket('udp4').on('error', fail);
    socket.bind(0, 'localhost', () => { socket.close(); succeed(); });
  }),
  outcome('dgram.send', (succeed, fail) => {
    const socket = dgram.createSocket('udp4').on('error', fail);
    socket.send('secret', targets.udp, 'localhost', (error) => { socket.close(); if (error) fail(error); else succeed(); });
  }),
  outcome('http.request', (succeed, fail) => {
    http.request({ host: 'localhost', port: targets.http, agent: false }, (response) => { response.resume(); succeed(); }).on('error', fail).end();
  }),
]);
