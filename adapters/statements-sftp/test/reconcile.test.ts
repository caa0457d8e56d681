import { expect } from 'chai';
import { createPaykit, InMemoryStore, type Paykit } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { testKeys, TEST_MD5_KEY } from '@paykit/provider-lianlian-web/testing';
import { reconcileOverSftp } from '../src/index.js';
import { connectionTo, dayFiles, GBK_DAY, PARTNER, removeDir, tempDir, writeFiles } from './helpers/fixtures.js';
import { TestSftpServer } from './helpers/sftp-server.js';

describe('reconcileOverSftp', () => {
  let remote: string;
  let local: string;
  let server: TestSftpServer;
  let paykit: Paykit;

  beforeEach(async () => {
    remote = tempDir('remote');
    local = tempDir('local');
    writeFiles(remote, dayFiles(GBK_DAY));
    server = await TestSftpServer.start(remote);
    paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: {
      oidPartner: PARTNER, signType: 'MD5', md5Key: TEST_MD5_KEY, lianlianPublicKey: testKeys.lianlianPublic, notifyUrl: 'https://shop.example/notify', goodsCategory: '1002',
    } } } }, { plugins: [lianlianWebPlugin], store: new InMemoryStore() }))._unsafeUnwrap();
    // The shop recorded A1 paid and A5 paid (a notification each); A2 it never heard of.
    for (const [orderId, amount] of [['A1', 21097], ['A5', 1]] as const) {
      (await paykit.payments.create({ orderId, amount: { amount, currency: 'CNY' }, description: '羽毛球', payer: { id: 'U', ip: '1.2.3.4', registeredAt: new Date('2023-01-01T00:00:00Z') } }))._unsafeUnwrap();
      (await paykit.payments.apply({ orderId, status: 'succeeded', amount: { amount, currency: 'CNY' }, settleDate: GBK_DAY.day }))._unsafeUnwrap();
    }
  });

  afterEach(async () => {
    await server.close();
    removeDir(remote);
    removeDir(local);
  });

  it('fetches the day\'s files and reconciles the instance with them, JYMXSUM checked', async () => {
    const report = (await reconcileOverSftp(paykit, { instance: 'shop', date: '2024-01-01' }, {
      connection: connectionTo(server), remoteDir: '/', localDir: local, partnerId: PARTNER,
    }))._unsafeUnwrap();
    expect(report.sources).to.deep.equal([`JYMX_${PARTNER}_20240101.txt`, `JYMXSUM_${PARTNER}_20240101.txt`]);
    expect(report.selfChecks).to.deep.equal([{ source: `JYMXSUM_${PARTNER}_20240101.txt`, agrees: true }]);
    // A2 was paid and refunded in full at LianLian; the shop has no record of it.
    expect(report.discrepancies.map((d) => [d.kind, d.subject?.id]).sort()).to.deep.equal([['missing_in_paykit', 'A2'], ['missing_in_paykit', 'RA2']]);
    expect(server.opens.sort()).to.deep.equal([`FKMX_${PARTNER}_20240101.txt`, `JYMXSUM_${PARTNER}_20240101.txt`, `JYMX_${PARTNER}_20240101.txt`].sort());
  });

  it('says the period is wrong before connecting', async () => {
    const e = (await reconcileOverSftp(paykit, { instance: 'shop', date: '20240101' } as never, {
      connection: connectionTo(server), remoteDir: '/', localDir: local, partnerId: PARTNER,
    }))._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'period' });
    expect(server.opens).to.deep.equal([]);
  });
});
