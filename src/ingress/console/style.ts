import { createHash } from 'node:crypto';

/** The console's one stylesheet, served at /console/console.css (no inline styles: the CSP allows 'self' only). */
export const consoleCss = `
:root { --fg: #1d2430; --muted: #6b7585; --line: #dde2ea; --bg: #f7f8fa; --card: #fff; --accent: #2456c7; --bad: #c0392b; --good: #1e8a4c; --warn: #b7791f; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #18202d; color: #fff; }
header.top a { color: #c9d3e3; } header.top a.current { color: #fff; font-weight: 600; }
header.top .brand { color: #fff; font-weight: 700; font-size: 16px; }
header.top nav { display: flex; gap: 18px; flex: 1; }
header.top .logout button { color: #c9d3e3; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 20px; margin: 8px 0 14px; } h2 { font-size: 16px; margin: 26px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; } h4 { font-size: 12px; text-transform: uppercase; color: var(--muted); margin: 8px 0 4px; }
table.list { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); }
table.list th, table.list td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.list thead th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fbfcfd; }
table.list.compact, table.list.arithmetic { width: auto; min-width: 420px; }
table.list tr.winner { background: #eef7f1; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.wrap { max-width: 420px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre.text, pre.json { background: var(--card); border: 1px solid var(--line); padding: 8px 10px; max-height: 360px; overflow: auto; }
pre.correction { border-color: #9fd3b2; background: #f3fbf6; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 16px; background: var(--card); border: 1px solid var(--line); padding: 10px 14px; margin: 0 0 12px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e8ecf2; color: #354052; white-space: nowrap; }
.badge-systematic, .badge-regressed, .badge-fail, .badge-failed, .badge-not_fixed, .badge-could_not_fix, .badge-rolled_back, .badge-refused, .badge-rejected, .badge-upstream_error, .badge-gateway_error, .badge-timeout { background: #fbe3e0; color: var(--bad); }
.badge-accepted, .badge-fixed, .badge-active, .badge-pass, .badge-success, .badge-resolved, .badge-promoted, .badge-succeeded, .badge-winner { background: #dff3e6; color: var(--good); }
.badge-canary, .badge-emerging, .badge-open, .badge-running, .badge-queued, .badge-training, .badge-evaluating, .badge-approved, .badge-inconclusive, .badge-needs_examples { background: #fdf0d8; color: var(--warn); }
.flash { padding: 8px 12px; border-radius: 4px; border: 1px solid; }
.flash-ok { background: #eef7f1; border-color: #9fd3b2; } .flash-error { background: #fdf0ee; border-color: #e6a59c; color: var(--bad); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; background: var(--card); border: 1px solid var(--line); padding: 10px 12px; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 4px 6px; border: 1px solid #c3cad6; border-radius: 4px; background: #fff; color: var(--fg); }
input.narrow { width: 64px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; padding: 4px 12px; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.link { background: none; border: none; padding: 0; }
form.action { display: inline-flex; gap: 6px; align-items: center; margin: 4px 8px 4px 0; }
.actions { margin: 8px 0; }
nav.pager { display: flex; gap: 16px; margin: 10px 0; }
article.example, article.version { background: var(--card); border: 1px solid var(--line); padding: 10px 12px; margin: 0 0 12px; }
article.version .role { color: var(--good); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.turns .turn { margin-bottom: 6px; } .turns .role { font-size: 12px; color: var(--muted); text-transform: uppercase; }
svg.chart { display: block; background: var(--card); border: 1px solid var(--line); }
svg.chart.compact { border: none; background: none; }
svg.chart .bar { fill: #a9bde6; } svg.chart .bar-failures { fill: #e39b91; }
svg.chart .rate { fill: none; stroke: var(--bad); stroke-width: 2; }
svg.chart .axis { stroke: #b8c0cc; } svg.chart .tick { font-size: 10px; fill: var(--muted); } svg.chart .rate-tick { fill: var(--bad); }
.legend { font-size: 12px; color: var(--muted); } .key { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: middle; }
.key-bar { background: #a9bde6; } .key-rate { background: var(--bad); height: 3px; }
pre.diff { background: var(--card); border: 1px solid var(--line); padding: 6px 0; }
.diff-line { display: block; padding: 0 10px; min-height: 1.5em; } .diff-sign { display: inline-block; width: 16px; color: var(--muted); }
.diff-removed { background: #fdf0ee; } .diff-added { background: #eef7f1; }
.diff-removed del { background: #f5c6bf; text-decoration: line-through; } .diff-added ins { background: #b6e3c5; text-decoration: none; }
form.login { display: flex; flex-direction: column; gap: 10px; max-width: 360px; background: var(--card); border: 1px solid var(--line); padding: 16px; }
form.login label { display: flex; flex-direction: column; gap: 4px; }
p.result { background: var(--card); border-left: 3px solid var(--accent); padding: 6px 10px; }
`;

/** A strong ETag of the stylesheet, so browsers revalidate cheaply. */
export const consoleCssEtag = `"${createHash('sha256').update(consoleCss).digest('base64url').slice(0, 16)}"`;
