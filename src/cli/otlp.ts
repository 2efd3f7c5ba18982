/**
 * `audithook run --otlp [URL]`: every record of the log, exported as an OTLP log record by the
 * supervisor (never by the audited processes, which stay dependency-free), with the OpenTelemetry
 * SDK loaded only when export is on.
 *
 * The supervisor follows the log as the agents append it and hands its records to the SDK's
 * BatchLogRecordProcessor (batches, a bounded queue) and OTLP/HTTP exporter (retries with backoff,
 * the OTEL_EXPORTER_OTLP_* variables): the protobuf or the JSON one, as otlpProtocol() chooses, and
 * only that one is loaded. It reads the log only while the queue has room: a slow or
 * down collector makes the export lag behind the log, never the audited program wait, and the log
 * keeps everything. When COMMAND ends, the rest is exported within FLUSH_TIMEOUT_MS; every record
 * the collector did not accept by then is counted as dropped.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { StreamRecord } from '../contract/channel.js';
import type { LogRecord } from '../contract/record.js';
import { RecordReader } from './log.js';
import { printable, usageError } from './output.js';
import { isStreamProblem, packageLabel, recordSubject, streamText } from './report-model.js';
import type { LogAttributes, Logger, LogRecord as OtelLogRecord } from '@opentelemetry/api-logs';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** The SDK's defaults for the queue and the batch, which it does not read from the environment. */
const MAX_QUEUE = 2048;
const MAX_BATCH = 512;
/** Audit records are wanted soon: a batch leaves at most this long after its first record. */
const BATCH_DELAY_MS = 200;
const POLL_MS = 100;
const CHUNK_BYTES = 64 * 1024;
/** How long `audithook run` waits, after COMMAND, for the collector to take the rest. */
export const FLUSH_TIMEOUT_MS = 5000;
const MAX_BODY_SUBJECT = 200;

/** What the export did, for the run summary. */
export interface ExportOutcome {
  /** Records read from the log. */
  readonly records: number;
  /** Records the collector accepted. */
  readonly exported: number;
  /** The last export failure, as the exporter worded it. */
  readonly error: string | null;
  /** False when the SDK was still sending (retrying) at the deadline: its timers would keep the process alive. */
  readonly finished: boolean;
}

export interface OtlpExport {
  /** Exports what is left of the log, waits for the collector at most FLUSH_TIMEOUT_MS, and stops. */
  finish(): Promise<ExportOutcome>;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Each protocol's exporter: the same OTLPLogExporter class and options, loaded only when used. */
const EXPORTERS = {
  'http/protobuf': () => import('@opentelemetry/exporter-logs-otlp-proto'),
  'http/json': () => import('@opentelemetry/exporter-logs-otlp-http'),
} as const;

const isProtocol = (value: string): value is OtlpProtocol => Object.hasOwn(EXPORTERS, value);

/**
 * The encoding, chosen as every OpenTelemetry SDK chooses it: OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, else
 * OTEL_EXPORTER_OTLP_PROTOCOL, else the specification's default, http/protobuf. An empty variable
 * counts as unset and the values are read case-insensitively, as the specification says. A value
 * audithook cannot send (`grpc`) is a usage error before anything starts: the specification lets an
 * SDK warn and fall back, which would send every record to a gRPC port that cannot take them.
 */
export function otlpProtocol(env: NodeJS.ProcessEnv = process.env): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = (env[name] ?? '').trim();
    if (value === '') continue;
    const protocol = value.toLowerCase();
    if (isProtocol(protocol)) return protocol;
    throw usageError(`${name}=${value}: --otlp exports over http/protobuf or http/json only`);
  }
  return 'http/protobuf';
}

/** `--otlp URL` is the collector's base URL, like OTEL_EXPORTER_OTLP_ENDPOINT: the logs path is added. */
export function logsEndpoint(url: string): string {
  return `${url.replace(/\/+$/, '')}/v1/logs`;
}

/** Counts what the collector accepted: the batch processor does not say what it dropped. */
class CountingExporter implements LogRecordExporter {
  exported = 0;
  settled = 0;
  error: string | null = null;
  /** Called when a batch is done with: the queue has room again. */
  onSettled = (): void => undefined;

  constructor(private readonly inner: LogRecordExporter, private readonly success: ExportResult['code']) {}

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(records, (result) => {
      this.settled += records.length;
      if (result.code === this.success) this.exported += records.length;
      else this.error = result.error?.message ?? 'export failed';
      done(result);
      this.onSettled();
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const verdict = (record: LogRecord): string => (record.decision === 'allow' ? 'allowed' : record.blocked ? 'blocked' : 'denied');

/** "open /etc/passwd blocked for evil": what a log viewer shows on one line. */
function body(record: LogRecord): string {
  const subject = printable(recordSubject(record));
  const cut = subject.length <= MAX_BODY_SUBJECT ? subject : `${subject.slice(0, MAX_BODY_SUBJECT - 1)}…`;
  return `${record.event} ${cut} ${verdict(record)} for ${packageLabel(record.package)}`;
}

/** Semantic conventions where they exist (process.pid, thread.id), `audithook.*` for the rest. */
function attributes(record: LogRecord): LogAttributes {
  const result: LogAttributes = {
    'process.pid': record.pid,
    'thread.id': record.thread,
    'audithook.event': record.event,
    'audithook.args': JSON.stringify(record.args),
    'audithook.chain': record.packages.map((ref) => (ref.version === null ? ref.name : `${ref.name}@${ref.version}`)),
    'audithook.decision': record.decision,
    'audithook.blocked': record.blocked,
  };
  // Absent rather than empty: the application's own code, no policy.
  if (record.package !== null) result['audithook.package'] = record.package;
  if (record.rule !== null) result['audithook.rule'] = record.rule;
  return result;
}

/** What `audithook run` said of a stream (an end, a gap, a forgery), beside the events. */
function streamAttributes(record: StreamRecord): LogAttributes {
  const result: LogAttributes = { 'audithook.stream': record.stream, 'audithook.stream.records': record.records };
  if (record.pid !== null) result['process.pid'] = record.pid;
  if (record.thread !== null) result['thread.id'] = record.thread;
  if (typeof record.code === 'number') result['process.exit.code'] = record.code;
  if (typeof record.ppid === 'number') result['process.parent_pid'] = record.ppid;
  if (record.argv !== undefined) result['process.command_args'] = record.argv.slice();
  if (typeof record.cwd === 'string') result['process.working_directory'] = record.cwd;
  if (record.spawnedBy !== undefined) {
    result['audithook.spawned_by.chain'] = record.spawnedBy.packages.map((ref) => (ref.version === null ? ref.name : `${ref.name}@${ref.version}`));
    result['audithook.spawned_by.attribution'] = record.spawnedBy.attribution;
  }
  if (typeof record.signal === 'string') result['audithook.stream.signal'] = record.signal;
  if (typeof record.missing === 'number') result['audithook.stream.missing'] = record.missing;
  if (typeof record.detail === 'string') result['audithook.stream.detail'] = record.detail;
  return result;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Starts exporting the records appended to `log` (created empty by the caller) in `protocol`
 * (otlpProtocol(), checked before COMMAND starts). `url`: the collector from `--otlp URL`;
 * undefined leaves the endpoint to the OTEL_EXPORTER_OTLP_* variables.
 */
export async function startOtlpExport(log: string, protocol: OtlpProtocol, url: string | undefined): Promise<OtlpExport> {
  const [{ SeverityNumber }, { ExportResultCode }, { OTLPLogExporter }, resources, { BatchLogRecordProcessor, LoggerProvider }] = await Promise.all([
    import('@opentelemetry/api-logs'),
    import('@opentelemetry/core'),
    EXPORTERS[protocol](),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-logs'),
  ]);
  const exporter = new CountingExporter(new OTLPLogExporter(url === undefined ? {} : { url: logsEndpoint(url) }), ExportResultCode.SUCCESS);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over audithook's default name.
  const resource = resources.defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': 'audithook' }))
    .merge(resources.detectResources({ detectors: [resources.hostDetector, resources.envDetector] }));
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter, maxQueueSize: MAX_QUEUE, maxExportBatchSize: MAX_BATCH, scheduledDelayMillis: BATCH_DELAY_MS })],
  });
  const logger: Logger = provider.getLogger('audithook');

  let records = 0;
  let exporting = true;
  const emit = (timeText: string, warn: boolean, text: string, recordAttributes: LogAttributes): void => {
    records++;
    if (!exporting) return;
    const time = Date.parse(timeText);
    const otel: OtelLogRecord = {
      // A time that does not parse is left to the SDK, which stamps the record when it is read.
      ...(Number.isNaN(time) ? {} : { timestamp: new Date(time) }),
      severityNumber: warn ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: warn ? 'WARN' : 'INFO',
      body: text,
      attributes: recordAttributes,
    };
    logger.emit(otel);
  };
  const reader = new RecordReader(
    (record) => emit(record.time, record.decision === 'deny', body(record), attributes(record)),
    (record) => emit(record.time, isStreamProblem(record), printable(streamText(record)), streamAttributes(record)),
  );
  const fd = openSync(log, 'r');
  let open = true;
  const buffer = Buffer.alloc(CHUNK_BYTES);
  /** Reads while the queue has room for another chunk's records; true once it met the end of the log. */
  const pump = (): boolean => {
    while (open && (!exporting || records - exporter.settled < MAX_QUEUE / 2)) {
      const bytes = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (bytes === 0) return true;
      reader.write(buffer.subarray(0, bytes));
    }
    return !open;
  };
  const poller = setInterval(pump, POLL_MS).unref();
  // A busy log is read as fast as the collector takes it, not once per poll.
  exporter.onSettled = () => setImmediate(pump);

  return {
    async finish(): Promise<ExportOutcome> {
      clearInterval(poller);
      const deadline = Date.now() + FLUSH_TIMEOUT_MS;
      // COMMAND has ended: no more lines come, and the queue drains as the collector takes them.
      let atEnd = pump();
      while (!atEnd && Date.now() < deadline) {
        await delay(POLL_MS / 4);
        atEnd = pump();
      }
      // Past the deadline, the rest of the log is only counted.
      exporting = false;
      if (!atEnd) pump();
      reader.end();
      open = false;
      closeSync(fd);
      const finished = await Promise.race([provider.shutdown().then(() => true), delay(Math.max(0, deadline - Date.now())).then(() => false)]);
      return { records, exported: exporter.exported, error: exporter.error, finished };
    },
  };
}
