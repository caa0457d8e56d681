import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate, pgliteClient, pgPoolClient, SqlStore, RecordSealer, type SqlClient } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';

const ACCOUNT = '6222020200112233445';
const payout = { payoutId: 'PO1', status: 'unknown', amount: { amount: 12_345, currency: 'CNY' }, request: { account: { type: 'private', accountNumber: ACCOUNT, accountName: '张三' } }, createdAt: new Date('2026-11-22T01:02:03Z') };

interface Backend {
  readonly name: string;
  open(): Promise<{ client: SqlClient; done: () => Promise<void> }>;
}

const backends: readonly Backend[] = [
  {
    name: 'PGlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'paykit-seal-'));
      const client = pgliteClient(await PGlite.create(dir));
      return { client, done: async () => { await client.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'PostgreSQL (DATABASE_URL)',
    async open() {
      const db = await freshDatabase(postgresUrl as string);
      const client = pgPoolClient(new pg.Pool({ connectionString: db.url, max: 2 }));
      return { client, done: async () => { await client.close(); await db.drop(); } };
    },
  },
];

for (const backend of backends) describe(`payout records at rest on ${backend.name}`, function () {
  this.timeout(60_000);
  let db: SqlClient;
  let done: () => Promise<void>;
  const key = randomBytes(32).toString('base64');
  const sealer = (k = key) => RecordSealer.fromBase64(k)._unsafeUnwrap();

  before(function () {
    if (backend.name.startsWith('PostgreSQL')) skipWithoutPostgres(this, 'payout sealing on PostgreSQL');
  });
  beforeEach(async () => {
    ({ client: db, done } = await backend.open());
    await migrate(db);
  });
  afterEach(async () => {
    await done();
  });

  context('when a record key is configured', () => {
    it('stores no account number readable in the database, keeps the status readable, and reads the payout back whole', async () => {
      const store = new SqlStore(db, 1, sealer());
      (await store.insert('payout', 'PO1', payout))._unsafeUnwrap();
      const raw = await db.query("SELECT status, value::text AS value FROM paykit_records WHERE kind = 'payout'");
      expect(raw[0]?.status).to.equal('unknown');
      expect(String(raw[0]?.value)).not.to.contain(ACCOUNT);
      expect(String(raw[0]?.value)).not.to.contain('张三');
      expect((await store.get('payout', 'PO1'))._unsafeUnwrap()).to.deep.equal({ version: 1, value: payout });
      expect((await store.list('payout', { statuses: ['unknown'] }))._unsafeUnwrap()).to.deep.equal([{ version: 1, value: payout }]);
    });

    it('refuses a sealed value copied onto another payout (the id is authenticated with it)', async () => {
      const store = new SqlStore(db, 1, sealer());
      (await store.insert('payout', 'PO1', payout))._unsafeUnwrap();
      (await store.insert('payout', 'PO2', { ...payout, payoutId: 'PO2' }))._unsafeUnwrap();
      await db.query("UPDATE paykit_records SET value = (SELECT value FROM paykit_records WHERE kind = 'payout' AND id = 'PO1') WHERE kind = 'payout' AND id = 'PO2'");
      const e = (await store.get('payout', 'PO2'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
      expect((await store.get('payout', 'PO1'))._unsafeUnwrap()?.value).to.deep.equal(payout);
    });

    it('refuses to open with another key, and never prints either key', async () => {
      (await new SqlStore(db, 1, sealer()).insert('payout', 'PO1', payout))._unsafeUnwrap();
      const other = randomBytes(32).toString('base64');
      const e = (await new SqlStore(db, 1, sealer(other)).get('payout', 'PO1'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
      expect(JSON.stringify(e)).not.to.contain(key).and.not.to.contain(other);
      expect(JSON.stringify(sealer())).not.to.contain(key);
    });
  });

  context('when no record key is configured', () => {
    it('refuses to write a payout, says how to configure the key, and writes nothing', async () => {
      const store = new SqlStore(db, 1);
      const e = (await store.insert('payout', 'PO1', payout))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.contain('store.recordKey');
      expect(await db.query("SELECT 1 FROM paykit_records WHERE kind = 'payout'")).to.have.length(0);
    });

    it('still stores payments in the clear (they hold no account number)', async () => {
      const store = new SqlStore(db, 1);
      (await store.insert('payment', 'A1', { status: 'pending' }))._unsafeUnwrap();
      expect((await store.get('payment', 'A1'))._unsafeUnwrap()?.value).to.deep.equal({ status: 'pending' });
    });
  });
});

describe('store.recordKey', () => {
  context('when the configured key is not 32 bytes of base64', () => {
    for (const bad of ['', 'not base64!', randomBytes(16).toString('base64'), `${randomBytes(32).toString('base64')}\n junk`]) {
      it(`refuses ${JSON.stringify(bad.slice(0, 12))}… with InvalidConfig naming store.recordKey and not echoing it`, () => {
        const e = RecordSealer.fromBase64(bad)._unsafeUnwrapErr();
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.message).to.contain('store.recordKey');
        if (bad.length > 4) expect(e.message).not.to.contain(bad.trim());
      });
    }
  });
});
