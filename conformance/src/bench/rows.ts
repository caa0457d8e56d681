/**
 * What a benchmark row declares. A bench file (`<package>/bench/*.bench.ts`) exports `rows`, an
 * array of these; `npm run bench` runs each row in child processes of its own (see `run-all.ts`).
 */

/** One operation of a side: called over and over while the side is measured; may return a promise. */
export type Operation = () => unknown;

/** One side of a ratio row: what it does, and how to get ready to do it. */
export interface Side {
  /** What this side does, in words (printed in the table). */
  readonly name: string;
  /**
   * Runs once in the side's own process, before any measurement: builds the input, checks that the
   * side gives the expected answer on it, and returns the operation to measure.
   */
  readonly setup: () => Operation | Promise<Operation>;
}

/**
 * A throughput ratio: `subject` and `baseline` each run in a child process of their own, measured
 * in alternating rounds (subject, baseline, subject, baseline…); the row's figure is the median of
 * the per-pair ratios subject ops/s ÷ baseline ops/s, printed with its min–max.
 */
export interface RatioRow {
  /** `ratio`. */
  readonly kind: 'ratio';
  /** Unique id, `<package>.<what>` (what `--only` takes). */
  readonly id: string;
  /** What paykit does. */
  readonly subject: Side;
  /** What it is compared with, on the same input. */
  readonly baseline: Side;
  /** The median ratio must be at least this; a row without one is a reference row. */
  readonly target?: number;
  /** Units of work in one operation, to print a rate (e.g. 2,000 lines per parse). */
  readonly perOp?: { readonly count: number; readonly unit: string };
  /** Each side's warm-up before its first round, in ms, when longer than the default 300 ms. */
  readonly warmMs?: number;
  /** Each round's length in ms, when longer than the run's (`--round-ms`, default 500): for a side whose calls take milliseconds. */
  readonly roundMs?: number;
  /** Why the row is not run here (e.g. no `DATABASE_URL`); undefined when it runs. */
  readonly skip?: () => string | undefined;
}

/** A target on a measured figure: its median must be below (`<`) or at least (`≥`) `value`. */
export interface FigureTarget {
  /** `<` or `≥`. */
  readonly op: '<' | '≥';
  /** The bound, in the figure's unit. */
  readonly value: number;
}

/** One measured figure of a {@link MeasureRow}: its samples (one per round) and unit. */
export interface Figure {
  /** What it is, e.g. `ack p99, 32 in flight`. */
  readonly name: string;
  /** Unit printed after the number, e.g. `ms`, `MB`, `×`. */
  readonly unit: string;
  /** One value per round; the table prints their median and min–max. */
  readonly samples: readonly number[];
  /** The target on the median, if any. */
  readonly target?: FigureTarget;
}

/** Options a measured row gets from the command line. */
export interface MeasureOptions {
  /** Rounds to run (`--pairs`, default 7; the figure's samples). */
  readonly rounds: number;
  /** `--quick`: shorter rounds, for checking that rows work; never for published figures. */
  readonly quick: boolean;
}

/**
 * A row that measures something other than a ratio (latency percentiles, peak memory, overhead),
 * in one child process of its own. `run` returns its figures.
 */
export interface MeasureRow {
  /** `measure`. */
  readonly kind: 'measure';
  /** Unique id, `<package>.<what>`. */
  readonly id: string;
  /** What is measured, in words. */
  readonly name: string;
  /** Runs in the row's own process. */
  readonly run: (options: MeasureOptions) => Promise<readonly Figure[]>;
  /** Why the row is not run here; undefined when it runs. */
  readonly skip?: () => string | undefined;
}

/** A row of the benchmark table. */
export type BenchRow = RatioRow | MeasureRow;

/**
 * Declares a ratio row.
 *
 * @example
 * ```ts
 * export const rows = [ratio({
 *   id: 'core.md5-sign', target: 0.8,
 *   subject: { name: 'kvString + md5Hex', setup: () => () => md5Hex(kvString(fields, { order: 'sorted' })) },
 *   baseline: { name: 'bare join + createHash', setup: () => () => createHash('md5').update(text).digest('hex') },
 * })];
 * ```
 */
export function ratio(row: Omit<RatioRow, 'kind'>): RatioRow {
  return { kind: 'ratio', ...row };
}

/** Declares a measured row (see {@link MeasureRow}). */
export function measure(row: Omit<MeasureRow, 'kind'>): MeasureRow {
  return { kind: 'measure', ...row };
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The `p`-th percentile (0–100) of some numbers, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] as number;
}

/** Whether a median meets a target (no target: always). */
export function meets(value: number, target: FigureTarget | undefined): boolean {
  if (target === undefined) return true;
  return target.op === '<' ? value < target.value : value >= target.value;
}
