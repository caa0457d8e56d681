import type { PaymentError, RawHttpRequest } from '@paykit/core';
import { expect } from 'chai';
import fc from 'fast-check';
import type { ConformanceHarness } from '../harness.js';
import { createAndPay, declares, describeWithSut, expectErr, expectOk, firstCurrency, recorded, SUT, type LeakLedger, type Sut } from '../kit.js';

const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x'];

function raw(body: Uint8Array, contentType: string): RawHttpRequest {
  return { method: 'POST', url: '/notify', headers: { 'content-type': contentType, 'content-length': String(body.length) }, body };
}

/** Handles a request that must be refused: Err, and a reply that is not the acknowledgement. */
async function expectRefused(sut: Sut, request: RawHttpRequest, what: string): Promise<PaymentError> {
  const e = expectErr(await sut.run(() => sut.paykit.notifications.handle(SUT, request)), what);
  const reply = sut.paykit.notifications.rejection(SUT, e);
  expect(sut.ctx.isAck(reply.body), `${what}: the rejection reply must not be the acknowledgement`).to.equal(false);
  return e;
}

/** Group: notifications are verified, applied once, and a success is never undone. */
export function notificationGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('notifications', harness, ledger, (sut) => {
    if (!declares(harness, 'notifications')) {
      it('declares no notifications (the capability group proves handle() answers Unsupported)', function () {
        expect(harness.plugin.capabilities).not.to.include('notifications');
      });
      return;
    }

    let orderId = '';
    before(async function () {
      const s = sut();
      orderId = (await createAndPay(s, { amount: 4965, currency: firstCurrency(s.ctx) })).orderId;
    });

    it('accepts a valid success notification, acknowledges it exactly, and records the success', async function () {
      const s = sut();
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(orderId, 'succeeded'))), 'handle(success)');
      expect(r.duplicate).to.equal(false);
      expect(s.ctx.isAck(r.reply.body), `reply body ${JSON.stringify(r.reply.body)} is the acknowledgement`).to.equal(true);
      expect(r.event.type).to.equal('payment');
      if (r.event.type === 'payment') expect(r.event.report.orderId).to.equal(orderId);
      expect((await recorded(s, orderId)).status).to.equal('succeeded');
    });

    it('acknowledges a redelivery as a duplicate and changes nothing', async function () {
      const s = sut();
      const before = await recorded(s, orderId);
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(orderId, 'succeeded'))), 'handle(redelivery)');
      expect(r.duplicate).to.equal(true);
      expect(s.ctx.isAck(r.reply.body)).to.equal(true);
      expect(await recorded(s, orderId)).to.deep.equal(before);
    });

    it('acknowledges a failure notification after the success and keeps the payment succeeded', async function () {
      const s = sut();
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(orderId, 'failed'))), 'handle(late failure)');
      expect(s.ctx.isAck(r.reply.body)).to.equal(true);
      expect((await recorded(s, orderId)).status).to.equal('succeeded');
    });

    it('refuses a tampered notification with a Signature or Decode error and changes nothing', async function () {
      const s = sut();
      const before = await recorded(s, orderId);
      const e = await expectRefused(s, s.ctx.tamper(s.ctx.notification(orderId, 'succeeded')), 'handle(tampered)');
      expect(['Signature', 'Decode'], e.message).to.include(e.kind);
      expect(await recorded(s, orderId)).to.deep.equal(before);
    });

    it('refuses a tampered notification for an order that is not paid yet, leaving it unpaid', async function () {
      const s = sut();
      const fresh = (await createAndPay(s, { amount: 1200, currency: firstCurrency(s.ctx) })).orderId;
      const before = await recorded(s, fresh);
      const e = await expectRefused(s, s.ctx.tamper(s.ctx.notification(fresh, 'succeeded')), 'handle(tampered, unpaid order)');
      expect(['Signature', 'Decode'], e.message).to.include(e.kind);
      expect(await recorded(s, fresh)).to.deep.equal(before);
      expect(before.status).not.to.equal('succeeded');
    });

    it('refuses an unsigned notification', async function () {
      const s = sut();
      const fresh = (await createAndPay(s, { amount: 1300, currency: firstCurrency(s.ctx) })).orderId;
      const before = await recorded(s, fresh);
      await expectRefused(s, s.ctx.unsign(s.ctx.notification(fresh, 'succeeded')), 'handle(unsigned)');
      expect(await recorded(s, fresh)).to.deep.equal(before);
    });

    it('refuses empty, huge and wrongly typed bodies without throwing', async function () {
      const s = sut();
      await expectRefused(s, raw(new Uint8Array(0), 'application/x-www-form-urlencoded'), 'handle(empty body)');
      await expectRefused(s, raw(new Uint8Array(2 * 1024 * 1024).fill(0x41), 'application/json'), 'handle(2 MiB body)');
      await expectRefused(s, raw(Buffer.from('{"a":1}'), 'image/png'), 'handle(image/png)');
      await expectRefused(s, raw(Buffer.from('\u0000\u00ff\ufffd<xml/>', 'utf8'), 'text/xml'), 'handle(control bytes)');
    });

    it('refuses arbitrary bytes without throwing', async function () {
      const s = sut();
      await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(...CONTENT_TYPES), async (bytes, type) => {
        await expectRefused(s, raw(bytes, type), `handle(${bytes.length} random bytes as ${type})`);
      }), { numRuns: 60 });
    });
  });
}
