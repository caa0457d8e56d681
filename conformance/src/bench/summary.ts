/**
 * `summary.ts run-1.json run-2.json …`: the figures of several `npm run bench -- --json` runs as
 * one Markdown table (a column per run: median and min–max), for docs/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { median, meets, type Figure } from './rows.js';

interface Run {
  readonly at: string;
  readonly pairs: number;
  readonly roundMs: number;
  readonly quick: boolean;
  readonly node: string;
  readonly results: readonly { readonly id: string; readonly kind: string; readonly figures: readonly Figure[]; readonly skipped?: string; readonly failed?: string }[];
}

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Run);
if (runs.length === 0) throw new Error('usage: summary.ts run-1.json [run-2.json …]');

const num = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const cell = (f: Figure | undefined): string => {
  if (!f || f.samples.length === 0) return '—';
  const m = median(f.samples);
  const unit = f.unit === '×' ? '×' : f.unit === '' ? '' : ` ${f.unit}`;
  const flag = f.target !== undefined && !meets(m, f.target) ? ' **below**' : '';
  return `${num(m)}${unit} (${num(Math.min(...f.samples))}–${num(Math.max(...f.samples))})${flag}`;
};

const keys: { id: string; figure: string }[] = [];
for (const run of runs) {
  for (const r of run.results) {
    for (const f of r.figures) if (!keys.some((k) => k.id === r.id && k.figure === f.name)) keys.push({ id: r.id, figure: f.name });
    if (r.figures.length === 0 && !keys.some((k) => k.id === r.id)) keys.push({ id: r.id, figure: '' });
  }
}
const lines = [
  `| row | figure | ${runs.map((_, i) => `run ${i + 1}`).join(' | ')} | target |`,
  `| --- | --- | ${runs.map(() => '---').join(' | ')} | --- |`,
];
for (const k of keys) {
  let target = '';
  const cells = runs.map((run) => {
    const r = run.results.find((x) => x.id === k.id);
    if (!r) return '—';
    if (r.skipped !== undefined) return 'skipped';
    if (r.failed !== undefined) return 'failed';
    const f = r.figures.find((x) => x.name === k.figure);
    if (f?.target) target = `${f.target.op} ${f.target.value}${f.unit === '×' ? '' : ` ${f.unit}`}`;
    return cell(f);
  });
  lines.push(`| \`${k.id}\` | ${k.figure} | ${cells.join(' | ')} | ${target} |`);
}
const first = runs[0] as Run;
process.stdout.write(`${lines.join('\n')}\n\n${runs.length} runs (${runs.map((r) => r.at).join(', ')}), Node ${first.node}, ${first.pairs} pairs of ${first.roundMs} ms per ratio row${runs.some((r) => r.quick) ? ', --quick' : ''}.\n`);
