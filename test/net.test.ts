/**
 * Network events so far (issue #4 in progress): dials, look-ups and the host name. Servers are
 * started by the scenarios on 127.0.0.1 or a Unix socket; nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runScenario } from './helpers/scenario';

/** A local server that counts the connections it accepts, and helpers to reach it. */
const SERVER = `
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
`;

const CLIENTS: Record<string, string> = {
  'net.connect': "await new Promise((resolve, reject) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve('connected'); }); s.on('error', reject); })",
  'new net.Socket().connect': "await new Promise((resolve, reject) => { const s = new net.Socket(); s.connect({ port, host: '127.0.0.1' }, () => { s.end(); resolve('connected'); }); s.on('error', reject); })",
  'http.get': "await new Promise((resolve, reject) => http.get({ port, host: '127.0.0.1', agent: false }, (response) => { response.resume(); response.on('end', () => resolve(response.statusCode)); }).on('error', reject))",
  fetch: "await fetch('http://127.0.0.1:' + port + '/', { headers: { connection: 'close' } }).then((response) => response.text())",
};

for (const [client, call] of Object.entries(CLIENTS)) {
  test(`${client}: one socket.connect per dial with [host, port]; blocked, the server sees nothing and the caller gets the error`, () => {
    const allowed = runScenario(`${SERVER}
      const value = ${call};
      close();
      harness.done({ port, value, accepted, events: shape(harness.events.filter((e) => e[0] === 'socket.connect')) });
    `);
    const a = allowed.result as { port: number; value: unknown; accepted: number; events: unknown[] };
    assert.equal(a.accepted, 1);
    assert.deepEqual(a.events, [['socket.connect', 'Socket', ['127.0.0.1', a.port]]]);

    const blocked = runScenario(`${SERVER}
      harness.block('socket.connect');
      let error = null;
      try { ${call}; } catch (caught) { error = errorData(caught.cause ?? caught); }
      harness.unblock();
      await new Promise((resolve) => setTimeout(resolve, 50));
      close();
      harness.done({ error, accepted });
    `);
    assert.deepEqual(blocked.result, {
      error: { name: 'Error', code: 'TEST_BLOCKED', message: 'blocked by test: socket.connect' },
      accepted: 0,
    });
  });
}

test('IPC: a connection to a Unix socket raises socket.connect with its path', () => {
  const run = runScenario(`
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
  `);
  const r = run.result as { path: string; accepted: number; error: string; events: unknown[] };
  assert.equal(r.accepted, 1);
  assert.equal(r.error, 'TEST_BLOCKED');
  assert.deepEqual(r.events, [['socket.connect', 'Socket', r.path], ['socket.connect', 'Socket', r.path]]);
});

test('fetch dials through the instrumented handles on this Node (fails if a future Node bypasses them)', () => {
  const run = runScenario(`${SERVER}
    harness.block('socket.connect');
    const outcome = await fetch('http://127.0.0.1:' + port + '/').then(() => 'fetched', (error) => error.cause?.code ?? error.message);
    harness.unblock();
    close();
    harness.done({ outcome, accepted });
  `);
  assert.deepEqual(run.result, { outcome: 'TEST_BLOCKED', accepted: 0 });
});

test('name look-ups: dns.lookup in all forms raises socket.getaddrinfo; blocked, through the callback or the promise', () => {
  const run = runScenario(`
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
  `);
  assert.deepEqual(run.result, {
    callback: '127.0.0.1', promise: '127.0.0.1', returned: 'object',
    blockedCallback: 'TEST_BLOCKED', blockedPromise: 'TEST_BLOCKED', blockedConnect: 'TEST_BLOCKED',
  });
  assert.deepEqual(run.events, [
    ['socket.getaddrinfo', 'localhost', null, 4, null, null],
    ['socket.getaddrinfo', 'localhost', null, 4, null, null],
    ['socket.getaddrinfo', 'localhost', null, 0, null, null],
    ['socket.getaddrinfo', 'localhost', null, 0, null, null],
    ['socket.getaddrinfo', 'localhost', null, 0, null, null],
  ]);
});

test('reverse look-ups, service look-ups, DNS queries and the host name raise their events; blocked, nothing is sent', () => {
  const run = runScenario(`
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
  `);
  const r = run.result as { service: string; hostname: boolean; blocked: string[] };
  assert.equal(typeof r.service, 'string');
  assert.equal(r.hostname, true);
  assert.deepEqual(r.blocked, [...new Array<string>(8).fill('TEST_BLOCKED'), 'thrown']);
  assert.deepEqual(run.events, [
    ['socket.getnameinfo', ['127.0.0.1', 22]],
    ['socket.gethostname'],
    ['socket.gethostname'],
    ['dns.resolve', 'example.invalid', 'A'],
    ['dns.resolve', 'example.invalid', 'MX'],
    ['dns.resolve', 'example.invalid', 'TXT'],
    ['socket.gethostbyaddr', '127.0.0.1'],
    ['socket.getnameinfo', ['127.0.0.1', 22]],
    ['dns.resolve', 'example.invalid', 'AAAA'],
    ['dns.resolve', 'example.invalid', 'NS'],
    ['socket.gethostbyaddr', '127.0.0.1'],
    ['socket.gethostname'],
  ]);
});

test('listening raises socket.bind with the bound address; refused, the server emits error and never listens', () => {
  const run = runScenario(`
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
  `);
  const r = run.result as { D: string; results: { address: { port: number } | string }[]; refused: unknown[]; events: unknown[] };
  const tcpPort = (r.results[0]?.address as { port: number }).port;
  assert.deepEqual(r.refused, [{ listening: false, error: 'TEST_BLOCKED' }, { listening: false, error: 'TEST_BLOCKED' }]);
  assert.deepEqual(r.events.slice(0, 2), [
    ['socket.bind', 'Server', ['127.0.0.1', tcpPort]],
    ['socket.bind', 'Server', `${r.D}/ipc.sock`],
  ]);
  assert.equal(r.events.length, 4);
  assert.deepEqual((r.events[3] as unknown[]).slice(0, 3), ['socket.bind', 'Server', `${r.D}/refused.sock`]);
});

test('fetch raises urllib.Request with url, body, headers and method, then the dial; refused, nothing is dialled', () => {
  const run = runScenario(`${SERVER}
    const base = 'http://127.0.0.1:' + port;
    const answers = [];
    answers.push(await fetch(new URL(base + '/a'), { method: 'post', body: 'data', headers: { 'X-A': '1', connection: 'close' } }).then((r) => r.text()));
    answers.push(await fetch(new Request(base + '/b', { method: 'PUT', body: 'x', headers: [['x-b', '2'], ['connection', 'close']] })).then((r) => r.text()));
    harness.block('urllib.Request');
    answers.push(await fetch(base + '/c').then(() => 'fetched', (error) => error.code));
    harness.unblock();
    close();
    harness.done({ port, answers, accepted });
  `);
  const r = run.result as { port: number; answers: string[]; accepted: number; events: unknown[][] };
  assert.deepEqual(r.answers, ['ok', 'ok', 'TEST_BLOCKED']);
  assert.equal(r.accepted, 2);
  const base = `http://127.0.0.1:${r.port}`;
  assert.deepEqual(run.events.map((e) => e[0]), ['urllib.Request', 'socket.connect', 'urllib.Request', 'socket.connect', 'urllib.Request']);
  assert.deepEqual(run.events[0], ['urllib.Request', `${base}/a`, 'data', { 'x-a': '1', connection: 'close' }, 'POST']);
  assert.deepEqual(run.events[2]?.slice(0, 2), ['urllib.Request', `${base}/b`]);
  assert.deepEqual(run.events[2]?.slice(3), [{ 'content-type': 'text/plain;charset=UTF-8', 'x-b': '2', connection: 'close' }, 'PUT']);
  assert.deepEqual(run.events[4], ['urllib.Request', `${base}/c`, null, {}, 'GET']);
});

test('the WebSocket global raises urllib.Request before it connects; refused, it throws', { skip: typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function' ? 'no WebSocket global on this Node' : false }, () => {
  const run = runScenario(`
    harness.block('urllib.Request');
    const thrown = (() => { try { new WebSocket('ws://127.0.0.1:9/socket'); return null; } catch (error) { return error.code; } })();
    harness.unblock();
    harness.done({ thrown, name: WebSocket.name, open: WebSocket.OPEN, constructor: WebSocket.prototype.constructor === WebSocket });
  `);
  assert.deepEqual(run.result, { thrown: 'TEST_BLOCKED', name: 'WebSocket', open: 1, constructor: true });
  assert.deepEqual(run.events, [['urllib.Request', 'ws://127.0.0.1:9/socket', null, {}, 'GET']]);
});

test('http requests raise http.client.connect, then the dial, and http.client.send per body chunk; refused, nothing reaches the server', () => {
  const run = runScenario(`${SERVER}
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
  `);
  const r = run.result as { port: number; outcomes: string[]; bodies: string[] };
  assert.deepEqual(r.outcomes, ['ok', 'TEST_BLOCKED', 'TEST_BLOCKED']);
  assert.deepEqual(r.bodies, ['onetwo'], 'the refused request and the refused chunk never reached the server');
  const names = run.events.map((e) => e[0]);
  assert.deepEqual(names.slice(0, 4), ['http.client.connect', 'http.client.send', 'http.client.send', 'socket.connect']);
  assert.deepEqual(run.events[0]?.slice(1), ['<ClientRequest>', '127.0.0.1', r.port]);
  assert.deepEqual(run.events[1]?.slice(2), ['one']);
  // The refused request is destroyed on the next tick: its body written meanwhile raises send and goes nowhere.
  assert.deepEqual(names.slice(4), ['http.client.connect', 'http.client.send', 'http.client.connect', 'http.client.send', 'socket.connect']);
});

test('autoSelectFamily (happy eyeballs): each address tried raises socket.connect', () => {
  const run = runScenario(`${SERVER}
    // A lookup that offers an address nothing listens on first, then the server's.
    const lookup = (host, options, callback) => callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
    const outcome = await new Promise((resolve) => {
      const socket = net.connect({ host: 'dual.test', port, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 50, lookup }, () => { socket.end(); resolve('connected'); });
      socket.on('error', (error) => resolve(error.code));
    });
    close();
    harness.done({ port, outcome, dials: harness.events.filter((e) => e[0] === 'socket.connect').map((e) => e[2]) });
  `);
  const r = run.result as { port: number; outcome: string; dials: unknown[] };
  assert.equal(r.outcome, 'connected');
  assert.deepEqual(r.dials, [['::1', r.port], ['127.0.0.1', r.port]]);
});

test('http2 clients dial through the same handles', () => {
  const run = runScenario(`
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
  `);
  const r = run.result as { port: number; refused: string; dials: unknown[] };
  assert.equal(r.refused, 'TEST_BLOCKED');
  assert.deepEqual(r.dials, [['127.0.0.1', r.port], ['127.0.0.1', r.port]]);
});

test('datagrams: bind, sendto and connect raise their events; refused, nothing is sent and the hook\'s error is reported', () => {
  const run = runScenario(`
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
  `);
  const r = run.result as { port: number; received: string[]; refusedSend: string; refusedConnect: string; refusedBind: string; events: unknown[] };
  assert.deepEqual([r.received, r.refusedSend, r.refusedConnect, r.refusedBind], [['allowed'], 'TEST_BLOCKED', 'TEST_BLOCKED', 'TEST_BLOCKED']);
  assert.deepEqual(r.events, [
    ['socket.bind', 'Socket', ['127.0.0.1', 0]],
    ['socket.bind', 'Socket', ['0.0.0.0', 0]],
    ['socket.sendto', 'Socket', ['127.0.0.1', r.port]],
    ['socket.sendto', 'Socket', ['127.0.0.1', r.port]],
    ['socket.bind', 'Socket', ['0.0.0.0', 0]],
    ['socket.connect', 'Socket', ['127.0.0.1', r.port]],
    ['socket.bind', 'Socket', ['127.0.0.1', 0]],
  ]);
});
