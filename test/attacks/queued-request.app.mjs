// The application keeps a pool of one connection busy with a slow request whose server closes the
// connection after it, then loads evil, whose request on the same pool waits in the agent's queue:
// Node dials for it when the first connection closes, from the close's stack, with no frame of evil's.
import http from 'node:http';
import { once } from 'node:events';

const server = http.createServer((request, response) => {
  response.shouldKeepAlive = false;
  setTimeout(() => response.end('ok'), request.url === '/slow' ? 300 : 0);
}).listen(0, '127.0.0.1');
await once(server, 'listening');
const agent = new http.Agent({ maxSockets: 1 });
const port = server.address().port;
globalThis.pool = { agent, port, close: () => { server.close(); agent.destroy(); } };
http.get({ host: '127.0.0.1', port, path: '/slow', agent }, (response) => response.resume());
await import('evil');
