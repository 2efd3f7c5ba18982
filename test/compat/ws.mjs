// A ws server and client on 127.0.0.1: handshake, text and binary messages, close codes.
import { WebSocket, WebSocketServer } from 'ws';
import { report } from './report.mjs';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
server.on('connection', (socket, request) => {
  socket.send(`hello ${request.headers['x-name']}`);
  socket.on('message', (data, isBinary) => socket.send(isBinary ? Buffer.concat([data, Buffer.from([255])]) : `echo ${data}`));
});
const client = new WebSocket(`ws://127.0.0.1:${server.address().port}/path`, { headers: { 'x-name': 'compat' } });
const received = [];
const closed = new Promise((resolve) => client.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
await new Promise((resolve, reject) => {
  client.on('error', reject);
  client.on('message', (data, isBinary) => {
    received.push(isBinary ? [...data] : data.toString());
    if (received.length === 1) client.send('text');
    if (received.length === 2) client.send(Buffer.from([1, 2]));
    if (received.length === 3) { client.close(4000, 'done'); resolve(); }
  });
});
const close = await closed;
await new Promise((resolve) => server.close(resolve));
const refused = await new Promise((resolve) => {
  const socket = new WebSocket('ws://127.0.0.1:9/');
  socket.on('error', (error) => resolve(error.code));
});
report({ received, close, refused });
