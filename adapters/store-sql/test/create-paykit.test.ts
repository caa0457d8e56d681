/**
 * createPaykit with a PGlite store section, as a merchant's app starts: a bad config must fail before
 * the database is opened (opening PGlite takes seconds and creates the data folder), and
 * paykit.close() must let the database go so the folder can be opened again.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createPaykit, type PaymentError, type StoredPayment } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { openStore } from '../src/index.js';

const OPTIONS = { merchantId: 'M100200', key: 'env:EXAMPLE_KEY', baseUrl: 'http://127.0.0.1:9', notifyUrl: 'https://shop.example/notify' };
const ENV = { EXAMPLE_KEY: 'example-test-key' };

describe('createPaykit with a PGlite store', function () {
  this.timeout(60_000);
  let baseDir: string;
  beforeEach(function () { baseDir = mkdtempSync(join(tmpdir(), 'paykit-create-')); });
  afterEach(function () { rmSync(baseDir, { recursive: true, force: true }); });

  const BAD: readonly (readonly [string, unknown, string])[] = [
    ['an option its plugin refuses', { instances: { shop: { plugin: 'example', options: { ...OPTIONS, baseUrl: 'not a url' } } } }, 'config.instances.shop.options.baseUrl'],
    ['an unset environment variable', { instances: { shop: { plugin: 'example', options: { ...OPTIONS, key: 'env:UNSET_EXAMPLE_KEY' } } } }, 'config.instances.shop.options.key'],
    ['a route to a capability its instance lacks', { instances: { shop: { plugin: 'example', options: OPTIONS } }, routes: { payouts: 'shop' } }, 'config.routes.payouts'],
  ];
  for (const [what, config, path] of BAD) {
    context(`when the config has ${what}`, function () {
      it('fails with InvalidConfig naming it and leaves no data folder', async function () {
        const dataDir = join(baseDir, 'paykit-data');
        const r = await createPaykit({ ...(config as object), store: { kind: 'pglite', dataDir: './paykit-data' } }, { plugins: [examplePlugin], openStore, env: ENV, baseDir });
        const e = r._unsafeUnwrapErr() as PaymentError;
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.path).to.equal(path);
        expect(existsSync(dataDir), 'the data folder must not be created for a bad config').to.equal(false);
      });
    });
  }

  context('when the config is valid', function () {
    it('opens the database in the data folder; after paykit.close() the folder opens again, the record in it', async function () {
      const config = { instances: { shop: { plugin: 'example', options: OPTIONS } }, store: { kind: 'pglite', dataDir: './paykit-data' } };
      const paykit = (await createPaykit(config, { plugins: [examplePlugin], openStore, env: ENV, baseDir }))._unsafeUnwrap();
      expect(existsSync(join(baseDir, 'paykit-data'))).to.equal(true);
      const created = await paykit.payments.create({ orderId: 'CLOSE1', amount: { amount: 4965, currency: 'CNY' }, description: 'Tea' });
      expect(created.isOk(), created.isErr() ? created.error.message : '').to.equal(true);
      expect((await paykit.close()).isOk()).to.equal(true);

      const again = (await openStore({ kind: 'pglite', dataDir: join(baseDir, 'paykit-data') }))._unsafeUnwrap();
      try {
        const record = (await again.get<StoredPayment>('payment', 'CLOSE1'))._unsafeUnwrap();
        expect(record?.value.status).to.equal('pending');
      } finally {
        await (again as { close(): PromiseLike<unknown> }).close();
      }
    });
  });
});

describe('openStore called directly (rule 3)', function () {
  it('answers a config or options of any shape with an InvalidConfig error naming what to fix, and opens nothing', async function () {
    const hostile = new Proxy({}, { get() { throw new Error('proxy get'); }, has() { throw new Error('proxy has'); }, ownKeys() { throw new Error('proxy keys'); } });
    const cases: [unknown, unknown][] = [
      [null, undefined], [undefined, undefined], ['pglite', undefined], [{ kind: 'sqlite' }, undefined], [{ kind: 'pglite', dataDir: 5 }, undefined],
      [{ kind: 'postgres' }, undefined], [hostile, undefined], [{ kind: 'memory' }, null], [{ kind: 'memory' }, { baseDir: 5 }], [{ kind: 'memory' }, { maxConnections: 0 }],
    ];
    for (const [i, [config, options]] of cases.entries()) {
      let r: Awaited<ReturnType<typeof openStore>> | undefined;
      try {
        r = await openStore(config as never, options as never);
      } catch (e) {
        expect.fail(`openStore threw ${String((e as Error)?.message ?? e)} for case ${i}`);
      }
      expect(r?.isErr(), `case ${i}`).to.equal(true);
      const e = r?._unsafeUnwrapErr() as PaymentError;
      expect(['InvalidConfig', 'Internal']).to.include(e.kind);
    }
    const first = (await openStore(null as never))._unsafeUnwrapErr();
    expect(first).to.deep.include({ kind: 'InvalidConfig', path: 'store' });
    expect((await openStore({ kind: 'memory' }))._unsafeUnwrap()).to.be.an('object');
  });
});
