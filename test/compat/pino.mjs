// pino with a worker-thread transport (pino/file): every line reaches the file, in order.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import pino from 'pino';
import { report } from './report.mjs';

const destination = join(mkdtempSync(join(tmpdir(), 'compat-pino-')), 'app.log');
const transport = pino.transport({ target: 'pino/file', options: { destination, mkdir: true } });
const logger = pino({ base: { service: 'compat' } }, transport);
logger.info({ n: 1 }, 'first');
logger.child({ request: 'r1' }).warn('second');
logger.error(new Error('third'));
// The transport's worker is unref'd: a timer keeps the process alive until it has written every line and closed.
const alive = setInterval(() => {}, 1000);
await new Promise((resolve) => { transport.once('close', resolve); transport.end(); });
clearInterval(alive);
const lines = readFileSync(destination, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
report(lines.map(({ level, msg, n, request, service, err }) => ({ level, msg, n, request, service, err: err?.message })));
