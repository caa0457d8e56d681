/**
 * Reconciliation rows (issue 16): `paykit.reconcile` of a day of 1 000 000 statement lines against
 * 1 000 000 ledger records, against a bare ordered merge-join of the same two sorted key lists, on
 * PGlite (on its worker thread, as openStore opens it) and on PostgreSQL; and the peak memory of a
 * process reconciling 100 000 and 1 000 000 (the larger must stay under 1.5× the smaller: both
 * sides stream). Each side seeds its own database by a SQL bulk load in its setup. The work itself
 * is in `reconcile.ts` (also runnable on its own: see its header).
 *
 * `PAYKIT_BENCH_RECONCILE_LINES=20000 npm run bench -- --quick --only store-sql.reconcile.pglite`
 * checks the rows quickly; the published figures are the 1 000 000 ones.
 */
import { atExit, measure, ratio, type Side } from '@paykit/conformance/bench';
import { BENCH_LINES, bareMergeJoinSide, openBenchDb, peakMemory, reconcileSide, seedPayments } from './reconcile.js';
import { withoutPostgres } from './stores.js';

function side(kind: 'pglite' | 'postgres', what: 'reconcile' | 'bare'): Side {
  const db = kind === 'pglite' ? 'PGlite (worker thread)' : 'PostgreSQL';
  return {
    name: what === 'reconcile'
      ? `paykit.reconcile: ${BENCH_LINES} lines (scrambled file order, sorted on disk) against ${BENCH_LINES} records walked by listLedgerPage, ${db}`
      : `bare merge-join: the lines' order numbers sorted in memory, the records' ids read in order (index only), ${db}`,
    setup: async () => {
      const opened = await openBenchDb(kind);
      atExit(() => opened.drop());
      await seedPayments(opened.client, BENCH_LINES);
      return what === 'reconcile' ? reconcileSide(opened, BENCH_LINES) : bareMergeJoinSide(opened, BENCH_LINES);
    },
  };
}

function memoryRow(kind: 'pglite' | 'postgres'): ReturnType<typeof measure> {
  return measure({
    id: `store-sql.reconcile.memory.${kind}`,
    name: `peak RSS of a process reconciling ${BENCH_LINES / 10} and ${BENCH_LINES} lines against as many records, ${kind === 'pglite' ? 'PGlite (worker thread, in the process)' : 'PostgreSQL'}`,
    ...(kind === 'postgres' ? { skip: withoutPostgres } : {}),
    run: async (options) => {
      const rounds = options.quick ? 1 : Math.min(options.rounds, 3);
      const small: number[] = [];
      const large: number[] = [];
      for (let r = 0; r < rounds; r += 1) {
        small.push((await peakMemory(kind, BENCH_LINES / 10)).rssMb);
        large.push((await peakMemory(kind, BENCH_LINES)).rssMb);
      }
      return [
        { name: `peak RSS, ${BENCH_LINES / 10} lines`, unit: 'MB', samples: small },
        { name: `peak RSS, ${BENCH_LINES} lines`, unit: 'MB', samples: large },
        { name: 'larger ÷ smaller', unit: '×', samples: large.map((l, i) => l / (small[i] as number)), target: { op: '<', value: 1.5 } },
      ];
    },
  });
}

const perOp = { count: BENCH_LINES, unit: 'lines' };

/** The reconciliation rows. */
export const rows = [
  ratio({ id: 'store-sql.reconcile.pglite', subject: side('pglite', 'reconcile'), baseline: side('pglite', 'bare'), target: 0.3, perOp }),
  ratio({ id: 'store-sql.reconcile.postgres', subject: side('postgres', 'reconcile'), baseline: side('postgres', 'bare'), target: 0.3, perOp, skip: withoutPostgres }),
  memoryRow('pglite'),
  memoryRow('postgres'),
];
