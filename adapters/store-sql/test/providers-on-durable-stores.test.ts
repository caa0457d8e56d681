// Every landed provider's conformance suite, run again with paykit on the durable stores: the
// records each plugin writes (dates, money, payouts sealed with the record key, provider ledgers)
// survive the database exactly as the in-memory store keeps them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeProviderConformance, type ConformanceHarness, type ConformanceStore } from '@paykit/conformance';
import type { Store } from '@paykit/core';
import { conformanceHarness as allinpay } from '@paykit/provider-allinpay-mobile/testing';
import { conformanceHarness as example } from '@paykit/provider-example/testing';
import { conformanceHarness as lianlianPayout } from '@paykit/provider-lianlian-payout/testing';
import { conformanceHarness as lianlianWeb } from '@paykit/provider-lianlian-web/testing';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl } from './postgres-db.js';

const harnesses: readonly (() => ConformanceHarness)[] = [example, lianlianWeb, lianlianPayout, allinpay];
const recordKey = randomBytes(32).toString('base64');

async function must(config: Parameters<typeof openStore>[0]): Promise<DurableStore> {
  const r = await openStore(config);
  if (r.isErr()) throw new Error(r.error.message);
  return r.value as DurableStore;
}

function pglite(): ConformanceStore {
  const dirs = new Map<Store, string>();
  return {
    name: 'PGlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'paykit-conformance-'));
      const store = await must({ kind: 'pglite', dataDir: dir, recordKey });
      dirs.set(store, dir);
      return store;
    },
    async close(store) {
      await (store as DurableStore).close();
      rmSync(dirs.get(store) as string, { recursive: true, force: true });
    },
  };
}

function postgres(url: string): ConformanceStore {
  const drops = new Map<Store, () => Promise<void>>();
  return {
    name: 'PostgreSQL',
    async open() {
      const db = await freshDatabase(url);
      const store = await must({ kind: 'postgres', url: db.url, recordKey });
      drops.set(store, db.drop);
      return store;
    },
    async close(store) {
      await (store as DurableStore).close();
      await drops.get(store)?.();
    },
  };
}

for (const harness of harnesses) describeProviderConformance(harness(), { store: pglite() });
if (postgresUrl) {
  for (const harness of harnesses) describeProviderConformance(harness(), { store: postgres(postgresUrl) });
} else {
  describe('provider conformance on PostgreSQL', () => {
    it('is skipped: set DATABASE_URL (e.g. bash .ci/postgres.sh) to run it', function () {
      console.log('      [skipped] provider conformance on PostgreSQL: set DATABASE_URL to run it');
      this.skip();
    });
  });
}
