/**
 * One side of a benchmark row, in a process of its own (forked by `run-all.ts`):
 * `child.ts <bench file> <row id> subject|baseline|measure`. A ratio side sets up, warms up, says
 * `ready`, then measures its operation for as long as each `measure` message asks; a measured row
 * runs once when asked and sends its figures. Keeping each side alone in its process means the
 * other side's code never shares its inline caches, heap or garbage collector.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runExitHooks } from './fixtures.js';
import type { BenchRow, MeasureOptions, Operation } from './rows.js';

/** Messages from the runner. */
export type ToChild =
  | { readonly type: 'measure'; readonly ms: number }
  | { readonly type: 'run'; readonly options: MeasureOptions }
  | { readonly type: 'exit' };

/** Messages to the runner. */
export type FromChild =
  | { readonly type: 'ready' }
  | { readonly type: 'measured'; readonly ops: number; readonly ms: number }
  | { readonly type: 'figures'; readonly figures: readonly import('./rows.js').Figure[] }
  | { readonly type: 'error'; readonly message: string };

// Every result goes here, so no call can be dropped as unused.
let sink: unknown;

function send(m: FromChild): void {
  process.send?.(m);
}

/** Runs `op` for at least `ms`, `batch` calls between clock reads; returns calls and elapsed time. */
async function rate(op: Operation, ms: number, batch: number, isAsync: boolean): Promise<{ ops: number; ms: number }> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  do {
    if (isAsync) for (let i = 0; i < batch; i += 1) sink = await op();
    else for (let i = 0; i < batch; i += 1) sink = op();
    ops += batch;
    now = performance.now();
  } while (now - start < ms);
  return { ops, ms: now - start };
}

async function side(op: Operation, warmMs: number): Promise<void> {
  const first = op();
  const isAsync = typeof (first as { then?: unknown } | undefined)?.then === 'function';
  sink = isAsync ? await first : first;
  // Warm up (the JIT settles), and pick how many calls go between two clock reads: enough that
  // reading the clock costs nothing next to them, few enough that a round ends on time.
  const warm = await rate(op, warmMs, 1, isAsync);
  const perOpMs = warm.ms / warm.ops;
  const batch = Math.max(1, Math.min(1000, Math.floor(0.5 / perOpMs)));
  send({ type: 'ready' });
  process.on('message', (m: ToChild) => {
    if (m.type !== 'measure') return;
    void rate(op, m.ms, batch, isAsync).then((r) => send({ type: 'measured', ...r }), (e: unknown) => fail(e));
  });
}

function fail(e: unknown): void {
  send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

const [file, id, role, warm] = process.argv.slice(2);
process.on('message', (m: ToChild) => {
  if (m.type === 'exit') void runExitHooks().finally(() => process.exit(0));
});
try {
  const mod = (await import(pathToFileURL(String(file)).href)) as { rows?: readonly BenchRow[] };
  const row = mod.rows?.find((r) => r.id === id);
  if (!row) throw new Error(`${file} has no row ${id}`);
  if (row.kind === 'ratio') {
    const s = role === 'subject' ? row.subject : row.baseline;
    await side(await s.setup(), Number(warm));
  } else {
    send({ type: 'ready' });
    process.on('message', (m: ToChild) => {
      if (m.type !== 'run') return;
      row.run(m.options).then((figures) => send({ type: 'figures', figures }), (e: unknown) => fail(e));
    });
  }
} catch (e) {
  fail(e);
}
void sink;
