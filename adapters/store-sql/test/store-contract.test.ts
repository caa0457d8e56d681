import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryStore, type Store } from '@paykit/core';
import { describeEventConformance, describeStoreConformance, type StoreUnderTest } from '@paykit/conformance/store';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

/** A record key made for this run (the contract stores payouts, which durable stores seal). */
const recordKey = randomBytes(32).toString('base64');

async function open(config: Parameters<typeof openStore>[0]): Promise<DurableStore> {
  const r = await openStore(config);
  if (r.isErr()) throw new Error(r.error.message);
  return r.value as DurableStore;
}

describeStoreConformance({ name: 'in memory', open: async () => new InMemoryStore() });
describeEventConformance({ name: 'in memory', open: async () => new InMemoryStore() });

const dirs = new Map<Store, string>();
const pglite: StoreUnderTest = {
  name: 'PGlite in a data directory (openStore: on a worker thread)',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'paykit-pglite-'));
    const s = await open({ kind: 'pglite', dataDir: dir, recordKey });
    dirs.set(s, dir);
    return s;
  },
  async close(s) {
    await (s as DurableStore).close();
    const dir = dirs.get(s);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  async reopen(s) {
    const dir = dirs.get(s) as string;
    await (s as DurableStore).close();
    const again = await open({ kind: 'pglite', dataDir: dir, recordKey });
    dirs.set(again, dir);
    return again;
  },
};
describeStoreConformance(pglite);
describeEventConformance(pglite);

const drops = new Map<Store, { url: string; drop: () => Promise<void> }>();
describe('PostgreSQL (DATABASE_URL)', function () {
  before(function () {
    skipWithoutPostgres(this, 'store contract on PostgreSQL');
  });
  const postgres: StoreUnderTest = {
    name: 'PostgreSQL server',
    async open() {
      const db = await freshDatabase(postgresUrl as string);
      const s = await open({ kind: 'postgres', url: db.url, recordKey });
      drops.set(s, db);
      return s;
    },
    async close(s) {
      await (s as DurableStore).close();
      await drops.get(s)?.drop();
    },
    async reopen(s) {
      const db = drops.get(s) as { url: string; drop: () => Promise<void> };
      await (s as DurableStore).close();
      const again = await open({ kind: 'postgres', url: db.url, recordKey });
      drops.set(again, db);
      return again;
    },
  };
  describeStoreConformance(postgres);
  describeEventConformance(postgres);
});
