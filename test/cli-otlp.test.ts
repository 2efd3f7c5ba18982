/**
 * `audithook run --otlp`: the supervisor exports every log record to a real OTLP/HTTP receiver run
 * by this test on 127.0.0.1, which decodes both encodings (http/protobuf, http/json) with the
 * official OTLP definitions, opentelemetry-proto's .proto files, through protobufjs.
 * The CLI runs as a child (spawn, never spawnSync: the receiver answers on this test's event loop).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import * as nodeModule from 'node:module';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { test } from 'node:test';
import { Root } from 'protobufjs';
import type { IConversionOptions, Type } from 'protobufjs';
import type { StreamRecord } from '../src/contract/channel';
import type { LogRecord } from '../src/contract/record';
import { REPO_ROOT } from './helpers/scenario';

const CLI = resolve(REPO_ROOT, 'dist', 'cli', 'main.js');
const ROOT = mkdtempSync(join(tmpdir(), 'audithook-cli-otlp-'));
let counter = 0;

/**
 * opentelemetry-proto v1.4.0's .proto files, as @elastic/mockotlpserver ships them, unmodified
 * (its opentelemetry/proto/collector/README.md names the tag). Enough for what audithook sends:
 * the fields added since (event_name, v1.5.0) are ones it leaves empty.
 */
const PROTOS = dirname(require.resolve('@elastic/mockotlpserver/package.json'));

function exportLogsServiceRequest(): Type {
  const root = new Root();
  // The definitions import each other by their path from the definitions' root.
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTOS, target));
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  return root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
}
const EXPORT_LOGS_SERVICE_REQUEST = exportLogsServiceRequest();
/** Either encoding, decoded, as the objects of OTLP/JSON: lowerCamelCase names, int64 as decimal text, enums as numbers. */
const AS_OTLP_JSON: IConversionOptions = { longs: String, enums: Number, arrays: true };

type Encoding = 'protobuf' | 'json';
const ENCODINGS: readonly { readonly encoding: Encoding; readonly protocol: string }[] = [
  { encoding: 'protobuf', protocol: 'http/protobuf' },
  { encoding: 'json', protocol: 'http/json' },
];

/** An OTLP/HTTP request body, by its content type, decoded with the official definitions. */
function decode(contentType: string | undefined, body: Buffer): { encoding: Encoding; request: ExportLogsServiceRequest } {
  const type = EXPORT_LOGS_SERVICE_REQUEST;
  if (contentType === 'application/x-protobuf') {
    return { encoding: 'protobuf', request: type.toObject(type.decode(body), AS_OTLP_JSON) as ExportLogsServiceRequest };
  }
  if (contentType === 'application/json') {
    // OTLP/JSON is the definitions' proto3 JSON mapping (with enums as numbers): read through them, not as free JSON.
    const message = type.fromObject(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    return { encoding: 'json', request: type.toObject(message, AS_OTLP_JSON) as ExportLogsServiceRequest };
  }
  throw new Error(`not an OTLP/HTTP content type: ${contentType}`);
}

/** OTLP's AnyValue, as decoded: int64 as decimal text. */
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue { key: string; value: AnyValue }
interface OtlpLogRecord {
  timeUnixNano: string | number;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
}
interface ExportLogsServiceRequest {
  resourceLogs: { resource: { attributes: KeyValue[] }; scopeLogs: { scope: { name: string }; logRecords: OtlpLogRecord[] }[] }[];
}

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plain);
  return undefined;
}
const attributeMap = (list: KeyValue[]): Record<string, unknown> => Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

interface Received {
  readonly resource: Record<string, unknown>;
  readonly scope: string;
  readonly time: bigint;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: unknown;
  readonly attributes: Record<string, unknown>;
}

interface Request { readonly path: string; readonly headers: IncomingHttpHeaders; readonly encoding: Encoding; readonly status: number; readonly time: number }

/** An OTLP/HTTP logs receiver; `answer` chooses each request's status (200 accepts the records), after `delayMs`. */
async function receiver(answer: (index: number) => number = () => 200, delayMs = 0): Promise<{ url: string; records: Received[]; requests: Request[]; close(): Promise<void> }> {
  const records: Received[] = [];
  const requests: Request[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => setTimeout(() => {
      const status = answer(requests.length);
      const { encoding, request } = decode(req.headers['content-type'], Buffer.concat(chunks));
      requests.push({ path: req.url ?? '', headers: req.headers, encoding, status, time: Date.now() });
      if (status === 200) {
        for (const { resource, scopeLogs } of request.resourceLogs) {
          for (const { scope, logRecords } of scopeLogs) {
            for (const record of logRecords) {
              records.push({
                resource: attributeMap(resource.attributes), scope: scope.name, time: BigInt(record.timeUnixNano),
                severityNumber: record.severityNumber, severityText: record.severityText, body: plain(record.body),
                attributes: attributeMap(record.attributes),
              });
            }
          }
        }
      }
      // An empty ExportLogsServiceResponse, in the request's encoding.
      res.writeHead(status, { 'content-type': req.headers['content-type'] }).end(status === 200 && encoding === 'json' ? '{}' : '');
    }, delayMs));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, records, requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** A fresh directory with `files` (relative path -> content) written into it. */
function project(files: Record<string, string>): string {
  const dir = join(ROOT, `p${counter++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

interface Run { readonly status: number | null; readonly stderr: string; readonly log: string; readonly ms: number }

/** `audithook run --log <dir>/log.jsonl [extra] -- command...` in `dir`, with `env` added to this test's. */
function run(dir: string, command: readonly string[], extra: readonly string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Promise<Run> {
  const log = join(dir, 'log.jsonl');
  const started = Date.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '--log', log, ...extra, '--', ...command], {
    cwd: dir, env: { ...clean, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((done) => child.on('close', (status) => done({ status, stderr, log, ms: Date.now() - started })));
}

function logRecords(log: string): LogRecord[] {
  return readFileSync(log, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as LogRecord);
}

/** An application whose dependency `evil` opens files, one of them denied by the policy. */
const APP = {
  'node_modules/evil/package.json': JSON.stringify({ name: 'evil', version: '1.2.3' }),
  'node_modules/evil/index.js': `const fs = require('fs');
    for (let i = 0; i < 300; i++) fs.closeSync(fs.openSync(__dirname + '/f' + i, 'w'));
    try { fs.readFileSync('/etc/passwd'); } catch {}`,
  'app.js': "require('evil'); process.exitCode = 3;",
  'policy.json': JSON.stringify({
    default: 'allow', mode: 'enforce',
    rules: [{ event: 'open', package: 'evil', match: { path: '/etc/passwd' }, action: 'deny' }],
  }),
};

for (const { encoding, protocol } of ENCODINGS) test(`${protocol}: every record reaches the collector, with its attributes, severity, time and the resource from OTEL_*`, async () => {
  const collector = await receiver();
  try {
    const dir = project(APP);
    const result = await run(dir, ['node', 'app.js'], ['--policy', 'policy.json', '--otlp', collector.url], {
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: protocol,
      OTEL_SERVICE_NAME: 'shop', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=payments',
      // --otlp URL wins over the variables.
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://127.0.0.1:9/elsewhere',
    });
    assert.equal(result.status, 3, result.stderr);
    const logged = logRecords(result.log);
    assert.ok(logged.length > 300, `${logged.length} records`);
    assert.equal(collector.records.length, logged.length);
    assert.match(result.stderr, new RegExp(`^audithook: exported ${logged.length} records over OTLP$`, 'm'));
    assert.ok(collector.requests.every((request) => request.path === '/v1/logs' && request.encoding === encoding));

    for (const received of collector.records) {
      assert.equal(received.resource['service.name'], 'shop');
      assert.equal(received.resource['deployment.environment.name'], 'test');
      assert.equal(received.resource['team'], 'payments');
      assert.equal(received.scope, 'audithook');
    }
    // Each logged record, once, in the order of the log (one supervisor reads it in order).
    assert.deepEqual(collector.records.map((r) => r.attributes['audithook.args']), logged.map((r) => JSON.stringify(r.args)));

    const denial = logged.findIndex((r) => r.decision === 'deny');
    assert.notEqual(denial, -1);
    const record = logged[denial];
    const received = collector.records[denial];
    assert.deepEqual(received.attributes, {
      'process.pid': record.pid,
      'thread.id': 0,
      'audithook.event': 'open',
      'audithook.args': JSON.stringify(record.args),
      'audithook.package': 'evil',
      'audithook.chain': ['evil@1.2.3'],
      'audithook.decision': 'deny',
      'audithook.rule': 'rules[0]',
      'audithook.blocked': true,
    });
    assert.equal(received.body, 'open /etc/passwd blocked for evil');
    assert.deepEqual([received.severityNumber, received.severityText], [13, 'WARN']);
    assert.equal(received.time, BigInt(Date.parse(record.time)) * 1_000_000n);

    const allowed = collector.records[logged.findIndex((r) => r.event === 'open' && r.args[0] === join(dir, 'node_modules', 'evil', 'f0'))];
    assert.deepEqual([allowed.severityNumber, allowed.severityText, allowed.attributes['audithook.decision'], allowed.attributes['audithook.rule']], [9, 'INFO', 'allow', 'default']);
    assert.equal(allowed.body, `open ${join(dir, 'node_modules', 'evil', 'f0')} allowed for evil`);
    // The application's own code has no package attribute.
    const own = collector.records[logged.findIndex((r) => r.package === null)];
    assert.equal('audithook.package' in own.attributes, false);
    assert.deepEqual(own.attributes['audithook.chain'], []);

    // audithook run's own line for the end of COMMAND's stream.
    const endIndex = logged.findIndex((r) => 'stream' in r && (r as unknown as StreamRecord).stream === 'exit');
    const end = logged[endIndex] as unknown as StreamRecord;
    assert.equal(end.stream, 'exit');
    const exported = collector.records[endIndex];
    assert.deepEqual(exported.attributes, {
      'audithook.stream': 'exit', 'audithook.stream.records': end.records, 'process.pid': end.pid, 'thread.id': 0, 'process.exit.code': 3,
    });
    assert.equal(exported.body, `process ${end.pid}: exited with code 3 after ${end.records} records, none missing`);
    assert.deepEqual([exported.severityNumber, exported.severityText], [9, 'INFO']);
  } finally {
    await collector.close();
  }
});

for (const { encoding, protocol } of ENCODINGS) test(`${protocol}: bare --otlp: the endpoint and headers come from OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS`, async () => {
  const collector = await receiver();
  try {
    const dir = project({});
    const command = ['node', '-e', "require('fs').writeFileSync('out', '')"];
    const logs = await run(dir, command, ['--otlp'], {
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${collector.url}/custom/logs`, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cret,x-tenant=a',
    });
    assert.equal(logs.status, 0, logs.stderr);
    assert.equal(collector.records.length, logRecords(logs.log).length);
    assert.ok(collector.records.length > 0);
    assert.deepEqual(new Set(collector.requests.map((r) => [r.path, r.encoding, r.headers['authorization'], r.headers['x-tenant']].join(' '))), new Set([`/custom/logs ${encoding} Bearer s3cret a`]));
    // Without OTEL_SERVICE_NAME the resource names audithook.
    assert.equal(collector.records[0].resource['service.name'], 'audithook');

    const before = collector.requests.length;
    const base = await run(dir, command, ['--otlp'], { OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    assert.equal(base.status, 0, base.stderr);
    assert.ok(collector.requests.length > before);
    assert.ok(collector.requests.slice(before).every((r) => r.path === '/v1/logs'));
  } finally {
    await collector.close();
  }
});

test('--otlp takes an http or https URL only, before COMMAND starts', async () => {
  const dir = project({});
  const result = await run(dir, ['node', '-e', "require('fs').writeFileSync('started', '')"], ['--otlp', 'localhost:4318']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^audithook: --otlp: not an http or https URL: localhost:4318\nusage: audithook run .*--otlp \[URL\]/);
  assert.throws(() => readFileSync(join(dir, 'started')));
});

test('the protocol: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf (the specification\'s default)', async () => {
  const collector = await receiver();
  try {
    const dir = project({});
    const encodings = async (env: NodeJS.ProcessEnv): Promise<Set<Encoding>> => {
      const before = collector.requests.length;
      const result = await run(dir, ['node', '-e', ''], ['--otlp', collector.url], env);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(collector.requests.length > before);
      return new Set(collector.requests.slice(before).map((r) => r.encoding));
    };
    assert.deepEqual(await encodings({}), new Set(['protobuf']));
    assert.deepEqual(await encodings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }), new Set(['json']));
    assert.deepEqual(await encodings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf' }), new Set(['protobuf']));
    // Empty is unset, and the value is read case-insensitively, as the specification says.
    assert.deepEqual(await encodings({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: '', OTEL_EXPORTER_OTLP_PROTOCOL: ' HTTP/JSON ' }), new Set(['json']));
  } finally {
    await collector.close();
  }
});

test('a protocol audithook cannot send (grpc) is a usage error with --otlp, before the log or COMMAND is started; without --otlp it is not read', async () => {
  const dir = project({});
  const command = ['node', '-e', "require('fs').writeFileSync('started', '')"];
  for (const [name, value] of [['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'], ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'http/thrift']]) {
    const result = await run(dir, command, ['--otlp', 'http://127.0.0.1:9'], { [name]: value });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `audithook: ${name}=${value}: --otlp exports over http/protobuf or http/json only\n`);
    assert.throws(() => readFileSync(join(dir, 'started')), { code: 'ENOENT' });
    assert.throws(() => readFileSync(result.log), { code: 'ENOENT' });
  }
  // The variable may be there for COMMAND's own OpenTelemetry SDK.
  const without = await run(dir, command, [], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  assert.equal(without.status, 0, without.stderr);
  readFileSync(join(dir, 'started'));
});

test('a collector that is down: the run ends promptly with COMMAND\'s status, and the summary counts what was dropped', async () => {
  const down = await receiver();
  await down.close();
  const dir = project(APP);
  const result = await run(dir, ['node', 'app.js'], ['--otlp', down.url]);
  assert.equal(result.status, 3, result.stderr);
  const logged = logRecords(result.log).length;
  assert.ok(logged > 300);
  assert.match(result.stderr, new RegExp(`^audithook: OTLP export dropped ${logged} of ${logged} records \\((last error: .+|not accepted within 5 s)\\); the log has them all$`, 'm'));
  // FLUSH_TIMEOUT_MS (5 s) bounds the wait, whatever the exporter's retries.
  assert.ok(result.ms < 15_000, `${result.ms} ms`);
});

test('a collector that answers 503 and then recovers gets every record, through the SDK\'s retries', async () => {
  const collector = await receiver((index) => (index < 2 ? 503 : 200));
  try {
    const dir = project(APP);
    const result = await run(dir, ['node', 'app.js'], ['--otlp', collector.url]);
    assert.equal(result.status, 3, result.stderr);
    const logged = logRecords(result.log);
    assert.deepEqual(collector.requests.slice(0, 2).map((r) => r.status), [503, 503]);
    assert.equal(collector.records.length, logged.length);
    assert.match(result.stderr, new RegExp(`^audithook: exported ${logged.length} records over OTLP$`, 'm'));
  } finally {
    await collector.close();
  }
});

test('a slow collector gets every record of a burst larger than the queue: the supervisor reads the log only as the queue drains', async () => {
  const collector = await receiver(() => 200, 150);
  try {
    const dir = project({ 'app.js': "const fs = require('fs'); for (let i = 0; i < 6000; i++) fs.closeSync(fs.openSync(__dirname + '/f' + (i % 10), 'w'));" });
    const result = await run(dir, ['node', 'app.js'], ['--otlp', collector.url]);
    assert.equal(result.status, 0, result.stderr);
    const logged = logRecords(result.log).length;
    // More than the SDK's queue (2048) holds: read at once, most would have been dropped.
    assert.ok(logged > 6000);
    assert.equal(collector.records.length, logged, result.stderr);
    assert.match(result.stderr, new RegExp(`^audithook: exported ${logged} records over OTLP$`, 'm'));
  } finally {
    await collector.close();
  }
});

test('records are exported while COMMAND runs, not only when it ends', async () => {
  const collector = await receiver();
  try {
    const dir = project({
      'app.js': `const fs = require('fs');
        fs.writeFileSync('early', '');
        setTimeout(() => fs.writeFileSync('done', String(Date.now())), 1500);`,
    });
    const result = await run(dir, ['node', 'app.js'], ['--otlp', collector.url]);
    assert.equal(result.status, 0, result.stderr);
    const done = Number(readFileSync(join(dir, 'done'), 'utf8'));
    assert.ok(collector.requests[0].time < done, `first export ${done - collector.requests[0].time} ms before the end`);
  } finally {
    await collector.close();
  }
});

// module.registerHooks: Node 22.15 and later.
const hooks = 'registerHooks' in nodeModule;

test('the supervisor loads the OpenTelemetry SDK only with --otlp, and only the exporter of the protocol it sends', { skip: hooks ? false : 'module.registerHooks (Node 22.15+) is needed to see what the CLI loads' }, async () => {
  const dir = project({
    'probe.js': `require('node:module').registerHooks({ resolve(specifier, context, next) {
      if (specifier.startsWith('@opentelemetry/')) require('fs').appendFileSync(${JSON.stringify(join(ROOT, 'probe-'))} + process.pid, specifier + '\\n');
      return next(specifier, context);
    } });`,
  });
  const collector = await receiver();
  try {
    const loaded = (result: Run): string => readdirSync(ROOT).filter((name) => name.startsWith('probe-')).map((name) => {
      const text = readFileSync(join(ROOT, name), 'utf8');
      rmSync(join(ROOT, name));
      return text;
    }).join('') + result.stderr;
    const probe = ['--require', join(dir, 'probe.js')];
    const without = await run(dir, ['node', '-e', ''], [], {}, probe);
    assert.equal(without.status, 0, without.stderr);
    assert.doesNotMatch(loaded(without), /@opentelemetry/);
    const exporters = { protobuf: /@opentelemetry\/exporter-logs-otlp-proto\b/, json: /@opentelemetry\/exporter-logs-otlp-http\b/ };
    for (const { encoding, protocol } of ENCODINGS) {
      const withExport = await run(dir, ['node', '-e', ''], ['--otlp', collector.url], { OTEL_EXPORTER_OTLP_PROTOCOL: protocol }, probe);
      assert.equal(withExport.status, 0, withExport.stderr);
      const specifiers = loaded(withExport);
      assert.match(specifiers, /@opentelemetry\/sdk-logs/);
      assert.match(specifiers, exporters[encoding]);
      assert.doesNotMatch(specifiers, exporters[encoding === 'json' ? 'protobuf' : 'json']);
    }
  } finally {
    await collector.close();
  }
});
