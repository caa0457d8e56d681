// The README's quick start (copied next to this file as quickstart.ts), built from the packed
// tarballs and run as a merchant runs it: its Express app on 127.0.0.1 with PGlite in a temporary
// folder, LianLian played by the simulator from @paykit/provider-lianlian-web/testing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLogger } from '@paykit/core';
import { LianlianWebSimulator, submitForm, TEST_MD5_KEY, TEST_OID_PARTNER } from '@paykit/provider-lianlian-web/testing';
import { buildApp } from './quickstart.js';

const sim = await LianlianWebSimulator.start({ oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: 'MD5' });
const server = createServer();
await new Promise<void>((done) => { server.listen(0, '127.0.0.1', done); });
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const baseDir = mkdtempSync(join(tmpdir(), 'paykit-merchant-'));
const logger = new MemoryLogger();

try {
  const built = await buildApp({
    env: { LL_OID_PARTNER: TEST_OID_PARTNER, LL_MD5_KEY: TEST_MD5_KEY, LL_NOTIFY_URL: `${base}/paykit/notify/shop`, LL_CASHIER_URL: sim.cashierUrl, LL_API_BASE_URL: sim.url },
    baseDir,
    logger,
  });
  if (built.isErr()) throw new Error(`buildApp failed: ${built.error.message}`);
  const shop = built.value;
  server.on('request', shop.app);

  const orderId = `PKG${Date.now()}`;
  const created = await fetch(`${base}/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, amountFen: 4965, description: 'Green tea', userId: 'U1001', userRegisteredAt: '2024-01-01T00:00:00Z' }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const order = await created.json() as { status: string; cashier: Parameters<typeof submitForm>[0] };
  assert.equal(order.status, 'pending');

  const posted = await submitForm(order.cashier); // the payer's browser posts the signed form to the cashier
  assert.equal(posted.status, 200, posted.body);
  const deliveries = await sim.complete(orderId, 'succeeded'); // LianLian notifies the shop
  assert.equal(deliveries.length, 1);
  assert.equal(deliveries[0]?.acknowledged, true, 'the shop acknowledged the notification');

  const state = await (await fetch(`${base}/orders/${orderId}`)).json() as { status: string; amount: unknown };
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(state.amount, { amount: 4965, currency: 'CNY' });

  const closed = await shop.paykit.close();
  assert.ok(closed.isOk(), 'paykit.close() closed the store');
  assert.ok(existsSync(join(baseDir, 'paykit-data')), 'PGlite kept the data in ./paykit-data');
  assert.ok(!JSON.stringify(logger.lines).includes(TEST_MD5_KEY), 'the MD5 key never reached a log line');
  console.log(`packaging: the quick start took order ${orderId}, was paid and notified, and closed its store`);
} finally {
  server.closeAllConnections();
  await new Promise<void>((done) => { server.close(() => done()); });
  await sim.close();
  rmSync(baseDir, { recursive: true, force: true });
}
