import { performance } from 'node:perf_hooks';

/** One row of the benchmark table. */
export type BenchRow =
  /** A throughput ratio of a paykit path against a bare baseline on the same input, measured side by side. */
  | {
    readonly kind: 'ratio';
    /** What paykit does. */
    readonly name: string;
    /** The bare baseline it is compared with. */
    readonly baseline: string;
    /** paykit operations per second. */
    readonly opsPerSec: number;
    /** Baseline operations per second. */
    readonly baselineOpsPerSec: number;
    /** opsPerSec / baselineOpsPerSec. */
    readonly ratio: number;
    /** The ratio the row should reach. */
    readonly target?: number;
  }
  /** A measured value (e.g. peak memory) with a target expressed in words. */
  | {
    readonly kind: 'metric';
    /** What was measured. */
    readonly name: string;
    /** The measured value, formatted. */
    readonly value: string;
    /** Whether it meets its target. */
    readonly meetsTarget?: boolean;
    /** The target, in words. */
    readonly target?: string;
  };

/** Options of {@link measureRatio}. */
export interface RatioOptions {
  /** Row name: what paykit does. */
  readonly name: string;
  /** Baseline name. */
  readonly baseline: string;
  /** One paykit operation. */
  readonly subject: () => unknown;
  /** One baseline operation on the same input. */
  readonly bare: () => unknown;
  /** Target ratio. */
  readonly target?: number;
  /** Rounds of alternating measurement (default 6). */
  readonly rounds?: number;
  /** Milliseconds per round and side (default 250). */
  readonly roundMs?: number;
}

async function opsIn(fn: () => unknown, ms: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16; i += 1) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    n += 16;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Measures a paykit path against a bare baseline in the same run, alternating rounds so drift
 * (CPU frequency, GC, other load) hits both sides alike; reports the median of each side.
 *
 * @example
 * ```ts
 * const row = await measureRatio({ name: 'verify notification', baseline: 'bare RSA-MD5 verify',
 *   subject: () => verify(raw), bare: () => createVerify('RSA-MD5').update(text).verify(key, sig, 'base64'), target: 0.8 });
 * ```
 */
export async function measureRatio(o: RatioOptions): Promise<BenchRow> {
  const rounds = o.rounds ?? 6;
  const roundMs = o.roundMs ?? 250;
  await opsIn(o.subject, 50);
  await opsIn(o.bare, 50);
  const subject: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    if (i % 2 === 0) {
      subject.push(await opsIn(o.subject, roundMs));
      bare.push(await opsIn(o.bare, roundMs));
    } else {
      bare.push(await opsIn(o.bare, roundMs));
      subject.push(await opsIn(o.subject, roundMs));
    }
  }
  const opsPerSec = median(subject);
  const baselineOpsPerSec = median(bare);
  return {
    kind: 'ratio', name: o.name, baseline: o.baseline, opsPerSec, baselineOpsPerSec,
    ratio: opsPerSec / baselineOpsPerSec, ...(o.target !== undefined ? { target: o.target } : {}),
  };
}

/** Whether a row meets its target (rows without a target always do). */
export function meetsTarget(row: BenchRow): boolean {
  if (row.kind === 'ratio') return row.target === undefined || row.ratio >= row.target;
  return row.meetsTarget !== false;
}

/** Formats rows as a plain-text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  const lines = rows.map((r) => (r.kind === 'ratio'
    ? [r.name, r.baseline, fmt(r.opsPerSec), fmt(r.baselineOpsPerSec), r.ratio.toFixed(2), r.target !== undefined ? `≥ ${r.target}` : '', meetsTarget(r) ? 'ok' : 'BELOW']
    : [r.name, '', r.value, '', '', r.target ?? '', meetsTarget(r) ? 'ok' : 'BELOW']));
  const header = ['row', 'baseline', 'ops/s (or value)', 'baseline ops/s', 'ratio', 'target', ''];
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  return all.map((l) => l.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
