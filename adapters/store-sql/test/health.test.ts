import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import { createPaykit } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { MIGRATIONS, migrate, pgliteClient, SqlStore } from '../src/index.js';

const exampleOptions = { merchantId: 'M100200300', key: 'example-health-key-0123456789', baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' };

describe('SQL store readiness (paykit.health)', function () {
  this.timeout(60_000);
  let db: PGlite;
  beforeEach(async () => {
    db = await PGlite.create();
  });
  afterEach(async () => {
    await db.close();
  });

  async function paykitOn(store: SqlStore) {
    return (await createPaykit({ instances: { shop: { plugin: 'example', options: exampleOptions } } }, { plugins: [examplePlugin], store }))._unsafeUnwrap();
  }

  context('when every migration is applied', () => {
    it('reports the applied versions beside the expected ones, and paykit is ready', async () => {
      const client = pgliteClient(db);
      await migrate(client);
      const store = new SqlStore(client);
      const health = (await store.health())._unsafeUnwrap();
      expect(health.migrations?.applied).to.deep.equal(MIGRATIONS.map((m) => m.version));
      expect(health.migrations?.expected).to.deep.equal(MIGRATIONS.map((m) => m.version));
      const report = (await (await paykitOn(store)).health())._unsafeUnwrap();
      expect(report.ready).to.equal(true);
      expect(report.checks.migrations.detail).to.equal(`schema at version ${Math.max(...MIGRATIONS.map((m) => m.version))}: every migration applied`);
    });
  });

  context('when the database misses the latest migration', () => {
    it('is not ready, and says which migration to apply', async () => {
      const older = MIGRATIONS.slice(0, -1);
      const latest = MIGRATIONS.at(-1)?.version;
      const client = pgliteClient(db);
      await migrate(client, older);
      const report = (await (await paykitOn(new SqlStore(client))).health())._unsafeUnwrap();
      expect(report.ready).to.equal(false);
      expect(report.checks.store.ok).to.equal(true);
      expect(report.checks.migrations).to.deep.equal({ ok: false, detail: `migrations ${latest} are not applied: open the store with openStore (it migrates) or run the migrations` });
    });
  });

  context('when the database is gone', () => {
    it('is not ready: the store did not answer', async () => {
      const client = pgliteClient(db);
      await migrate(client);
      const paykit = await paykitOn(new SqlStore(client));
      await db.close();
      const report = (await paykit.health())._unsafeUnwrap();
      expect(report.ready).to.equal(false);
      expect(report.checks.store.ok).to.equal(false);
      expect(report.checks.migrations).to.deep.equal({ ok: false, detail: 'not checked: the store did not answer' });
      db = await PGlite.create();
    });
  });
});
