import { openBenchDb, seedPayments, benchStatementPlugin } from './adapters/store-sql/bench/reconcile.js';
import { createPaykit } from './core/src/index.js';
import { SqlStore } from './adapters/store-sql/src/index.js';
const N = Number(process.argv[2] ?? 100000);
const db = await openBenchDb('pglite');
await seedPayments(db.client, N);
const store = new SqlStore(db.client, 1);
const paykit = (await createPaykit({ instances: { shop: { plugin: 'bench-statement', options: {} } } }, { plugins: [benchStatementPlugin(N)], store }))._unsafeUnwrap();
for (let k = 0; k < 2; k++) {
  let t = performance.now(); let last = '';
  const r = await paykit.reconcile({ instance: 'shop', date: '2026-12-01' }, { onProgress: (p) => { if (p.phase !== last) { console.log(last, (performance.now() - t).toFixed(0)); t = performance.now(); last = p.phase; } } });
  console.log(last, (performance.now() - t).toFixed(0), r.isOk());
}
let t = performance.now();
let after: string | undefined; let n = 0;
for (;;) { const p = (await store.listPage('payment', { limit: 2000, ...(after ? { after } : {}) }))._unsafeUnwrap(); n += p.length; if (p.length < 2000) break; after = p.at(-1)!.id; }
console.log('listPage walk', n, (performance.now() - t).toFixed(0));
await db.drop();
