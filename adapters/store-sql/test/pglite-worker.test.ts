import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Store } from '@paykit/core';
import { describeStoreConformance } from '@paykit/conformance/store';
import { PGlite } from '@electric-sql/pglite';
import { databaseError, migrate, pgliteClient, pgliteWorkerClient, RecordSealer, SqlStore, type SqlClient } from '../src/index.js';

const sealer = RecordSealer.fromBase64(randomBytes(32).toString('base64'))._unsafeUnwrap();

/**
 * openStore runs PGlite on a worker thread, and store-contract.test.ts runs the contract through
 * it; the main-thread client (pgliteClient, for those who build SqlStore themselves) keeps its run here.
 */
async function storeOn(dir: string): Promise<SqlStore> {
  const client = pgliteClient(await PGlite.create(dir));
  await migrate(client);
  return new SqlStore(client, 1, sealer);
}

const dirs = new Map<Store, string>();
describeStoreConformance({
  name: 'PGlite on the main thread (pgliteClient)',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'paykit-pglite-worker-'));
    const s = await storeOn(dir);
    dirs.set(s, dir);
    return s;
  },
  async close(s) {
    await (s as SqlStore).close();
    const dir = dirs.get(s);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
  async reopen(s) {
    const dir = dirs.get(s) as string;
    await (s as SqlStore).close();
    const again = await storeOn(dir);
    dirs.set(again, dir);
    return again;
  },
});

describe('PGlite worker client', () => {
  let client: SqlClient;
  beforeEach(async () => {
    client = await pgliteWorkerClient('memory://');
  });
  afterEach(async () => {
    await client.close();
  });

  context('when a statement fails', () => {
    it('rejects with the SQLSTATE, which the store maps as it does on the main thread', async () => {
      const e = await client.query('SELECT * FROM no_such_table').then(() => undefined, (x: unknown) => x);
      expect((e as { code?: string }).code).to.equal('42P01');
      const mapped = databaseError('get', e, 'pglite');
      expect(mapped.kind).to.equal('Internal');
      expect(mapped.message).to.contain('SQLSTATE 42P01');
    });
  });

  context('when a transaction', () => {
    it('commits what its work did when the work resolves', async () => {
      const out = await client.transaction(async (q) => {
        await q('CREATE TABLE kept (n int)');
        await q('INSERT INTO kept VALUES ($1)', [7]);
        return 'done';
      });
      expect(out).to.equal('done');
      expect(await client.query('SELECT n FROM kept')).to.deep.equal([{ n: 7 }]);
    });

    it('rolls back everything and passes the error on when the work rejects', async () => {
      const e = await client.transaction(async (q) => {
        await q('CREATE TABLE dropped (n int)');
        throw new Error('work failed');
      }).then(() => undefined, (x: unknown) => x);
      expect((e as Error).message).to.equal('work failed');
      expect(await client.query("SELECT to_regclass('dropped') AS t")).to.deep.equal([{ t: null }]);
    });

    it('keeps other statements out until it ends', async () => {
      await client.query('CREATE TABLE t (n int)');
      const order: string[] = [];
      const tx = client.transaction(async (q) => {
        await q('INSERT INTO t VALUES (1)');
        await new Promise((r) => setTimeout(r, 50));
        order.push('tx end');
      });
      const outside = client.query('SELECT count(*)::int AS n FROM t').then((rows) => {
        order.push('outside');
        return rows;
      });
      await tx;
      expect(await outside).to.deep.equal([{ n: 1 }]);
      expect(order).to.deep.equal(['tx end', 'outside']);
    });
  });

  context('when the database is busy with a long statement', () => {
    it('leaves the main thread free to run other work meanwhile', async () => {
      let ticks = 0;
      const timer = setInterval(() => {
        ticks += 1;
      }, 10);
      const rows = await client.query('SELECT count(*)::int AS n FROM generate_series(1, 3000000)');
      clearInterval(timer);
      expect(rows).to.deep.equal([{ n: 3_000_000 }]);
      // On the main thread the statement blocks the event loop, and no tick runs until it ends.
      expect(ticks).to.be.greaterThan(2);
    });
  });

  context('when closed', () => {
    it('rejects later statements instead of leaving them waiting', async () => {
      const other = await pgliteWorkerClient('memory://');
      await other.close();
      const e = await other.query('SELECT 1').then(() => undefined, (x: unknown) => x);
      expect((e as Error).message).to.match(/PGlite worker stopped/);
    });
  });
});
