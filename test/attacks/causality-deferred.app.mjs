// The application of the causality-deferred attack: it may do anything. It opens a TCP server, a
// UDP socket and an HTTP server on 127.0.0.1 for evil to reach, then lets evil run and waits
// until evil's attempts have settled.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

const listening = (server, ...args) => new Promise((resolve) => server.listen(...args, resolve));
const tcp = net.createServer((socket) => socket.destroy());
await listening(tcp, 0, '127.0.0.1');
const udp = dgram.createSocket('udp4');
await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
const web = http.createServer((request, response) => response.end('ok'));
await listening(web, 0, '127.0.0.1');
globalThis.targets = { tcp: tcp.address().port, udp: udp.address().port, http: web.address().port };
const { settled } = await import('evil');
await settled;
tcp.close();
udp.close();
web.close();
globalThis[Symbol.for('audithook.runtime')].audit('app.event');
