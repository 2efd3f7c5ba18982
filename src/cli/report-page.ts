/**
 * The style and script of the HTML report. The script builds the page from the report data embedded
 * as JSON, with textContent and setAttribute only: log strings are attacker-controlled and never
 * become markup. The filter state lives in the URL hash (`#filter=...&denied=1&app=0`), so a
 * filtered view can be bookmarked, shared and rendered headless.
 */
import { APP_LABEL } from './report-model.js';

export const PAGE_STYLE = `
:root { --ink: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #f6f7f9; --card: #fff;
  --heat: 37, 99, 235; --deny: #c5221f; --deny-bg: #fde7e6; --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #111827; color: #f9fafb; padding: 18px 28px 16px; }
header h1 { margin: 0 0 2px; font-size: 20px; font-weight: 650; letter-spacing: .2px; }
header .source { margin: 0; color: #9ca3af; font-family: var(--mono); font-size: 12.5px; word-break: break-all; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
.stat { background: #1f2937; border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.stat b { display: block; font-size: 20px; font-weight: 650; }
.stat span { color: #9ca3af; font-size: 12px; text-transform: uppercase; letter-spacing: .6px; }
.stat.alert b { color: #fca5a5; }
.warning { margin: 12px 0 0; color: #fcd34d; }
.controls { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 18px;
  padding: 10px 28px; background: rgba(246, 247, 249, .95); border-bottom: 1px solid var(--line); }
.controls input[type=search] { width: min(460px, 100%); padding: 7px 11px; font: inherit; border: 1px solid #cfd4dc; border-radius: 7px; background: #fff; }
.controls label { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); user-select: none; }
.controls label input { margin: 0; }
.controls .shown { margin-left: auto; color: var(--muted); font-size: 12.5px; }
main { padding: 6px 28px 40px; }
h2 { font-size: 15px; margin: 22px 0 10px; text-transform: uppercase; letter-spacing: .7px; color: var(--muted); }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow-x: auto; }
table { border-collapse: collapse; }
.matrix th, .matrix td { border-bottom: 1px solid var(--line); }
.matrix thead th { vertical-align: bottom; padding: 10px 4px 8px; font-weight: 550; font-size: 12.5px; }
.matrix thead th.kind { cursor: pointer; }
.matrix thead th.kind div { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; max-height: 190px; overflow: hidden; text-overflow: ellipsis; font-family: var(--mono); }
.matrix thead th.kind:hover { color: rgb(var(--heat)); }
.matrix th.pkg { text-align: left; padding: 7px 14px; white-space: nowrap; font-weight: 600; position: sticky; left: 0; background: var(--card); }
.matrix th.pkg a { color: inherit; text-decoration: none; display: inline-block; max-width: 230px; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
.matrix th.pkg a:hover { text-decoration: underline; }
.matrix th.pkg small { color: var(--muted); font-weight: 400; margin-left: 6px; }
.matrix td { text-align: center; min-width: 34px; padding: 5px 3px; font-size: 12.5px; font-variant-numeric: tabular-nums; }
.matrix td.zero { color: #c9ced6; }
.matrix td.denied { background: var(--deny-bg); color: var(--deny); font-weight: 700; box-shadow: inset 0 0 0 2px var(--deny); }
.matrix td.denied small { display: block; font-size: 10px; font-weight: 600; }
.matrix td.total, .matrix tfoot td { font-weight: 650; background: #f9fafb; }
.matrix tfoot th { text-align: left; padding: 7px 14px; color: var(--muted); }
.matrix tr.app th.pkg { font-style: italic; }
.denials { width: 100%; }
.denials th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 8px 12px; border-bottom: 1px solid var(--line); }
.denials td { padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
.denials td.subject { font-family: var(--mono); font-size: 12.5px; word-break: break-all; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.blocked { background: var(--deny); color: #fff; }
.badge.reported { background: #fef3c7; color: #92400e; }
.empty { padding: 16px; color: var(--muted); text-align: left; }
table:has(> caption) { width: 100%; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.card.has-denials { border-left: 4px solid var(--deny); }
.card h3 { margin: 0; font-size: 15px; }
.card h3 small { color: var(--muted); font-weight: 400; margin-left: 6px; }
.card .summary { color: var(--muted); margin: 2px 0 8px; font-size: 12.5px; }
.card h4 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); }
.card ul { margin: 0; padding: 0; list-style: none; max-height: 220px; overflow: auto; }
.card li { font-family: var(--mono); font-size: 12.5px; padding: 2px 0; word-break: break-all; border-bottom: 1px dashed #eef0f3; }
.card li.deny { color: var(--deny); }
.processes { list-style: none; margin: 0; padding: 6px 0; }
.processes li { display: flex; gap: 10px; align-items: baseline; padding: 4px 14px; border-bottom: 1px solid var(--line); font-size: 12.5px; }
.processes li b { font-variant-numeric: tabular-nums; min-width: 64px; }
.processes li .command { font-family: var(--mono); word-break: break-all; flex: 1; }
.processes li small { color: var(--muted); white-space: nowrap; }
.processes li.deny { background: var(--deny-bg); }
.processes li.deny small { color: var(--deny); font-weight: 600; }
`;

export const PAGE_SCRIPT = `
'use strict';
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var APP = ${JSON.stringify(APP_LABEL)};
  var state = { filter: '', deniedOnly: false, hideApp: false };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) Object.keys(props).forEach(function (key) {
      if (props[key] === null) return;
      if (key === 'text') node.textContent = props[key];
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function label(pkg) { return pkg.name === null ? APP : pkg.name; }
  function versions(pkg) { return pkg.versions.length ? '@' + pkg.versions.join(', @') : ''; }
  function plural(n, noun) { return n.toLocaleString('en-US') + ' ' + noun + (n === 1 ? '' : 's'); }
  // A matrix cell is narrow: 12k for 12,345 (its title has the exact count).
  function compact(n) {
    if (n < 1000) return String(n);
    var units = n < 1e6 ? [1e3, 'k'] : [1e6, 'M'];
    var value = n / units[0];
    return (value < 10 ? Math.floor(value * 10) / 10 : Math.floor(value)) + units[1];
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    state.filter = params.get('filter') || '';
    state.deniedOnly = params.get('denied') === '1';
    state.hideApp = params.get('app') === '0';
  }
  function writeHash() {
    var params = new URLSearchParams();
    if (state.filter) params.set('filter', state.filter);
    if (state.deniedOnly) params.set('denied', '1');
    if (state.hideApp) params.set('app', '0');
    history.replaceState(null, '', '#' + params.toString());
  }

  function matcher() {
    var query = state.filter.trim().toLowerCase();
    return function (text) { return query === '' || String(text).toLowerCase().indexOf(query) !== -1; };
  }

  function view() {
    var matches = matcher();
    var filtering = state.filter.trim() !== '';
    var kindsMatched = filtering ? data.eventKinds.filter(matches) : [];
    var packages = data.packages.filter(function (pkg) {
      if (state.deniedOnly && pkg.denied === 0) return false;
      if (state.hideApp && pkg.name === null) return false;
      if (!filtering) return true;
      return matches(label(pkg)) || pkg.versions.some(matches) || pkg.events.some(function (e) { return matches(e.event); })
        || pkg.writes.some(matches) || pkg.reads.some(matches) || pkg.loads.some(matches) || pkg.hosts.some(matches) || pkg.commands.some(matches);
    });
    var kinds = data.eventKinds.filter(function (kind) {
      if (kindsMatched.length && kindsMatched.indexOf(kind) === -1) return false;
      return packages.some(function (pkg) {
        return pkg.events.some(function (e) { return e.event === kind && (!state.deniedOnly || e.denied > 0); });
      });
    });
    return { matches: matches, filtering: filtering, packages: packages, kinds: kinds };
  }

  function renderHeader() {
    document.title = 'audithook report: ' + data.source;
    document.getElementById('source').textContent = data.source
      + (data.firstTime ? '  \\u00b7  ' + data.firstTime + ' to ' + data.lastTime : '');
    var stats = clear(document.getElementById('stats'));
    var named = data.packages.filter(function (pkg) { return pkg.name !== null; }).length;
    [[data.total, 'events'], [named, 'packages'], [data.processes, 'processes'],
     [data.denied, 'denied', data.denied > 0], [data.blocked, 'blocked', data.blocked > 0]].forEach(function (s) {
      stats.appendChild(el('div', { class: s[2] ? 'stat alert' : 'stat' }, [el('b', { text: s[0].toLocaleString('en-US') }), el('span', { text: s[1] })]));
    });
    var warnings = [];
    if (data.skipped > 0) warnings.push('Skipped ' + plural(data.skipped, 'corrupt or truncated line') + ' of the log.');
    if (data.streamProblems.length > 0) {
      warnings.push(plural(data.streamProblems.length, 'stream') + ' not intact: ' + data.streamProblems.join('; ') + '.');
    }
    document.getElementById('warning').textContent = warnings.join(' ');
  }

  function countIn(pkg, kind) {
    for (var i = 0; i < pkg.events.length; i++) if (pkg.events[i].event === kind) return pkg.events[i];
    return null;
  }

  function renderMatrix(v) {
    var table = clear(document.getElementById('matrix'));
    if (v.packages.length === 0 || v.kinds.length === 0) {
      table.appendChild(el('caption', { class: 'empty', text: data.total === 0 ? 'The log has no events.' : 'Nothing matches the filter.' }));
      return;
    }
    var max = 1;
    v.packages.forEach(function (pkg) { pkg.events.forEach(function (e) { if (e.count > max) max = e.count; }); });
    var head = el('tr', null, [el('th', { class: 'pkg', text: 'package' })]);
    v.kinds.forEach(function (kind) {
      var th = el('th', { class: 'kind', title: 'filter on ' + kind, 'data-kind': kind }, [el('div', { text: kind })]);
      th.addEventListener('click', function () { setFilter(kind); });
      head.appendChild(th);
    });
    head.appendChild(el('th', { class: 'kind' }, [el('div', { text: 'total' })]));
    table.appendChild(el('thead', null, [head]));
    var body = el('tbody');
    var columnTotals = v.kinds.map(function () { return 0; });
    v.packages.forEach(function (pkg) {
      var index = data.packages.indexOf(pkg);
      var row = el('tr', { 'data-package': label(pkg), class: pkg.name === null ? 'app' : null }, [
        el('th', { class: 'pkg' }, [el('a', { href: '#', title: label(pkg), text: label(pkg) }), el('small', { text: versions(pkg) })]),
      ]);
      row.querySelector('a').addEventListener('click', function (event) {
        event.preventDefault();
        document.getElementById('pkg-' + index).scrollIntoView({ behavior: 'smooth' });
      });
      var rowTotal = 0;
      v.kinds.forEach(function (kind, column) {
        var count = countIn(pkg, kind);
        if (count === null) { row.appendChild(el('td', { class: 'zero', text: '\\u00b7' })); return; }
        rowTotal += count.count;
        columnTotals[column] += count.count;
        var title = label(pkg) + ' \\u00b7 ' + kind + ': ' + plural(count.count, 'event') + (count.denied ? ', ' + count.denied + ' denied' : '');
        var cell = el('td', { title: title, 'data-kind': kind, text: compact(count.count) });
        if (count.denied > 0) {
          cell.className = 'denied';
          cell.appendChild(el('small', { text: compact(count.denied) + ' denied' }));
        } else {
          var heat = 0.08 + 0.5 * Math.log(1 + count.count) / Math.log(1 + max);
          cell.style.background = 'rgba(37, 99, 235, ' + heat.toFixed(3) + ')';
          if (heat > 0.4) cell.style.color = '#fff';
        }
        row.appendChild(cell);
      });
      row.appendChild(el('td', { class: 'total', title: plural(rowTotal, 'event'), text: compact(rowTotal) }));
      body.appendChild(row);
    });
    table.appendChild(body);
    var foot = el('tr', null, [el('th', { text: 'total' })]);
    columnTotals.forEach(function (total) { foot.appendChild(el('td', { title: plural(total, 'event'), text: compact(total) })); });
    var total = columnTotals.reduce(function (a, b) { return a + b; }, 0);
    foot.appendChild(el('td', { title: plural(total, 'event'), text: compact(total) }));
    table.appendChild(el('tfoot', null, [foot]));
  }

  function renderDenials(v) {
    var table = clear(document.getElementById('denials'));
    var rows = [];
    v.packages.forEach(function (pkg) {
      pkg.denials.forEach(function (d) {
        if (!v.filtering || v.matches(label(pkg)) || v.matches(d.event) || v.matches(d.subject) || v.matches(d.rule || '')) rows.push(d);
      });
    });
    if (rows.length === 0) {
      table.appendChild(el('caption', { class: 'empty', text: data.denied === 0 ? 'Nothing was denied.' : 'No denial matches the filter.' }));
      return;
    }
    table.appendChild(el('thead', null, [el('tr', null, ['package', 'event', 'about', 'rule', 'outcome', 'times', 'first', 'where'].map(function (h) { return el('th', { text: h }); }))]));
    var body = el('tbody');
    rows.forEach(function (d) {
      body.appendChild(el('tr', { 'data-package': d.package === null ? APP : d.package }, [
        el('td', { text: d.package === null ? APP : d.package }),
        el('td', { class: 'subject', text: d.event }),
        el('td', { class: 'subject', text: d.subject }),
        el('td', { text: d.rule === null ? '(none)' : d.rule }),
        el('td', null, [d.blocked
          ? el('span', { class: 'badge blocked', title: 'enforce mode: the operation failed', text: 'blocked' })
          : el('span', { class: 'badge reported', title: 'report mode: logged, not blocked', text: 'reported' })]),
        el('td', { text: String(d.count) }),
        el('td', { text: d.firstTime }),
        el('td', { class: 'subject', text: d.frame === null ? '' : d.frame }),
      ]));
    });
    table.appendChild(body);
  }

  function renderList(title, values, denied, v, showAll) {
    var shown = showAll ? values : values.filter(v.matches);
    if (shown.length === 0) return null;
    var heading = title + ' (' + (shown.length === values.length ? values.length : shown.length + ' of ' + values.length) + ')';
    return el('div', null, [el('h4', { text: heading }), el('ul', null, shown.map(function (value) {
      return el('li', { class: denied.indexOf(value) === -1 ? null : 'deny', title: value, text: value });
    }))]);
  }

  function renderDetails(v) {
    var cards = clear(document.getElementById('details'));
    if (v.packages.length === 0) cards.appendChild(el('p', { class: 'empty', text: 'No package to show.' }));
    v.packages.forEach(function (pkg) {
      var showAll = !v.filtering || v.matches(label(pkg)) || pkg.events.some(function (e) { return v.matches(e.event); });
      var denied = pkg.denials.map(function (d) { return d.subject; });
      cards.appendChild(el('div', { id: 'pkg-' + data.packages.indexOf(pkg), class: pkg.denied ? 'card has-denials' : 'card', 'data-package': label(pkg) }, [
        el('h3', { text: label(pkg) }, [el('small', { text: versions(pkg) })]),
        el('p', { class: 'summary', text: plural(pkg.total, 'event') + ' of ' + plural(pkg.events.length, 'kind') + (pkg.denied ? ' \\u00b7 ' + pkg.denied + ' denied' : '') }),
        renderList('commands', pkg.commands, denied, v, showAll),
        renderList('hosts', pkg.hosts, denied, v, showAll),
        renderList('writes', pkg.writes, denied, v, showAll),
        renderList('reads', pkg.reads, denied, v, showAll),
        renderList('loads', pkg.loads, denied, v, showAll),
      ]));
    });
  }

  function renderProcesses(v) {
    var list = clear(document.getElementById('processes'));
    var shown = data.processTree.filter(function (node) {
      return (!state.deniedOnly || node.denied > 0) && (!v.filtering || v.matches(node.command) || v.matches(String(node.pid)));
    });
    if (shown.length === 0) {
      list.appendChild(el('li', { class: 'empty', text: data.processTree.length === 0 ? 'No process said where it came from.' : 'No process matches the filter.' }));
      return;
    }
    shown.forEach(function (node) {
      list.appendChild(el('li', { 'data-pid': String(node.pid), class: node.denied ? 'deny' : null, style: 'padding-left: ' + (12 + 18 * node.depth) + 'px' }, [
        el('b', { text: String(node.pid) }),
        el('span', { class: 'command', title: node.command, text: node.command }),
        el('small', { text: plural(node.events, 'event') + (node.denied ? ' \u00b7 ' + node.denied + ' denied' : '')
          + (node.spawnedBy !== null && node.spawnedBy !== 'the application' ? ' \u00b7 started by ' + node.spawnedBy : '') }),
      ]));
    });
  }

  function render() {
    var v = view();
    document.getElementById('shown').textContent = v.filtering || state.deniedOnly || state.hideApp
      ? 'showing ' + v.packages.length + ' of ' + data.packages.length + ' rows' : '';
    renderMatrix(v);
    renderDenials(v);
    renderProcesses(v);
    renderDetails(v);
  }
  function setFilter(text) {
    state.filter = text;
    document.getElementById('filter').value = text;
    writeHash();
    render();
  }

  readHash();
  var filter = document.getElementById('filter');
  var deniedOnly = document.getElementById('denied-only');
  var hideApp = document.getElementById('hide-app');
  filter.value = state.filter;
  deniedOnly.checked = state.deniedOnly;
  hideApp.checked = state.hideApp;
  filter.addEventListener('input', function () { state.filter = filter.value; writeHash(); render(); });
  deniedOnly.addEventListener('change', function () { state.deniedOnly = deniedOnly.checked; writeHash(); render(); });
  hideApp.addEventListener('change', function () { state.hideApp = hideApp.checked; writeHash(); render(); });
  window.addEventListener('hashchange', function () {
    readHash();
    filter.value = state.filter; deniedOnly.checked = state.deniedOnly; hideApp.checked = state.hideApp;
    render();
  });
  renderHeader();
  render();
})();
`;
