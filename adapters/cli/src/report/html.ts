// The reconciliation report as one self-contained HTML file: styles, the chart (inline SVG) and
// the table's filters (inline script) are all in it; nothing is fetched, so it opens from disk,
// offline, years later. Every text is escaped and has its card numbers masked.
import { DISCREPANCY_KINDS, type DayTotals, type Discrepancy, type ReconciliationReport } from '@paykit/core';
import { amountText, orderOf, paykitSide, providerSide, referencesOf, repairText, safeText } from './format.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Escaped, masked text. */
const t = (s: string | undefined): string => esc(safeText(s));

const KIND_LABEL: Readonly<Record<Discrepancy['kind'], string>> = {
  missing_in_paykit: 'Missing in paykit', missing_at_provider: 'Missing at provider', amount_mismatch: 'Amount mismatch',
  status_mismatch: 'Status mismatch', fee: 'Fee', duplicate_line: 'Duplicate line', summary_mismatch: 'Summary mismatch', unreadable_line: 'Unreadable line',
};

function tile(label: string, value: string, attrs = '', tone = ''): string {
  return `<div class="tile${tone ? ` ${tone}` : ''}"${attrs}><div class="label">${esc(label)}</div><div class="value">${value}</div></div>`;
}

/** A bar chart of each day's totals, one per currency: the statement's amount and fees against paykit's amount. */
function chart(days: readonly DayTotals[]): string {
  const currencies = [...new Set(days.map((d) => d.currency))];
  return currencies.map((currency) => {
    const rows = days.filter((d) => d.currency === currency);
    const values = rows.flatMap((d) => [d.statement.amount, d.paykit.amount, d.statement.fee]);
    const max = Math.max(1, ...values.map((v) => Math.abs(v)));
    const hasNegative = values.some((v) => v < 0);
    const width = Math.max(360, 70 + rows.length * 66);
    const height = 220;
    const top = 16;
    const plot = height - 56;
    const zero = hasNegative ? top + plot / 2 : top + plot;
    const scale = (hasNegative ? plot / 2 : plot) / max;
    const bar = (x: number, v: number, cls: string, label: string): string => {
      const h = Math.max(1, Math.abs(v) * scale);
      const y = v >= 0 ? zero - h : zero;
      return `<rect class="${cls}" x="${x}" y="${y.toFixed(1)}" width="16" height="${h.toFixed(1)}"><title>${esc(label)}</title></rect>`;
    };
    const groups = rows.map((d, i) => {
      const x = 60 + i * 66;
      return `<g data-day="${esc(d.day)}">${bar(x, d.statement.amount, 'b-statement', `${d.day} statement ${amountText(d.statement.amount, currency)} ${currency}`)}`
        + `${bar(x + 18, d.paykit.amount, 'b-paykit', `${d.day} paykit ${amountText(d.paykit.amount, currency)} ${currency}`)}`
        + `${bar(x + 36, d.statement.fee, 'b-fee', `${d.day} fees ${amountText(d.statement.fee, currency)} ${currency}`)}`
        + `<text class="axis" x="${x + 26}" y="${height - 24}" text-anchor="middle">${esc(d.day.slice(5))}</text></g>`;
    }).join('');
    const axis = `<line class="zero" x1="50" x2="${width - 8}" y1="${zero}" y2="${zero}"/>`
      + `<text class="axis" x="46" y="${top + 4}" text-anchor="end">${esc(amountText(max, currency))}</text>`
      + `<text class="axis" x="46" y="${zero + 4}" text-anchor="end">0</text>`
      + (hasNegative ? `<text class="axis" x="46" y="${top + plot + 4}" text-anchor="end">-${esc(amountText(max, currency))}</text>` : '');
    const legend = `<g class="legend"><rect class="b-statement" x="60" y="${height - 12}" width="10" height="10"/><text x="74" y="${height - 3}">statement</text>`
      + `<rect class="b-paykit" x="150" y="${height - 12}" width="10" height="10"/><text x="164" y="${height - 3}">paykit</text>`
      + `<rect class="b-fee" x="220" y="${height - 12}" width="10" height="10"/><text x="234" y="${height - 3}">fees</text></g>`;
    return `<figure><figcaption>Daily totals, ${esc(currency)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Daily totals in ${esc(currency)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${axis}${groups}${legend}</svg></figure>`;
  }).join('');
}

function daysTable(days: readonly DayTotals[]): string {
  const cell = (minor: number, currency: string, field: string, day: string): string =>
    `<td class="num" data-day="${esc(day)}" data-field="${field}" data-minor="${minor}">${esc(amountText(minor, currency))}</td>`;
  const rows = days.map((d) => `<tr><td>${esc(d.day)}</td><td>${esc(d.currency)}</td>`
    + `<td class="num" data-day="${esc(d.day)}" data-field="statement-count">${d.statement.count}</td>`
    + `${cell(d.statement.amount, d.currency, 'statement-amount', d.day)}${cell(d.statement.fee, d.currency, 'statement-fee', d.day)}${cell(d.statement.net, d.currency, 'statement-net', d.day)}`
    + `<td class="num" data-day="${esc(d.day)}" data-field="paykit-count">${d.paykit.count}</td>${cell(d.paykit.amount, d.currency, 'paykit-amount', d.day)}</tr>`).join('');
  return `<table class="days"><thead><tr><th>Day</th><th>Currency</th><th>Lines</th><th>Amount</th><th>Fees</th><th>Net settlement</th><th>paykit records</th><th>paykit amount</th></tr></thead><tbody>${rows || '<tr><td colspan="8">No lines and no records in the period.</td></tr>'}</tbody></table>`;
}

function discrepancyRow(d: Discrepancy): string {
  const refs = referencesOf(d).map((r) => r.toLowerCase()).join(' ');
  return `<tr data-kind="${d.kind}" data-state="${d.state}" data-order="${esc(safeText(refs))}" data-id="${esc(d.id)}">`
    + `<td class="nowrap"><span class="kind k-${d.kind}">${esc(KIND_LABEL[d.kind])}</span></td>`
    + `<td class="nowrap"><span class="state s-${d.state}">${esc(d.state)}</span>${d.change === 'new' ? ' <span class="new">new</span>' : d.change === 'reopened' || d.change === 'changed' ? ` <span class="new">${esc(d.change)}</span>` : ''}</td>`
    + `<td class="mono wrap">${t(orderOf(d))}</td><td class="nowrap">${esc(d.day ?? '')}</td>`
    + `<td class="wrap">${t(providerSide(d))}</td><td class="wrap paykit">${t(paykitSide(d))}</td>`
    + `<td class="wrap"><div>${t(d.message)}</div><div class="action">${t(d.action)}</div>${d.resolution !== undefined ? `<div class="note">Resolved: ${t(d.resolution.note)}</div>` : ''}</td>`
    + `<td class="wrap">${t(repairText(d))}</td><td class="mono small nowrap">${esc(d.id)}</td></tr>`;
}

const STYLE = `
:root{--ink:#1d2433;--muted:#5b6475;--line:#e3e6ec;--bg:#f6f7f9;--card:#fff;--ok:#1f8a4c;--bad:#c2352d;--warn:#b86e00;--blue:#2f6fde;--grey:#8a93a3;--fee:#e0a100}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--ink);color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px;font-weight:600}header p{margin:4px 0 0;color:#c9cfda}
main{padding:20px 28px;max-width:1400px}header p{overflow-wrap:anywhere}section{margin:0 0 22px}h2{font-size:15px;margin:0 0 10px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.tile .label{color:var(--muted);font-size:12px}.tile .value{font-size:22px;font-weight:600;margin-top:2px;font-variant-numeric:tabular-nums}.tile.bad .value{color:var(--bad)}.tile.good .value{color:var(--ok)}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;display:inline-block}figcaption{font-weight:600;margin-bottom:4px}
.b-statement{fill:var(--blue)}.b-paykit{fill:var(--grey)}.b-fee{fill:var(--fee)}.zero{stroke:#9aa3b2}.axis,.legend text{font-size:11px;fill:var(--muted)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}td.wrap{overflow-wrap:anywhere}td.mono.wrap,td.paykit{min-width:9em}td.nowrap{white-space:nowrap}
th{background:#eef0f4;font-size:12px;color:var(--muted);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}.small{font-size:11px;color:var(--muted)}
.kind{display:inline-block;padding:2px 8px;border-radius:10px;font-size:12px;background:#eef0f4;white-space:nowrap}.k-missing_in_paykit,.k-status_mismatch{background:#fdecea;color:var(--bad)}.k-missing_at_provider,.k-amount_mismatch{background:#fff4e0;color:var(--warn)}
.state{font-size:12px;font-weight:600}.s-open{color:var(--bad)}.s-repaired{color:var(--ok)}.s-resolved{color:var(--muted)}.new{font-size:11px;background:var(--blue);color:#fff;border-radius:8px;padding:1px 6px}
.action{color:var(--muted);margin-top:4px}.note{color:var(--ok);margin-top:4px}.controls{display:flex;gap:10px;align-items:center;margin:0 0 10px;flex-wrap:wrap}
.controls select,.controls input{font:inherit;padding:6px 8px;border:1px solid var(--line);border-radius:6px;background:#fff}.controls input{min-width:240px}.badge{display:inline-block;padding:3px 10px;border-radius:12px;font-weight:600;margin-left:8px}
.badge.clean{background:#e4f5ea;color:var(--ok)}.badge.open{background:#fdecea;color:var(--bad)}ul.plain{margin:0;padding-left:18px}.empty{color:var(--muted);padding:14px}
`;

const SCRIPT = `
(function(){
  var kind=document.getElementById('filter-kind'),state=document.getElementById('filter-state'),search=document.getElementById('search'),shown=document.getElementById('shown');
  var rows=Array.prototype.slice.call(document.querySelectorAll('#discrepancies tbody tr[data-kind]'));
  function apply(){
    var k=kind.value,s=state.value,q=search.value.trim().toLowerCase(),n=0;
    rows.forEach(function(r){var show=(!k||r.getAttribute('data-kind')===k)&&(!s||r.getAttribute('data-state')===s)&&(!q||r.getAttribute('data-order').indexOf(q)!==-1);r.hidden=!show;if(show)n++;});
    shown.textContent=String(n);
  }
  kind.addEventListener('change',apply);state.addEventListener('change',apply);search.addEventListener('input',apply);apply();
})();
`;

/**
 * Renders a reconciliation report as one self-contained HTML page: summary tiles, a chart of the
 * daily totals (inline SVG), the totals table, the provider's own checks, what changed since the
 * last run, and the discrepancies in a table filtered by kind and state and searched by order
 * number (inline script). No external scripts, styles, fonts or images: it opens from disk.
 *
 * @example
 * ```ts
 * writeFileSync('reconciliation.html', renderReconciliationHtml(report));
 * ```
 */
export function renderReconciliationHtml(report: ReconciliationReport): string {
  const c = report.counts;
  const byCurrency = new Map<string, { statement: number; fee: number; net: number; paykit: number }>();
  for (const d of report.days) {
    const sum = byCurrency.get(d.currency) ?? { statement: 0, fee: 0, net: 0, paykit: 0 };
    byCurrency.set(d.currency, { statement: sum.statement + d.statement.amount, fee: sum.fee + d.statement.fee, net: sum.net + d.statement.net, paykit: sum.paykit + d.paykit.amount });
  }
  const moneyTiles = [...byCurrency.entries()].map(([cur, s]) => [
    tile(`Statement amount (${cur})`, esc(amountText(s.statement, cur)), ` data-total="statement-amount" data-currency="${esc(cur)}" data-minor="${s.statement}"`),
    tile(`Fees (${cur})`, esc(amountText(s.fee, cur)), ` data-total="statement-fee" data-currency="${esc(cur)}" data-minor="${s.fee}"`),
    tile(`Net settlement (${cur})`, esc(amountText(s.net, cur)), ` data-total="statement-net" data-currency="${esc(cur)}" data-minor="${s.net}"`),
    tile(`paykit amount (${cur})`, esc(amountText(s.paykit, cur)), ` data-total="paykit-amount" data-currency="${esc(cur)}" data-minor="${s.paykit}"`),
  ].join('')).join('');
  const tiles = [
    tile('Statement lines', String(c.statementLines), ' data-total="statement-lines"'),
    tile('paykit records in period', String(c.recordsInPeriod), ' data-total="records-in-period"'),
    tile('Matched', String(c.matched), ' data-total="matched"', 'good'),
    tile('Open discrepancies', String(c.open), ' data-total="open"', c.open > 0 ? 'bad' : 'good'),
    tile('Repaired', String(c.repaired), ' data-total="repaired"'),
    tile('Resolved', String(c.resolved), ' data-total="resolved"'),
    moneyTiles,
  ].join('');
  const kinds = DISCREPANCY_KINDS.filter((k) => c.byKind[k] > 0);
  const kindOptions = ['<option value="">All kinds</option>', ...kinds.map((k) => `<option value="${k}">${esc(KIND_LABEL[k])} (${c.byKind[k]})</option>`)].join('');
  const rows = report.discrepancies.map(discrepancyRow).join('');
  const checks = report.selfChecks.length === 0 ? '<p class="empty">The provider gave no summary to check the lines against.</p>'
    : `<ul class="plain">${report.selfChecks.map((s) => `<li>${t(s.source)}: ${s.agrees ? 'agrees with the lines' : '<strong>disagrees with the lines</strong> (see Summary mismatch below)'}</li>`).join('')}</ul>`;
  const ch = report.changes;
  const changes = ch.previousRun === undefined ? '<p class="empty">First run of this period.</p>'
    : `<ul class="plain"><li>Since run ${ch.previousRun}: ${ch.new.length} new, ${ch.reopened.length} reopened, ${(ch.changed ?? []).length} changed, ${ch.unchanged} found again, ${ch.fixed.length} fixed.</li>`
      + ch.fixed.map((f) => `<li>Fixed: ${esc(KIND_LABEL[f.kind])} ${t(f.subject?.id ?? '')} — ${t(f.message)}</li>`).join('') + '</ul>';
  const title = `Reconciliation of ${report.instance}, ${report.period.value}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${esc(title)}<span class="badge ${report.clean ? 'clean' : 'open'}" id="verdict">${report.clean ? 'clean' : `${c.open} open`}</span></h1>
<p>${esc(report.providerId)} · ${report.period.kind === 'day' ? 'day' : 'month'} ${esc(report.period.from)}${report.period.to !== report.period.from ? ` to ${esc(report.period.to)}` : ''} · run ${report.run} · ${esc(report.startedAt)} · ${report.repair ? 'repair on' : 'no repair'} · statement from ${t(report.sources.join(', ') || 'no source')}</p></header>
<main>
<section><h2>Summary</h2><div class="tiles">${tiles}</div></section>
<section><h2>Daily totals</h2>${report.days.length > 0 ? chart(report.days) : ''}<div style="height:12px"></div>${daysTable(report.days)}</section>
<section><h2>The provider's own checks</h2>${checks}</section>
<section><h2>Since the last run</h2>${changes}</section>
<section id="discrepancies"><h2>Discrepancies</h2>
<div class="controls"><label>Kind <select id="filter-kind">${kindOptions}</select></label>
<label>State <select id="filter-state"><option value="">All</option><option value="open">open</option><option value="repaired">repaired</option><option value="resolved">resolved</option></select></label>
<input id="search" type="search" placeholder="Search by order number" aria-label="Search by order number">
<span>showing <strong id="shown">${report.discrepancies.length}</strong> of ${report.discrepancies.length}${report.unlisted > 0 ? ` (${report.unlisted} more not listed)` : ''}</span></div>
<table><thead><tr><th>Kind</th><th>State</th><th>Order / record</th><th>Day</th><th>Provider says</th><th>paykit says</th><th>What it means, what to do</th><th>Repair</th><th>Id</th></tr></thead>
<tbody>${rows || '<tr><td colspan="9" class="empty">No discrepancies: the statement and the records agree.</td></tr>'}</tbody></table>
</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
