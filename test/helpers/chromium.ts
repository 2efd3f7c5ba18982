/**
 * Headless Chromium (Debian's `chromium` package) for the HTML report tests. Missing or broken,
 * it fails the test with the reason: a renderer that cannot run is an error, never a skip.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const BINARY = process.env['CHROMIUM'] ?? 'chromium';

/** Runs Chromium on a page with a throw-away profile; returns its standard output. */
function chromium(page: string, hash: string, flags: readonly string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'audithook-chromium-'));
  try {
    const child = spawnSync(BINARY, [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars',
      `--user-data-dir=${profile}`, ...flags, `${pathToFileURL(page).href}${hash}`,
    ], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    if (child.error !== undefined) {
      throw new Error(`cannot run ${BINARY} (install it: apt-get install -y chromium): ${child.error.message}`);
    }
    if (child.status !== 0) throw new Error(`${BINARY} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
    return child.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM after the page's scripts ran, with `hash` (e.g. `#filter=x`) in its URL. */
export function dumpDom(page: string, hash = ''): string {
  return chromium(page, hash, ['--dump-dom']);
}

export function screenshot(page: string, png: string, width: number, height: number): void {
  chromium(page, '', [`--screenshot=${png}`, `--window-size=${width},${height}`]);
}

/**
 * Opens `page` in a window of `width` x `height` and returns what `expression` evaluates to there
 * once the page has loaded: for facts only a layout knows (what fits, what is cut). Chromium is
 * driven over its DevTools pipe (fds 3 and 4, NUL-separated JSON), so no port is opened.
 */
export async function evaluateInPage(page: string, width: number, height: number, expression: string): Promise<unknown> {
  const profile = mkdtempSync(join(tmpdir(), 'audithook-chromium-'));
  const child = spawn(BINARY, [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', '--remote-debugging-pipe',
    `--user-data-dir=${profile}`, `--window-size=${width},${height}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  const events = new Map<string, () => void>();
  let nextId = 1;
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  output.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf('\0'); end !== -1; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; method?: string; result?: Record<string, unknown>; error?: { message: string } };
      buffered = buffered.slice(end + 1);
      if (message.method !== undefined) events.get(message.method)?.();
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (waiter === undefined) continue;
      pending.delete(message.id!);
      if (message.error !== undefined) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result ?? {});
    }
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  const exited = new Promise<never>((_, reject) => {
    child.on('error', (error) => reject(new Error(`cannot run ${BINARY} (install it: apt-get install -y chromium): ${error.message}`)));
    child.on('exit', (code, signal) => reject(new Error(`${BINARY} exited with ${code ?? signal}:\n${stderr}`)));
  });
  // Its exit when the page is done is expected: only a pending command waits on it.
  exited.catch(() => undefined);
  const send = (method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> => {
    const id = nextId++;
    input.write(`${JSON.stringify({ id, method, params, ...sessionId === undefined ? {} : { sessionId } })}\0`);
    return Promise.race([new Promise<Record<string, unknown>>((resolve, reject) => pending.set(id, { resolve, reject })), exited]);
  };
  try {
    let target: { targetId: string } | undefined;
    // The blank window may not exist yet when the pipe first answers.
    for (let attempt = 0; target === undefined && attempt < 100; attempt++) {
      const { targetInfos } = await send('Target.getTargets') as { targetInfos: { targetId: string; type: string }[] };
      target = targetInfos.find((info) => info.type === 'page');
      if (target === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(target !== undefined, 'Chromium opened no window');
    const { sessionId } = await send('Target.attachToTarget', { targetId: target.targetId, flatten: true }) as { sessionId: string };
    await send('Page.enable', {}, sessionId);
    const loaded = new Promise<void>((resolve) => events.set('Page.loadEventFired', resolve));
    await send('Page.navigate', { url: pathToFileURL(page).href }, sessionId);
    await Promise.race([loaded, exited]);
    const { result, exceptionDetails } = await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId) as
      { result: { value?: unknown }; exceptionDetails?: { text: string } };
    assert.equal(exceptionDetails, undefined, JSON.stringify(exceptionDetails));
    return result.value;
  } finally {
    child.kill();
    await closed;
    rmSync(profile, { recursive: true, force: true });
  }
}
