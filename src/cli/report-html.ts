/**
 * `audithook report --html`: one self-contained page (no network, inline style and script). The
 * report is embedded as JSON in a `<script type="application/json">` with `<`, `>` and `&` escaped,
 * so no log string can close the element; the page script renders it with textContent only. A
 * Content-Security-Policy allows just the page's own style and script (by hash) and no network, so
 * even a markup injection could neither run code nor send anything.
 */
import { createHash } from 'node:crypto';
import { streamText } from './report-model.js';
import type { Report } from './report-model.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './report-page.js';

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** JSON that is inert inside a script element: nothing in it can end the element or open a comment. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderHtml(report: Report): string {
  const policy = `default-src 'none'; style-src ${sha256(PAGE_STYLE)}; script-src ${sha256(PAGE_SCRIPT)}; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<title>audithook report</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>audithook report</h1>
<p class="source" id="source"></p>
<div class="stats" id="stats"></div>
<p class="warning" id="warning"></p>
</header>
<div class="controls">
<input type="search" id="filter" placeholder="Filter packages, events, paths, hosts, commands" aria-label="filter" autocomplete="off">
<label><input type="checkbox" id="denied-only"> denials only</label>
<label><input type="checkbox" id="hide-app"> hide the app's own code</label>
<span class="shown" id="shown"></span>
</div>
<main>
<h2>Packages &times; events</h2>
<div class="panel"><table class="matrix" id="matrix"></table></div>
<h2>Denials</h2>
<div class="panel"><table class="denials" id="denials"></table></div>
<h2>Processes</h2>
<div class="panel"><ul class="processes" id="processes"></ul></div>
<h2>Details</h2>
<div class="cards" id="details"></div>
</main>
<script type="application/json" id="report-data">${embeddedJson({ ...report, streamProblems: report.streams.map(streamText) })}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
