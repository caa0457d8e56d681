import { openBenchDb, seedPayments } from './adapters/store-sql/bench/reconcile.js';
const N = Number(process.argv[2] ?? 300000);
const db = await openBenchDb('pglite');
await seedPayments(db.client, N);
async function walk(label: string, sql: string, page: number, tx: boolean, parse = false) {
  const t = performance.now(); let after = ''; let n = 0;
  for (;;) {
    const run = async (q: (s: string, p: unknown[]) => Promise<readonly Record<string, unknown>[]>) => { if (tx) { await q('SET LOCAL enable_bitmapscan = off', []); await q('SET LOCAL enable_seqscan = off', []); } return q(sql, ['payment', after, page]); };
    const rows = tx ? await db.client.transaction((q) => run(q as never)) : await run((s, p) => db.client.query(s, p));
    if (parse) for (const r of rows) JSON.parse(r.value as string);
    n += rows.length; if (rows.length < page) break; after = String(rows.at(-1)!.id);
  }
  console.log(label, n, (performance.now() - t).toFixed(0), 'ms');
}
for (let k = 0; k < 2; k++) {
await walk('ids', `SELECT id FROM paykit_records WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`, 2000, false);
await walk('values json tx', `SELECT id, version, value FROM paykit_records WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`, 2000, true);
await walk('values json notx', `SELECT id, version, value FROM paykit_records WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`, 2000, false);
await walk('values text+parse', `SELECT id, version, value::text AS value FROM paykit_records WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`, 2000, false, true);
await walk('values json 10000', `SELECT id, version, value FROM paykit_records WHERE kind = $1 AND id > $2 ORDER BY id LIMIT $3`, 10000, true);
}
await db.drop();
