// undici's own request, fetch and pool against a local server.
import { createServer } from 'node:http';
import { Pool, fetch, request } from 'undici';
import { report } from './report.mjs';

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => body += chunk);
  req.on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ method: req.method, url: req.url, body })));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const viaRequest = await request(`${origin}/a?x=1`, { method: 'POST', body: 'payload' }).then(async (r) => [r.statusCode, await r.body.json()]);
const viaFetch = await fetch(`${origin}/b`).then(async (r) => [r.status, await r.json()]);
const pool = new Pool(origin, { connections: 2 });
const pooled = await Promise.all([1, 2, 3].map((n) => pool.request({ path: `/p${n}`, method: 'GET' }).then((r) => r.body.json())));
await pool.close();
const refused = await request('http://127.0.0.1:9/').then(() => 'answered', (error) => error.code);
server.close();
report({ viaRequest, viaFetch, pooled: pooled.map((answer) => answer.url), refused });
