import type { DomainEvent, PaymentError, RawHttpRequest } from '@paykit/core';
import { expect } from 'chai';
import fc from 'fast-check';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { declares, describeWithSut, expectErr, expectOk, snapshot, SUT, unsettledReference, type LeakLedger, type Sut } from '../kit.js';

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

/** paykit's recorded status of what an event is about. */
async function recordedStatus(s: Sut, event: DomainEvent): Promise<string | undefined> {
  const records = await snapshot(s);
  const find = (kind: string, match: (v: Record<string, unknown>) => boolean): string | undefined => {
    const list = records[kind] as readonly { value: Record<string, unknown> }[];
    return list.map((r) => r.value).find(match)?.status as string | undefined;
  };
  switch (event.type) {
    case 'payment': return find('payment', (v) => v.orderId === event.report.orderId);
    case 'refund': return find('refund', (v) => v.refundId === event.report.refundId);
    case 'payout': return find('payout', (v) => v.providerOrderId === event.report.providerOrderId);
    case 'preauth': return find('preauth', (v) => v.orderId === event.report.orderId);
    default: return event satisfies never;
  }
}

/** The status a success event leaves its record in. */
const SETTLED: Readonly<Record<DomainEvent['type'], string>> = { payment: 'succeeded', refund: 'succeeded', payout: 'succeeded', preauth: 'captured' };

/** Group: notifications are verified, applied once, and a success is never undone. */
export function notificationGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('notifications', harness, ledger, (sut) => {
    if (!declares(harness, 'notifications')) {
      it('declares no notifications (the capability group proves handle() answers Unsupported)', function () {
        expect(harness.plugin.capabilities).not.to.include('notifications');
      });
      return;
    }

    let reference = '';
    let event: DomainEvent | undefined;
    before(async function () {
      reference = await unsettledReference(harness, sut(), 4965);
    });

    it('accepts a valid success notification, acknowledges it exactly, and records the success', async function () {
      const s = sut();
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(reference, 'succeeded'))), 'handle(success)');
      expect(r.duplicate).to.equal(false);
      expect(s.ctx.isAck(r.reply.body), `reply body ${JSON.stringify(r.reply.body)} is the acknowledgement`).to.equal(true);
      event = r.event;
      if (r.event.type === 'payment') expect(r.event.report.orderId).to.equal(reference);
      expect(await recordedStatus(s, r.event)).to.equal(SETTLED[r.event.type]);
    });

    it('acknowledges a redelivery as a duplicate and changes nothing', async function () {
      const s = sut();
      const before = await snapshot(s);
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(reference, 'succeeded'))), 'handle(redelivery)');
      expect(r.duplicate).to.equal(true);
      expect(s.ctx.isAck(r.reply.body)).to.equal(true);
      expect(await snapshot(s)).to.deep.equal(before);
    });

    it('acknowledges a failure notification after the success and keeps the success', async function () {
      const s = sut();
      const r = expectOk(await s.run(() => s.paykit.notifications.handle(SUT, s.ctx.notification(reference, 'failed'))), 'handle(late failure)');
      expect(s.ctx.isAck(r.reply.body)).to.equal(true);
      expect(event, 'the success notification was handled first').to.not.equal(undefined);
      if (event) expect(await recordedStatus(s, event)).to.equal(SETTLED[event.type]);
    });

    it('refuses a tampered notification with a Signature or Decode error and changes nothing', async function () {
      const s = sut();
      const before = await snapshot(s);
      const e = await expectRefused(s, s.ctx.tamper(s.ctx.notification(reference, 'succeeded')), 'handle(tampered)');
      expect(['Signature', 'Decode'], e.message).to.include(e.kind);
      expect(await snapshot(s)).to.deep.equal(before);
    });

    it('refuses a tampered notification for a reference paykit has not settled, leaving it unsettled', async function () {
      const s = sut();
      const fresh = await unsettledReference(harness, s, 1200);
      const before = await snapshot(s);
      const e = await expectRefused(s, s.ctx.tamper(s.ctx.notification(fresh, 'succeeded')), 'handle(tampered, unsettled)');
      expect(['Signature', 'Decode'], e.message).to.include(e.kind);
      expect(await snapshot(s)).to.deep.equal(before);
    });

    it('refuses an unsigned notification', async function () {
      const s = sut();
      const fresh = await unsettledReference(harness, s, 1300);
      const before = await snapshot(s);
      await expectRefused(s, s.ctx.unsign(s.ctx.notification(fresh, 'succeeded')), 'handle(unsigned)');
      expect(await snapshot(s)).to.deep.equal(before);
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
