/**
 * Headless Chromium (Debian's `chromium` package) for the HTML report tests. Missing or broken,
 * it fails the test with the reason: a renderer that cannot run is an error, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
