import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgliteClient, SqlStore, RecordSealer } from '../src/index.js';

const ACCOUNT = '6222020200112233445';
const payout = { payoutId: 'PO1', status: 'unknown', amount: { amount: 12_345, currency: 'CNY' }, request: { account: { type: 'private', accountNumber: ACCOUNT, accountName: '张三' } }, createdAt: new Date('2026-11-22T01:02:03Z') };

describe('payout records at rest', function () {
  this.timeout(60_000);
  let dir: string;
  let db: PGlite;
  const key = randomBytes(32).toString('base64');
  const sealer = (k = key) => RecordSealer.fromBase64(k)._unsafeUnwrap();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paykit-seal-'));
    db = await PGlite.create(dir);
    await migrate(pgliteClient(db));
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  context('when a record key is configured', () => {
    it('stores no account number readable in the database, keeps the status readable, and reads the payout back whole', async () => {
      const store = new SqlStore(pgliteClient(db), 1, sealer());
      (await store.insert('payout', 'PO1', payout))._unsafeUnwrap();
      const raw = await db.query<{ status: string; value: unknown }>("SELECT status, value::text AS value FROM paykit_records WHERE kind = 'payout'");
      expect(raw.rows[0]?.status).to.equal('unknown');
      expect(String(raw.rows[0]?.value)).not.to.contain(ACCOUNT);
      expect(String(raw.rows[0]?.value)).not.to.contain('张三');
      expect((await store.get('payout', 'PO1'))._unsafeUnwrap()).to.deep.equal({ version: 1, value: payout });
      expect((await store.list('payout', { statuses: ['unknown'] }))._unsafeUnwrap()).to.deep.equal([{ version: 1, value: payout }]);
    });

    it('refuses a sealed value copied onto another payout (the id is authenticated with it)', async () => {
      const store = new SqlStore(pgliteClient(db), 1, sealer());
      (await store.insert('payout', 'PO1', payout))._unsafeUnwrap();
      (await store.insert('payout', 'PO2', { ...payout, payoutId: 'PO2' }))._unsafeUnwrap();
      await db.query("UPDATE paykit_records SET value = (SELECT value FROM paykit_records WHERE kind = 'payout' AND id = 'PO1') WHERE kind = 'payout' AND id = 'PO2'");
      const e = (await store.get('payout', 'PO2'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
      expect((await store.get('payout', 'PO1'))._unsafeUnwrap()?.value).to.deep.equal(payout);
    });

    it('refuses to open with another key, and never prints either key', async () => {
      (await new SqlStore(pgliteClient(db), 1, sealer()).insert('payout', 'PO1', payout))._unsafeUnwrap();
      const other = randomBytes(32).toString('base64');
      const e = (await new SqlStore(pgliteClient(db), 1, sealer(other)).get('payout', 'PO1'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
      expect(JSON.stringify(e)).not.to.contain(key).and.not.to.contain(other);
      expect(JSON.stringify(sealer())).not.to.contain(key);
    });
  });

  context('when no record key is configured', () => {
    it('refuses to write a payout, says how to configure the key, and writes nothing', async () => {
      const store = new SqlStore(pgliteClient(db), 1);
      const e = (await store.insert('payout', 'PO1', payout))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.contain('store.recordKey');
      expect((await db.query("SELECT 1 FROM paykit_records WHERE kind = 'payout'")).rows).to.have.length(0);
    });

    it('still stores payments in the clear (they hold no account number)', async () => {
      const store = new SqlStore(pgliteClient(db), 1);
      (await store.insert('payment', 'A1', { status: 'pending' }))._unsafeUnwrap();
      expect((await store.get('payment', 'A1'))._unsafeUnwrap()?.value).to.deep.equal({ status: 'pending' });
    });
  });

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
