// Scenarios of test/net.test.ts, each run in its own process by runScenario(scenario('net/<name>')).
/* global Request, EventSource */
import { via, errorData } from '../fixtures/outcome.mjs';

/** A local server that counts the connections it accepts, and helpers to reach it. */
async function startServer(harness) {
  const net = await import('node:net');
  const http = await import('node:http');
  let accepted = 0;
  const server = http.createServer((request, response) => response.end('ok'));
  server.on('connection', () => accepted++);
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const port = server.address().port;
  const close = () => { server.closeAllConnections(); server.close(); };
  const shape = (events) => events.map(([event, self, address]) => [event, self?.constructor?.name ?? null, address]);
  return { net, http, server, port, close, shape, accepted: () => accepted };
}

/** Each client dials the server once. */
const CLIENTS = {
  'net.connect': ({ net, port }) => new Promise((resolve, reject) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve('connected'); }); s.on('error', reject); }),
  'new net.Socket().connect': ({ net, port }) => new Promise((resolve, reject) => { const s = new net.Socket(); s.connect({ port, host: '127.0.0.1' }, () => { s.end(); resolve('connected'); }); s.on('error', reject); }),
  'http.get': ({ http, port }) => new Promise((resolve, reject) => http.get({ port, host: '127.0.0.1', agent: false }, (response) => { response.resume(); response.on('end', () => resolve(response.statusCode)); }).on('error', reject)),
  fetch: ({ port }) => fetch('http://127.0.0.1:' + port + '/', { headers: { connection: 'close' } }).then((response) => response.text()),
};

export async function dialAllowed(harness, { client }) {
  const local = await startServer(harness);
  const value = await CLIENTS[client](local);
  local.close();
  harness.done({ port: local.port, value, accepted: local.accepted(), events: local.shape(harness.events.filter((e) => e[0] === 'socket.connect')) });
}

export async function dialBlocked(harness, { client }) {
  const local = await startServer(harness);
  harness.block('socket.connect');
  let error = null;
  try { await CLIENTS[client](local); } catch (caught) { error = errorData(caught.cause ?? caught); }
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  local.close();
  harness.done({ error, accepted: local.accepted() });
}

export async function fetchDialsThroughInstrumentedHandles(harness) {
  const { port, close, accepted } = await startServer(harness);
  harness.block('socket.connect');
  const outcome = await fetch('http://127.0.0.1:' + port + '/').then(() => 'fetched', (error) => error.cause?.code ?? error.message);
  harness.unblock();
  close();
  harness.done({ outcome, accepted: accepted() });
}

export async function fetchRaisesUrllibRequest(harness) {
  const { port, close, accepted } = await startServer(harness);
  const base = 'http://127.0.0.1:' + port;
  const answers = [];
  answers.push(await fetch(new URL(base + '/a'), { method: 'post', body: 'data', headers: { 'X-A': '1', connection: 'close' } }).then((r) => r.text()));
  answers.push(await fetch(new Request(base + '/b', { method: 'PUT', body: 'x', headers: [['x-b', '2'], ['connection', 'close']] })).then((r) => r.text()));
  harness.block('urllib.Request');
  answers.push(await fetch(base + '/c').then(() => 'fetched', (error) => error.code));
  harness.unblock();
  close();
  harness.done({ port, answers, accepted: accepted() });
}

/**
 * Request and Headers replaced on globalThis before the first fetch: getters that answer a forged
 * URL and method for any object, a Headers that drops every header. The event shows what is sent.
 */
export async function fetchForgedRequestClass(harness) {
  const { port, close } = await startServer(harness);
  const RealRequest = globalThis.Request;
  globalThis.Request = class Request extends RealRequest {
    get url() { return 'https://allowed.example/ok'; }
    get method() { return 'GET'; }
  };
  const RealHeaders = globalThis.Headers;
  globalThis.Headers = class Headers { forEach() {} };
  // And on Node's own prototypes: a forged url getter, a forEach that drops every header.
  Object.defineProperty(RealRequest.prototype, 'url', { get() { return 'https://allowed.example/ok'; }, configurable: true });
  RealHeaders.prototype.forEach = function forEach() {};
  const target = 'http://127.0.0.1:' + port + '/secret';
  const answers = [await fetch(new URL(target), { method: 'POST', body: 'stolen', headers: { 'x-a': '1', connection: 'close' } }).then((r) => r.text())];
  answers.push(await fetch(new RealRequest(target + '2', { method: 'PUT', body: 'x', headers: { connection: 'close' } })).then((r) => r.text()));
  const kept = globalThis.Request !== RealRequest && typeof globalThis.Headers.prototype.forEach === 'function';
  close();
  harness.done({ port, answers, kept });
}

/** fetch over http and https (to the plain server: TCP is accepted, TLS then fails), then with http.client.connect refused. */
export async function fetchRaisesClientConnectPerDial(harness) {
  const { port, close, accepted } = await startServer(harness);
  const failure = (error) => error.cause?.code ?? error.message;
  const outcomes = [];
  outcomes.push(await fetch('http://127.0.0.1:' + port + '/', { headers: { connection: 'close' } }).then((r) => r.text()));
  outcomes.push(await fetch('https://127.0.0.1:' + port + '/').then(() => 'fetched', () => 'failed'));
  const dialled = accepted();
  harness.block('http.client.connect');
  outcomes.push(await fetch('http://127.0.0.1:' + port + '/refused').then(() => 'fetched', failure));
  outcomes.push(await fetch('https://127.0.0.1:' + port + '/refused').then(() => 'fetched', failure));
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  close();
  const events = harness.events.filter((e) => e[0] === 'http.client.connect' || e[0] === 'socket.connect').map((e) => [e[0], ...e.slice(e[0] === 'socket.connect' ? 2 : 1)]);
  harness.done({ port, outcomes, dialled, accepted: accepted(), events });
}

export async function httpRequestsRaiseClientConnectAndSend(harness) {
  const { http, server, port, close } = await startServer(harness);
  const bodies = [];
  server.removeAllListeners('request');
  server.on('request', (request, response) => { let body = ''; request.on('data', (d) => body += d); request.on('end', () => { bodies.push(body); response.end('ok'); }); });
  const post = (chunks, agent) => new Promise((resolve) => {
    const request = http.request({ port, host: '127.0.0.1', method: 'POST', agent }, (response) => { response.resume(); response.on('end', () => resolve('ok')); });
    request.on('error', (error) => resolve(error.code));
    for (const chunk of chunks.slice(0, -1)) request.write(chunk);
    request.end(chunks.at(-1));
  });
  const outcomes = [await post(['one', Buffer.from('two')], false)];
  harness.block('http.client.connect');
  outcomes.push(await post(['never'], false));
  harness.block('http.client.send');
  outcomes.push(await post(['secret'], false));
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  close();
  harness.done({ port, outcomes, bodies });
}

/** Requests that bring their own connection (createConnection, no agent), through every way to make one. */
export async function httpOwnConnectionRaisesClientConnect(harness) {
  const { net, http, port, close, accepted } = await startServer(harness);
  const https = await import('node:https');
  const { createRequire } = await import('node:module');
  const { ClientRequest } = createRequire(import.meta.url)('_http_client');
  const seen = [];
  // A plain TCP connection: an https request over it speaks plain HTTP to the local server.
  const createConnection = function (options) {
    seen.push({ sameOptions: this === options, ownFunction: options.createConnection === createConnection });
    return net.connect(options.port, options.host);
  };
  const options = { host: '127.0.0.1', port, createConnection };
  const url = 'http://127.0.0.1:' + port + '/';
  const forms = {
    'http.request': (cb) => http.request(options, cb).end(),
    'http.get (url, options)': (cb) => http.get(url, { createConnection }, cb),
    'https.request': (cb) => https.request({ ...options, port: String(port) }, cb).end(),
    'https.get': (cb) => https.get(options, cb),
    'new http.ClientRequest': (cb) => new http.ClientRequest(options, cb).end(),
    'new _http_client.ClientRequest': (cb) => new ClientRequest(options, cb).end(),
    'with an agent': (cb) => http.request({ ...options, agent: new http.Agent() }, cb).end(),
  };
  const outcomes = {};
  const classes = [];
  for (const [form, make] of Object.entries(forms)) {
    const before = harness.events.length;
    outcomes[form] = await new Promise((resolve) => {
      const request = make((response) => { response.resume(); response.on('end', () => resolve(response.statusCode)); });
      request.on('error', (error) => resolve(error.code));
      classes.push(request.constructor);
    });
    outcomes[form] = { outcome: outcomes[form], events: harness.events.slice(before).filter((e) => e[0] === 'http.client.connect').map((e) => e.slice(1)) };
  }
  const acceptedBefore = accepted();
  harness.block('http.client.connect');
  const refused = await new Promise((resolve) => http.request(options, () => resolve('answered')).on('error', (error) => resolve(error.code)).end());
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  close();
  harness.done({
    port, outcomes, refused, seen, refusedAccepted: accepted() - acceptedBefore,
    sameClass: ClientRequest === http.ClientRequest && classes.every((made) => made === http.ClientRequest),
  });
}

export async function autoSelectFamilyTriesEachAddress(harness) {
  const { net, port, close } = await startServer(harness);
  // A lookup that offers an address nothing listens on first, then the server's.
  const lookup = (host, options, callback) => callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
  const outcome = await new Promise((resolve) => {
    const socket = net.connect({ host: 'dual.test', port, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 50, lookup }, () => { socket.end(); resolve('connected'); });
    socket.on('error', (error) => resolve(error.code));
  });
  close();
  harness.done({ port, outcome, dials: harness.events.filter((e) => e[0] === 'socket.connect').map((e) => e[2]) });
}

export async function iPCConnectionUnixSocket(harness) {
  const net = await import('node:net');
  const D = harness.tmp();
  const path = D + '/server.sock';
  let accepted = 0;
  const server = net.createServer((socket) => { accepted++; socket.end(); });
  await new Promise((resolve) => server.listen(path, resolve));
  await new Promise((resolve) => net.connect(path, resolve).on('close', resolve).resume());
  harness.block('socket.connect');
  const error = await new Promise((resolve) => net.connect(path).on('error', (e) => resolve(e.code)));
  harness.unblock();
  server.close();
  const dials = harness.events.filter((e) => e[0] === 'socket.connect');
  harness.done({ path, accepted, error, events: dials.map(([event, self, address]) => [event, self.constructor.name, address]) });
}

export async function nameLookUpsDns(harness) {
  const dns = await import('node:dns');
  const net = await import('node:net');
  const results = {};
  results.callback = await new Promise((resolve) => dns.lookup('localhost', { family: 4 }, (error, address) => resolve(address)));
  results.promise = (await dns.promises.lookup('localhost', 4)).address;
  harness.block('socket.getaddrinfo');
  results.blockedCallback = await new Promise((resolve) => { const value = dns.lookup('localhost', (error) => resolve(error.code)); results.returned = typeof value; });
  results.blockedPromise = await dns.promises.lookup('localhost').then(() => 'resolved', (error) => error.code);
  results.blockedConnect = await new Promise((resolve) => net.connect(9, 'localhost').on('error', (error) => resolve(error.code)));
  harness.done(results);
}

export async function reverseLookUpsService(harness) {
  const dns = await import('node:dns');
  const os = await import('node:os');
  const results = {};
  results.service = (await dns.promises.lookupService('127.0.0.1', 22)).service;
  results.hostname = os.hostname() === (await import('node:os')).hostname();
  harness.block('*');
  const resolver = new dns.Resolver();
  const promisesResolver = new dns.promises.Resolver();
  const viaCallback = (fn) => new Promise((resolve) => fn((error) => resolve(error.code)));
  results.blocked = [
    await viaCallback((cb) => dns.resolve4('example.invalid', cb)),
    await viaCallback((cb) => dns.resolve('example.invalid', 'MX', cb)),
    await viaCallback((cb) => resolver.resolveTxt('example.invalid', cb)),
    await viaCallback((cb) => dns.reverse('127.0.0.1', cb)),
    await viaCallback((cb) => dns.lookupService('127.0.0.1', 22, cb)),
    await dns.promises.resolve6('example.invalid').catch((error) => error.code),
    await promisesResolver.resolveNs('example.invalid').catch((error) => error.code),
    await promisesResolver.reverse('127.0.0.1').catch((error) => error.code),
    via.sync(os, 'hostname', []).kind,
  ];
  harness.done(results);
}

export async function listeningRaisesSocketBind(harness) {
  const net = await import('node:net');
  const http = await import('node:http');
  const D = harness.tmp();
  const listen = (server, ...args) => new Promise((resolve) => {
    server.on('listening', () => resolve({ listening: true, address: server.address() }));
    server.on('error', (error) => resolve({ listening: server.listening, error: error.code }));
    server.listen(...args);
  });
  const results = [];
  for (const [server, args] of [[http.createServer(), [0, '127.0.0.1']], [net.createServer(), [D + '/ipc.sock']]]) {
    results.push(await listen(server, ...args));
    server.close();
  }
  harness.block('socket.bind');
  const refused = [await listen(net.createServer(), 0, 'localhost'), await listen(http.createServer(), D + '/refused.sock')];
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 20));
  harness.done({ D, results, refused, events: harness.events.filter((e) => e[0] === 'socket.bind').map(([e, self, address]) => [e, self.constructor.name, address]) });
}

export async function localAddressBindsBeforeTheDial(harness) {
  const local = await startServer(harness);
  const dial = (options) => new Promise((resolve) => {
    const socket = local.net.connect({ port: local.port, host: '127.0.0.1', ...options }, () => { socket.end(); resolve('connected'); });
    socket.on('error', (error) => resolve(error.code));
  });
  const allowed = [await dial({ localAddress: '127.0.0.1' }), await dial({ localAddress: '127.0.0.1', localPort: 0 })];
  harness.block('socket.bind');
  const refused = await dial({ localAddress: '127.0.0.1' });
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  local.close();
  harness.done({ port: local.port, allowed, refused, accepted: local.accepted(), events: local.shape(harness.events.filter((e) => e[0].startsWith('socket.'))) });
}

export async function webSocketGlobalRaisesUrllib(harness) {
  harness.block('urllib.Request');
  const thrown = (() => { try { new WebSocket('ws://127.0.0.1:9/socket'); return null; } catch (error) { return error.code; } })();
  harness.unblock();
  harness.done({ thrown, name: WebSocket.name, open: WebSocket.OPEN, constructor: WebSocket.prototype.constructor === WebSocket });
}

/** Run with --experimental-eventsource, which makes EventSource a global. */
export async function eventSourceRaisesUrllib(harness) {
  const http = await import('node:http');
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end('data: hello\n\n');
  });
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const url = 'http://127.0.0.1:' + server.address().port + '/events';
  const source = new EventSource(url);
  const message = await new Promise((resolve) => { source.onmessage = (event) => resolve(event.data); source.onerror = () => resolve('error'); });
  source.close();
  harness.block('urllib.Request');
  const thrown = (() => { try { new EventSource(url); return null; } catch (error) { return error.code; } })();
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  server.closeAllConnections();
  server.close();
  harness.done({ url, message, thrown, requests, events: harness.events.filter((e) => e[0] === 'urllib.Request') });
}

export async function httpWebSocketRaisesUrllib(harness) {
  const { WebSocket } = await import('node:http');
  harness.block('urllib.Request');
  const thrown = (() => { try { new WebSocket('ws://127.0.0.1:9/socket'); return null; } catch (error) { return error.code; } })();
  harness.unblock();
  harness.done({ thrown, same: WebSocket === globalThis.WebSocket });
}

export async function http2ClientsDialThrough(harness) {
  const http2 = await import('node:http2');
  const server = http2.createServer((request, response) => response.end('ok'));
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const port = server.address().port;
  const session = http2.connect('http://127.0.0.1:' + port);
  await new Promise((resolve) => session.on('connect', resolve));
  session.close();
  harness.block('socket.connect');
  const refused = await new Promise((resolve) => http2.connect('http://127.0.0.1:' + port).on('error', (error) => resolve(error.code)));
  harness.unblock();
  server.close();
  harness.done({ port, refused, dials: harness.events.filter((e) => e[0] === 'socket.connect').map((e) => e[2]) });
}

export async function http2RequestsRaiseClientConnectAndSend(harness) {
  const { connect, createServer } = await import('node:http2');
  const bodies = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => { bodies.push(body); response.end('ok'); });
  });
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const port = server.address().port;
  const session = connect('http://localhost:' + port);
  const ask = (headers, body, blockBody) => new Promise((resolve) => {
    let stream;
    try { stream = session.request(headers); } catch (error) { resolve({ thrown: error.code }); return; }
    let answer = '';
    stream.on('data', (chunk) => { answer += chunk; });
    stream.on('end', () => resolve({ answer }));
    stream.on('error', (error) => resolve({ error: error.code }));
    if (blockBody) harness.block('http.client.send');
    if (body === undefined) stream.end(); else stream.end(body);
    harness.unblock();
  });
  const outcomes = [await ask({ ':path': '/a' }), await ask({ ':path': '/b', ':method': 'POST' }, 'payload')];
  harness.block('http.client.send');
  outcomes.push(await ask({ ':path': '/refused' }));
  harness.unblock();
  outcomes.push(await ask({ ':path': '/c', ':method': 'POST' }, 'refused body', true));
  session.close();
  harness.block('http.client.connect');
  let refusedConnect = null;
  try { connect('http://127.0.0.1:' + port); } catch (error) { refusedConnect = error.code; }
  harness.unblock();
  server.close();
  harness.done({
    port, outcomes, refusedConnect, bodies,
    events: harness.events.filter((e) => e[0].startsWith('http.')).map(([event, self, ...rest]) => [event, self?.constructor?.name ?? null, ...rest]),
  });
}

export async function datagramsBindSendtoConnect(harness) {
  const dgram = (await import('node:dgram')).default;
  const received = [];
  const server = dgram.createSocket('udp4');
  server.on('message', (message) => received.push(String(message)));
  await new Promise((resolve) => server.bind(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const client = dgram.createSocket('udp4');
  await new Promise((resolve) => client.send('allowed', port, '127.0.0.1', resolve));
  harness.block('socket.sendto');
  const refusedSend = await new Promise((resolve) => client.send('refused', port, '127.0.0.1', (error) => resolve(error?.code)));
  harness.block('socket.connect');
  const connecting = dgram.createSocket('udp4');
  const refusedConnect = await new Promise((resolve) => { connecting.on('error', (error) => resolve(error.code)); connecting.connect(port, '127.0.0.1'); });
  harness.block('socket.bind');
  const binding = dgram.createSocket('udp4');
  const refusedBind = await new Promise((resolve) => { binding.on('error', (error) => resolve(error.code)); binding.on('listening', () => resolve('listening')); binding.bind(0, '127.0.0.1'); });
  harness.unblock();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (const socket of [server, client, connecting]) socket.close();
  harness.done({ port, received, refusedSend, refusedConnect, refusedBind,
    events: harness.events.map(([event, self, address]) => [event, self.constructor.name, address]) });
}

/**
 * Every client that takes localAddress binds before it dials (socket.bind, then socket.connect), and
 * every HTTP client path raises http.client.connect first. Each dials a server that accepts and
 * closes; `refuse` names the event refused for one more dial of each client.
 */
export async function clientPathsBindAndConnect(harness, { refuse }) {
  const net = await import('node:net');
  const tls = await import('node:tls');
  const http = await import('node:http');
  const https = await import('node:https');
  const http2 = await import('node:http2');
  const server = net.createServer((socket) => socket.destroy());
  harness.pause();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  harness.resume();
  const { port } = server.address();
  const host = '127.0.0.1';
  const local = { localAddress: '127.0.0.1' };
  /** How each client ends: the first 'error' code, or 'closed'. */
  const settled = (emitter) => new Promise((resolve) => {
    emitter.once('error', (error) => resolve(error.code));
    emitter.once('close', () => resolve('closed'));
  });
  const CLIENTS = {
    'tls.connect': () => tls.connect({ port, host, ...local }),
    'http.get': () => http.get({ port, host, agent: false, ...local }),
    'https.get': () => https.get({ port, host, agent: false, ...local }),
    'https.request': () => https.request({ port, host, agent: false, ...local }).end(),
    'new http.ClientRequest': () => new http.ClientRequest({ port, host, agent: false, ...local }).end(),
    'http2.connect': () => http2.connect(`http://${host}:${port}`, local),
  };
  const results = {};
  for (const name of Object.keys(CLIENTS)) {
    harness.events.push(['test.client', name]);
    const allowed = await settled(CLIENTS[name]());
    harness.block(refuse);
    let refused;
    try { refused = await settled(CLIENTS[name]()); } catch (error) { refused = `thrown ${error.code}`; }
    harness.unblock();
    results[name] = { allowed: allowed !== 'TEST_BLOCKED', refused };
  }
  server.close();
  const shape = (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value.constructor.name : value);
  harness.done({ port, results, events: harness.events.map((event) => event.map(shape)) });
}
