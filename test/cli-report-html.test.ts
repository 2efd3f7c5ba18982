/**
 * `audithook report --html`: the page renders in headless Chromium (a screenshot with the matrix
 * and its denial highlight, the DOM the page script built), filters from the URL hash, and keeps
 * hostile log strings as text.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runAudithook } from './helpers/audithook-cli';
import { dumpDom, evaluateInPage, screenshot } from './helpers/chromium';
import { fixtureLog, HOSTILE_PACKAGE, HOSTILE_PATH, largeLog } from './helpers/log-fixture';
import { decodePng } from './helpers/png';

const dir = mkdtempSync(join(tmpdir(), 'audithook-html-'));

function writeReport(name: string, log: string): string {
  const logFile = join(dir, `${name}.log`);
  const page = join(dir, `${name}.html`);
  writeFileSync(logFile, log);
  const { status, stderr } = runAudithook(['report', logFile, '--html', page]);
  assert.equal(status, 0, stderr);
  return page;
}

const page = writeReport('fixture', `${fixtureLog()}{"truncated`);

function decode(html: string): string {
  return html.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] ?? '');
}

/** The `data-…` attribute of the elements of one table (`matrix` or `denials`), in order. */
function tableAttribute(dom: string, table: string, attribute: string): string[] {
  const start = dom.indexOf(`id="${table}"`);
  assert.notEqual(start, -1, `no #${table} in the DOM`);
  const body = dom.slice(start, dom.indexOf('</table>', start));
  return [...body.matchAll(new RegExp(`<t[rhd] [^>]*?${attribute}="([^"]*)"`, 'g'))].map((match) => decode(match[1]));
}

const matrixRows = (dom: string) => tableAttribute(dom, 'matrix', 'data-package');
const matrixColumns = (dom: string) => [...new Set(tableAttribute(dom, 'matrix', 'data-kind'))];

test('the page is one file: no network, data as inert JSON, a script and a style allowed by hash', () => {
  const html = readFileSync(page, 'utf8');
  assert.equal(html.match(/<script/g)?.length, 2);
  assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/);
  const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
  assert.doesNotMatch(data, /[<>]/);
  const report = JSON.parse(data) as { packages: { name: string | null; writes: string[] }[] };
  assert.deepEqual(report.packages.map((pkg) => pkg.name), ['evil-dep', null, 'helper-dep', HOSTILE_PACKAGE]);
  assert.deepEqual(report.packages[3].writes, [HOSTILE_PATH]);
});

test('the rendered page has the matrix rows and columns riskiest first, the denials and the details', () => {
  const dom = dumpDom(page);
  // Denials first, then by the riskiest thing done: network (the app before packages), then writes.
  assert.deepEqual(matrixRows(dom), ['evil-dep', '<app>', 'helper-dep', HOSTILE_PACKAGE]);
  // Process starts, network, writes, reads.
  assert.deepEqual(matrixColumns(dom), ['subprocess.Popen', 'socket.bind', 'socket.connect', 'socket.getaddrinfo', 'os.rename', 'open', 'os.listdir']);
  const denied = [...dom.matchAll(/<td title="([^"]*)" data-kind="[^"]*" class="denied">/g)].map((match) => decode(match[1]));
  assert.deepEqual(denied, [
    'evil-dep · subprocess.Popen: 1 event, 1 denied',
    'evil-dep · socket.connect: 1 event, 1 denied',
    'evil-dep · open: 3 events, 2 denied',
  ]);
  assert.deepEqual(tableAttribute(dom, 'denials', 'data-package'), ['evil-dep', 'evil-dep', 'evil-dep']);
  assert.match(dom, /<span class="badge blocked" title="enforce mode: the operation failed">blocked<\/span>/);
  assert.match(dom, /<span class="badge reported" title="report mode: logged, not blocked">reported<\/span>/);
  assert.match(dom, /<h4>commands \(1\)<\/h4><ul><li class="deny" title="[^"]*">\/bin\/sh -c 'cat \/etc\/passwd'<\/li><\/ul>/);
  assert.match(dom, /<h4>hosts \(2\)<\/h4><ul><li title="\[::1\]:443">\[::1\]:443<\/li><li title="registry.npmjs.org">/);
  // Paths written and read are told apart.
  assert.match(dom, /<h4>writes \(2\)<\/h4><ul><li title="\/app\/data\/a.txt">\/app\/data\/a.txt<\/li><li title="\/app\/data\/b.txt">[^<]*<\/li><\/ul><\/div><div><h4>reads \(1\)<\/h4><ul><li title="\/app\/data\/a.txt">/);
  assert.match(dom, /Skipped 1 corrupt or truncated line of the log\./);
});

test('hostile names and paths from the log are text on the page, never markup', () => {
  const dom = dumpDom(page);
  assert.doesNotMatch(/<body[^>]*>/.exec(dom)?.[0] ?? '', /pwned/);
  assert.doesNotMatch(dom, /<img/);
  assert.equal(dom.match(/<script/g)?.length, 2, 'only the page\'s own two script elements');
  assert.ok(dom.includes('&lt;script&gt;document.body.setAttribute("data-pwned","1")&lt;/script&gt;'));
  assert.ok(dom.includes('/tmp/&lt;/script&gt;&lt;img src=x onerror="document.body.setAttribute(\'data-pwned\',\'2\')"&gt;'));
});

test('the filter in the URL hash selects packages, event kinds, paths and denials', () => {
  const byName = dumpDom(page, '#filter=evil');
  assert.deepEqual(matrixRows(byName), ['evil-dep']);
  assert.match(byName, /<span class="shown" id="shown">showing 1 of 4 rows<\/span>/);

  const byEvent = dumpDom(page, '#filter=socket.connect');
  assert.deepEqual(matrixRows(byEvent), ['evil-dep', 'helper-dep']);
  assert.deepEqual(matrixColumns(byEvent), ['socket.connect']);
  assert.deepEqual(tableAttribute(byEvent, 'denials', 'data-package'), ['evil-dep']);

  const byPath = dumpDom(page, '#filter=.npmrc');
  assert.deepEqual(matrixRows(byPath), ['evil-dep']);
  assert.match(byPath, /<h4>reads \(1 of 2\)<\/h4><ul><li class="deny" title="\/home\/user\/.npmrc">/);

  const deniedOnly = dumpDom(page, '#denied=1&app=0');
  assert.deepEqual(matrixRows(deniedOnly), ['evil-dep']);
  assert.deepEqual(matrixColumns(deniedOnly), ['subprocess.Popen', 'socket.connect', 'open']);

  const withoutApp = dumpDom(page, '#app=0');
  assert.deepEqual(matrixRows(withoutApp), ['evil-dep', 'helper-dep', HOSTILE_PACKAGE]);

  const nothing = dumpDom(page, '#filter=no-such-thing');
  assert.deepEqual(matrixRows(nothing), []);
  assert.match(nothing, /Nothing matches the filter\./);
});

test('an empty log renders a page that says so', () => {
  const dom = dumpDom(writeReport('empty', ''));
  assert.deepEqual(matrixRows(dom), []);
  assert.match(dom, /The log has no events\./);
  assert.match(dom, /Nothing was denied\./);
});

test('a screenshot shows the page: the dark header, the blue counts and the red denial highlight', () => {
  const png = join(dir, 'report.png');
  screenshot(page, png, 1280, 900);
  const image = decodePng(readFileSync(png));
  assert.equal(image.width, 1280);
  assert.equal(image.height, 900);
  const colours = new Map<number, number>();
  for (let at = 0; at < image.rgba.length; at += 4) {
    const colour = image.rgba.readUInt32BE(at);
    colours.set(colour, (colours.get(colour) ?? 0) + 1);
  }
  const pixels = (hex: string) => colours.get(Number.parseInt(`${hex}ff`, 16)) ?? 0;
  assert.ok(colours.size > 200, `${colours.size} colours: an empty or broken page`);
  assert.ok(pixels('111827') > 1280 * 100, 'the header band');
  assert.ok(pixels('c5221f') > 100, 'the denial highlight');
  assert.ok(pixels('fde7e6') > 500, 'the denied cells');
});

test('a log the size of a whole npm install: riskiest first, a process view, and nothing cut at 1400 px', async () => {
  const large = writeReport('large', largeLog());
  const dom = dumpDom(large);
  const rows = matrixRows(dom);
  assert.equal(rows.length, 122);
  // The one denial first, though its name sorts last; then packages that start processes.
  assert.equal(rows[0], 'zzz-late');
  const columns = matrixColumns(dom);
  assert.deepEqual(columns.slice(0, 2), ['subprocess.Popen', 'worker_threads.Worker']);
  assert.equal(columns.at(-1), 'zlib.thing', 'an event outside the catalogue comes last');
  const processes = [...dom.matchAll(/<li data-pid="(\d+)"( class="deny")? style="padding-left: (\d+)px">/g)];
  assert.equal(processes.length, 40);
  assert.deepEqual(processes.slice(0, 3).map((match) => [match[1], match[3]]), [['1000', '12'], ['1001', '30'], ['1004', '48']]);
  assert.deepEqual(processes.filter((match) => match[2] !== undefined).map((match) => match[1]), ['1039']);

  const layout = await evaluateInPage(large, 1400, 900, `(() => {
    const cut = (element) => element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1;
    const matrix = document.getElementById('matrix').parentElement;
    return {
      page: document.documentElement.scrollWidth,
      matrix: [matrix.scrollWidth, matrix.clientWidth],
      cutHeaders: [...document.querySelectorAll('#matrix thead th div')].filter(cut).map((element) => element.textContent),
      cutCells: [...document.querySelectorAll('#matrix tbody td')].filter(cut).length,
    };
  })()`) as { page: number; matrix: [number, number]; cutHeaders: string[]; cutCells: number };
  assert.ok(layout.page <= 1400, `the page is ${layout.page} px wide`);
  assert.ok(layout.matrix[0] <= layout.matrix[1], `the matrix needs ${layout.matrix[0]} px of ${layout.matrix[1]}`);
  assert.deepEqual(layout.cutHeaders, []);
  assert.equal(layout.cutCells, 0);
});
