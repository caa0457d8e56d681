/**
 * `npm run bench`: runs every row of every `<package>/bench/*.bench.ts` and prints one table.
 *
 *   npm run bench                         every row (7 pairs of 500 ms rounds per ratio row)
 *   npm run bench -- --only ROW           one row (or every row whose id starts with `ROW.`)
 *   npm run bench -- --list               the row ids
 *   npm run bench -- --quick              short rounds, to check rows work (figures not for publishing)
 *   npm run bench -- --pairs 9 --round-ms 800 --json results.json
 *
 * A ratio row's subject and baseline run in two child processes of their own, measured in turn
 * (subject, baseline, subject, baseline…) for at least five pairs; the row's figure is the median
 * of the per-pair ratios, printed with their min–max. A measured row runs in one child process.
 * Exit status 1 when a row with a target is below it at the median, or a row failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { FromChild, ToChild } from './child.js';
import { BENCH_DIR_ENV } from './fixtures.js';
import { median, meets, type BenchRow, type Figure, type MeasureOptions } from './rows.js';

const CHILD = join(import.meta.dirname, `child${import.meta.filename.endsWith('.ts') ? '.ts' : '.js'}`);
const root = resolve(import.meta.dirname, '../../..');

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    list: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    pairs: { type: 'string' },
    'round-ms': { type: 'string' },
    json: { type: 'string' },
  },
});
const quick = args.quick === true;
const pairs = Number(args.pairs ?? 7);
const roundMs = Number(args['round-ms'] ?? (quick ? 150 : 500));
if (!Number.isInteger(pairs) || pairs < 5) throw new Error('--pairs: at least 5 pairs');

/** What a row gave: its figures, or why it was skipped or failed. */
interface Result {
  readonly id: string;
  readonly kind: BenchRow['kind'];
  /** Subject and baseline names (ratio rows) or the row's name. */
  readonly what: readonly string[];
  /** Median ops/s of each side (ratio rows). */
  readonly rates?: readonly number[];
  readonly perOp?: { readonly count: number; readonly unit: string };
  readonly figures: readonly Figure[];
  readonly skipped?: string;
  readonly failed?: string;
}

function benchFiles(): string[] {
  const packages = ['core', 'conformance', ...['providers', 'adapters'].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => `${d}/${p}`) : [])];
  return packages.flatMap((p) => {
    const dir = join(root, p, 'bench');
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort().map((f) => join(dir, f)) : [];
  });
}

function selected(id: string): boolean {
  const only = args.only;
  return only === undefined || only.some((o) => id === o || id.startsWith(`${o}.`));
}

/** A forked side: sends a message and waits for the answer. */
class Child {
  readonly #process: ChildProcess;
  readonly #exited: Promise<string>;

  constructor(file: string, id: string, role: string, warmMs: number) {
    this.#process = fork(CHILD, [file, id, role, String(warmMs)], { stdio: ['ignore', 2, 2, 'ipc'] });
    this.#exited = new Promise((resolve) => this.#process.once('exit', (code, signal) => resolve(`the ${role} process exited (${signal ?? code})`)));
  }

  /** The next message from the child (an `error` message, or the child exiting, rejects). */
  next(message?: ToChild): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromChild): void => {
        this.#process.off('message', onMessage);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m);
      };
      this.#process.on('message', onMessage);
      void this.#exited.then((why) => reject(new Error(why)));
      if (message) this.#process.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    this.#process.send({ type: 'exit' } satisfies ToChild);
    const killed = setTimeout(() => this.#process.kill('SIGKILL'), 20_000);
    await this.#exited;
    clearTimeout(killed);
  }
}

async function runRow(file: string, row: BenchRow): Promise<Result> {
  const what = row.kind === 'ratio' ? [row.subject.name, row.baseline.name] : [row.name];
  const skipped = row.skip?.();
  if (skipped !== undefined) return { id: row.id, kind: row.kind, what, figures: [], skipped };
  const children: Child[] = [];
  // A ratio row may ask for a longer warm-up and longer rounds; --quick keeps both short.
  const warmMs = quick ? 100 : Math.max(300, (row.kind === 'ratio' ? row.warmMs : undefined) ?? 0);
  const start = (role: string): Promise<Child> => {
    const c = new Child(file, row.id, role, warmMs);
    children.push(c);
    return c.next().then(() => c);
  };
  try {
    if (row.kind === 'measure') {
      const child = await start('measure');
      const options: MeasureOptions = { rounds: pairs, quick };
      const m = await child.next({ type: 'run', options });
      return { id: row.id, kind: row.kind, what, figures: m.type === 'figures' ? m.figures : [] };
    }
    const subject = await start('subject');
    const baseline = await start('baseline');
    const a: number[] = [];
    const b: number[] = [];
    const ms = quick ? roundMs : Math.max(roundMs, row.roundMs ?? 0);
    const rateOf = async (c: Child): Promise<number> => {
      const m = await c.next({ type: 'measure', ms });
      return m.type === 'measured' ? (m.ops * 1000) / m.ms : Number.NaN;
    };
    for (let i = 0; i < pairs; i += 1) {
      a.push(await rateOf(subject));
      b.push(await rateOf(baseline));
    }
    const ratios = a.map((x, i) => x / (b[i] as number));
    return {
      id: row.id, kind: row.kind, what, rates: [median(a), median(b)], ...(row.perOp ? { perOp: row.perOp } : {}),
      figures: [{ name: 'ratio', unit: '×', samples: ratios, ...(row.target !== undefined ? { target: { op: '≥' as const, value: row.target } } : {}) }],
    };
  } catch (e) {
    return { id: row.id, kind: row.kind, what, figures: [], failed: e instanceof Error ? e.message : String(e) };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

const num = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const spread = (f: Figure): string => `${num(median(f.samples))}${f.unit === '×' ? '×' : ` ${f.unit}`} (${num(Math.min(...f.samples))}–${num(Math.max(...f.samples))})`;
const targetText = (f: Figure): string => (f.target ? `${f.target.op} ${f.target.value}${f.unit === '×' ? '' : ` ${f.unit}`}` : '');
const status = (f: Figure): string => (f.target === undefined ? '' : meets(median(f.samples), f.target) ? 'ok' : 'BELOW');

/** The row as printed while the bench runs: what was compared, the rates, each figure. */
function describe(r: Result): string {
  const lines = [r.id];
  if (r.skipped !== undefined) return `${r.id}: skipped (${r.skipped})`;
  if (r.failed !== undefined) return `${r.id}: FAILED\n  ${r.failed.split('\n').join('\n  ')}`;
  if (r.kind === 'ratio') {
    r.what.forEach((w, i) => lines.push(`  ${i === 0 ? 'subject ' : 'baseline'}  ${num((r.rates?.[i] ?? 0) * (r.perOp?.count ?? 1))} ${r.perOp ? `${r.perOp.unit}/s` : 'ops/s'}  ${w}`));
  } else {
    lines.push(`  ${r.what[0] ?? ''}`);
  }
  for (const f of r.figures) lines.push(`  ${f.name.padEnd(34)} ${spread(f).padEnd(30)} ${targetText(f).padEnd(12)} ${status(f)}`.trimEnd());
  return lines.join('\n');
}

/** The closing table: one line per figure that has a target or is a ratio. */
function table(results: readonly Result[]): string {
  const lines: string[][] = [['row', 'figure', 'median (min–max)', 'target', '']];
  for (const r of results) {
    if (r.skipped !== undefined || r.failed !== undefined) {
      lines.push([r.id, '', r.skipped !== undefined ? `skipped: ${r.skipped}` : 'FAILED', '', r.failed !== undefined ? 'FAILED' : '']);
      continue;
    }
    for (const f of r.figures) {
      if (r.kind === 'measure' && f.target === undefined) continue;
      lines.push([r.id, r.kind === 'ratio' ? 'ratio' : f.name, spread(f), targetText(f), status(f)]);
    }
  }
  const widths = (lines[0] ?? []).map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

const rows: { file: string; row: BenchRow }[] = [];
for (const file of benchFiles()) {
  const mod = (await import(pathToFileURL(file).href)) as { rows?: readonly BenchRow[] };
  for (const row of mod.rows ?? []) rows.push({ file, row });
}
const ids = new Set<string>();
for (const { row } of rows) {
  if (ids.has(row.id)) throw new Error(`two bench rows have the id ${row.id}`);
  ids.add(row.id);
}
if (args.list === true) {
  for (const { file, row } of rows) process.stdout.write(`${row.id.padEnd(48)} ${relative(root, file)}\n`);
  process.exit(0);
}
const chosen = rows.filter(({ row }) => selected(row.id));
if (chosen.length === 0) throw new Error(`no bench row matches --only ${(args.only ?? []).join(', ')}: see npm run bench -- --list`);

process.stderr.write(`bench: ${chosen.length} rows, ${pairs} pairs of ${roundMs} ms per ratio row${quick ? ' (--quick: not for publishing)' : ''}\n`);
// Inputs the sides share (keys, statement files) live here for the run; children inherit the variable.
process.env[BENCH_DIR_ENV] = mkdtempSync(join(tmpdir(), 'paykit-bench-'));
const results: Result[] = [];
try {
  for (const { file, row } of chosen) {
    const r = await runRow(file, row);
    results.push(r);
    process.stderr.write(`${describe(r)}\n`);
  }
} finally {
  rmSync(process.env[BENCH_DIR_ENV], { recursive: true, force: true });
}
process.stdout.write(`\n${table(results)}\n`);
const below = results.filter((r) => r.figures.some((f) => !meets(median(f.samples), f.target)));
const failed = results.filter((r) => r.failed !== undefined);
process.stdout.write(`\n${results.length} rows: ${below.length} below target, ${failed.length} failed, ${results.filter((r) => r.skipped !== undefined).length} skipped\n`);
if (args.json !== undefined) {
  writeFileSync(args.json, `${JSON.stringify({ at: new Date().toISOString(), pairs, roundMs, quick, node: process.version, results }, null, 2)}\n`);
}
if (below.length > 0 || failed.length > 0) process.exitCode = 1;
